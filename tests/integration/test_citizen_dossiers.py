"""'Hồ sơ của tôi': a kiosk sends the ID number read from a citizen ID card and gets
the card holder's dossiers, masked as the public lookup shows them. The server keeps
only a keyed hash of applicant IDs: never the number, in the database, the events,
the logs or a backup."""

from __future__ import annotations

import csv
import io
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from dossier_fixtures import site_id
from server_fixtures import Api
from sqlalchemy import select

from queue_server.adapters.tables import metadata
from queue_server.backup import take_backup
from queue_server.mock_upstream import DEMO_CITIZEN_ID, demo_citizen_dossiers, demo_dossiers
from queue_server.services.dossier_feeds import mirror_rows

PATH = "/citizens/dossiers"
OTHER_ID = "079201001234"


def seed(api: Api) -> list[dict[str, Any]]:
    """The demo citizen's three dossiers among thirty others, one of them another
    citizen's; returns the demo citizen's upstream rows."""
    runtime, now = api.runtime, api.runtime.clock()
    mine = demo_citizen_dossiers(now)
    others = demo_dossiers(30, now)
    others[0]["SoDinhDanh"] = OTHER_ID
    with runtime.uow() as uow:
        rows = enumerate([*mine, *others], start=1)
        mirror_rows(uow, site_id(runtime), rows, "pull", now, id_key=runtime.id_key)
        uow.commit()
    return mine


def ask(api: Api, id_number: str, who: str | None = "kiosk") -> Any:
    return api.call("POST", PATH, who, json={"id_number": id_number})


def test_anonymous_callers_are_refused(api: Api) -> None:
    seed(api)
    response = ask(api, DEMO_CITIZEN_ID, who=None)
    assert response.status_code == 401
    assert DEMO_CITIZEN_ID not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["board", "rating", "officer"])
def test_only_a_kiosk_asks(api: Api, who: str) -> None:
    seed(api)
    assert ask(api, DEMO_CITIZEN_ID, who).status_code == 403


def test_a_kiosk_gets_the_card_holders_dossiers_in_the_public_view(api: Api) -> None:
    mine = seed(api)
    response = ask(api, "001 088 000 123")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    found = response.json["dossiers"]
    assert {d["status"]["code"] for d in found} == {2, 4, 9}
    assert sorted(d["code"] for d in found) == sorted(r["MaHoSo"] for r in mine)
    assert [d["received_at"] for d in found] == sorted(
        (d["received_at"] for d in found), reverse=True
    )
    for dossier in found:
        public = api.call("GET", "/dossiers/lookup", query_string={"q": dossier["code"]}).json
        assert dossier == public  # the same masked view as the public lookup
        assert dossier["applicant"] == "Nguyễn V** A*"
    assert DEMO_CITIZEN_ID not in text and "Nguyễn Văn An" not in text
    other = ask(api, OTHER_ID).json["dossiers"]
    assert len(other) == 1 and other[0]["code"] not in {d["code"] for d in found}
    assert ask(api, "001088000999").json == {"dossiers": []}


@pytest.mark.parametrize("id_number", ["012345678", "00108800012a", "", "1" * 41])
def test_what_is_not_an_id_number_is_refused_without_echoing_it(api: Api, id_number: str) -> None:
    response = ask(api, id_number)
    assert response.status_code == 400
    assert response.json["error"]["message_vi"]
    if id_number:
        assert id_number not in response.get_data(as_text=True)


def test_each_kiosk_is_rate_limited_on_its_own(api: Api) -> None:
    seed(api)
    for _ in range(10):
        assert ask(api, DEMO_CITIZEN_ID).status_code == 200
    refused = ask(api, DEMO_CITIZEN_ID)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json["error"]["code"] == "too_many_lookups"
    api.add_device("kiosk2", "kiosk")
    assert ask(api, DEMO_CITIZEN_ID, "kiosk2").status_code == 200


def test_a_file_import_hashes_the_applicant_id_in_its_own_process(api: Api) -> None:
    row = demo_dossiers(1, api.runtime.clock(), seed=5)[0]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["MaHoSo", "TrangThai", "ChuHoSo", "SoDinhDanh", "NgayTiepNhan"])
    writer.writerow(
        [row["MaHoSo"], row["TrangThai"], "Lê Văn Bình", OTHER_ID, row["NgayTiepNhan"]]
    )
    response = api.call(
        "POST",
        "/dossiers/import",
        "admin",
        data={"file": (io.BytesIO(out.getvalue().encode()), "ho-so.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.json
    assert [d["code"] for d in ask(api, OTHER_ID).json["dossiers"]] == [row["MaHoSo"]]


def database_text(api: Api) -> str:
    """Every row of every table, as text."""
    with api.runtime.uow(readonly=True) as uow:
        tables = metadata.sorted_tables
        return "\n".join(str(row) for t in tables for row in uow.session.execute(select(t)))


def backup_bytes(api: Api, tmp_path: Path) -> bytes:
    target = take_backup(api.runtime.db, tmp_path, None, None, api.runtime.clock())
    if api.runtime.db.is_sqlite:
        return target.read_bytes()
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed")
    return subprocess.run(
        ["pg_restore", "-f", "-", str(target)], capture_output=True, check=True
    ).stdout


def test_the_id_number_is_kept_nowhere(
    api: Api, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seed(api)
    for _ in range(11):  # up to the rate limit, which logs the caller
        ask(api, DEMO_CITIZEN_ID)
    digits = DEMO_CITIZEN_ID.encode()
    assert DEMO_CITIZEN_ID not in database_text(api)
    assert api.runtime.id_key.digest(DEMO_CITIZEN_ID) in database_text(api)
    assert DEMO_CITIZEN_ID not in caplog.text
    assert digits not in backup_bytes(api, tmp_path)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert digits not in path.read_bytes(), path
