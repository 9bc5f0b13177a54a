"""Wiring a runtime outside a request: for the CLI, the demo and the tests.

Site files, the demo's dossiers and procedures are imported where they are loaded: they pull
in the spreadsheet reader and the upstream connectors, which an administrative
command such as ``create-token`` does not need (most of its start-up time).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from queue_server.adapters.database import Database, connect
from queue_server.adapters.tables import start_mappers
from queue_server.citizen_id import CitizenIdKey
from queue_server.config import Settings
from queue_server.queueing.hours import OpeningHours
from queue_server.runtime import Runtime
from queue_server.services.clock import utc_now
from queue_server.startup import check_data_dir

if TYPE_CHECKING:
    from queue_server.services.site_config import SiteFile

EXAMPLE_SITE = Path(__file__).with_name("site_example.toml")
DEMO_PROCEDURES = Path(__file__).with_name("procedures_demo.json")


def open_runtime(settings: Settings) -> Runtime:
    check_data_dir(settings.data_dir)
    start_mappers()
    return Runtime(settings=settings, db=connect(settings.resolved_database_url))


#: Bookings each slot of each service takes in the demo, so the phone booking page
#: (``/dat-lich``) has something to offer; the tests' centre takes none unless told.
DEMO_BOOKINGS_PER_SLOT = 3


def demo_site(bookings_per_slot: int = 0) -> SiteFile:
    """The example centre, open around the clock so the demo works at any hour."""
    from queue_server.services.site_config import parse_site_file

    site = parse_site_file(EXAMPLE_SITE)
    site.services = [
        s.model_copy(
            update={"hours": OpeningHours.ALWAYS_SPEC, "appointment_capacity": bookings_per_slot}
        )
        for s in site.services
    ]
    return site


def load_site(db: Database, config: SiteFile, actor: str = "cli") -> str:
    """Apply a site file in one transaction; return the site code."""
    from queue_server.services.site_config import apply_site_file

    with Runtime(settings=Settings(), db=db).uow() as uow:
        site = apply_site_file(uow, config, actor, utc_now())
        uow.commit()
        return site.code


def load_demo_dossiers(
    db: Database, site_code: str, id_key: CitizenIdKey, count: int = 300
) -> int:
    """Mirror ``count`` demo dossiers in every status, and the demo citizen's three, as if
    pulled from upstream (their ID number hashed with ``id_key``)."""
    from queue_server.mock_upstream import demo_citizen_dossiers, demo_dossiers
    from queue_server.services.dossier_feeds import DEMO, mirror_rows
    from queue_server.services.dossier_mirror import record_feed

    now = utc_now()
    with Runtime(settings=Settings(), db=db).uow() as uow:
        site = uow.repo.site(site_code)
        assert site is not None and site.id is not None
        rows = enumerate([*demo_dossiers(count, now), *demo_citizen_dossiers(now)], start=1)
        result = mirror_rows(uow, site.id, rows, DEMO, now, id_key=id_key)
        record_feed(uow, site.id, DEMO, now, rows=result.rows)
        uow.commit()
        return result.rows


def load_demo_procedures(db: Database, site_code: str) -> int:
    """The demo procedure catalogue (fifteen common procedures of a district centre)."""
    from queue_server.dossiers.procedures import parse_catalogue
    from queue_server.services.procedures import import_procedures

    catalogue = parse_catalogue(DEMO_PROCEDURES.read_bytes(), "json")
    with Runtime(settings=Settings(), db=db).uow() as uow:
        site = uow.repo.site(site_code)
        assert site is not None and site.id is not None
        count = import_procedures(uow, site.id, catalogue)
        uow.commit()
        return count


def load_demo(db: Database, id_key: CitizenIdKey) -> tuple[str, int, int]:
    """The demo centre with its mirrored dossiers and procedure catalogue.

    Returns the site code and how many dossiers and procedures were loaded.
    """
    code = load_site(db, demo_site(DEMO_BOOKINGS_PER_SLOT), actor="demo")
    return code, load_demo_dossiers(db, code, id_key), load_demo_procedures(db, code)
