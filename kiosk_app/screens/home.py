"""Home: the two things a visitor comes for, in big buttons."""

from kivy.uix.screenmanager import Screen


class HomeScreen(Screen):
    pass
