"""KioskApp: wiring only. Screens live in ``screens/``, the flow in ``controller.py``.

The app owns what every screen shares: the language, the scale of the layout
(portrait 1080×1920 or landscape 1920×1080), the online flag, the clock, the
idle timer that returns to the home screen, the fleet membership (a kiosk
without a device token opens on its pairing code), and :meth:`KioskApp.work`,
which runs a blocking controller call on a worker thread and hands the outcome
back on the Kivy thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from kivy.clock import Clock
from kivy.core.text import LabelBase
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from device_kit.errors import untrusted_text
from device_kit.ui import fingerprint
from device_kit.ui.lockdown import LockedApp
from drivers.scanner.base import ErrorCallback
from kiosk_app.config import KioskConfig
from kiosk_app.controller import KioskController, Refusal
from kiosk_app.fleet import KioskFleet
from kiosk_app.i18n import Catalog
from kiosk_app.screens import SCREENS

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
HEARTBEAT_S = 10.0
#: How long stopping waits for the jobs under way: a heartbeat's few requests.
JOBS_STOP_S = 15.0


class ScannerFactory(Protocol):
    """Opens the scanner ``config`` names, as ``drivers.scanner.open_scanner`` does."""

    def __call__(
        self, config: str, on_scan: Callable[[Any], None], *, on_error: ErrorCallback | None = None
    ) -> Any: ...


def use_vietnamese_font() -> None:
    """DejaVu Sans (Debian fonts-dejavu-core) has every Vietnamese glyph; else Roboto."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        LabelBase.register("Roboto", str(regular), fn_bold=str(bold))


class KioskApp(LockedApp):
    lang = StringProperty("vi")
    u = NumericProperty(1.0)  # layout scale: 1.0 at 1080 px on the short side
    portrait = BooleanProperty(True)
    online = BooleanProperty(True)
    #: Why the server is refused, in both languages ("" when it is not).
    untrusted = StringProperty("")
    clock_text = StringProperty("")
    site_name = StringProperty("")
    hotline = StringProperty("")
    #: A priority group offered without being declared (an ID card showing 60 or
    #: more: "elderly"), for this visit only.
    offered_priority = StringProperty("")

    def __init__(
        self,
        config: KioskConfig,
        controller: KioskController,
        fleet: KioskFleet,
        *,
        scanner_factory: ScannerFactory | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.kiosk = config
        self.controller = controller
        self.fleet = fleet
        self.hardware = fleet.hardware
        self.catalog = Catalog(config.lang)
        self.lang = config.lang
        self.scanner_factory = scanner_factory
        self.home_screen = "lookup" if config.mode == "lookup" else "home"
        self._last_touch = 0.0
        self._title_taps: list[float] = []
        self._jobs: list[threading.Thread] = []  # started by work(), on the Kivy thread

    # building ------------------------------------------------------------------------
    def build(self) -> Any:
        use_vietnamese_font()
        self.title = "motcua"
        Builder.load_file(str(HERE / "frame.kv"))
        fingerprint.load_kv()  # the technician's pairing panel shows the server CA's
        manager = ScreenManager(transition=NoTransition())
        for name, screen_class in SCREENS.items():
            Builder.load_file(str(HERE / "screens" / f"{name}.kv"))
            manager.add_widget(screen_class(name=name))
        root = Builder.load_string("KioskFrame:")
        root.ids.body.add_widget(manager)
        self.manager = manager
        self.fleet.start()
        self.go_home()
        Window.bind(size=self._on_window_size, on_touch_down=self._on_any_touch)
        self._on_window_size(Window, Window.size)
        Clock.schedule_interval(self._tick, 1.0)
        Clock.schedule_interval(lambda _dt: self.refresh(), HEARTBEAT_S)
        self._tick(0)
        self.refresh(load=True)
        return root

    def on_stop(self) -> None:
        self.manager.get_screen("lookup").release_scanners()
        self.fleet.stop()
        self.finish_jobs(JOBS_STOP_S)
        self.controller.outbox.close()
        self.controller.client.close()

    def finish_jobs(self, timeout: float) -> list[threading.Thread]:
        """Wait (bounded) for the jobs under way, so none is still writing the outbox or
        reading through the client when they close; the ones still running."""
        deadline = time.monotonic() + timeout
        for job in self._jobs:
            job.join(max(0.0, deadline - time.monotonic()))
        self._jobs = [job for job in self._jobs if job.is_alive()]
        return list(self._jobs)

    # shared behaviour ----------------------------------------------------------------
    def t(self, key: str, _lang: str | None = None, **values: Any) -> str:
        """A catalogue text; kv passes ``app.lang`` so the text follows a language switch."""
        return self.catalog.t(key, **values)

    def pick(self, vi: str | None, en: str | None, _lang: str | None = None) -> str:
        return self.catalog.pick(vi, en)

    def refusal_text(self, refusal: Refusal) -> str:
        if refusal.vi or refusal.en:
            return self.pick(refusal.vi, refusal.en)
        values = dict(refusal.values)
        if "problem_key" in values:
            values["problem"] = self.t(values.pop("problem_key"))
        return self.t(refusal.key, **values)

    def toggle_language(self) -> None:
        self.catalog.lang = "en" if self.lang == "vi" else "vi"
        self.lang = self.catalog.lang

    def go(self, name: str, **params: Any) -> None:
        screen = self.manager.get_screen(name)
        if hasattr(screen, "prepare"):
            screen.prepare(**params)
        self.manager.current = name

    def go_home(self) -> None:
        """The home screen in the kiosk's language; an unpaired kiosk's home is its pairing code."""
        self.catalog.lang = self.kiosk.lang
        self.lang = self.kiosk.lang
        self.offered_priority = ""
        if self.fleet.paired:
            self.go(self.home_screen)
        else:
            self.go("technician", pairing=True)

    def work(
        self,
        job: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Refusal], None] | None = None,
    ) -> None:
        """Run ``job`` off the UI thread; ``done``/``failed`` run back on the Kivy thread."""

        def run() -> None:
            try:
                result = job()
            except Refusal as refusal:
                if failed is not None:
                    Clock.schedule_once(lambda _dt, why=refusal: failed(why))
                return
            except Exception:
                log.exception("kiosk job failed")
                if failed is not None:
                    Clock.schedule_once(lambda _dt: failed(Refusal("error.server")))
                return
            Clock.schedule_once(lambda _dt: self._after(done, result))

        thread = threading.Thread(target=run, daemon=True, name="kiosk-job")
        self._jobs = [job for job in self._jobs if job.is_alive()] + [thread]
        thread.start()

    def _after(self, done: Callable[[Any], None], result: Any) -> None:
        self._show_link()
        done(result)

    def refresh(self, load: bool = False) -> None:
        """Heartbeat: online flag, outbox hand-over and blocks (and the catalogue at start)."""

        def job() -> bool:
            if load:  # from the cache when the server is down, so the kiosk can still issue
                self.controller.load_catalogue()
            return self.controller.heartbeat()

        self.work(job, self._refreshed)

    def _refreshed(self, online: bool) -> None:
        site = self.controller.state.site
        self.site_name = site.get("name_vi") or self.t("app.title")
        self.hotline = site.get("hotline") or ""
        self._show_link(online)
        services = self.manager.get_screen("services")
        services.populate(self.controller.state.services)

    def _show_link(self, online: bool | None = None) -> None:
        """The banner: nothing online; a refused server named, else "offline"."""
        state = self.controller.state
        self.online = state.online if online is None else online
        self.untrusted = "" if self.online else untrusted_text(state.untrusted)

    def title_tapped(self) -> None:
        """The hidden gesture: five taps on the centre's name within three seconds."""
        now = Clock.get_boottime()
        self._title_taps = [t for t in self._title_taps if now - t < 3.0] + [now]
        if len(self._title_taps) >= 5:
            self._title_taps = []
            self.go("technician")

    def _on_window_size(self, _window: Any, size: tuple[int, int]) -> None:
        width, height = size
        self.portrait = height >= width
        self.u = min(width, height) / 1080

    def _on_any_touch(self, *_args: Any) -> None:
        self._last_touch = Clock.get_boottime()

    def _tick(self, _dt: float) -> None:
        self.clock_text = self.controller.local_now().strftime("%H:%M  %d/%m/%Y")
        idle = Clock.get_boottime() - self._last_touch
        if idle >= self.kiosk.idle_s and not self._at_rest():
            self.go_home()

    def _at_rest(self) -> bool:
        """On the home screen as it was left (the lookup screen may be rating), or with
        the technician."""
        if not hasattr(self, "manager"):
            return True
        screen = self.manager.current_screen
        if screen.name == "technician":
            return True
        return screen.name == self.home_screen and getattr(screen, "purpose", "") != "rate"
