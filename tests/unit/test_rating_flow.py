"""The rating terminal's flow: ask after a finish at its counter, faces, reasons, timeouts."""

from __future__ import annotations

from device_kit.contract.rating_levels import QuickLevel
from device_kit.event_stream import Event
from kiosk_app.rating.flow import ASK_TIMEOUT_S, RatingFlow, Step, Submission


def finished(counter: int, ticket_id: int = 7, number: str = "B007") -> Event:
    return Event(
        1, "ticket.finished", {"counter": counter, "ticket": {"id": ticket_id, "number": number}}
    )


def test_a_finish_at_its_own_counter_asks_and_another_counter_is_ignored() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(4), now=0)
    assert flow.step is Step.IDLE
    flow.on_event(Event(2, "ticket.called", {"counter": 3, "ticket": {"id": 8}}), now=0)
    assert flow.step is Step.IDLE
    flow.on_event(finished(3), now=0)
    assert (flow.step, flow.ticket_number, flow.seconds_left(0)) == (Step.ASK, "B007", 30)


def test_a_satisfied_face_sends_at_once_then_thanks_then_idle() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(3), now=0)
    assert flow.choose(QuickLevel.VERY_SATISFIED, now=1) == Submission(7, QuickLevel.VERY_SATISFIED)
    assert flow.step is Step.SENDING
    assert flow.tick(now=100) is None  # never times out while the server answers
    flow.sent(now=2)
    assert flow.step is Step.THANKS
    flow.tick(now=8)
    assert (flow.step, flow.ticket_id) == (Step.IDLE, None)


def test_not_satisfied_asks_reasons_and_sends_the_ticked_ones() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(3), now=0)
    assert flow.choose(QuickLevel.NOT_SATISFIED, now=1) is None
    assert flow.step is Step.REASONS
    for code in ("long_wait", "attitude", "long_wait", "facilities", "bogus"):
        flow.toggle_reason(code, now=2)
    assert flow.confirm_reasons() == Submission(
        7, QuickLevel.NOT_SATISFIED, ("attitude", "facilities")
    )


def test_keypad_not_satisfied_sends_without_the_reason_list() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(3), now=0)
    sent = flow.choose(QuickLevel.NOT_SATISFIED, now=1, with_reasons=False)
    assert sent == Submission(7, QuickLevel.NOT_SATISFIED)


def test_an_unanswered_question_times_out_after_30_seconds() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(3), now=0)
    assert flow.tick(now=ASK_TIMEOUT_S - 0.1) is None and flow.step is Step.ASK
    assert flow.tick(now=ASK_TIMEOUT_S + 0.1) is None
    assert flow.step is Step.IDLE
    assert flow.choose(QuickLevel.SATISFIED, now=31) is None


def test_reasons_left_unconfirmed_are_sent_when_time_runs_out() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(3), now=0)
    flow.choose(QuickLevel.NOT_SATISFIED, now=1)
    flow.toggle_reason("many_trips", now=5)
    assert flow.tick(now=5 + ASK_TIMEOUT_S + 1) == Submission(
        7, QuickLevel.NOT_SATISFIED, ("many_trips",)
    )


def test_a_refusal_is_shown_then_the_terminal_goes_idle() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(3), now=0)
    flow.choose(QuickLevel.SATISFIED, now=1)
    flow.refused("Số thứ tự này đã được đánh giá.", "Already rated.", now=2)
    assert (flow.step, flow.message_vi) == (Step.MESSAGE, "Số thứ tự này đã được đánh giá.")
    flow.tick(now=60)
    assert (flow.step, flow.message_vi) == (Step.IDLE, "")


def test_the_next_finish_replaces_an_unanswered_question() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(3, 7, "B007"), now=0)
    flow.on_event(finished(3, 8, "B008"), now=10)
    assert (flow.ticket_id, flow.ticket_number, flow.seconds_left(10)) == (8, "B008", 30)


def test_moved_to_another_counter_it_drops_the_old_question_and_asks_for_the_new() -> None:
    flow = RatingFlow(counter=3)
    flow.on_event(finished(3), now=0)
    flow.move_to(4)
    assert (flow.counter, flow.step, flow.ticket_id) == (4, Step.IDLE, None)
    flow.on_event(finished(3, ticket_id=8), now=1)
    assert flow.step is Step.IDLE
    flow.on_event(finished(4, ticket_id=9), now=1)
    assert (flow.step, flow.ticket_id) == (Step.ASK, 9)
    flow.move_to(4)  # the same counter again: the question stays
    assert flow.step is Step.ASK
