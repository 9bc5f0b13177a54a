"""REST pull from the one-stop system, one page at a time from a cursor.

The endpoint answers ``GET <url>?since=<cursor>&limit=<n>`` with
``{"data": [rows], "next_cursor": "...", "has_more": bool}`` (the mock upstream
serves exactly this). Connection errors and 429/5xx answers are retried with
exponential backoff by urllib3; what still fails becomes
:class:`UpstreamUnavailable`. No database work happens here, so a slow or dead
upstream never holds a transaction, and lookups never wait for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from queue_server.dossiers.errors import UpstreamUnavailable

RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class PullOptions:
    url: str
    auth_header: str = "Authorization"
    auth_value: str | None = None
    page_size: int = 500
    timeout_s: float = 10
    retries: int = 3
    backoff_s: float = 0.5


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    cursor: str
    has_more: bool


class PullClient:
    """One HTTP session to the upstream; ``close()`` it (or use ``with``)."""

    def __init__(self, options: PullOptions) -> None:
        self.options = options
        self.session = requests.Session()
        retry = Retry(
            total=options.retries,
            backoff_factor=options.backoff_s,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        if options.auth_value:
            self.session.headers[options.auth_header] = options.auth_value

    def fetch(self, cursor: str) -> Page:
        """The page after ``cursor`` ("" for the beginning)."""
        params = {"since": cursor, "limit": str(self.options.page_size)}
        try:
            response = self.session.get(
                self.options.url, params=params, timeout=self.options.timeout_s
            )
        except requests.RequestException as exc:
            raise UpstreamUnavailable(f"Upstream not reachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise UpstreamUnavailable(f"Upstream answered HTTP {response.status_code}")
        try:
            body = response.json()
            rows = body["data"]
            if not isinstance(rows, list):
                raise TypeError("data is not a list")
            return Page(rows, str(body.get("next_cursor") or cursor), bool(body.get("has_more")))
        except (ValueError, KeyError, TypeError) as exc:
            raise UpstreamUnavailable(f"Upstream answer is not a page: {exc}") from exc

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> PullClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
