"""The SSE decoding and link liveness the devices rely on."""

from __future__ import annotations

import json
from pathlib import Path

from device_kit.event_stream import HEARTBEAT, RESYNC, Event, Liveness, decode_lines
from device_kit.link_settings import DEFAULT_SERVER
from display_board.fleet import board_link
from display_board.main import build_parser


def test_events_heartbeats_and_multiline_data_are_decoded() -> None:
    lines = [
        ": keep-alive",
        "id: 7",
        "event: ticket.called",
        'data: {"counter": 2,',
        'data:  "ticket": {"number": "A023"}}',
        "",
        "retry: 1000",
        "",
        "id: 8",
        "event: counter.paused",
        'data: {"reason": "Nghỉ trưa"}',
        "",
    ]
    items = list(decode_lines(lines))
    assert items == [
        HEARTBEAT,
        Event(7, "ticket.called", {"counter": 2, "ticket": {"number": "A023"}}),
        Event(8, "counter.paused", {"reason": "Nghỉ trưa"}),
    ]


def test_messages_without_numeric_id_or_json_are_skipped() -> None:
    lines = ["event: x", "data: {}", "", "id: 3", "data: not json", "", "id: ²", "data: {}", ""]
    lines += ["id: 4", "data: {}", ""]  # "²" passes str.isdigit, not int()
    assert list(decode_lines(lines)) == [Event(4, "message", {})]


def test_the_servers_resync_message_is_reported() -> None:
    lines = ["retry: 3000", ": connected", "", "event: resync", 'data: {"reason":"x"}', ""]
    assert list(decode_lines(lines)) == [HEARTBEAT, RESYNC]


def test_a_message_cut_before_its_blank_line_is_not_delivered() -> None:
    assert list(decode_lines(["id: 9", "event: ticket.called", "data: {}"])) == []


def test_liveness_counts_silence_from_the_last_sign_of_life() -> None:
    now = [100.0]
    live = Liveness(lambda: now[0])
    assert live.is_silent()
    live.heard()
    now[0] += 30.0
    assert not live.is_silent(30.0)
    now[0] += 0.5
    assert live.is_silent(30.0)
    assert live.silent_for() == 30.5


def test_server_and_token_from_arguments_then_environment_then_pairing(tmp_path: Path) -> None:
    pairing = tmp_path / "pairing.json"
    pairing.write_text(json.dumps({"server_url": "http://10.0.0.2:8000", "token": "paired"}))

    def link(
        argv: list[str], env: dict[str, str], stored: Path = pairing
    ) -> tuple[str, str | None]:
        args = build_parser().parse_args(["--pairing", str(stored), *argv, "hall"])
        chosen = board_link(args, env)
        return chosen.server_url.value, chosen.token.value

    assert link([], {}) == ("http://10.0.0.2:8000", "paired")
    assert link([], {}, tmp_path / "none.json") == (DEFAULT_SERVER, None)
    env = {"MOTCUA_SERVER_URL": "http://127.0.0.1:9000", "MOTCUA_TOKEN": "from-env"}
    assert link([], env) == ("http://127.0.0.1:9000", "from-env")
    assert link(["--server", "http://a:1", "--token", "t"], env) == ("http://a:1", "t")
