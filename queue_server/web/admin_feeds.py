"""Admin pages: the dossier mirror's feeds (pull, push, file import), each with its
last attempt, last success and last error, and the XLSX/CSV import with its row
report. The import runs in a child process (:mod:`queue_server.import_process`),
exactly as the API's ``POST /dossiers/import``."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request

from queue_server.flask_runtime import current_runtime
from queue_server.import_process import ImportKind, ImportRequest, run_import
from queue_server.services.dossier_feeds import feed_report
from queue_server.web.admin import bp, site_id

FORMATS = ("xlsx", "csv")
SOURCE_NAMES = {
    "pull": ("Kéo định kỳ từ hệ thống một cửa", "Scheduled pull"),
    "push": ("Hệ thống một cửa đẩy sang (webhook)", "Signed push (webhook)"),
    "import": ("Nhập tệp", "File import"),
}


@bp.get("/feeds")
def feeds() -> str:
    return _page()


@bp.post("/feeds/import")
def import_dossiers() -> tuple[str, int]:
    """Import the uploaded file and show the page with the answer: the rows mirrored,
    or (nothing saved) each refused row with its column and problem."""
    upload = request.files.get("file")
    name = (upload.filename or "") if upload is not None else ""
    data = upload.read() if upload is not None else b""
    file_format = name.rsplit(".", 1)[-1].lower()
    if not data or file_format not in FORMATS:
        result: dict[str, Any] = {
            "error": {
                "message_vi": "Hãy chọn một tệp .xlsx hoặc .csv.",
                "message": "Choose an .xlsx or .csv file.",
            }
        }
        return _page(result, name), 400
    runtime = current_runtime()
    job = ImportRequest(
        ImportKind.DOSSIERS, file_format, site_id(), f"user:{g.user.username}", runtime.clock()
    )
    status, result = run_import(runtime.db, job, data, runtime.id_key)
    return _page(result, name), status


def _page(result: dict[str, Any] | None = None, name: str = "") -> str:
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        states = feed_report(uow, site_id(), runtime.clock())
    return render_template(
        "admin_feeds.html", feeds=states, names=SOURCE_NAMES, result=result, file_name=name
    )
