"""The server's own pages: landing page, counter console, hall board, ticket tracking,
admin, device fleet, reports, and the error pages."""

from __future__ import annotations

from flask import Flask

from queue_server.web.error_pages import error_page as error_page


def init_app(app: Flask) -> None:
    """Register the page blueprints."""
    # The admin sections (admin_*) add their routes to admin.bp when imported, and the
    # booking pages theirs to pages.bp.
    from queue_server.web import (  # noqa: F401
        admin,
        admin_audit,
        admin_calendar,
        admin_feeds,
        admin_services,
        admin_users,
        booking,
        fleet,
        pages,
        reports,
        tls,
    )

    app.register_blueprint(pages.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(fleet.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(tls.bp)
