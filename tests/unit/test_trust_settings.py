"""Which server a device trusts comes from the first place that says anything —
command line, then environment, then what pairing recorded — so a restart keeps
trusting the server it was paired with, and a technician's flag always wins."""

from __future__ import annotations

import json
from pathlib import Path

from device_kit.fleet import save_pairing
from device_kit.pairing_code import fingerprint_groups
from device_kit.pinning import PINNED_CA_FILE, PinnedTrust
from device_kit.trust import Trust
from device_kit.trust_settings import TrustSettings
from display_board.fleet import board_link, board_trust
from display_board.main import build_parser as board_parser
from kiosk_app.config import build_parser as kiosk_parser
from kiosk_app.config import resolve

FLAG_FP = "AA" * 32
ENV_FP = "BB" * 32
PAIRED_FP = "CC" * 32
ENV = {"MOTCUA_SERVER_FINGERPRINT": ENV_FP}


def test_flag_beats_environment_beats_pairing_file_beats_default() -> None:
    paired = {"fingerprint": PAIRED_FP}
    chosen = TrustSettings.resolve(fingerprint=FLAG_FP, env=ENV, pairing=paired)
    assert (chosen.fingerprint, chosen.source) == (FLAG_FP, "flag")
    chosen = TrustSettings.resolve(env=ENV, pairing=paired)
    assert (chosen.fingerprint, chosen.source) == (ENV_FP, "environment")
    chosen = TrustSettings.resolve(env={}, pairing=paired)
    assert (chosen.fingerprint, chosen.source) == (PAIRED_FP, "pairing")
    assert TrustSettings.resolve(env={}, pairing={}) == TrustSettings()


def test_the_winning_place_is_taken_whole_never_mixed() -> None:
    """A CA file on the command line is not joined to a stale pinned fingerprint."""
    chosen = TrustSettings.resolve(
        ca_file="/etc/motcua/ca.pem", env={}, pairing={"fingerprint": PAIRED_FP}
    )
    assert chosen == TrustSettings(Path("/etc/motcua/ca.pem"), None, "flag")
    chosen = TrustSettings.resolve(
        env={"MOTCUA_CA_FILE": "/srv/ca.pem"}, pairing={"ca_file": "/old/ca.pem"}
    )
    assert chosen == TrustSettings(Path("/srv/ca.pem"), None, "environment")


def test_each_setting_gives_its_trust(tmp_path: Path) -> None:
    store = tmp_path / PINNED_CA_FILE
    assert TrustSettings().trust(store) == Trust()
    assert TrustSettings(Path("/ca.pem")).trust(store) == Trust(Path("/ca.pem"))
    pinned = TrustSettings(fingerprint=FLAG_FP).trust(store)
    assert pinned == PinnedTrust(store, fingerprint=FLAG_FP, fetch=True)
    both = TrustSettings(Path("/ca.pem"), FLAG_FP).trust(store)
    assert both == PinnedTrust(Path("/ca.pem"), fingerprint=FLAG_FP, fetch=False)


def test_what_pairing_recorded_is_what_the_next_start_trusts(tmp_path: Path) -> None:
    pairing = tmp_path / "pairing.json"
    url = "https://motcua.local"
    save_pairing(pairing, url, "t1", TrustSettings(Path("/ca.pem")).recorded())
    save_pairing(pairing, url, "t2", TrustSettings(fingerprint=FLAG_FP).recorded())
    stored = json.loads(pairing.read_text())
    assert stored["token"] == "t2"
    # Paired again by fingerprint: the earlier CA file is forgotten, not mixed in.
    assert TrustSettings.resolve(env={}, pairing=stored) == TrustSettings(
        None, FLAG_FP, "pairing"
    )


def test_the_kiosk_reads_its_trust_flag_then_environment_then_pairing(tmp_path: Path) -> None:
    (tmp_path / "pairing.json").write_text(json.dumps({"fingerprint": PAIRED_FP}))
    base = ["--data-dir", str(tmp_path)]

    def chosen(argv: list[str], env: dict[str, str]) -> TrustSettings:
        return resolve(kiosk_parser().parse_args(base + argv), env).trust_settings

    assert chosen(["--mode", "rating", "--fingerprint", FLAG_FP], ENV).source == "flag"
    assert chosen([], ENV).fingerprint == ENV_FP
    assert chosen([], {}).fingerprint == PAIRED_FP
    config = resolve(kiosk_parser().parse_args(base), {})
    assert config.trust() == PinnedTrust(tmp_path / PINNED_CA_FILE, fingerprint=PAIRED_FP)


def test_every_board_command_reads_its_trust_the_same_way(tmp_path: Path) -> None:
    pairing = tmp_path / "pairing.json"
    pairing.write_text(json.dumps({"ca_file": "/var/lib/motcua/ca.pem"}))
    for command in (["hall"], ["led-bridge"], ["pair"]):
        args = board_parser().parse_args(["--pairing", str(pairing), *command])
        assert board_link(args, {}).trust_settings.source == "pairing"
        assert board_link(args, ENV).trust_settings.fingerprint == ENV_FP
        flagged = board_parser().parse_args(
            ["--pairing", str(pairing), "--fingerprint", FLAG_FP, *command]
        )
        assert board_link(flagged, ENV).trust_settings.fingerprint == FLAG_FP
        # The CA pinned by fingerprint is kept beside pairing.json.
        assert board_trust(flagged).ca_file == tmp_path / PINNED_CA_FILE


def test_a_fingerprint_is_shown_in_groups_of_four_sixteen_digits_first() -> None:
    head, tail = fingerprint_groups("3f:a9:0c:17:b2:44:e8:5d:" + "00:" * 23 + "ff")
    assert head == "3FA9 0C17 B244 E85D"
    assert tail.split() == ["0000"] * 11 + ["00FF"]
