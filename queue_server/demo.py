"""``motcua-server demo``: the whole system on one machine, with demo data.

Creates the demo site (SQLite under ``var/demo``), demo users and device tokens
(printed once), then serves the API and pages. Emulated devices and the kiosk,
board and rating apps join as they are started here.
"""

from __future__ import annotations

import secrets

from queue_server.adapters.database import migrate
from queue_server.bootstrap import demo_site, load_site, open_runtime
from queue_server.config import Settings
from queue_server.server import serve
from queue_server.services.auth import Role, create_user, issue_token
from queue_server.services.clock import utc_now

DEMO_USERS = (
    ("admin", Role.ADMIN, "Quản trị viên"),
    ("kythuat", Role.TECHNICIAN, "Kỹ thuật viên"),
    ("giamsat", Role.SUPERVISOR, "Lãnh đạo giám sát"),
    ("canbo1", Role.OFFICER, "Nguyễn Thị Lan"),
    ("canbo2", Role.OFFICER, "Trần Văn Minh"),
)
DEMO_DEVICES = (("kiosk-sanh-1", "kiosk"), ("bang-sanh", "board"), ("danh-gia-quay-1", "rating"))


def prepare_demo(settings: Settings) -> dict[str, str]:
    """Migrate, load the demo site, create users and tokens; return what to print."""
    runtime = open_runtime(settings)
    migrate(runtime.db)
    code = load_site(runtime.db, demo_site(), actor="demo")
    secrets_out: dict[str, str] = {}
    now = utc_now()
    with runtime.uow() as uow:
        site = uow.repo.site(code)
        assert site is not None and site.id is not None
        for username, role, full_name in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            create_user(uow, site.id, username, role, password, now, full_name=full_name)
            secrets_out[f"user {username} ({role})"] = password
        for name, kind in DEMO_DEVICES:
            counter_id = uow.repo.counters(site.id)[0].id if kind == "rating" else None
            secrets_out[f"token {name} ({kind})"] = issue_token(
                uow, site_id=site.id, kind=kind, name=name, now=now, counter_id=counter_id
            )
        uow.commit()
    runtime.db.dispose()
    return secrets_out


def run_demo(settings: Settings, host: str, port: int) -> int:
    credentials = prepare_demo(settings)
    base = f"http://{host}:{port}"
    lines = [
        "motcua demo — Trung tâm Phục vụ hành chính công (demo data, SQLite)",
        f"  database:   {settings.resolved_database_url}",
        f"  API:        {base}/api/v1/health",
        f"  API docs:   {base}/api/v1/openapi.json",
        f"  queue:      {base}/api/v1/queue",
        "  credentials (shown once):",
        *(f"    {label:<32} {secret}" for label, secret in credentials.items()),
        "Stop with Ctrl+C.",
    ]
    print("\n".join(lines), flush=True)
    serve(
        host,
        port,
        sqlite=settings.resolved_database_url.startswith("sqlite"),
        app_config={
            "data_dir": str(settings.data_dir),
            "database_url": settings.database_url,
            "secret_key": settings.secret_key,
            "public_url": base,
        },
    )
    return 0
