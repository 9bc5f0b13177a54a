"""The wire contract: what the server and the devices both speak.

Pure Python, no I/O: event kinds, the device configuration and health a device
reports, the rating levels, and the dossier code and QR parsers. The kiosk
parses a scanned QR locally so that a raw payload, which may carry a citizen ID
number, never leaves it: only the dossier code goes to the server.
"""
