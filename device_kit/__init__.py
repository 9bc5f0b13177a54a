"""What every device app shares, and nothing of the server.

The kiosk, the rating terminal, the hall board and the LED bridge talk to the
queue server only through this package: :mod:`device_kit.client` (HTTP),
:mod:`device_kit.event_stream` (Server-Sent Events), :mod:`device_kit.fleet`
(pairing, heartbeat, pushed configuration) and :mod:`device_kit.contract` (the
wire contract the server speaks too). It imports no Flask, SQLAlchemy or Kivy,
so a device box installs none of the server's stack; the Kivy pieces both apps
share live in :mod:`device_kit.ui`.
"""
