"""Logging for every motcua process, set up once, first thing in each ``main``.

The server, its commands (``run`` under gunicorn included), the kiosk, the
boards and ``motcua-devices`` all call :func:`configure_logging`. It lives in
``drivers`` because that is the one package every entry point already imports
and it pulls in neither Flask nor SQLAlchemy (a kiosk or a board has neither).

- One line per record (newlines inside a message or a traceback are written as
  ``\\n``), with the level and the logger name. Under systemd (``JOURNAL_STREAM``
  set) there is no timestamp, journald adds its own, and each line starts with
  the syslog priority (``<4>``) so ``journalctl -p warning`` works; elsewhere
  each line starts with the local time.
- Every record is scrubbed before any handler sees it (see :func:`redact`): the
  message, the formatted traceback and stack, and the parameters SQLAlchemy logs
  or puts into its error texts. Citizen ID numbers and tokens never reach a log.
- Raw device bytes go to ``drivers.traffic``, which has its own handler, is off
  unless asked for (``traffic=True``), and never propagates into the main log.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any, TextIO

TRAFFIC = "drivers.traffic"

_REDACTIONS = (
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)(\"?(?:password|token|secret)\"?\s*[:=]\s*\"?)[^\s\",&}]+"), r"\1[redacted]"),
    (re.compile(r"(/track/)[A-Za-z0-9_-]+"), r"\1[redacted]"),
    (re.compile(r"(?m)^(\[parameters: ).*$"), r"\1[redacted]]"),
    (re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)"), "[id-number]"),
)
#: SQLAlchemy's echo logs the bound values of each statement as ``[<stats>] <params>``.
_SQL_PARAMETERS = "[%s] %r"
_SYSLOG_PRIORITY = {
    logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2,
}


def redact(text: str) -> str:
    """``text`` without secrets, SQL parameters or ID numbers; used on every log record."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def install_redaction() -> None:
    """Wrap the log record factory once per process, so third-party loggers are covered."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "motcua_redacts", False):
        return

    def scrubbed(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _scrub(record)
        return record

    scrubbed.motcua_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(scrubbed)


def _scrub(record: logging.LogRecord) -> None:
    if record.name.startswith("sqlalchemy.engine") and record.msg == _SQL_PARAMETERS:
        args = record.args if isinstance(record.args, tuple) and record.args else ("",)
        record.args = args[:1] + ("[parameters redacted]",)
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class OneLineFormatter(logging.Formatter):
    """A record on one line: journald and ``grep`` see one entry per record."""

    def __init__(self, journald: bool) -> None:
        prefix = "" if journald else "%(asctime)s "
        super().__init__(f"{prefix}%(levelname)s %(name)s: %(message)s")
        self.journald = journald

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record).replace("\r", "").replace("\n", "\\n")
        if self.journald:
            return f"<{_SYSLOG_PRIORITY.get(record.levelno, 6)}>{line}"
        return line


#: Libraries that log their own set-up at INFO when first imported: commands import
#: them lazily, so those lines would land amid the command's one-line messages.
QUIET_AT_INFO = ("alembic.runtime.plugins",)


class _MotcuaHandler(logging.StreamHandler):
    """Marks the handlers this module installed, so a second call replaces them."""


def under_journald() -> bool:
    """systemd sets ``JOURNAL_STREAM`` when a service's output goes to the journal."""
    return bool(os.environ.get("JOURNAL_STREAM"))


def configure_logging(
    level: int = logging.INFO, *, traffic: bool = False, stream: TextIO | None = None
) -> None:
    """Send every record at ``level`` and above to ``stream`` (stderr), scrubbed,
    one line each; ``traffic`` turns the device-bytes log on."""
    install_redaction()
    # Kivy would otherwise add its own handlers to the root logger when first imported.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    formatter = OneLineFormatter(under_journald())
    root = logging.getLogger()
    _replace_handler(root, formatter, stream)
    root.setLevel(level)
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    wire = logging.getLogger(TRAFFIC)
    wire.propagate = False
    if traffic:
        _replace_handler(wire, formatter, stream)
        wire.setLevel(logging.DEBUG)
    else:
        _drop_handlers(wire)
        wire.addHandler(logging.NullHandler())
        wire.setLevel(logging.CRITICAL + 1)


def _replace_handler(
    logger: logging.Logger, formatter: logging.Formatter, stream: TextIO | None
) -> None:
    _drop_handlers(logger)
    handler = _MotcuaHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    logger.addHandler(handler)


def _drop_handlers(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        if isinstance(handler, _MotcuaHandler | logging.NullHandler):
            logger.removeHandler(handler)
