"""A looked-up dossier as the kiosk shows it, read tolerantly from the lookup API's answer.

The lookup API returns only public facts (DESIGN.md): code, procedure, status,
timeline, due date with timeliness, where to collect the result, the masked
applicant name and how old the mirrored data is. Fields may be flat strings or
``{"vi", "en"}``-style objects; anything missing is simply not shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from device_kit.contract.site_zone import DEFAULT_ZONE

READY_STATUS = 9
TIMELINESS_KEYS = {
    "early": "timeliness.early",
    "on_time": "timeliness.on_time",
    "late": "timeliness.late",
}


@dataclass(frozen=True, slots=True)
class Step:
    at: str
    vi: str
    en: str


@dataclass(frozen=True, slots=True)
class DossierView:
    code: str
    procedure: str = ""
    status_code: int | None = None
    status_vi: str = ""
    status_en: str = ""
    explain_vi: str = ""
    explain_en: str = ""
    applicant: str = ""
    received: date | None = None
    due: date | None = None
    timeliness: str | None = None  # early | on_time | late
    collect_vi: str = ""
    collect_en: str = ""
    ready: bool = False  # processed, result waiting to be collected
    data_age_s: int | None = None
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @classmethod
    def from_api(cls, raw: dict[str, Any], timezone: str = DEFAULT_ZONE) -> DossierView:
        """Read the lookup answer; times are shown in the centre's ``timezone``."""
        status = raw.get("status")
        status = status if isinstance(status, dict) else {"code": status}
        number = _status_number(status.get("code"))
        collect = raw.get("collect_at") or raw.get("result_place") or ""
        return cls(
            code=str(raw.get("code", "")),
            procedure=_text(raw.get("procedure")),
            status_code=number,
            status_vi=str(status.get("label_vi") or raw.get("status_vi") or ""),
            status_en=str(status.get("label_en") or raw.get("status_en") or ""),
            explain_vi=str(status.get("explain_vi") or ""),
            explain_en=str(status.get("explain_en") or ""),
            applicant=str(raw.get("applicant") or raw.get("applicant_masked") or ""),
            received=_day(raw.get("received_at"), timezone),
            due=_day(raw.get("due_at") or raw.get("due_date"), timezone),
            timeliness=_timeliness(raw.get("timeliness")),
            collect_vi=_text(collect, "vi"),
            collect_en=_text(collect, "en"),
            ready=_ready(number, status),
            data_age_s=raw.get("data_age_s"),
            steps=tuple(_steps(raw.get("timeline") or raw.get("steps") or [], timezone)),
        )


def _status_number(code: Any) -> int | None:
    """The status's number, if it is one (not ``isdigit``: "²" is a digit to it, and
    ``int`` refuses it)."""
    return int(code) if isinstance(code, int | str) and str(code).isdecimal() else None


def _ready(number: int | None, status: dict[str, Any]) -> bool:
    """Status 9 (Đã xử lý xong): the result waits at the centre; 10 means already returned."""
    if number is not None:
        return number == READY_STATUS
    return bool(status.get("finished"))


def _text(value: Any, lang: str = "vi") -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get(f"name_{lang}") or value.get("name") or "")
    return str(value or "")


def _moment(value: Any, timezone: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.astimezone(ZoneInfo(timezone)) if moment.tzinfo else moment


def _day(value: Any, timezone: str) -> date | None:
    moment = _moment(value, timezone)
    return moment.date() if moment else None


def _timeliness(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("code") or value.get("value")
    text = str(value or "").lower().replace("-", "_").replace(" ", "_")
    return text if text in TIMELINESS_KEYS else None


def _steps(items: list[Any], timezone: str) -> list[Step]:
    steps = []
    for item in items:
        if not isinstance(item, dict):
            continue
        label = item.get("label") or item.get("step") or item.get("name") or ""
        if item.get("unit"):
            label = f"{label} — {item['unit']}"
        moment = _moment(item.get("at") or item.get("time"), timezone)
        steps.append(
            Step(
                moment.strftime("%d/%m/%Y %H:%M") if moment else "",
                _text(item.get("label_vi") or label, "vi"),
                _text(item.get("label_en") or item.get("label_vi") or label, "en"),
            )
        )
    return steps
