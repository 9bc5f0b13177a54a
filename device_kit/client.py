"""The one HTTP client devices use to talk to the queue server (kiosk, boards, rating).

Imports no Flask and nothing else of the server: a device needs only this file
and ``requests``. Every call has a bounded timeout. A server that cannot be
reached raises :class:`ServerUnreachable`; one that cannot prove it is the centre's
(certificate problem, plain HTTP to another host) raises :class:`ServerUntrusted`
before the request — and its token — is sent (:mod:`device_kit.trust`); a
server that answers with an error raises :class:`ServerError` carrying the server's
``code``, ``message`` and ``message_vi``, so the device can show the visitor the
server's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import requests

from device_kit.errors import (
    ClientError,
    ServerError,
    ServerUnreachable,
    ServerUntrusted,
)
from device_kit.trust import Trust, untrusted

__all__ = [
    "ClientError",
    "QueueClient",
    "ServerError",
    "ServerUnreachable",
    "ServerUntrusted",
    "Trust",
    "once_more_if_lost",
]

DEFAULT_TIMEOUT = (2.0, 5.0)  # connect, read (seconds)

T = TypeVar("T")


class QueueClient:
    """A bearer-token session on one server's ``/api/v1``; reuse it (keeps connections)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        trust: Trust | None = None,
    ) -> None:
        """``trust``: the CA to verify against (default: ``MOTCUA_CA_FILE``, else the
        system CAs); a given ``session`` must have been made by that trust."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.trust = trust or Trust.from_settings()
        self._session = session or self.trust.session()
        self._token = token

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> QueueClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Call ``/api/v1{path}``; the decoded JSON body, or None for 204."""
        self.trust.check(self.base_url)
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            response = self._session.request(
                method,
                f"{self.base_url}/api/v1{path}",
                json=json,
                params=params,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.exceptions.SSLError as exc:
            raise untrusted(exc) from exc
        except requests.RequestException as exc:
            raise ServerUnreachable(
                f"{method} {path}: {type(exc).__name__}", answer_lost=_answer_lost(exc)
            ) from exc
        if response.status_code == 204:
            return None
        if response.status_code >= 400:
            raise _server_error(response)
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError(
                response.status_code,
                "bad_response",
                "The server sent something that is not JSON.",
                "Máy chủ trả về dữ liệu không hợp lệ.",
            ) from exc

    # read --------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self.request("GET", "/health")

    def get_site(self) -> dict[str, Any]:
        """Names, hotline, ticker and the priority groups with their labels."""
        return self.request("GET", "/site")

    def services(self) -> list[dict[str, Any]]:
        return self.request("GET", "/services")["services"]

    def counters(self) -> list[dict[str, Any]]:
        return self.request("GET", "/counters")["counters"]

    def queue_snapshot(self) -> dict[str, Any]:
        return self.request("GET", "/queue")

    def recent_calls(self, limit: int) -> list[dict[str, Any]]:
        """The centre's last calls, newest first (what a board lists after a restart)."""
        calls: list[dict[str, Any]] = self.request(
            "GET", "/events/recent-calls", params={"limit": limit}
        )["calls"]
        return calls

    def get_ticket(self, ticket_id: int) -> dict[str, Any]:
        return self.request("GET", f"/tickets/{ticket_id}")

    def track(self, token: str) -> dict[str, Any]:
        return self.request("GET", f"/track/{token}")

    def lookup_dossier(self, query: str) -> dict[str, Any]:
        """A dossier's public facts from a code or a scanned payload (``q``)."""
        return self.request("GET", "/dossiers/lookup", params={"q": query})

    def citizen_dossiers(self, id_number: str) -> list[dict[str, Any]]:
        """A citizen's dossiers by the ID number on their card; sent in the body of a
        POST, so no URL, proxy log or access log carries it."""
        found = self.request("POST", "/citizens/dossiers", json={"id_number": id_number})
        return list(found["dossiers"])

    def procedures(self, query: str = "", field: str = "", limit: int = 50) -> list[dict[str, Any]]:
        """Procedures matching every word of ``query`` (accents optional), in ``field``."""
        params = {"q": query, "field": field, "limit": limit}
        return self.request("GET", "/procedures", params=params)

    def procedure(self, code: str) -> dict[str, Any]:
        """One procedure with its documents, fees and time limit."""
        return self.request("GET", f"/procedures/{code}")

    # write -------------------------------------------------------------------------
    def issue_ticket(
        self,
        service: str,
        priority: str | None = None,
        dossier_code: str | None = None,
        request_key: str | None = None,
    ) -> dict[str, Any]:
        """A new ticket: number, people ahead, estimated wait, tracking URL. Sent again
        with the same ``request_key`` (16-64 letters, digits, ``-``, ``_``), it answers
        the ticket already issued."""
        body = {
            "service": service,
            "priority": priority,
            "dossier_code": dossier_code,
            "request_key": request_key,
        }
        return self.request("POST", "/tickets", json=body)

    def check_in_appointment(self, text: str, request_key: str | None = None) -> dict[str, Any]:
        """A booking (its QR, code or phone number) turned into an appointment ticket;
        sent again with the same ``request_key``, the ticket it was checked in with."""
        body = {"code": text, "request_key": request_key}
        return self.request("POST", "/appointments/check-in", json=body)

    def check_in_by_card(self, id_number: str, request_key: str | None = None) -> dict[str, Any]:
        """The booking of today made with this ID number, turned into an appointment
        ticket; only the number is sent (in the body, never the URL)."""
        body = {"id_number": id_number, "request_key": request_key}
        return self.request("POST", "/appointments/check-in", json=body)

    def lease_block(self, service: str, count: int) -> dict[str, Any]:
        """Reserve ``count`` numbers of today's sequence for issuing while offline."""
        return self.request("POST", "/number-blocks", json={"service": service, "count": count})

    def sync_offline_ticket(
        self,
        block_id: int,
        seq: int,
        issued_at: datetime,
        priority: str | None = None,
        dossier_code: str | None = None,
        replaces: str | None = None,
    ) -> dict[str, Any]:
        """Hand over a ticket issued offline from a block; repeating it is harmless.
        ``replaces``: the key of the online request given up for it (its ticket, if
        the server issued one, is cancelled)."""
        body = {
            "seq": seq,
            "issued_at": issued_at.isoformat(),
            "priority": priority,
            "dossier_code": dossier_code,
            "replaces": replaces,
        }
        return self.request("POST", f"/number-blocks/{block_id}/tickets", json=body)


def once_more_if_lost(ask: Callable[[], T]) -> T:
    """``ask()``, and once more if its answer was lost (``ServerUnreachable.answer_lost``).
    Only for a request the server answers alike when repeated: a ticket asked with its
    ``request_key`` gets the ticket the first one issued, not a second number."""
    try:
        return ask()
    except ServerUnreachable as error:
        if not error.answer_lost:
            raise
    return ask()


def _answer_lost(exc: requests.RequestException) -> bool:
    """Whether the request may have reached the server and only the answer was lost:
    not when no connection was made (refused, or no answer to connect)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ReadTimeout | requests.exceptions.ChunkedEncodingError):
        return True
    return isinstance(exc, requests.exceptions.ConnectionError) and "aborted" in str(exc)


def _server_error(response: requests.Response) -> ServerError:
    try:
        error = response.json()["error"]
        return ServerError(
            response.status_code,
            str(error["code"]),
            str(error["message"]),
            str(error.get("message_vi") or error["message"]),
            error.get("details"),
        )
    except (ValueError, KeyError, TypeError):
        return ServerError(
            response.status_code,
            "http_error",
            f"The server answered HTTP {response.status_code}.",
            f"Máy chủ trả lời lỗi HTTP {response.status_code}.",
        )
