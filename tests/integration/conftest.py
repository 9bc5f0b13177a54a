"""Server fixtures for the integration tests (see server_fixtures.py)."""

from server_fixtures import api, app, runtime  # noqa: F401
