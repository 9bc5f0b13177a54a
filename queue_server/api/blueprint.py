"""The API blueprint every resource module adds its routes to."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
