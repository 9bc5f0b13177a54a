"""``motcua-devices say``: speak a text or a ticket call, to the speakers or a WAV file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from drivers.audio.announcement import Lang, Reading, spoken_text
from drivers.audio.player import CommandSink, Utterance
from drivers.audio.synth import build_synth


def register(subparsers: Any) -> None:
    say = subparsers.add_parser(
        "say",
        help="speak a text or a ticket call",
        description=(
            'Speak TEXT, or the call of --ticket to --counter ("Mời công dân có số A023 '
            'đến quầy số 5"), through aplay/paplay or into --out FILE.wav.'
        ),
    )
    say.add_argument("text", nargs="?", help="what to say")
    say.add_argument("--ticket", help="a ticket number to call, e.g. A023")
    say.add_argument("--counter", type=int, default=1, help="counter number for --ticket")
    say.add_argument("--mode", choices=[m.value for m in Reading], default=Reading.DIGITS)
    say.add_argument("--lang", choices=[lang.value for lang in Lang], default=Lang.VI)
    say.add_argument("--out", type=Path, help="write this WAV file instead of playing")
    say.add_argument("--clips", type=Path, help="recorded clip pack folder (else espeak-ng)")
    say.set_defaults(func=run_say)


def run_say(args: argparse.Namespace) -> int:
    if args.ticket:
        text = spoken_text(args.ticket, args.counter, args.lang, args.mode)
    elif args.text:
        text = args.text
    else:
        raise SystemExit("say: give a TEXT or --ticket")
    wav = build_synth(args.clips).synthesize(text, args.lang)
    if args.out is not None:
        args.out.write_bytes(wav)
        print(f"{args.out}: {text}")
    else:
        CommandSink().play(wav, Utterance(text, args.lang))
        print(text)
    return 0
