"""Calls a ticket to a counter out loud, through a :class:`PlaybackQueue`."""

from __future__ import annotations

from drivers.audio.announcement import Lang, Reading, Variant, spoken_text
from drivers.audio.player import PlaybackQueue, Utterance


class Announcer:
    """Turns "ticket A023 to counter 5" into a queued utterance; never blocks.

    ``lang``, ``mode`` and ``variant`` are the site's defaults (:meth:`set_voice`
    changes the reading while the board runs); ``also_english`` queues the English
    announcement right after the Vietnamese one (for centres that want both).
    """

    def __init__(
        self,
        queue: PlaybackQueue,
        *,
        lang: Lang | str = Lang.VI,
        mode: Reading | str = Reading.DIGITS,
        variant: Variant | str = Variant.NORTH,
        also_english: bool = False,
    ) -> None:
        self.queue = queue
        self.lang = Lang(lang)
        self.mode = Reading(mode)
        self.variant = Variant(variant)
        self.also_english = also_english

    def set_voice(self, mode: Reading | str, variant: Variant | str) -> None:
        """A technician or the site changed how numbers are read: the next call uses it."""
        self.mode, self.variant = Reading(mode), Variant(variant)

    def announce(
        self,
        number: str,
        counter: int,
        lang: Lang | str | None = None,
        mode: Reading | str | None = None,
        *,
        recall: bool = False,
        returning: bool = False,
    ) -> list[Utterance]:
        """Queue the announcement(s); return what was queued."""
        langs = [Lang(lang or self.lang)]
        if self.also_english and Lang.EN not in langs:
            langs.append(Lang.EN)
        mode = Reading(mode or self.mode)
        return [
            self.queue.say(
                spoken_text(
                    number, counter, each, mode,
                    variant=self.variant, recall=recall, returning=returning,
                ),
                each,
                number,
            )
            for each in langs
        ]

    def stop(self) -> None:
        """Finish what is queued (bounded), then stop the playback worker."""
        self.queue.stop()
