"""``motcua-devices check-server``: does this box trust the server, as a device would?

Runs the devices' own checks (:mod:`device_kit.trust`): exit 0 when the server
proves it is the centre's and answers ``/api/v1/health``; otherwise exit 2 with the
certificate problem named (expired, wrong name, unknown CA, fingerprint mismatch, plain
http to another host), or exit 1 when the server cannot be reached at all.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from device_kit.client import ClientError, ServerUntrusted
from device_kit.pinning import PINNED_CA_FILE, check_server, trust_for

UNTRUSTED_EXIT = 2
UNREACHABLE_EXIT = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check-server", help="check that a device would trust the server and reach it"
    )
    check.add_argument("--server", required=True, help="e.g. https://motcua.local")
    check.add_argument("--ca-file", type=Path, help="the centre's CA (or MOTCUA_CA_FILE)")
    check.add_argument("--fingerprint", help="the CA's SHA-256 fingerprint, from the fleet page")
    check.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        with tempfile.TemporaryDirectory() as scratch:
            trust = trust_for(
                args.server, ca_file=args.ca_file, fingerprint=args.fingerprint,
                store=Path(scratch) / PINNED_CA_FILE,
            )
            health = check_server(args.server, trust)
    except ServerUntrusted as exc:
        print(f"{exc.problem}: {exc}\n{exc.message_vi}", file=sys.stderr)
        return UNTRUSTED_EXIT
    except ClientError as exc:
        print(f"{exc.code}: {exc}\n{exc.message_vi}", file=sys.stderr)
        return UNREACHABLE_EXIT
    print(f"OK: {args.server} is trusted and answers ({health.get('status', 'ok')})")
    return 0
