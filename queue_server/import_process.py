"""File imports run in a child process, so a big file never freezes the server.

Reading a spreadsheet and writing 50,000 rows is many seconds of CPU and
database work. Inside the single gevent worker it stopped every board, kiosk and
health check meanwhile, and gunicorn killed the worker after 60 s. CPU-bound
parsing in a greenlet (or a thread, which still holds the GIL) blocks the loop,
so the request hands the file to ``python -m queue_server.import_process`` on its
stdin and waits for its one-line JSON answer; under gevent that wait is
cooperative. The child opens its own database connection and runs the same use
cases, all rows or none, like the CLI would; its events reach the streams through
the relay that already carries the CLI's.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import text

from device_kit.contract.errors import Refusal
from queue_server.adapters.database import Database, connect
from queue_server.adapters.tables import start_mappers
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.citizen_id import CitizenIdKey
from queue_server.queueing.errors import error_body, refusal_body
from queue_server.services.unit_of_work import run

log = logging.getLogger(__name__)

#: Past this, the child is killed and the import answered 503 (nothing saved).
TIMEOUT_S = 600.0
ENV_DATABASE = "MOTCUA_IMPORT_DATABASE_URL"
ENV_SCHEMA = "MOTCUA_IMPORT_SCHEMA"
ENV_REQUEST = "MOTCUA_IMPORT_REQUEST"
#: The citizen ID hash key, so the child hashes applicant IDs as the server would.
ENV_ID_KEY = "MOTCUA_IMPORT_ID_KEY"
PACKAGE_ROOT = Path(__file__).resolve().parents[1]

Answer = tuple[int, dict[str, Any]]


class ImportKind(StrEnum):
    DOSSIERS = "dossiers"
    PROCEDURES = "procedures"


@dataclass(frozen=True)
class ImportRequest:
    """What to import and for whom; ``now`` is the request's time, stamped on the rows."""

    kind: ImportKind
    file_format: str
    site_id: int
    actor: str
    now: datetime

    def to_json(self) -> str:
        return json.dumps(asdict(self) | {"now": self.now.isoformat()})

    @classmethod
    def from_json(cls, raw: str) -> ImportRequest:
        fields = json.loads(raw)
        return cls(
            kind=ImportKind(fields["kind"]),
            file_format=fields["file_format"],
            site_id=int(fields["site_id"]),
            actor=str(fields["actor"]),
            now=datetime.fromisoformat(fields["now"]),
        )


def run_import(
    db: Database, request: ImportRequest, data: bytes, id_key: CitizenIdKey | None = None
) -> Answer:
    """The HTTP status and JSON body of importing ``data``, done by a child process."""
    key = {ENV_ID_KEY: id_key.secret.decode()} if id_key is not None else {}
    env = os.environ | key | {
        ENV_DATABASE: db.url,
        ENV_SCHEMA: _schema(db),
        ENV_REQUEST: request.to_json(),
        # The child imports this very code, wherever the server was started from.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", __name__],
            input=data,
            env=env,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.error("%s import stopped after %.0f s", request.kind, TIMEOUT_S)
        return 503, error_body(
            "import_timeout",
            f"The import took longer than {TIMEOUT_S:.0f} s and was stopped; nothing was "
            "saved. Split the file into smaller ones.",
            f"Việc nhập quá {TIMEOUT_S:.0f} giây nên đã dừng; chưa lưu gì. "
            "Hãy chia tệp thành các tệp nhỏ hơn.",
        )
    try:
        status, body = json.loads(done.stdout)
    except ValueError:
        log.error(
            "%s import process failed (exit %s): %s",
            request.kind,
            done.returncode,
            done.stderr.decode(errors="replace")[-2000:],
        )
        return 500, error_body(
            "internal_error",
            "The import failed; nothing was saved. Try again or call the technician.",
            "Nhập dữ liệu thất bại; chưa lưu gì. Vui lòng thử lại hoặc báo kỹ thuật viên.",
        )
    return int(status), body


def _schema(db: Database) -> str:
    """The PostgreSQL schema the server works in (a test's own), for the child's search path."""
    if db.is_sqlite:
        return ""
    with db.engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def _work(
    request: ImportRequest, id_key: CitizenIdKey | None
) -> Callable[[UnitOfWork, bytes], dict[str, Any]]:
    """The use case for ``request.kind`` and the body of its success answer."""
    from queue_server.services.dossier_feeds import import_file
    from queue_server.services.procedures import import_catalogue_file

    args = (request.file_format, request.actor, request.now)
    if request.kind is ImportKind.DOSSIERS:
        return lambda uow, data: {
            "imported": import_file(uow, request.site_id, data, *args, id_key).rows
        }
    return lambda uow, data: {
        "imported": import_catalogue_file(uow, request.site_id, data, *args)
    }


def import_in_this_process(
    db: Database, request: ImportRequest, data: bytes, id_key: CitizenIdKey | None = None
) -> Answer:
    """What the child does: the import in one transaction, retried on a busy database."""
    work = _work(request, id_key)
    try:
        return 200, run(functools.partial(UnitOfWork, db), lambda uow: work(uow, data))
    except Refusal as refusal:
        return refusal.status, refusal_body(refusal)


def main() -> int:
    """Child entry: the file on stdin, the request in the environment, the answer on stdout."""
    request = ImportRequest.from_json(os.environ[ENV_REQUEST])
    start_mappers()
    db = connect(os.environ[ENV_DATABASE], schema=os.environ.get(ENV_SCHEMA) or None)
    try:
        secret = os.environ.get(ENV_ID_KEY)
        id_key = CitizenIdKey(secret.encode()) if secret else None
        answer = import_in_this_process(db, request, sys.stdin.buffer.read(), id_key)
    finally:
        db.dispose()
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
