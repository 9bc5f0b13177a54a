"""Opening hours of a service, written the way a centre posts them.

Spec grammar: ``always``, or ``;``-separated rules ``<days> <ranges>`` where
days are ``mon``..``sun`` or a span ``mon-fri`` and ranges are
``HH:MM-HH:MM`` joined by ``,``: ``mon-fri 07:00-11:30,13:30-17:00; sat 07:00-11:30``.
``24:00`` ends a range at midnight (``always`` is ``00:00-24:00`` every day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from queue_server.queueing.errors import InvalidConfiguration

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
DAY_NAMES_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: What a service that will not open says (Vietnamese, English).
NOT_ISSUING = ("Tạm ngừng cấp số", "Not issuing tickets")
#: The end of a range that runs to midnight: the whole last minute of the day is open.
MIDNIGHT = time.max


@dataclass(frozen=True)
class OpeningHours:
    """Per weekday (0 = Monday), the time ranges when tickets are issued."""

    ranges: tuple[tuple[tuple[time, time], ...], ...]

    ALWAYS_SPEC = "always"

    @classmethod
    def parse(cls, spec: str) -> OpeningHours:
        text = spec.strip().lower()
        if text == cls.ALWAYS_SPEC:
            full = ((time.min, MIDNIGHT),)
            return cls(tuple(full for _ in DAYS))
        week: list[list[tuple[time, time]]] = [[] for _ in DAYS]
        for rule in filter(None, (r.strip() for r in text.split(";"))):
            try:
                days_part, ranges_part = rule.split(None, 1)
                days = _parse_days(days_part)
                ranges = [_parse_range(r) for r in ranges_part.replace(" ", "").split(",")]
            except (ValueError, IndexError) as exc:
                raise InvalidConfiguration(
                    f"Opening hours {spec!r} are not valid: {exc}",
                    f"Giờ làm việc «{spec}» không hợp lệ.",
                ) from None
            for day in days:
                week[day].extend(ranges)
        return cls(tuple(tuple(sorted(day)) for day in week))

    def is_open(self, local: datetime) -> bool:
        now = local.time()
        return any(
            start <= now and (now < end or end == MIDNIGHT)
            for start, end in self.ranges[local.weekday()]
        )

    def next_opening(self, local: datetime) -> datetime | None:
        """The next start of a range after ``local`` (site time), within a week;
        ``None`` for hours that never open."""
        for offset in range(len(DAYS) + 1):
            day = local.date() + timedelta(days=offset)
            for start, _ in self.ranges[day.weekday()]:
                moment = datetime.combine(day, start, local.tzinfo)
                if moment > local:
                    return moment
        return None

    def opens_at(self, local: datetime, lang: str = "vi") -> str:
        """What a closed service's button says before anyone taps it: ``Mở cửa lúc
        07:00 thứ Hai`` (``hôm nay`` left out, ``ngày mai`` for tomorrow)."""
        vi = lang == "vi"
        opening = self.next_opening(local)
        if opening is None:
            return NOT_ISSUING[0] if vi else NOT_ISSUING[1]
        days = (opening.date() - local.date()).days
        if days == 0:
            when = ""
        elif days == 1:
            when = " ngày mai" if vi else " tomorrow"
        else:
            name = DAY_NAMES_VI[opening.weekday()] if vi else DAY_NAMES_EN[opening.weekday()]
            when = " " + (name[0].lower() + name[1:] if name.startswith("Thứ") else name)
        return f"{'Mở cửa lúc' if vi else 'Opens at'} {opening:%H:%M}{when}"

    def describe(self, lang: str = "vi") -> str:
        """Human text such as ``Thứ Hai: 07:00–11:30, 13:30–17:00``."""
        names = DAY_NAMES_VI if lang == "vi" else DAY_NAMES_EN
        lines = []
        for index, ranges in enumerate(self.ranges):
            if ranges:
                spans = ", ".join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in ranges)
                lines.append(f"{names[index]}: {spans}")
        return "; ".join(lines)


    def in_words(self, lang: str = "vi") -> str:
        """What the hours mean, for the admin typing them: runs of days with the same
        ranges together, and the closed days named (``Thứ Hai–Thứ Sáu: 07:00–11:30,
        13:30–17:00; Thứ Bảy: 07:00–11:30; nghỉ: Chủ Nhật``)."""
        vi = lang == "vi"
        names = DAY_NAMES_VI if vi else DAY_NAMES_EN
        if not any(self.ranges):
            return "Không cấp số ngày nào." if vi else "Closed every day."
        parts, closed = [], []
        day = 0
        while day < len(self.ranges):
            last = day
            while last + 1 < len(self.ranges) and self.ranges[last + 1] == self.ranges[day]:
                last += 1
            days = names[day] if last == day else f"{names[day]}–{names[last]}"
            if not self.ranges[day]:
                closed.append(days)
            elif self.ranges[day] == ((time.min, MIDNIGHT),):
                parts.append(f"{days}: {'cả ngày' if vi else 'all day'}")
            else:
                spans = ", ".join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in self.ranges[day])
                parts.append(f"{days}: {spans}")
            day = last + 1
        if closed:
            parts.append(("nghỉ: " if vi else "closed: ") + ", ".join(closed))
        return "; ".join(parts)


def _parse_days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        if "-" in part:
            first, last = part.split("-")
            days.extend(range(DAYS.index(first), DAYS.index(last) + 1))
        else:
            days.append(DAYS.index(part))
    return days


def _hhmm(moment: time) -> str:
    return "24:00" if moment == MIDNIGHT else f"{moment:%H:%M}"


def _parse_range(text: str) -> tuple[time, time]:
    first, last = text.split("-")
    start = time.fromisoformat(first)
    end = MIDNIGHT if last == "24:00" else time.fromisoformat(last)
    if end <= start:
        raise ValueError(f"range {text} ends before it starts")
    return start, end
