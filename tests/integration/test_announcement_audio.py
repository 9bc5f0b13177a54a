"""The spoken announcement of a call, as the browser hall board fetches it: named in the
call event, rendered by espeak-ng from the Kivy board's sentence, cached, bounded."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from server_fixtures import Api
from silent_synth import SilentSynth

from drivers.audio import Reading, Variant, spoken_text
from drivers.audio.synth import EspeakSynth, wav_duration
from queue_server.announcement_audio import AnnouncementAudio
from queue_server.events import read_events
from queue_server.services.announcements import Sentence

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def calls(api: Api) -> list[dict[str, Any]]:
    """The call events the board reads, oldest first."""
    return api.call("GET", "/events/recent-calls?limit=50").json["calls"][::-1]


def fetch(api: Api, url: str, who: str | None = None) -> Any:
    assert url.startswith("/api/v1/")
    return api.call("GET", url.removeprefix("/api/v1"), who)


def test_call_recall_and_return_each_name_the_sentence_the_kivy_board_says(api: Api) -> None:
    assert api.desk(3, "sign-in", "officer").status_code == 200
    assert api.desk(4, "sign-in", "officer2").status_code == 200
    ticket = api.issue("ho-tich")
    number = ticket["number"]
    assert api.desk(3, "call-next", "officer").status_code == 200
    assert api.desk(3, "recall", "officer").status_code == 200
    assert api.desk(3, "park", "officer", json={"reason": "photocopy"}).status_code == 200
    resumed = api.desk(4, "resume-parked", "officer2", json={"ticket_id": ticket["id"]})
    assert resumed.status_code == 200, resumed.json

    called, recalled, resumed = calls(api)
    assert [c["kind"] for c in (called, recalled, resumed)] == [
        "ticket.called", "ticket.recalled", "ticket.resumed",
    ]
    synth = EspeakSynth()
    for event, counter, flags in (
        (called, 3, {}),
        (recalled, 3, {"recall": True}),
        (resumed, 4, {"returning": True}),
    ):
        for who in (None, "board"):
            answer = fetch(api, event["announcement"], who)
            assert answer.status_code == 200, answer.json
            assert answer.mimetype == "audio/wav"
            assert answer.data == synth.synthesize(spoken_text(number, counter, **flags))
            assert wav_duration(answer.data) > 2
    assert len({called["announcement"], recalled["announcement"], resumed["announcement"]}) == 3


def test_only_call_events_name_an_announcement(api: Api) -> None:
    assert api.desk(3, "sign-in", "officer").status_code == 200
    api.issue("ho-tich")
    assert api.desk(3, "call-next", "officer").status_code == 200
    assert api.desk(3, "finish", "officer").status_code == 200
    with api.runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        site_id = site.id
    seen = {e.kind: e.public_data() for e in read_events(api.runtime.db, site_id, 0)}
    assert {"ticket.issued", "ticket.called", "ticket.finished"} <= set(seen)
    named = {kind for kind, data in seen.items() if "announcement" in data}
    assert named == {"ticket.called"}


def test_the_cache_renders_once_and_keeps_only_the_newest_files(api: Api) -> None:
    api.runtime.settings = api.runtime.settings.model_copy(
        update={"announcement_cache_files": 2}
    )
    cache = api.runtime.settings.data_dir / "announcement-cache"
    urls = [f"/announcements/call/A00{n}/3.wav" for n in range(1, 4)]
    first = api.call("GET", urls[0])
    assert first.status_code == 200
    [rendered] = cache.glob("*.wav")
    rendered.write_bytes(b"RIFF-from-the-cache")
    assert api.call("GET", urls[0]).data == b"RIFF-from-the-cache"
    for url in urls[1:]:
        assert api.call("GET", url).status_code == 200
    assert len(list(cache.glob("*.wav"))) == 2
    assert not rendered.exists()  # the least recently used went first


@pytest.mark.parametrize(
    "path",
    [
        "/announcements/shout/A001/3.wav",
        "/announcements/call/not-a-ticket/3.wav",
        "/announcements/call/A001/0.wav",
        "/announcements/call/A001/1000.wav",
    ],
)
def test_anything_but_a_call_sentence_is_not_found(api: Api, path: str) -> None:
    answer = api.call("GET", path)
    assert answer.status_code == 404
    assert answer.json["error"]["message_vi"] == "Không có thông báo này."


def test_a_site_voice_change_reaches_the_browser_boards_announcement(api: Api) -> None:
    """A technician sets the centre's reading: the next call names other audio (a new
    address, so no browser or proxy replays the old), read as set; the earlier call's
    address keeps its own reading, and the cache holds both."""
    assert api.desk(3, "sign-in", "officer").status_code == 200
    number = api.issue("ho-tich")["number"]
    assert api.desk(3, "call-next", "officer").status_code == 200
    voice = {"announcement_mode": "number", "announcement_variant": "south"}
    assert api.call("PATCH", "/site/voice", "officer", json=voice).status_code == 403
    changed = api.call("PATCH", "/site/voice", "technician", json=voice)
    assert changed.status_code == 200, changed.json
    assert api.call("GET", "/site").json | voice == api.call("GET", "/site").json
    assert api.desk(3, "recall", "officer").status_code == 200

    before, after = (c["announcement"] for c in calls(api))
    assert before.endswith("?mode=digits&variant=north")
    assert after.endswith("?mode=number&variant=south")
    synth = EspeakSynth()
    assert fetch(api, before).data == synth.synthesize(spoken_text(number, 3))
    said = spoken_text(number, 3, "vi", "number", variant="south", recall=True)
    assert "không" not in said  # "Bê, một", not "Bê, không, không, một"
    assert fetch(api, after).data == synth.synthesize(said)
    cache = api.runtime.settings.data_dir / "announcement-cache"
    assert len(list(cache.glob("*.wav"))) == 2
    # An address from before the setting existed is read as the centre reads now.
    bare = fetch(api, before.partition("?")[0])
    assert bare.data == synth.synthesize(spoken_text(number, 3, "vi", "number", variant="south"))


def test_the_cache_key_names_the_reading_and_the_variant(tmp_path: Path) -> None:
    """Digit by digit the northern and southern texts are the same; the files are not
    shared all the same, so a clip pack with regional clips is never mixed up."""
    synth = SilentSynth()
    audio = AnnouncementAudio(tmp_path, synth, voice="test")
    for variant in (Variant.NORTH, Variant.SOUTH):
        audio.wav(Sentence.CALL, "A101", 3, Reading.DIGITS, variant)
    audio.wav(Sentence.CALL, "A101", 3, Reading.DIGITS, Variant.SOUTH)
    assert synth.texts == [spoken_text("A101", 3)] * 2
    assert len(list(tmp_path.glob("*.wav"))) == 2
