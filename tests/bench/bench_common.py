"""What several benchmarks share: the percentile they report and the run over engines,
each on its own database (a SQLite file, or a scratch PostgreSQL schema)."""

from __future__ import annotations

import http.client
import json
import secrets
import select
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pg_schema import POSTGRES_URL, postgres_available, temporary_schema

#: ``bench(url, schema, scratch_dir)``: ``schema`` is None on SQLite.
Bench = Callable[[str, "str | None", Path], Any]


def kiosk_ticket(service: str) -> dict[str, str]:
    """A ticket request as a kiosk sends it: with a fresh key, which the server looks up
    on every issue (a repeat of a lost answer gets the ticket already issued)."""
    return {"service": service, "request_key": secrets.token_urlsafe(16)}


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class KeepAlive:
    """One client's keep-alive HTTP connection, on the standard library's ``http.client``.

    The clients share the box with the server they measure, so they must cost little.
    Against the floor app, 8 kiosks, alternating in one run (2026-12-06): with
    ``requests``, 0.83–0.88 ms of client CPU per request, 1,093–1,142 tickets/s,
    p99 17–19 ms; with this, 0.12 ms, 3,838–3,874/s, p99 5.9–6.0 ms. The figures
    with ``requests`` were the client's.
    """

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.prefix = parts.hostname or "127.0.0.1", parts.port, parts.path
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def post(self, path: str, headers: dict[str, str], body: Any = None) -> int:
        """POST ``body`` as JSON to ``path``; the answer's status (its body is read and
        dropped, so the connection can carry the next request)."""
        payload = json.dumps(body).encode() if body is not None else b""
        connection = self._open()
        connection.request(
            "POST", self.prefix + path, body=payload,
            headers={"Content-Type": "application/json", **headers},
        )
        response = connection.getresponse()
        response.read()
        return response.status

    def _open(self) -> http.client.HTTPConnection:
        """The connection, new if the server closed it while idle (its keep-alive ran
        out between paced requests): found before sending, as urllib3 does, so no
        request is ever sent twice."""
        connection = self._connection
        if connection is not None and connection.sock is not None:
            readable, _, _ = select.select([connection.sock], [], [], 0)
            if readable:  # an idle keep-alive socket is readable only at its end
                connection.close()
        if connection is None or connection.sock is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            connection.connect()
            self._connection = connection
        return connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def each_engine(engines: str, bench: Bench) -> dict[str, Any]:
    """``bench`` once per comma-separated engine ("sqlite", "postgres"), each on a fresh
    database that is gone afterwards; PostgreSQL reads "unavailable" when its server
    does not answer."""
    results: dict[str, Any] = {}
    for engine in engines.split(","):
        if engine == "postgres" and not postgres_available():
            results[engine] = "unavailable"
            continue
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            if engine == "sqlite":
                results[engine] = bench(f"sqlite:///{work / 'bench.db'}", None, work)
                continue
            with temporary_schema() as schema:
                results[engine] = bench(POSTGRES_URL, schema, work)
    return results
