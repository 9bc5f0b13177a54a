"""Upstream rows -> :class:`DossierRecord`, with a field mapping from the site file.

Every source (REST pull, webhook push, CSV/XLSX import) hands rows as mappings
of upstream field names to values; the site file says which upstream name holds
which of our fields. A row may also use our own field names (a hand-made CSV).
Refusals name the field and the problem, never the value: a bad cell may hold a
citizen's ID number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from device_kit.contract.citizen_card import OLD_ID_DIGITS, normalize_id_number
from device_kit.contract.dossier_codes import DossierCode
from device_kit.contract.errors import InvalidDossierCode
from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.dossiers.errors import UnknownStatus
from queue_server.dossiers.record import DossierRecord, Step
from queue_server.dossiers.status import StatusMapping
from queue_server.text import nfc

#: Our field -> the upstream name used by the mock one-stop system (and many real ones).
DEFAULT_FIELDS: dict[str, str] = {
    "code": "MaHoSo",
    "status": "TrangThai",
    "received_at": "NgayTiepNhan",
    "due_at": "NgayHenTra",
    "finished_at": "NgayKetThucXuLy",
    "procedure_code": "MaTTHC",
    "procedure_name": "TenTTHC",
    "agency": "CoQuanTiepNhan",
    "applicant_name": "ChuHoSo",
    # The applicant's citizen ID number ("số định danh cá nhân"): hashed at once.
    "applicant_id": "SoDinhDanh",
    "collect_at": "NoiTraKetQua",
    "steps": "QuaTrinhXuLy",
    "updated_at": "NgayCapNhat",
    "processing_days": "SoNgayXuLy",
}
STEP_KEYS = {"name": ("NoiDung", "name"), "at": ("ThoiDiem", "at"), "unit": ("DonVi", "unit")}
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
#: Dates outside these years are typing or system errors, and near the ends of the
#: calendar they cannot even be moved to UTC.
FIRST_YEAR, LAST_YEAR = 1900, 2999
_LIMITS = {
    "procedure_code": 60,
    "procedure_name": 500,
    "agency": 300,
    "applicant_name": 200,
    "collect_at": 300,
    "upstream_status": 120,
}


@dataclass(frozen=True)
class RowProblem(Exception):
    """Why one row cannot be mirrored; ``field`` is ours, the value is never quoted."""

    field: str
    problem: str
    problem_vi: str


#: A 12-digit ID number -> its keyed hash (``CitizenIdKey.digest``).
IdHasher = Callable[[str], str]


@dataclass(frozen=True)
class FieldMapping:
    fields: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    statuses: StatusMapping = field(default_factory=StatusMapping.build)
    default_collect_at: str = ""
    #: Without it, a row carrying an applicant ID is refused: the number is never kept.
    hash_id: IdHasher | None = None

    @classmethod
    def build(
        cls,
        fields: Mapping[str, str] | None = None,
        status_words: Mapping[str, int | str] | None = None,
        default_collect_at: str = "",
        hash_id: IdHasher | None = None,
    ) -> FieldMapping:
        return cls(
            {**DEFAULT_FIELDS, **(fields or {})},
            StatusMapping.build(status_words),
            default_collect_at,
            hash_id,
        )

    def value(self, row: Mapping[str, Any], name: str) -> Any:
        """The row's value for our field ``name``: its mapped column, else ``name`` itself."""
        upstream = self.fields.get(name, name)
        value = row.get(upstream)
        if value is None and upstream != name:
            value = row.get(name)
        if isinstance(value, str):
            if not value.strip():
                return None
            if not storable_text(value):
                raise RowProblem(
                    name,
                    "contains characters that are not text (NUL or a lone surrogate)",
                    "chứa ký tự không phải văn bản (NUL hoặc ký tự thay thế lẻ)",
                )
        return value

    def to_record(
        self, row: Mapping[str, Any], calendar: WorkingCalendar | None = None
    ) -> DossierRecord:
        """One row as a record, or :class:`RowProblem` naming the first bad field."""
        code = self._code(row)
        status_word = self.value(row, "status")
        if status_word is None:
            raise RowProblem("status", "the status is missing", "thiếu trạng thái")
        try:
            status = self.statuses.map(status_word)
        except UnknownStatus:
            raise RowProblem(
                "status",
                "the status word is not mapped to a portal status (see [dossiers] status_words)",
                "trạng thái chưa được ánh xạ sang mã trạng thái (xem [dossiers] status_words)",
            ) from None
        received = self._moment(row, "received_at", required=True)
        assert received is not None
        due = self._moment(row, "due_at")
        if due is None and calendar is not None:
            days = self._number(row, "processing_days")
            if days is not None:
                due = calendar.due_date(received, days)
        texts = {name: self._text(row, name) for name in _LIMITS if name != "upstream_status"}
        return DossierRecord(
            code=code,
            status=status,
            received_at=received,
            due_at=due,
            finished_at=self._moment(row, "finished_at"),
            steps=self._steps(row),
            upstream_status=nfc(str(status_word))[: _LIMITS["upstream_status"]],
            updated_at=self._moment(row, "updated_at"),
            procedure_code=texts["procedure_code"],
            procedure_name=texts["procedure_name"],
            agency=texts["agency"],
            applicant_name=texts["applicant_name"],
            applicant_id_hash=self._id_hash(self.value(row, "applicant_id")),
            collect_at=texts["collect_at"] or self.default_collect_at,
        )

    def _id_hash(self, value: object) -> str:
        """The keyed hash of the applicant's 12-digit ID number, or "" when the row has
        none or only an old 9-digit one (a card's QR is matched by its 12 digits)."""
        if value is None:
            return ""
        # A spreadsheet cell typed as a number has lost the leading zeros (001…).
        whole = isinstance(value, int) and not isinstance(value, bool)
        text = f"{value:012d}" if whole else str(value).strip()
        digits = normalize_id_number(text)
        if digits is None:
            if text.isdigit() and len(text) == OLD_ID_DIGITS:
                return ""
            raise RowProblem(
                "applicant_id",
                "not a 12-digit citizen ID number",
                "không phải số định danh cá nhân 12 chữ số",
            )
        if self.hash_id is None:
            raise RowProblem(
                "applicant_id",
                "no key to hash citizen ID numbers with",
                "chưa có khóa để băm số định danh cá nhân",
            )
        return self.hash_id(digits)

    def _code(self, row: Mapping[str, Any]) -> DossierCode:
        raw = self.value(row, "code")
        if raw is None:
            raise RowProblem("code", "the dossier code is missing", "thiếu mã hồ sơ")
        try:
            return DossierCode.parse(str(raw))
        except InvalidDossierCode as refusal:
            raise RowProblem("code", refusal.message, refusal.message_vi) from None

    def _text(self, row: Mapping[str, Any], name: str) -> str:
        value = self.value(row, name)
        text = "" if value is None else nfc(str(value)).strip()
        if len(text) > _LIMITS[name]:
            raise RowProblem(
                name,
                f"longer than {_LIMITS[name]} characters",
                f"dài quá {_LIMITS[name]} ký tự",
            )
        return text

    def _number(self, row: Mapping[str, Any], name: str) -> float | None:
        value = self.value(row, name)
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise RowProblem(name, "not a number", "không phải là số") from None
        if not 0 <= number <= 3650:
            raise RowProblem(name, "out of range (0-3650)", "ngoài khoảng cho phép (0–3650)")
        return number

    def _moment(self, row: Mapping[str, Any], name: str, required: bool = False) -> datetime | None:
        value = self.value(row, name)
        if value is None:
            if required:
                raise RowProblem(name, "the date is missing", "thiếu ngày")
            return None
        try:
            return parse_moment(value)
        except ValueError:
            raise RowProblem(
                name,
                "not a date: use 2024-08-23T14:30:00+07:00 or 23/08/2024 14:30",
                "không phải ngày: dùng dạng 2024-08-23T14:30:00+07:00 hoặc 23/08/2024 14:30",
            ) from None

    def _steps(self, row: Mapping[str, Any]) -> tuple[Step, ...]:
        value = self.value(row, "steps")
        if value is None:
            return ()
        try:
            items = json.loads(value) if isinstance(value, str) else value
            if not isinstance(items, list):
                raise ValueError
            return tuple(_step(item) for item in items)
        except (ValueError, TypeError, AttributeError):
            raise RowProblem(
                "steps",
                "the timeline must be a JSON list of {NoiDung, ThoiDiem, DonVi}",
                "quá trình xử lý phải là danh sách JSON các {NoiDung, ThoiDiem, DonVi}",
            ) from None


def _step(item: Mapping[str, Any]) -> Step:
    def pick(key: str) -> Any:
        return next((item[k] for k in STEP_KEYS[key] if item.get(k) not in (None, "")), None)

    name, at, unit = pick("name"), pick("at"), pick("unit")
    if name is None:
        raise ValueError("a step without a name")
    if not all(storable_text(str(v)) for v in (name, at or "", unit or "")):
        raise ValueError("a step with characters that are not text")
    return Step(
        nfc(str(name))[:300], parse_moment(at) if at is not None else None, nfc(str(unit or ""))
    )


def parse_moment(value: Any, zone: str = DEFAULT_ZONE) -> datetime:
    """A datetime from ISO 8601, ``dd/mm/yyyy[ HH:MM[:SS]]`` or a spreadsheet cell.

    Times without an offset are the site's local time (UTC+7), as upstream
    systems and spreadsheets in Vietnam write them.
    """
    local = ZoneInfo(zone)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        match = _VN_DATE.match(text)
        if match:
            day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
            moment = datetime(year, month, day, hour, minute, second)
        else:
            moment = datetime.fromisoformat(text)
    else:
        raise ValueError("not a date")
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=local)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError("a date outside the years a dossier can have")
    return moment


def storable_text(text: str) -> bool:
    """Whether every database stores ``text`` as given: PostgreSQL refuses NUL, and a
    lone surrogate (from a JSON escape such as ``\\ud800``) is no character at all."""
    return _NOT_TEXT.search(text) is None
