"""Home: what a visitor comes for — a ticket, a dossier, the procedures, a rating —
in four big buttons."""

from kivy.uix.screenmanager import Screen


class HomeScreen(Screen):
    pass
