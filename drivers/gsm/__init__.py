"""GSM modem for SMS lookup: AT commands in text mode (``at``), the serial
driver (``modem``) and an emulator on a pty (``emulator``)."""
