"""One procedure: documents to bring, fees, time limit, and a QR to its online page."""

from __future__ import annotations

import io
from typing import Any

import qrcode
from kivy.app import App
from kivy.core.image import Image as CoreImage
from kivy.properties import DictProperty, StringProperty
from kivy.uix.screenmanager import Screen
from qrcode.image.pil import PilImage

from kiosk_app.controller import Refusal


def qr_texture(url: str) -> Any:
    """The QR code of ``url`` as a Kivy texture, drawn crisp (nearest-neighbour scaling)."""
    buffer = io.BytesIO()
    qrcode.make(url, box_size=8, border=2, image_factory=PilImage).save(buffer, format="PNG")
    buffer.seek(0)
    texture = CoreImage(buffer, ext="png").texture
    texture.mag_filter = "nearest"
    return texture


class ProcedureScreen(Screen):
    procedure = DictProperty({})
    heading = StringProperty("")

    def prepare(self, code: str) -> None:
        app = App.get_running_app()
        self.procedure, self.heading = {}, ""
        self.ids.qr.texture = None
        app.work(lambda: app.controller.procedure(code), self._show, self._refused)

    def _show(self, procedure: dict[str, Any]) -> None:
        self.procedure, self.heading = procedure, procedure.get("name", "")
        url = procedure.get("online_url")
        self.ids.qr.texture = qr_texture(url) if url else None

    def _refused(self, refusal: Refusal) -> None:
        self.heading = App.get_running_app().refusal_text(refusal)

    def facts(self, _lang: str, *_deps: Any) -> str:
        app, procedure = App.get_running_app(), self.procedure
        rows = [
            ("procedure.code", procedure.get("code")),
            ("procedure.field", procedure.get("field")),
            ("procedure.level", procedure.get("level")),
            ("procedure.agency", procedure.get("agency")),
            ("procedure.time_limit", procedure.get("time_limit")),
            ("procedure.fees", procedure.get("fees")),
        ]
        lines = [f"[b]{app.t(key)}:[/b] {value}" for key, value in rows if value]
        documents = procedure.get("documents") or []
        if documents:
            lines.append(f"[b]{app.t('procedure.documents')}:[/b]")
            lines += [f"  {n}. {doc}" for n, doc in enumerate(documents, 1)]
        return "\n".join(lines)
