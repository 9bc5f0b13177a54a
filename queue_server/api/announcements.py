"""The spoken announcement of a call, as audio for the browser hall board.

Public like the event stream that names it: the address holds only the ticket
number and the counter the board already shows. Rendering is bounded by a
per-caller budget and one render at a time (``queue_server.announcement_audio``).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from pydantic import BaseModel, ConfigDict, Field

from device_kit.contract.device_wire import AnnouncementMode, AnnouncementVariant
from drivers.audio.announcement import Reading, Variant
from drivers.audio.synth import build_synth
from drivers.errors import SpeechError
from queue_server.announcement_audio import AnnouncementAudio
from queue_server.api.blueprint import bp
from queue_server.api.context import current_site
from queue_server.api.errors import ApiError
from queue_server.api.spec import endpoint
from queue_server.api.throttle import throttle
from queue_server.flask_runtime import current_runtime
from queue_server.services.announcements import Sentence

#: A board fetches each call once; a hall of 30 counters calls far fewer per minute.
PER_MINUTE = 120


def _audio() -> AnnouncementAudio:
    """The app's announcement cache, built on first use from the settings."""
    audio: AnnouncementAudio | None = current_app.extensions.get("motcua.announcements")
    if audio is None:
        settings = current_runtime().settings
        clips = settings.announcement_clip_dir
        audio = AnnouncementAudio(
            settings.data_dir / "announcement-cache",
            build_synth(clips),
            voice=f"espeak-ng;clips={clips or ''}",
            max_files=settings.announcement_cache_files,
        )
        current_app.extensions["motcua.announcements"] = audio
    return audio


class VoiceQuery(BaseModel):
    """How the call's address says to read the numbers; an address without (an event
    from before the site's voice setting) is read as the site reads now."""

    model_config = ConfigDict(extra="ignore")
    site: str | None = Field(None, max_length=40)
    mode: AnnouncementMode | None = None
    variant: AnnouncementVariant | None = None


@endpoint(
    bp,
    "/announcements/<sentence>/<number>/<int:counter>.wav",
    "GET",
    summary="The spoken announcement of a call (audio/wav), named by the call event",
    tag="events",
    query=VoiceQuery,
    responses={200: "audio/wav", 404: "Not a call", 429: "Too many", 503: "Cannot speak"},
)
def announcement(sentence: str, number: str, counter: int, query: VoiceQuery) -> Any:
    runtime = current_runtime()
    wait = throttle("announcements", PER_MINUTE, 60.0, runtime.clock().timestamp())
    if wait:
        raise ApiError(
            "Too many announcements requested; try again later.",
            "Yêu cầu quá nhiều thông báo; vui lòng thử lại sau.",
            code="rate_limited",
            status=429,
        )
    mode: str | None = query.mode
    variant: str | None = query.variant
    if mode is None or variant is None:
        with runtime.uow(readonly=True) as uow:
            site = current_site(uow)
            mode, variant = mode or site.announcement_mode, variant or site.announcement_variant
    try:
        if not 1 <= counter <= 999:
            raise ValueError(counter)
        data = _audio().wav(
            Sentence(sentence), number, counter, Reading(mode), Variant(variant)
        )
    except ValueError:
        raise ApiError("No such announcement.", "Không có thông báo này.", status=404) from None
    except SpeechError as exc:
        raise ApiError(
            f"The announcement cannot be rendered: {exc}",
            "Máy chủ không tạo được thông báo bằng giọng nói.",
            code="speech_failed",
            status=503,
        ) from exc
    response = Response(data, mimetype="audio/wav")
    response.cache_control.public = True
    response.cache_control.max_age = 600
    return response
