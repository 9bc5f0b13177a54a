"""A looked-up dossier in plain words; a finished one offers "Lấy số nhận kết quả" and
"Đánh giá hồ sơ này"."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk_app.controller import Refusal
from kiosk_app.dossier_view import TIMELINESS_KEYS, DossierView


class DossierScreen(Screen):
    dossier = ObjectProperty(None, allownone=True)
    message = StringProperty("")
    back = StringProperty("lookup")  # the screen "Quay lại" returns to

    def prepare(self, dossier: DossierView, back: str = "lookup") -> None:
        self.dossier, self.message, self.back = dossier, "", back

    def facts(self, _lang: str, *_deps: Any) -> str:
        """The public facts as label/value lines (markup), in the visitor's language."""
        app, dossier = App.get_running_app(), self.dossier
        if dossier is None:
            return ""
        rows = [
            ("dossier.procedure", dossier.procedure),
            ("dossier.status", app.pick(dossier.status_vi, dossier.status_en)),
            ("", app.pick(dossier.explain_vi, dossier.explain_en)),
            ("dossier.applicant", dossier.applicant),
            ("dossier.received", _day(dossier.received)),
            ("dossier.due", _due(app, dossier)),
            ("dossier.collect", app.pick(dossier.collect_vi, dossier.collect_en)),
        ]
        lines = [f"[b]{app.t(key)}:[/b] {value}" if key else value for key, value in rows if value]
        if dossier.steps:
            lines.append(f"[b]{app.t('dossier.timeline')}:[/b]")
            lines += [f"  • {step.at}  {app.pick(step.vi, step.en)}" for step in dossier.steps]
        if dossier.data_age_s is not None and dossier.data_age_s >= 120:
            lines.append(app.t("dossier.data_age", minutes=dossier.data_age_s // 60))
        return "\n".join(lines)

    def take_result_ticket(self) -> None:
        app = App.get_running_app()
        service = app.controller.settings.result_service
        app.go("ticket", service=service, dossier_code=self.dossier.code)

    def rate(self) -> None:
        """Rate this finished dossier without scanning it again."""
        app, dossier = App.get_running_app(), self.dossier
        app.work(
            lambda: app.controller.rating_indicators(dossier.code),
            lambda indicators: app.go("rating", dossier=dossier, indicators=indicators),
            self._refused,
        )

    def print_slip(self) -> None:
        app = App.get_running_app()
        app.work(lambda: app.controller.print_slip(self.dossier), self._printed, self._refused)

    def _printed(self, _result: Any) -> None:
        self.message = App.get_running_app().t("dossier.slip_printed")

    def _refused(self, refusal: Refusal) -> None:
        self.message = App.get_running_app().refusal_text(refusal)


def _day(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _due(app: Any, dossier: DossierView) -> str:
    if dossier.due is None:
        return ""
    label = app.t(TIMELINESS_KEYS[dossier.timeliness]) if dossier.timeliness else ""
    return f"{_day(dossier.due)}  ({label})" if label else _day(dossier.due)
