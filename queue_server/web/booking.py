"""The public booking pages for phones: book a slot (``/dat-lich``), and a booking's
own page (``/hen/<code>``) with the QR the kiosk reads and the cancel form."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Response, abort, render_template

from queue_server.queueing.appointments import read_code
from queue_server.security import request_base_url
from queue_server.web.pages import bp


def _exact_code(code: str) -> str:
    """The path's booking code as written (404 for anything else: no page per spelling)."""
    if read_code(code) != code:
        abort(404)
    return code


@bp.get("/dat-lich")
def booking() -> str:
    return render_template("booking.html")


@bp.get("/hen/<code>")
def booking_code(code: str) -> str:
    """Only the code and its QR: the booking's details are for who holds the phone."""
    return render_template("booking_code.html", code=_exact_code(code))


@bp.get("/hen/<code>/qr.svg")
def booking_qr(code: str) -> Response:
    """The QR shown at the kiosk: the booking's own link, which the kiosk reads."""
    image = qrcode.make(
        f"{request_base_url()}/hen/{_exact_code(code)}",
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=12,
        border=2,
    )
    out = io.BytesIO()
    image.save(out)
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
