"""Appointments ("đặt lịch hẹn"), the pure part: slots, phone numbers, booking codes,
the check-in window.

A service's slots on a day come from its opening hours cut by the site's working
periods (the lunch break lies between them) and by the working calendar: a public
holiday or a compensatory day off has no slots whatever the hours say, and a make-up
working day opens with the service's weekday hours.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.queueing.errors import NotFound, QueueError
from queue_server.queueing.hours import MIDNIGHT, OpeningHours


class BookingState(enum.StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    #: Not checked in before the window closed: released, and counted as a no-show.
    MISSED = "missed"


#: States that hold the phone number's one booking of a service and day.
HOLDING_STATES = (BookingState.BOOKED, BookingState.CHECKED_IN)

#: Booking codes: no 0/O, 1/I/L, so a code read aloud or typed is not mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
#: The QR on the phone carries the code in a link ``…/hen/<code>`` or bare.
_CODE_IN_LINK = re.compile(rf"/hen/([{CODE_ALPHABET}]{{{CODE_LENGTH}}})(?:[/?#]|$)")
#: Vietnamese mobile numbers: 0 or +84/84, then 3/5/7/8/9 and eight digits.
_MOBILE = re.compile(r"(?:\+?84|0)([35789]\d{8})")


@dataclass(frozen=True)
class AppointmentRules:
    """A service's booking settings, set by the admin; capacity 0 takes no bookings."""

    capacity: int = 0
    slot_minutes: int = 30
    days_ahead: int = 14


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


@dataclass(eq=False)
class Booking:
    site_id: int
    service_id: int
    code: str
    phone: str
    name: str
    slot_start: datetime
    slot_end: datetime
    day: str
    created_at: datetime
    state: BookingState = BookingState.BOOKED
    client_address: str = ""
    checked_in_at: datetime | None = None
    ticket_id: int | None = None
    #: Keyed hash of the holder's citizen ID, for check-in by ID card (never the number).
    id_hash: str | None = None
    id: int | None = None


class AppointmentError(QueueError):
    code = "appointment_error"


class InvalidPhone(AppointmentError):
    code = "invalid_phone"
    status = 400
    message = "Enter a Vietnamese mobile number, e.g. 0912 345 678."
    message_vi = "Vui lòng nhập số điện thoại di động Việt Nam, ví dụ 0912 345 678."


class SlotFull(AppointmentError):
    code = "slot_full"
    message = "This time slot is fully booked; please choose another."
    message_vi = "Khung giờ này đã hết chỗ; vui lòng chọn khung giờ khác."


class SlotUnavailable(AppointmentError):
    code = "slot_unavailable"
    message = "No booking is taken for this time: it is past, too far ahead or not a slot."
    message_vi = "Không nhận đặt lịch vào thời điểm này: đã qua, quá xa hoặc không phải khung giờ."


class AppointmentsOff(AppointmentError):
    code = "appointments_off"
    message = "This service does not take appointments."
    message_vi = "Dịch vụ này không nhận đặt lịch hẹn."


class AlreadyBooked(AppointmentError):
    code = "already_booked"
    message = "This phone number already has a booking for this service on that day."
    message_vi = "Số điện thoại này đã có lịch hẹn cho dịch vụ này trong ngày đó."


class UnknownBooking(NotFound):
    code = "unknown_booking"
    message = "There is no such booking."
    message_vi = "Không tìm thấy lịch hẹn."


class NoBookingForCard(UnknownBooking):
    """The card's holder has no booking of today that recorded the ID (booked without it,
    or not at all): the kiosk says to use the booking code or the phone number."""

    code = "no_booking_for_card"
    message = (
        "No booking of today was made with this ID card. "
        "Please check in with the booking code (QR) or the phone number."
    )
    message_vi = (
        "Không có lịch hẹn hôm nay đăng ký bằng thẻ căn cước này. "
        "Vui lòng lấy số bằng mã lịch hẹn (mã QR) hoặc số điện thoại."
    )


class InvalidIdNumber(AppointmentError):
    code = "invalid_id_number"
    status = 400
    message = "The personal ID number has 12 digits, as on the citizen ID card."
    message_vi = "Số định danh cá nhân gồm 12 chữ số, như trên thẻ căn cước."


class BookingNotActive(AppointmentError):
    """Checked in, cancelled or missed: a booking serves once."""

    code = "booking_not_active"
    message = "This booking was already used, cancelled or missed."
    message_vi = "Lịch hẹn này đã được sử dụng, đã hủy hoặc đã quá giờ."

    def __init__(self, state: BookingState) -> None:
        words = {
            BookingState.CHECKED_IN: (
                "This booking has already been checked in.",
                "Lịch hẹn này đã được lấy số rồi.",
            ),
            BookingState.CANCELLED: ("This booking was cancelled.", "Lịch hẹn này đã bị hủy."),
            BookingState.MISSED: (
                "This booking has lapsed: its check-in time is over.",
                "Lịch hẹn này đã quá giờ lấy số.",
            ),
        }
        super().__init__(*words.get(state, (self.message, self.message_vi)))
        self.state = state


class OutsideCheckInWindow(AppointmentError):
    """Too early or too late: the kiosk says why and offers a normal ticket."""

    code = "outside_check_in_window"

    def __init__(self, early: bool, opens: datetime, closes: datetime) -> None:
        if early:
            super().__init__(
                f"Too early: check-in for this appointment opens at {opens:%H:%M}. "
                "You may take a normal ticket now.",
                f"Chưa đến giờ: lịch hẹn này lấy số từ {opens:%H:%M}. "
                "Ông/Bà có thể lấy số thường ngay bây giờ.",
            )
        else:
            super().__init__(
                f"Too late: check-in for this appointment closed at {closes:%H:%M}. "
                "You may take a normal ticket.",
                f"Đã quá giờ: lịch hẹn này chỉ lấy số đến {closes:%H:%M}. "
                "Ông/Bà có thể lấy số thường.",
            )
        self.details = {
            "reason": "early" if early else "late",
            "opens_at": opens.isoformat(),
            "closes_at": closes.isoformat(),
        }


class TooManyBookings(AppointmentError):
    code = "too_many_bookings"
    status = 429
    message = "Too many bookings from this address; please try again later."
    message_vi = "Quá nhiều lượt đặt lịch từ địa chỉ này; vui lòng thử lại sau."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__()
        self.retry_after_s = retry_after_s


def parse_phone(text: str) -> str:
    """A Vietnamese mobile number as ``0xxxxxxxxx``; spaces, dots and dashes allowed."""
    bare = re.sub(r"[\s.\-()]", "", text or "")
    found = _MOBILE.fullmatch(bare)
    if found is None:
        raise InvalidPhone()
    return "0" + found.group(1)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def read_code(text: str) -> str | None:
    """The booking code in what the kiosk read: a typed code (any case, spaces) or the
    booking QR (a link ending ``/hen/<code>``); None when it holds none."""
    link = _CODE_IN_LINK.search(text or "")
    if link:
        return link.group(1)
    bare = re.sub(r"[\s\-]", "", (text or "").upper())
    return bare if _CODE.fullmatch(bare) else None


def day_ranges(
    hours: OpeningHours, calendar: WorkingCalendar, day: date
) -> list[tuple[time, time]]:
    """The service's hours on ``day`` as the calendar allows them: none on a holiday or
    a day off, the weekday hours on a make-up working day (a weekend day worked)."""
    if day in calendar.holidays(day.year):
        return []
    override = calendar.overrides.get(day)
    if override is not None and override.working and day.weekday() in calendar.weekend:
        weekdays = [r for i, r in enumerate(hours.ranges) if i not in calendar.weekend and r]
        return list(weekdays[0]) if weekdays else []
    return list(hours.ranges[day.weekday()])


def day_slots(
    hours: OpeningHours, calendar: WorkingCalendar, day: date, slot_minutes: int
) -> list[Slot]:
    """The slots of ``day``: whole slots inside both the service's hours and the site's
    working periods (so none across the lunch break), site-local aware times."""
    zone = calendar.zone
    length = timedelta(minutes=slot_minutes)
    slots: list[Slot] = []
    for open_at, close_at in day_ranges(hours, calendar, day):
        for work_start, work_end in calendar.hours.periods:
            start = _at(day, max(open_at, work_start), zone)
            end = _at(day, min(close_at, work_end), zone)
            while start + length <= end:
                slots.append(Slot(start, start + length))
                start += length
    return sorted(set(slots), key=lambda s: s.start)


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    if moment == MIDNIGHT:
        return datetime.combine(day + timedelta(days=1), time.min, zone)
    return datetime.combine(day, moment, zone)


def bookable_days(today: date, rules: AppointmentRules) -> tuple[date, date]:
    """The first and last day a booking may be made for (today included)."""
    return today, today + timedelta(days=rules.days_ahead)


def check_in_window(
    slot_start: datetime, now: datetime, early_min: int, late_min: int
) -> None:
    """Raise :class:`OutsideCheckInWindow` unless ``now`` lies from ``early_min`` minutes
    before the slot to ``late_min`` minutes after its start (both edges included)."""
    opens = slot_start - timedelta(minutes=early_min)
    closes = slot_start + timedelta(minutes=late_min)
    if now < opens or now > closes:
        zone = slot_start.tzinfo
        raise OutsideCheckInWindow(now < opens, opens.astimezone(zone), closes.astimezone(zone))
