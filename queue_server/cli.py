"""``motcua-server``: set up, run and administer the queue server.

The sub-commands are a contract technicians script against; keep them stable.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import logging
import os
import sys
import time
import traceback
from datetime import time as datetime_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from device_kit.contract.errors import Refusal
from device_kit.contract.site_zone import DEFAULT_ZONE
from drivers.logging_setup import configure_logging
from queue_server.adapters.database import migrate
from queue_server.bootstrap import load_demo, load_site, open_runtime
from queue_server.config import Settings, load_settings
from queue_server.queueing.errors import QueueError
from queue_server.runtime import Runtime
from queue_server.services.auth import DeviceKind, Role, create_user, issue_token
from queue_server.services.clock import local_day, utc_now
from queue_server.startup import explain


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    runtime = open_runtime(settings)
    migrate(runtime.db)
    if args.demo:
        code, dossiers, procedures = load_demo(runtime.db, runtime.id_key)
        print(f"site {code} loaded (demo, open around the clock)")
        print(f"{dossiers} demo dossiers mirrored")
        print(f"{procedures} demo procedures loaded")
    elif args.site:
        from queue_server.services.site_config import parse_site_file

        print(f"site {load_site(runtime.db, parse_site_file(Path(args.site)))} loaded")
    print(f"database ready: {runtime.db.engine.url.render_as_string(hide_password=True)}")
    return 0


def _site_id(runtime: Runtime, code: str) -> int:
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site(code)
        if site is None:
            raise QueueError(
                f"There is no site {code!r}; run 'motcua-server init' first.",
                f"Chưa có trung tâm «{code}»; hãy chạy 'motcua-server init'.",
            )
        return site.id or 0


def _new_password(from_stdin: bool) -> str:
    """The password from one line of standard input, or typed twice at a hidden
    prompt; never from the command line, where ``ps`` and the shell history keep it."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password / Mật khẩu: ")
        if getpass.getpass("Again / Nhập lại: ") != password:
            raise QueueError(
                "The two passwords differ; nothing was saved.",
                "Hai lần nhập mật khẩu không khớp; chưa lưu gì.",
            )
    if not password:
        raise QueueError("No password given.", "Chưa nhập mật khẩu.")
    return password


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    password = _new_password(args.password_stdin)
    runtime = open_runtime(settings)
    site_id = _site_id(runtime, args.site or settings.default_site)
    with runtime.uow() as uow:
        create_user(
            uow,
            site_id,
            args.name,
            Role(args.role),
            password,
            utc_now(),
            full_name=args.full_name or "",
        )
        uow.commit()
    print(f"user {args.name} ({args.role}) saved", file=sys.stderr)
    return 0


def cmd_create_token(args: argparse.Namespace, settings: Settings) -> int:
    runtime = open_runtime(settings)
    site_id = _site_id(runtime, args.site or settings.default_site)
    counter_id = None
    with runtime.uow() as uow:
        if args.kind == DeviceKind.COUNTER.value or args.counter is not None:
            if args.counter is None:
                raise QueueError(
                    "A counter token needs --counter NUMBER.",
                    "Mã của bàn phím quầy cần --counter SỐ_QUẦY.",
                )
            counter_id = uow.repo.counter_by_number(site_id, args.counter).id
        token = issue_token(
            uow,
            site_id=site_id,
            kind=args.kind,
            name=args.device,
            now=utc_now(),
            counter_id=counter_id,
        )
        uow.commit()
    print(token)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server.server import serve

    if args.worker_class == "gevent":
        # psycopg picks its wait function when first imported (here, in the master,
        # before gevent patches the workers): pick the one gevent can make cooperative.
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    runtime = open_runtime(settings)
    migrate(runtime.db)
    sqlite = runtime.db.is_sqlite
    runtime.db.dispose()
    print(f"motcua server on http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    serve(
        args.host,
        args.port,
        workers=args.workers,
        sqlite=sqlite,
        worker_class=args.worker_class,
        app_config=_app_config(settings),
    )
    return 0


def _app_config(settings: Settings) -> dict[str, Any]:
    return {
        "data_dir": str(settings.data_dir),
        "database_url": settings.database_url,
        "secret_key": settings.secret_key,
        "public_url": settings.public_url,
    }


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server.demo import run_demo

    if not settings.database_url:
        settings = settings.model_copy(update={"data_dir": settings.data_dir / "demo"})
    return run_demo(settings, args.host, args.port)


def cmd_mock_upstream(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server.mock_upstream import MockUpstream, UpstreamStore, demo_dossiers

    store = UpstreamStore(demo_dossiers(args.count, utc_now(), seed=args.seed))
    upstream = MockUpstream(store, args.token, args.host, args.port, quiet=False)
    print(f"mock one-stop system: {upstream.url} ({args.count} dossiers)", file=sys.stderr)
    upstream.serve()
    return 0


def cmd_pull_dossiers(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server.services.dossier_feeds import pull_forever

    runtime = open_runtime(settings)
    return pull_forever(runtime, _site_id(runtime, args.site or settings.default_site), args.once)


def cmd_sms_lookup(args: argparse.Namespace, settings: Settings) -> int:
    import threading

    from drivers.errors import DriverError, ProtocolError
    from drivers.gsm.modem import GsmModem
    from queue_server import sms_service
    from queue_server.services.dossier_settings import load_dossier_settings
    from queue_server.services.sms_lookup import SmsLookup, SmsResponder
    from queue_server.services.sms_outbox import SmsOutbox

    runtime = open_runtime(settings)
    site_id = _site_id(runtime, args.site or settings.default_site)
    with runtime.uow(readonly=True) as uow:
        per_hour = load_dossier_settings(uow, site_id).sms_per_hour
        hotline = uow.repo.site_by_id(site_id).hotline or None
    lookup = SmsLookup(runtime, site_id, per_hour, hotline)
    with GsmModem(args.port, args.baud) as modem:
        modem.setup()
        # A reply the network refuses is lost alone; a modem that stops answering
        # ends the turn, and the message is answered once the modem is back.
        responder = SmsResponder(modem, lookup, failures=(ProtocolError,))
        outbox = SmsOutbox(runtime, failures=(DriverError,))
        print(f"SMS lookup on {args.port}; {responder.catch_up()} waiting messages answered")
        sms_service.serve(modem, responder, outbox, threading.Event())
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server import backup

    runtime = open_runtime(settings)
    if not args.weekly:
        out = Path(args.out) if args.out else None
        print(_backup_once(runtime, out, args.keep))
        return 0
    weekday, at = args.weekday, datetime_time.fromisoformat(args.at)
    while True:
        slot = backup.next_backup_time(utc_now(), weekday, at, ZoneInfo(args.timezone))
        print(f"next backup at {slot.isoformat()}", file=sys.stderr, flush=True)
        time.sleep(max(0.0, (slot - utc_now()).total_seconds()))
        try:
            print(_backup_once(runtime, None, args.keep), flush=True)
        except Exception as exc:  # recorded for the pages; next week tries again
            print(f"backup failed / sao lưu thất bại: {exc}", file=sys.stderr, flush=True)


def _backup_once(runtime: Runtime, out: Path | None, keep: int | None) -> Path:
    """One backup, its outcome recorded where the admin and fleet pages read it."""
    from queue_server import backup, backup_status

    data_dir = runtime.settings.data_dir
    try:
        path = backup.take_backup(runtime.db, data_dir, out, keep, utc_now())
    except Exception as exc:
        backup_status.record_failure(data_dir, utc_now(), str(exc) or type(exc).__name__)
        raise
    backup_status.record_success(data_dir, utc_now(), path)
    return path


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server.backup import restore
    from queue_server.server_lock import ServerLock

    runtime = open_runtime(settings)
    lock = ServerLock(runtime.db)
    if not lock.try_exclusive():
        print(
            "A motcua server is running on this database: stop it first "
            "(sudo systemctl stop motcua-server), then restore, then start it again.\n"
            "Máy chủ motcua đang chạy trên cơ sở dữ liệu này: hãy dừng nó trước "
            "(sudo systemctl stop motcua-server), khôi phục, rồi khởi động lại.",
            file=sys.stderr,
        )
        return 1
    try:
        restore(runtime.db, Path(args.file))
        migrate(runtime.db)
    finally:
        lock.release()
    where = runtime.db.engine.url.render_as_string(hide_password=True)
    print(f"restored {args.file} into {where}", file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server.backup_check import BadBackup, checksum_path, verify

    try:
        checked = verify(Path(args.file))
    except BadBackup as bad:
        print(f"BAD {args.file}: {bad.message}\nkhông dùng được: {bad.message_vi}",
              file=sys.stderr)
        return 1
    print(f"OK {args.file}: {checked.engine}, schema revision {checked.revision}, "
          f"{checked.tables} tables and their columns as motcua expects")
    sidecar = checksum_path(Path(args.file)).name
    if checked.checksum_checked:
        print(f"checksum matches {sidecar} / mã kiểm tra khớp {sidecar}")
    else:
        print(f"no checksum checked: no {sidecar} beside the file / "
              f"chưa kiểm tra mã kiểm tra (checksum): không có tệp {sidecar} bên cạnh")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import date

    from queue_server.reports.build import ReportFormat, ReportRequest, build_report, render
    from queue_server.reports.periods import PeriodKind, parse_day, requested_period
    from queue_server.reports.store import run_due_reports

    runtime = open_runtime(settings)
    site_id = _site_id(runtime, args.site or settings.default_site)
    if args.due:
        for stored in run_due_reports(runtime, site_id):
            print(settings.data_dir / stored.path)
        return 0
    if args.out is None:
        raise QueueError(
            "Give --out FILE (and --from and --to for a range), or --due.",
            "Cần --out FILE (và --from, --to cho một khoảng thời gian), hoặc --due.",
        )
    start = parse_day(args.start) if args.start else None
    end = parse_day(args.end) if args.end else None
    now = utc_now()
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site_by_id(site_id)
        today = date.fromisoformat(local_day(now, site.timezone))
        wanted = ReportRequest(
            requested_period(PeriodKind(args.period), start, end, today),
            args.service,
            args.counter,
            args.officer,
        )
        report = build_report(uow, site, wanted, now)
    Path(args.out).write_bytes(render(report, ReportFormat(args.format)))
    print(args.out)
    return 0


def cmd_pair(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server.services.device_fleet import confirm_pairing

    runtime = open_runtime(settings)
    site_id = _site_id(runtime, args.site or settings.default_site)
    with runtime.uow() as uow:
        # Whoever runs the server's CLI holds its database: an admin in all but name.
        device = confirm_pairing(
            uow, site_id, args.code, args.name, args.counter, "cli", utc_now(), may_bind=True
        )
        uow.commit()
    print(f"paired {device['kind']} {device['name']} (device {device['id']})", file=sys.stderr)
    return 0


def cmd_fleet(args: argparse.Namespace, settings: Settings) -> int:
    from queue_server.services.device_fleet import fleet

    runtime = open_runtime(settings)
    site_id = _site_id(runtime, args.site or settings.default_site)
    with runtime.uow(readonly=True) as uow:
        devices = fleet(uow, site_id, utc_now())
    for d in devices:
        problems = ",".join(d["problems"]) or "-"
        print(f"{d['status']:<11} {d['kind']:<8} {d['name']:<24} {problems:<16} "
              f"{d['last_seen_at'] or 'never'}  {d['detail']}".rstrip())
    return 1 if any(d["status"] != "ok" for d in devices) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua-server", description=__doc__)
    parser.add_argument("--debug", action="store_true",
                        help="debug log and, on failure, the full traceback")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create or upgrade the database, load a site file")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--site", help="site file (TOML), see deploy/site.example.toml")
    group.add_argument("--demo", action="store_true", help="load the demo site")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("run", help="serve the API and pages until SIGTERM")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--worker-class", default="gevent", choices=["gevent", "gthread"])
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="demo site with demo users, tokens and emulated devices")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "create-user", help="create or update a user; asks for the password", allow_abbrev=False
    )
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.add_argument("--full-name")
    p.add_argument("--site")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("create-token", help="create a device token; prints it alone")
    p.add_argument("--device", required=True, help="device name, e.g. kiosk-sanh-1")
    p.add_argument("--kind", required=True, choices=[k.value for k in DeviceKind])
    p.add_argument("--counter", type=int, help="counter number (counter tokens)")
    p.add_argument("--site")
    p.set_defaults(func=cmd_create_token)

    p = sub.add_parser("mock-upstream", help="serve a mock one-stop system for the demo")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8900)
    p.add_argument("--count", type=int, default=500, help="dossiers to serve")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--token", help="require 'Authorization: Bearer TOKEN'")
    p.set_defaults(func=cmd_mock_upstream)

    p = sub.add_parser("pull-dossiers", help="pull dossiers from [dossiers.pull] into the mirror")
    p.add_argument("--once", action="store_true", help="one pull, then exit")
    p.add_argument("--site")
    p.set_defaults(func=cmd_pull_dossiers)

    p = sub.add_parser(
        "sms-lookup",
        help="answer 'HS <code>' SMS and send booking SMS (the outbox) through a GSM modem",
    )
    p.add_argument("--port", required=True, help="modem serial port, e.g. /dev/ttyUSB2")
    p.add_argument("--baud", type=int, default=115_200)
    p.add_argument("--site")
    p.set_defaults(func=cmd_sms_lookup)

    p = sub.add_parser("backup", help="back up the database; prints the file path alone")
    p.add_argument("--out", help="backup file (default: DATA_DIR/backups/motcua-TIME.*)")
    p.add_argument("--keep", type=int, help="then keep only the newest N in that folder")
    p.add_argument("--weekly", action="store_true", help="stay running, back up once a week")
    p.add_argument("--weekday", type=int, default=6, choices=range(7), help="0=Mon … 6=Sun")
    p.add_argument("--at", default="02:00", help="local time of the weekly backup")
    p.add_argument("--timezone", default=DEFAULT_ZONE)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the database with a backup (server stopped)")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("verify", help="check a backup file; exit status 1 when it is bad")
    p.add_argument("file")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("pair", help="pair the device showing a six-digit code")
    p.add_argument("code")
    p.add_argument("--name", required=True, help="device name, e.g. kiosk-sanh-1")
    p.add_argument("--counter", type=int, help="bound counter number")
    p.add_argument("--site")
    p.set_defaults(func=cmd_pair)

    p = sub.add_parser("fleet", help="device status; exit status 1 when one needs a look")
    p.add_argument("--site")
    p.set_defaults(func=cmd_fleet)

    p = sub.add_parser("report", help="write a report (XLSX or PDF), or the ones due (--due)")
    p.add_argument(
        "--period",
        default="month",
        choices=["day", "month", "quarter", "half", "year", "range"],
        help="quarter, half and year run from 15 December (Decree 09/2019/NĐ-CP)",
    )
    p.add_argument("--from", dest="start", help="a day in the period (YYYY-MM-DD); default today")
    p.add_argument("--to", dest="end", help="last day of a range (YYYY-MM-DD)")
    p.add_argument("--format", default="xlsx", choices=["xlsx", "pdf"])
    p.add_argument("--out", help="file to write; its path is printed")
    p.add_argument("--service", help="only this service code")
    p.add_argument("--counter", type=int, help="only this counter number")
    p.add_argument("--officer", help="only this officer (user name)")
    p.add_argument("--due", action="store_true", help="store the regulation reports now due")
    p.add_argument("--site")
    p.set_defaults(func=cmd_report)
    for command in sub.choices.values():
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="debug log and, on failure, the full traceback")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command in ``argv`` (the process's arguments when None)."""
    try:
        return _run(build_parser().parse_args(argv))  # ``--help`` exits in the parser
    finally:
        if argv is None:
            # Run as the program, the process ends next: the collection at exit skips
            # frozen objects, and walking every loaded module cost ~0.1 s of CPU
            # (a fifth of an administrative command, ``--help`` too).
            gc.freeze()


def _run(args: argparse.Namespace) -> int:
    """The command ``args`` names, its refusals and known failures told in one line."""
    configure_logging(logging.DEBUG if args.debug else logging.INFO)
    settings: Settings | None = None
    try:
        settings = load_settings()
        return int(args.func(args, settings))
    except Refusal as exc:
        print(f"error: {exc.message}\nlỗi: {exc.message_vi}", file=sys.stderr)
        return 2
    except Exception as exc:
        failure = explain(exc, settings.resolved_database_url if settings else "")
        if failure is None:
            raise
        if args.debug:
            traceback.print_exc()
        print(failure.line(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
