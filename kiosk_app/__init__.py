"""The touch kiosk: take a queue ticket, look up a dossier, browse procedures.

Run::

    motcua-kiosk --mode ticket --server http://10.0.0.2:8000 --token <kiosk token> \\
        --printer tcp://10.0.0.31:9100 --scanner camera:0 --scanner wedge [--windowed]
    motcua-kiosk --hash-pin 2468      # then MOTCUA_KIOSK_PIN_HASH=<printed hash>

Server URL and token come from ``--server``/``--token``, ``MOTCUA_SERVER_URL``/
``MOTCUA_TOKEN``, or ``pairing.json`` in the data directory (``--data-dir`` or
``MOTCUA_KIOSK_DIR``). ``--mode lookup`` opens straight on the dossier lookup;
``--mode rating`` runs the rating terminal (``kiosk_app.rating.app:run``).
``--show-settings`` prints every setting and where it came from (flag, environment,
pairing, default; :mod:`device_kit.settings`).

Layout: ``main.py`` (command line), ``app.py`` (KioskApp wiring), ``screens/``
(one .py + .kv per screen), ``controller.py`` (the flow, no Kivy),
``offline.py`` (number blocks and outbox), ``locales/`` (vi, en catalogues).

Offline: the kiosk leases a few numbers per service and day from the server
(``POST /api/v1/number-blocks``). When the server is unreachable it prints tickets
from those blocks, keeps them in a local SQLite outbox and hands them over when
the server answers again (``POST /api/v1/number-blocks/<id>/tickets``); the server
queues them at their issue time. Leased numbers that are never used leave gaps in
the day's numbering: no number is ever issued twice.

Printing: the printer's status is checked before a number is taken, so a kiosk
without paper issues nothing and says so. A ticket whose print fails after the
server numbered it stays reprintable from the confirmation screen.

Technician screen: tap the centre's name five times within three seconds, then
enter the PIN (checked against its argon2 hash; no hash configured, no entry).

Rating: "Đánh giá" on the home screen (or "Đánh giá hồ sơ này" on a finished
dossier) leads to the detailed dossier rating of Circular 01/2018, art. 13: the
dossier's code is scanned or typed on the lookup screen; a dossier rated already
is refused there at once (``GET /api/v1/dossier-ratings/<code>``), otherwise nine
indicators are scored 2/1/0 (``POST /api/v1/dossier-ratings``, once per dossier).

Fleet (``fleet.py``): a kiosk with a token pulls the printer and scanner settings
a technician stored for it on the server and heartbeats its health (at once on a
printer fault); one without a token shows a pairing code on its technician
screen until a technician enters it, then keeps the token in ``pairing.json``.
"""
