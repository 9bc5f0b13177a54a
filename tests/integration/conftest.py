"""Server fixtures for the integration tests (see server_fixtures.py)."""

from server_fixtures import api, app, runtime  # noqa: F401
from tls_centre import centre, impostor  # noqa: F401
