"""The Kivy pieces every device app shares (kiosk, rating terminal, hall board):
start-up settings, loading a screen's rules once, and the pairing screen.

Only the apps with a screen import this; the rest of :mod:`device_kit` needs no Kivy.
"""
