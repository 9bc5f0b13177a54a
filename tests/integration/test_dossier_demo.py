"""``motcua-server init --demo`` mirrors demo dossiers in every status, the demo
citizen's three, and a catalogue, and opens bookings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from queue_server.adapters.database import connect
from queue_server.adapters.tables import dossiers, procedures, services
from queue_server.bootstrap import DEMO_BOOKINGS_PER_SLOT
from queue_server.citizen_id import CitizenIdKey
from queue_server.cli import main
from queue_server.mock_upstream import DEMO_CITIZEN_ID, DEMO_CITIZEN_STATUSES


def test_init_demo_mirrors_dossiers_in_every_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    assert main(["init", "--demo"]) == 0
    assert main(["init", "--demo"]) == 0  # again: same codes, updated in place
    out = capsys.readouterr().out
    assert "303 demo dossiers mirrored" in out and "15 demo procedures loaded" in out
    db = connect(f"sqlite:///{tmp_path / 'motcua.db'}")
    with db.engine.connect() as conn:
        counts = dict(
            conn.execute(select(dossiers.c.status, func.count()).group_by(dossiers.c.status)).all()
        )
        names = conn.execute(select(dossiers.c.applicant_name).limit(5)).scalars().all()
        catalogue = conn.execute(select(func.count()).select_from(procedures)).scalar_one()
        opened = select(services.c.appointment_capacity == DEMO_BOOKINGS_PER_SLOT)
        bookable = list(conn.execute(opened).scalars())
        id_hash = CitizenIdKey.load("", tmp_path).digest(DEMO_CITIZEN_ID)
        citizen = conn.execute(
            select(dossiers.c.status).where(dossiers.c.applicant_id_hash == id_hash)
        ).scalars()
        citizen_statuses = sorted(citizen)
    db.dispose()
    assert citizen_statuses == list(DEMO_CITIZEN_STATUSES)
    demo = {s: 30 + (s in DEMO_CITIZEN_STATUSES) for s in range(1, 11)}
    assert counts == demo
    assert all(len(name.split()) >= 3 for name in names)
    assert catalogue == 15
    assert bookable and all(bookable)  # the booking page offers every service
