"""Why a ``motcua-server`` command could not start, in one line a technician can act on.

A refused database, a data folder that cannot be written or a mistyped setting
used to end in a long traceback (or in SQLite's bare "unable to open database
file"). :func:`explain` turns those into a :class:`StartupFailure`: what could
not be used (the path, or the database URL with its password hidden) and why,
in Vietnamese and English on one line. The CLI prints the traceback as well
only with ``--debug``.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from drivers.logging_setup import redact
from queue_server.config import SettingsError


class StartupFailure(Exception):
    """What could not be used and why, in both languages."""

    def __init__(self, what_vi: str, what_en: str, cause_vi: str, cause_en: str) -> None:
        super().__init__(f"{what_en}: {cause_en}")
        self.what_vi, self.what_en = what_vi, what_en
        self.cause_vi, self.cause_en = cause_vi, cause_en

    def line(self) -> str:
        return (
            f"lỗi khởi động: {self.what_vi}: {self.cause_vi} — "
            f"start-up error: {self.what_en}: {self.cause_en}"
        )


#: (pattern in the driver's message, Vietnamese cause, English cause)
_DATABASE_CAUSES = (
    ("connection refused", "máy chủ từ chối kết nối (PostgreSQL có đang chạy không?)",
     "connection refused (is PostgreSQL running?)"),
    ("could not translate host name|name or service not known|nodename nor servname",
     "không tìm thấy máy chủ theo tên", "host name not found"),
    ("timeout expired|timed out", "máy chủ không trả lời (hết thời gian chờ)",
     "no answer (timed out)"),
    ("password authentication failed|no password supplied",
     "sai tên đăng nhập hoặc mật khẩu cơ sở dữ liệu", "wrong database user name or password"),
    ('database ".*" does not exist', "cơ sở dữ liệu chưa được tạo", "the database does not exist"),
    ("too many clients|remaining connection slots", "máy chủ đã hết kết nối",
     "the server has no free connections"),
    ("unable to open database file", "không mở hoặc tạo được tệp cơ sở dữ liệu",
     "the database file cannot be opened or created"),
    ("readonly database|read-only", "cơ sở dữ liệu chỉ đọc", "the database is read-only"),
)

_FOLDER_CAUSES = {
    errno.EACCES: ("không có quyền ghi", "no permission to write"),
    errno.EPERM: ("không có quyền ghi", "no permission to write"),
    errno.EROFS: ("ổ đĩa chỉ đọc", "read-only file system"),
    errno.ENOTDIR: ("không phải là thư mục", "not a folder"),
    errno.EEXIST: ("không phải là thư mục", "not a folder"),
    errno.ENOENT: ("không tồn tại", "does not exist"),
    errno.ENOSPC: ("ổ đĩa đã đầy", "the disk is full"),
}


def hidden_password(url: str) -> str:
    """``url`` safe to print: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


def check_data_dir(path: Path) -> None:
    """Refuse to start on a data folder that cannot be created or written:
    SQLite would only say "unable to open database file" later."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise _file_failure(
            f"thư mục dữ liệu {path} (MOTCUA_DATA_DIR)", f"data folder {path} (MOTCUA_DATA_DIR)",
            exc,
        ) from exc


def _file_failure(what_vi: str, what_en: str, exc: OSError) -> StartupFailure:
    cause_vi, cause_en = _FOLDER_CAUSES.get(exc.errno or 0, (exc.strerror, exc.strerror))
    return StartupFailure(what_vi, what_en, cause_vi or str(exc), cause_en or str(exc))


def explain(exc: BaseException, database_url: str) -> StartupFailure | None:
    """The one-line failure for errors a technician can fix, else None (a bug)."""
    if isinstance(exc, StartupFailure):
        return exc
    if isinstance(exc, SettingsError):
        return StartupFailure("cấu hình", "settings", exc.message_vi, exc.message)
    if isinstance(exc, ArgumentError) and "URL" in str(exc):
        return StartupFailure(
            f"địa chỉ cơ sở dữ liệu {hidden_password(database_url)!r} (MOTCUA_DATABASE_URL)",
            f"database URL {hidden_password(database_url)!r} (MOTCUA_DATABASE_URL)",
            "không đọc được, ví dụ đúng: postgresql+psycopg://user:pass@host/db",
            "not a URL, e.g. postgresql+psycopg://user:pass@host/db",
        )
    if isinstance(exc, DBAPIError):
        return _database_failure(exc, database_url)
    if isinstance(exc, OSError) and exc.filename:
        return _file_failure(f"đường dẫn {exc.filename}", f"path {exc.filename}", exc)
    return None


def _database_failure(exc: DBAPIError, database_url: str) -> StartupFailure:
    text = str(exc.orig or exc).strip()
    cause_vi = cause_en = redact(text.splitlines()[0] if text else type(exc).__name__)
    for pattern, vi, en in _DATABASE_CAUSES:
        if re.search(pattern, text, re.IGNORECASE):
            cause_vi, cause_en = vi, en
            break
    where = hidden_password(database_url)
    return StartupFailure(f"cơ sở dữ liệu {where}", f"database {where}", cause_vi, cause_en)

