"""Admin pages: services (name, ticket prefix, opening hours, daily limit, priority
policy) and counters (add, rename, choose services, retire).

Every form is checked by the API's own model (:class:`ServicePatch`,
:class:`ServiceSection`, :class:`CounterSection`) and runs the API's use cases, so
the page accepts no more than ``PATCH /services`` or ``POST /counters`` would.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.api.schemas import ServicePatch
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.errors import InvalidConfiguration
from queue_server.queueing.hours import OpeningHours
from queue_server.queueing.model import PriorityPolicy, Site
from queue_server.services import administration
from queue_server.services.site_config import CounterSection, ServiceSection, configure_counter
from queue_server.web.admin import bp, change, confirm_first, form_text, site_id, validated

POLICY_NAMES = {
    PriorityPolicy.STRICT.value: ("Ưu tiên trước hết", "Priority first"),
    PriorityPolicy.INTERLEAVED.value: ("Xen kẽ", "Interleaved"),
}


@bp.get("/services")
def services() -> str:
    here = site_id()
    with current_runtime().uow(readonly=True) as uow:
        listed = uow.repo.services(here)
        codes = {s.id: s.code for s in listed}
        links = uow.repo.counter_service_map(here)
        return render_template(
            "admin_services.html",
            services=[(s, hours_in_words(s.hours_spec)) for s in listed],
            counters=[
                (c, [codes[sid] for sid in links.get(c.id or 0, [])])
                for c in uow.repo.counters(here)
            ],
            policies=POLICY_NAMES,
        )


def hours_in_words(spec: str) -> dict[str, Any]:
    """The hours said in both languages, or why they do not parse."""
    try:
        hours = OpeningHours.parse(spec)
    except InvalidConfiguration:
        return {
            "ok": False,
            "vi": "Chưa đúng cú pháp. Ví dụ: mon-fri 07:00-11:30,13:30-17:00; sat 07:00-11:30",
            "en": "Not valid. Example: mon-fri 07:00-11:30,13:30-17:00; sat 07:00-11:30",
        }
    return {"ok": True, "vi": hours.in_words("vi"), "en": hours.in_words("en")}


@bp.get("/services/hours-preview")
def hours_preview() -> Response:
    return jsonify(hours_in_words(request.args.get("hours", "")[:400]))


def _service_fields() -> dict[str, Any]:
    """The service form's fields as the API takes them: those sent (a field left out
    keeps its value, as in ``PATCH``), upper-case prefix, an empty limit is no limit."""
    fields: dict[str, Any] = {
        "name_vi": form_text("name_vi", 400),
        "name_en": form_text("name_en", 400),
        "prefix": form_text("prefix", 10).upper(),
        "hours": form_text("hours", 800),
        "daily_limit": form_text("daily_limit", 10) or None,
        "priority_policy": form_text("priority_policy", 40),
        "interleave_every": form_text("interleave_every", 10),
        "appointment_capacity": form_text("appointment_capacity", 10),
        "slot_minutes": form_text("slot_minutes", 10),
        "booking_days_ahead": form_text("booking_days_ahead", 10),
    }
    return {name: value for name, value in fields.items() if name in request.form}


@bp.post("/services/<code>")
def edit_service(code: str) -> Response:
    body = validated(
        ServicePatch, {**_service_fields(), "active": request.form.get("active") == "on"}
    )
    if body is None:
        return _back()
    changes = body.model_dump(exclude_unset=True, mode="json")

    def work(uow: UnitOfWork, site: Site, who: str, now: datetime) -> str:
        administration.update_service(uow, site, code, changes, who, now)
        return f"Đã lưu dịch vụ {code}. / Service {code} saved."

    return change(work, "admin.services")


@bp.post("/services")
def add_service() -> Response:
    body = validated(ServiceSection, {**_service_fields(), "code": form_text("code", 80)})
    if body is None:
        return _back()

    def work(uow: UnitOfWork, site: Site, who: str, now: datetime) -> str:
        administration.add_service(uow, site, body, who, now)
        return f"Đã thêm dịch vụ {body.code}. / Service {body.code} added."

    return change(work, "admin.services")


def _counter_section(number: Any) -> CounterSection | None:
    return validated(
        CounterSection,
        {
            "number": number,
            "name": form_text("name", 200),
            "services": request.form.getlist("services"),
        },
    )


@bp.post("/counters")
def add_counter() -> Response:
    body = _counter_section(form_text("number", 10))
    if body is None:
        return _back()

    def work(uow: UnitOfWork, site: Site, who: str, now: datetime) -> str:
        administration.add_counter(uow, site, body, who, now)
        return f"Đã thêm quầy {body.number}. / Counter {body.number} added."

    return change(work, "admin.services")


@bp.post("/counters/<int:number>")
def edit_counter(number: int) -> Response:
    body = _counter_section(number)
    if body is None:
        return _back()

    def work(uow: UnitOfWork, site: Site, who: str, now: datetime) -> str:
        configure_counter(uow, site, body, who, now)
        return f"Đã lưu quầy {number}. / Counter {number} saved."

    return change(work, "admin.services")


@bp.post("/counters/<int:number>/retire")
def retire_counter(number: int) -> Response | str:
    asked = confirm_first(
        f"Ngừng sử dụng quầy {number}? Cán bộ không đăng nhập, không gọi số ở quầy này "
        "được nữa; có thể dùng lại sau.",
        f"Retire counter {number}? Nobody can sign in or call numbers there; "
        "it can be brought back later.",
    )
    if asked is not None:
        return asked
    return _set_retired(number, True)


@bp.post("/counters/<int:number>/reinstate")
def reinstate_counter(number: int) -> Response:
    return _set_retired(number, False)


def _set_retired(number: int, retired: bool) -> Response:
    def work(uow: UnitOfWork, site: Site, who: str, now: datetime) -> str:
        administration.set_counter_retired(uow, site, number, retired, who, now)
        if retired:
            return f"Đã ngừng sử dụng quầy {number}. / Counter {number} retired."
        return f"Đã dùng lại quầy {number}. / Counter {number} is back in use."

    return change(work, "admin.services")


def _back() -> Response:
    return redirect(url_for("admin.services"))
