"""Every ticket state has its words for the tracking page, in both languages."""

from __future__ import annotations

from queue_server.queueing.model import TicketState
from queue_server.web.ticket_words import STATE_TEXTS, state_words


def test_every_state_has_a_vietnamese_and_an_english_text() -> None:
    assert set(STATE_TEXTS) == set(TicketState)
    for state, (vi, en) in STATE_TEXTS.items():
        assert vi and en and vi != en, state
        assert state.value not in (vi, en)  # never the raw word
    assert STATE_TEXTS[TicketState.DONE] == ("Đã hoàn thành. Cảm ơn Ông/Bà!", "Done. Thank you!")
    assert state_words()["state_done"][1] == "Done. Thank you!"
    assert "state_unknown" in state_words()
