"""Kivy screens of the display board: one ``.py`` + ``.kv`` per screen."""
