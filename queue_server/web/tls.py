"""The centre's CA certificate, published for devices that pin it at pairing.

A CA certificate is public; what makes a device trust it is its SHA-256 fingerprint,
printed by the installer and shown on the fleet page, which the technician confirms
on the device (:mod:`device_kit.pinning`).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort

from device_kit.trust import CA_PATH, fingerprint
from queue_server.flask_runtime import current_runtime

bp = Blueprint("tls", __name__)


def ca_certificate() -> str | None:
    """The CA (PEM) from the settings, or None where the server has none (development)."""
    path = Path(current_runtime().settings.tls_ca_file)
    try:
        pem = path.read_text("ascii")
    except (OSError, UnicodeDecodeError):
        return None
    return pem if "BEGIN CERTIFICATE" in pem else None


def ca_fingerprint() -> str | None:
    """The CA's SHA-256 fingerprint, as the installer printed it."""
    pem = ca_certificate()
    try:
        return fingerprint(pem) if pem else None
    except ValueError:
        return None


@bp.get(CA_PATH)
def ca() -> Response:
    pem = ca_certificate()
    if pem is None:
        abort(404)
    return Response(pem, mimetype="application/x-pem-file")
