"""motcua queue server. ``queue_server.app.create_app`` builds the Flask app;
this package init imports nothing, so a command that needs little starts fast."""
