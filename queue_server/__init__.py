"""motcua queue server. ``queue_server.app.create_app`` builds the Flask app;
this package init imports nothing so device clients can use
``queue_server.client`` without Flask."""
