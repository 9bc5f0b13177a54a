"""What the kiosk does, without Kivy: issue and print tickets, work offline, look up dossiers.

Screens call these methods (from a worker thread) and show the outcome; every
refusal is a :class:`Refusal` with a catalogue key, or the server's own words.

Printing rule: the printer is asked for its status before a number is taken,
so a kiosk without paper issues nothing; the job then goes out ``checked`` (no
second check before it) and is checked after. If a job fails after the server
numbered the ticket (paper ran out mid-ticket), the ticket stays reprintable
(:meth:`KioskController.reprint`) and the problem is reported to the technician.
Offline tickets whose print failed are voided in the outbox: the number is spent
and never reaches the queue.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from device_kit.client import (
    ClientError,
    QueueClient,
    ServerError,
    ServerUnreachable,
    ServerUntrusted,
    once_more_if_lost,
)
from device_kit.contract.citizen_card import CitizenCard
from device_kit.contract.errors import DossierError, EmptyDossierCode
from device_kit.contract.qr_payload import extract
from device_kit.contract.site_zone import DEFAULT_ZONE
from device_kit.public_url import public_or_none
from device_kit.site_time import site_time
from drivers.errors import CoverOpen, DriverError, PaperOut, PrinterOffline
from drivers.printer import Printer, SlipData, TicketData
from kiosk_app.dossier_view import TIMELINESS_KEYS, DossierView
from kiosk_app.i18n import load_catalogue
from kiosk_app.offline import Outbox, OutboxState

log = logging.getLogger(__name__)
#: No usable server: unreachable, or refused because it could not prove it is the
#: centre's (certificate problem). Either way the kiosk works from its number blocks.
NO_SERVER = (ServerUnreachable, ServerUntrusted)
#: The server's words for an offline ticket it can never queue (a block of an earlier
#: day, a number outside its block, a block it never leased): only these drop one.
NEVER_HANDED_OVER = frozenset({"stale_block", "number_outside_block", "unknown_block"})

RATING_UNAVAILABLE = "rate.unavailable"

PrinterOpener = Callable[[], AbstractContextManager[Printer]]
Clock = Callable[[], datetime]


QUOTE_MAX = 48  # as many characters as the lookup screen's code field holds


def quoted(text: str) -> str:
    """What the person typed (or scanned), as a message quotes it back: spacing kept,
    only a long scanned payload cut short, so they see what the kiosk read."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Refusal(Exception):
    """Why the kiosk could not do what the visitor asked, in the visitor's words."""

    def __init__(
        self, key: str, *, vi: str | None = None, en: str | None = None, **values: Any
    ) -> None:
        super().__init__(key)
        self.key = key
        self.vi = vi
        self.en = en
        self.values = values


@dataclass(frozen=True, slots=True)
class Issued:
    """A ticket in the visitor's hand (or, when ``printed`` is False, waiting for a reprint)."""

    number: str
    service: str
    service_name_vi: str
    service_name_en: str
    ahead: int | None
    wait_s: int | None
    offline: bool
    printed: bool = True
    dossier_code: str | None = None
    ticket_id: int | None = None  # the server's id; None until an offline ticket is synced


@dataclass(frozen=True, slots=True)
class CitizenVisit:
    """What a citizen ID card gives the screens: the visitor's dossiers and whether the
    elderly priority is theirs. Neither the ID number nor the birth date is in it:
    once this is built, the kiosk holds nothing read from the card.

    ``dossiers`` is None when they could not be fetched; ``problem`` then says why.
    """

    dossiers: tuple[DossierView, ...] | None
    elderly: bool
    problem: Refusal | None = None


@dataclass(frozen=True, slots=True)
class WaitingCount:
    """How many waited in one service at ``at`` (``priority``: of them in priority
    groups, None when not known): where an offline ticket's "people ahead" starts.
    Kept in memory only, so a ticket never costs a disk write for it; a kiosk restarted
    while offline prints that the count is unknown."""

    day: str
    at: datetime
    waiting: int
    priority: int | None


@dataclass
class KioskSettings:
    device: str = "kiosk"
    block_size: int = 5  # numbers leased per service and day
    refill_below: int = 2
    #: How long the last queue count stays good for an offline ticket's "people ahead";
    #: older (counters kept calling meanwhile), the ticket says the count is unknown.
    waiting_max_age_s: int = 1800
    result_service: str = "tra-ket-qua"


@dataclass
class KioskState:
    online: bool = True
    site: dict[str, Any] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)
    last_problem: str | None = None
    printer: str = ""  # the printer's last seen state for the fleet: ok, paper_out, offline…
    #: Why the server is refused, while it is: the banner names it instead of "offline".
    untrusted: ServerUntrusted | None = None

    def went_offline(self, error: ClientError) -> None:
        self.online = False
        self.untrusted = error if isinstance(error, ServerUntrusted) else None

    def came_online(self) -> None:
        self.online, self.untrusted = True, None


def printer_health(problem_key: str | None) -> str:
    """The fleet's word for a printer state: ``ok`` or the problem (``paper_out``…)."""
    return problem_key.removeprefix("printer.") if problem_key else "ok"


def printer_problem_key(error: DriverError) -> str:
    if isinstance(error, PaperOut):
        return "printer.paper_out"
    if isinstance(error, CoverOpen):
        return "printer.cover_open"
    if isinstance(error, PrinterOffline):
        return "printer.offline"
    return "printer.unreachable"


class KioskController:
    def __init__(
        self,
        client: QueueClient,
        open_printer: PrinterOpener,
        outbox: Outbox,
        settings: KioskSettings | None = None,
        *,
        clock: Clock = utc_now,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.open_printer = open_printer
        self.outbox = outbox
        self.settings = settings or KioskSettings()
        self.clock = clock
        self.state = KioskState()
        self.unprinted: TicketData | None = None
        self.waiting: dict[str, WaitingCount] = {}  # per service code
        self._on_problem = on_problem
        self._lock = threading.Lock()  # one ticket at a time: the printer is one device
        self._beat = threading.Lock()  # one heartbeat at a time

    # catalogue and connectivity ----------------------------------------------------
    def load_catalogue(self) -> None:
        """Site and services from the server, or from the cache when it is unreachable."""
        try:
            site, services = self.client.get_site(), self.client.services()
        except NO_SERVER as error:
            self.state.went_offline(error)
            site = self.outbox.cache_get("site") or {}
            services = self.outbox.cache_get("services") or []
        else:
            self.state.came_online()
            self.outbox.cache_put("site", site)
            self.outbox.cache_put("services", services)
        self.state.site, self.state.services = site, services

    def local_now(self) -> datetime:
        """Now on the centre's clocks (the site's zone, not the box's)."""
        return site_time(self.state.site, self.clock())

    def today(self) -> str:
        return self.local_now().date().isoformat()

    def heartbeat(self) -> bool:
        """Check the server; when it answers, refresh the catalogue, hand over the outbox
        and top up the blocks."""
        if not self._beat.acquire(blocking=False):
            return self.state.online  # the previous heartbeat is still at work
        try:
            return self._heartbeat()
        finally:
            self._beat.release()

    def _heartbeat(self) -> bool:
        try:
            self.client.health()
        except ServerUntrusted as error:
            log.error("kiosk: %s", error)
            self.state.went_offline(error)
            return False
        except ServerUnreachable as error:
            self.state.went_offline(error)
            return False
        self.load_catalogue()  # services edited by an admin show without a restart
        self.sync()
        self.remember_waiting()
        self.refill_blocks()
        return True

    def remember_waiting(self) -> None:
        """Keep how many wait in each service (read after the hand-over, so the tickets
        handed over are in it)."""
        try:
            snapshot = self.client.queue_snapshot()
        except NO_SERVER as error:
            self.state.went_offline(error)
            return
        except ServerError as error:
            log.info("no queue count: %s", error.code)
            return
        day, at = self.today(), self.clock()
        self.waiting = {
            s["code"]: WaitingCount(day, at, s["waiting"], s["waiting_priority"])
            for s in snapshot["services"]
        }

    def _count_online_ticket(self, code: str, priority: str | None, ahead: int | None) -> None:
        """An online ticket brings the count of its service up to date: a normal one
        exactly (those waiting are ahead of it), a priority one by one more."""
        known = self.waiting.get(code)
        if known is not None and known.day != self.today():
            known = None
        if priority is None and ahead is not None:
            in_priority = known.priority if known else None
            self.waiting[code] = WaitingCount(self.today(), self.clock(), ahead + 1, in_priority)
        elif known is not None:
            more = None if known.priority is None else known.priority + 1
            self.waiting[code] = replace(known, waiting=known.waiting + 1, priority=more)

    def _ahead_offline(self, service: dict[str, Any], priority: str | None) -> int | None:
        """People ahead of an offline ticket about to be taken: the last count of its
        service plus the tickets this kiosk issued offline since; None when that count
        is missing or too old to mean anything (counters kept calling), or when the
        policy places a priority ticket where the count cannot tell."""
        known = self.waiting.get(service["code"])
        if known is None or known.day != self.today():
            return None
        if not 0 <= (self.clock() - known.at).total_seconds() <= self.settings.waiting_max_age_s:
            return None
        if priority is None:
            return known.waiting + self.outbox.issued_since(service["code"], known.at)
        if service.get("priority_policy") != "strict" or known.priority is None:
            return None
        return known.priority + self.outbox.issued_since(
            service["code"], known.at, priority_only=True
        )

    def refill_blocks(self) -> None:
        """Lease numbers for every active service running low on spare numbers today."""
        day = self.today()
        self.outbox.forget_days_before(day)
        for service in self.state.services:
            if not service.get("active", True):
                continue
            if self.outbox.remaining(service["code"], day) >= self.settings.refill_below:
                continue
            try:
                block = self.client.lease_block(service["code"], self.settings.block_size)
            except NO_SERVER as error:
                self.state.went_offline(error)
                return
            except ServerError as error:  # closed now, daily limit: try again later
                log.info("no block for %s: %s", service["code"], error.code)
                continue
            self.outbox.add_block(block)

    def sync(self) -> int:
        """Hand over tickets issued offline, oldest first; returns how many were queued."""
        handed = 0
        for ticket in self.outbox.pending():
            try:
                view = self.client.sync_offline_ticket(
                    ticket.block_id,
                    ticket.seq,
                    ticket.issued_at,
                    ticket.priority,
                    ticket.dossier_code,
                    ticket.replaces,
                )
            except NO_SERVER as error:
                self.state.went_offline(error)
                break
            except ServerError as error:
                if error.code not in NEVER_HANDED_OVER:
                    # A token revoked while offline, a rate limit, a server fault: the
                    # visitor holds the printed number, so it waits for the next try.
                    log.warning("offline ticket %s waits: %s", ticket.number, error.code)
                    break
                log.warning("offline ticket %s refused: %s", ticket.number, error.code)
                self.outbox.mark(ticket, OutboxState.REFUSED)
                continue
            self.outbox.mark(ticket, OutboxState.SYNCED, view.get("id"))
            handed += 1
        return handed

    # tickets -----------------------------------------------------------------------
    def service(self, code: str) -> dict[str, Any]:
        for service in self.state.services:
            if service["code"] == code:
                return service
        raise Refusal("services.none")

    def priority_label(self, priority: str | None) -> tuple[str | None, str | None]:
        for group in self.state.site.get("priority_groups", []):
            if group["code"] == priority:
                return group["label_vi"], group["label_en"]
        return None, None

    def take_ticket(
        self, service_code: str, priority: str | None = None, dossier_code: str | None = None
    ) -> Issued:
        """Number a ticket (server, else an offline block) and print it."""
        service = self.service(service_code)
        return self._with_printer(
            lambda printer: self._issue_and_print(printer, service, priority, dossier_code)
        )

    def check_in(self, text: str) -> Issued:
        """A booking (its QR, code or the phone number) turned into a ticket with the
        appointment priority, and printed. Only online: the server keeps the bookings."""
        if not text.strip():
            raise Refusal("appointment.hint")
        return self._check_in(lambda key: self.client.check_in_appointment(text.strip(), key))

    def check_in_by_card(self, card: CitizenCard) -> Issued:
        """The holder's booking of today that recorded the ID (its keyed hash), turned
        into an appointment ticket. Only the ID number leaves the kiosk."""
        return self._check_in(lambda key: self.client.check_in_by_card(card.id_number, key))

    def _with_printer(self, issue: Callable[[Printer], Issued]) -> Issued:
        """Run ``issue`` with a printer that says it is ready; a printer problem is
        reported to the fleet and told to the visitor. Once a number is issued it is
        the visitor's whatever closing the printer then does (a port pulled out)."""
        issued: Issued | None = None
        with self._lock:
            try:
                with self.open_printer() as printer:
                    status = printer.status()  # before a number is taken
                    problem = status.problem()
                    if problem is not None:
                        raise problem
                    if status.paper_near_end:
                        log.warning("kiosk %s: printer paper near end", self.settings.device)
                    issued = issue(printer)
            except DriverError as error:
                key = printer_problem_key(error)
                self._report(f"printer: {error.code}", key)
                if issued is None:
                    raise Refusal("error.printer", problem_key=key) from error
                log.warning("kiosk: closing the printer after %s failed: %s", issued.number, error)
                return issued
            if issued.printed:
                self.state.printer = printer_health(None)
            return issued

    def _issue_and_print(
        self,
        printer: Printer,
        service: dict[str, Any],
        priority: str | None,
        dossier_code: str | None,
    ) -> Issued:
        key = secrets.token_urlsafe(16)

        def ask() -> dict[str, Any]:
            return self.client.issue_ticket(service["code"], priority, dossier_code, key)

        try:
            view = once_more_if_lost(ask)
        except NO_SERVER as error:
            self.state.went_offline(error)
            # The request may have issued a ticket nobody will hold: the hand-over of
            # this offline one names its key, and the server cancels that ticket.
            return self._issue_offline(printer, service, priority, dossier_code, key)
        except ServerError as error:
            raise Refusal("error.server", vi=error.message_vi, en=error.message) from error
        self.state.came_online()
        self._count_online_ticket(service["code"], priority, view.get("ahead"))
        return self._print_issued(printer, view, service, priority, dossier_code)

    def _check_in(self, ask: Callable[[str], dict[str, Any]]) -> Issued:
        """``ask`` the server, with a key for the request, to check a booking in, with a
        ready printer, and print the appointment ticket it numbered."""
        return self._with_printer(lambda printer: self._check_in_and_print(printer, ask))

    def _check_in_and_print(self, printer: Printer, ask: Callable[[str], dict[str, Any]]) -> Issued:
        key = secrets.token_urlsafe(16)
        try:
            view = once_more_if_lost(lambda: ask(key))
        except NO_SERVER as error:
            self.state.went_offline(error)
            raise Refusal("appointment.offline") from error
        except ServerError as error:
            details = error.details if isinstance(error.details, dict) else {}
            raise Refusal(
                "error.server",
                vi=error.message_vi,
                en=error.message,
                normal_service=details.get("service", ""),
            ) from error
        self.state.came_online()
        service = self.service(view["service"])
        self._count_online_ticket(service["code"], view.get("priority"), view.get("ahead"))
        return self._print_issued(printer, view, service, view.get("priority"), None)

    def _print_issued(
        self,
        printer: Printer,
        view: dict[str, Any],
        service: dict[str, Any],
        priority: str | None,
        dossier_code: str | None,
    ) -> Issued:
        """Print a ticket the server numbered; a failed print keeps it for a reprint."""
        ticket = self._ticket_data(
            view["number"],
            service,
            priority,
            view.get("track_url"),
            view.get("ahead", 0),
            dossier_code,
        )
        issued = Issued(
            view["number"],
            service["code"],
            service["name_vi"],
            service.get("name_en", ""),
            view.get("ahead"),
            view.get("estimated_wait_s"),
            offline=False,
            dossier_code=dossier_code,
            ticket_id=view.get("id"),
        )
        try:
            printer.print_ticket(ticket, checked=True)
        except DriverError as error:
            self.unprinted = ticket
            self._report(
                f"printer: {error.code} after issuing {view['number']}", printer_problem_key(error)
            )
            return replace(issued, printed=False)
        self.unprinted = None
        return issued

    def _issue_offline(
        self,
        printer: Printer,
        service: dict[str, Any],
        priority: str | None,
        dossier_code: str | None,
        replaces: str,
    ) -> Issued:
        now = self.clock()
        ahead = self._ahead_offline(service, priority)  # before this ticket joins the outbox
        offline = self.outbox.take(
            service["code"], self.today(), now, priority, dossier_code, replaces
        )
        if offline is None:
            self._report(f"offline and no spare numbers for {service['code']}")
            raise Refusal("error.no_block")
        ticket = self._ticket_data(
            offline.number, service, priority, None, ahead, dossier_code, estimated=True
        )
        try:
            printer.print_ticket(ticket, checked=True)
        except DriverError:
            self.outbox.mark(offline, OutboxState.VOID)
            raise
        self.outbox.mark(offline, OutboxState.PENDING)  # printed: now it may be handed over
        return Issued(
            offline.number,
            service["code"],
            service["name_vi"],
            service.get("name_en", ""),
            ahead,
            None,
            offline=True,
            dossier_code=dossier_code,
        )

    def reprint(self) -> bool:
        """Print again the ticket whose print failed; True once it came out."""
        with self._lock:
            if self.unprinted is None:
                return True
            try:
                with self.open_printer() as printer:
                    printer.print_ticket(self.unprinted)
            except DriverError as error:
                self._report(f"printer: {error.code} on reprint", printer_problem_key(error))
                return False
            self.unprinted = None
            self.state.printer = printer_health(None)
            return True

    def _ticket_data(
        self,
        number: str,
        service: dict[str, Any],
        priority: str | None,
        track_url: str | None,
        ahead: int | None,
        dossier_code: str | None = None,
        *,
        estimated: bool = False,
    ) -> TicketData:
        site = self.state.site
        return TicketData(
            centre_name=site.get("name_vi") or "Bộ phận Một cửa",
            service_name=service["name_vi"],
            number=number,
            issued_at=self.local_now(),
            # Offline tickets have no tracking token yet: the QR leads to the centre's page,
            # unless that is a loopback address no phone can open.
            tracking_url=track_url or public_or_none(self.client.base_url),
            people_ahead=ahead,
            people_ahead_estimated=estimated,
            priority_label=self.priority_label(priority)[0],
            hotline=site.get("hotline") or None,
            dossier_code=dossier_code,
        )

    # dossiers ----------------------------------------------------------------------
    def lookup(self, text: str, unavailable: str = "lookup.unavailable") -> DossierView:
        """The public facts of a dossier from a typed code or a scanned payload;
        ``unavailable`` is what to say when the server cannot be reached."""
        typed = quoted(text)
        try:
            code = str(extract(text).code)
        except EmptyDossierCode as error:
            raise Refusal("lookup.example", vi=error.message_vi, en=error.message) from error
        except DossierError as error:
            raise Refusal(
                "lookup.example",
                vi=f"«{typed}»: {error.message_vi}",
                en=f"“{typed}”: {error.message}",
            ) from error
        try:
            found = self.client.lookup_dossier(code)
        except NO_SERVER as error:
            self.state.went_offline(error)
            raise Refusal(unavailable) from error
        except ServerError as error:
            if error.status == 404:
                raise Refusal("lookup.not_found", code=f"«{typed}»") from error
            raise Refusal("error.server", vi=error.message_vi, en=error.message) from error
        self.state.came_online()
        return DossierView.from_api(found, self.state.site.get("timezone") or DEFAULT_ZONE)

    def citizen_visit(self, card: CitizenCard) -> CitizenVisit:
        """The card holder's dossiers (the server matches the ID number's keyed hash)
        and their age against the elderly priority, on the centre's today. Only the
        ID number leaves the kiosk; the age is worked out here."""
        elderly = card.elderly_on(self.local_now().date())
        try:
            found = self._read(
                lambda: self.client.citizen_dossiers(card.id_number), "lookup.unavailable"
            )
        except Refusal as refusal:
            return CitizenVisit(None, elderly, refusal)
        zone = self.state.site.get("timezone") or DEFAULT_ZONE
        return CitizenVisit(tuple(DossierView.from_api(d, zone) for d in found), elderly)

    def take_result_ticket(self, dossier_code: str) -> Issued:
        """A ticket for the result-return service carrying the dossier code."""
        return self.take_ticket(self.settings.result_service, dossier_code=dossier_code)

    def print_slip(self, dossier: DossierView) -> None:
        # The slip is printed in Vietnamese, whatever language the screen shows.
        words = load_catalogue("vi")
        timeliness = words[TIMELINESS_KEYS[dossier.timeliness]] if dossier.timeliness else None
        slip = SlipData(
            centre_name=self.state.site.get("name_vi") or "Bộ phận Một cửa",
            dossier_code=dossier.code,
            procedure=dossier.procedure,
            status_text=dossier.status_vi,
            printed_at=self.clock(),
            due_date=dossier.due,
            timeliness=timeliness,
        )
        try:
            with self.open_printer() as printer:
                printer.print_slip(slip)
        except DriverError as error:
            key = printer_problem_key(error)
            self._report(f"printer: {error.code} on slip", key)
            raise Refusal("error.printer", problem_key=key) from error

    # detailed dossier rating (Circular 01/2018, art. 13) ------------------------------
    def dossier_to_rate(self, text: str) -> tuple[DossierView, list[dict[str, Any]]]:
        """The dossier a visitor scanned or typed, and the nine indicators to score."""
        dossier = self.lookup(text, unavailable=RATING_UNAVAILABLE)
        return dossier, self.rating_indicators(dossier.code)

    def rating_indicators(self, code: str) -> list[dict[str, Any]]:
        """The nine indicators with their names and answers (vi, en) for dossier ``code``;
        refused at once, in the server's words, when it was rated already, so the visitor
        does not answer nine questions for nothing."""
        rated = self._read(lambda: self._rating_of(code), RATING_UNAVAILABLE)
        if rated is not None:
            raise Refusal("error.server", vi=rated["message_vi"], en=rated["message"])
        options = self._read(
            lambda: self.client.request("GET", "/ratings/options"), RATING_UNAVAILABLE
        )
        return list(options["indicators"])

    def _rating_of(self, code: str) -> dict[str, Any] | None:
        """The server's record that ``code`` was rated, or None (404) when it was not."""
        try:
            return self.client.request("GET", f"/dossier-ratings/{quote(code, safe='')}")
        except ServerError as error:
            if error.status == 404:
                return None
            raise

    def rate_dossier(self, code: str, scores: dict[int, int]) -> dict[str, Any]:
        """Store the dossier's one detailed rating; a second is refused in the server's words."""
        body = {"dossier_code": code, "scores": {str(n): s for n, s in scores.items()}}
        return self._read(
            lambda: self.client.request("POST", "/dossier-ratings", json=body), RATING_UNAVAILABLE
        )

    # procedures --------------------------------------------------------------------
    def search_procedures(self, query: str = "", field: str = "") -> list[dict[str, Any]]:
        return self._read(lambda: self.client.procedures(query, field))

    def procedure(self, code: str) -> dict[str, Any]:
        return self._read(lambda: self.client.procedure(code))

    def _read(self, call: Callable[[], Any], unavailable: str = "procedures.unavailable") -> Any:
        """A server call whose refusal the visitor reads: ``unavailable`` when unreachable,
        else the server's own words."""
        try:
            result = call()
        except NO_SERVER as error:
            self.state.went_offline(error)
            raise Refusal(unavailable) from error
        except ServerError as error:
            raise Refusal("error.server", vi=error.message_vi, en=error.message) from error
        self.state.came_online()
        return result

    # technician --------------------------------------------------------------------
    def check_printer(self) -> str | None:
        """The catalogue key of the printer's problem, or None when it is ready."""
        try:
            with self.open_printer() as printer:
                problem = printer.status().problem()
        except DriverError as error:
            problem = error
        key = printer_problem_key(problem) if problem else None
        self.state.printer = printer_health(key)
        return key

    def test_print(self) -> str | None:
        """Print a sample ticket numbered TEST; the problem key, or None when it printed."""
        sample = self._ticket_data("TEST", {"name_vi": "In thử / Test print"}, None, None, 0)
        try:
            with self.open_printer() as printer:
                printer.print_ticket(sample)
        except DriverError as error:
            key: str | None = printer_problem_key(error)
        else:
            key = None
        self.state.printer = printer_health(key)
        return key

    def pending_count(self) -> int:
        return self.outbox.count(OutboxState.PENDING)

    def spare_numbers(self) -> int:
        return self.outbox.remaining_total(self.today())

    def _report(self, problem: str, printer_key: str | None = None) -> None:
        """Tell the technician: logged, shown on the technician screen, passed on
        (the fleet's heartbeat then carries the printer's state at once)."""
        log.warning("kiosk %s: %s", self.settings.device, problem)
        self.state.last_problem = problem
        if printer_key is not None:
            self.state.printer = printer_health(printer_key)
        if self._on_problem is not None:
            self._on_problem(problem)
