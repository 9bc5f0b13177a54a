"""A centre on loopback as the installer makes it — its own CA, the shipped nginx site
with TLS in front of a live server — and an impostor: a host on the LAN posing as the
server with another CA. Shared by the trust tests of the toolkit and of the screens."""

from __future__ import annotations

import json
import shutil
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from clocks import TickingClock
from live_server import LiveServer
from nginx_site import NginxSite, make_tls, require_nginx, start_site
from server_fixtures import build_runtime, seed_callers


class Impostor(ThreadingHTTPServer):
    """A host on the LAN posing as the server: HTTPS with its own CA's certificate,
    publishing that CA, answering everything, and keeping every request it decrypts."""

    def __init__(self, tls: Path) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.ca_pem = (tls / "ca.crt").read_text()
        super().__init__(("127.0.0.1", 0), _ImpostorHandler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls / "motcua.crt", tls / "motcua.key")
        self.socket = context.wrap_socket(self.socket, server_side=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: object, client_address: object) -> None:
        """A refused handshake is the expected outcome, not a failure to print."""


class _ImpostorHandler(BaseHTTPRequestHandler):
    server: Impostor

    def _answer(self) -> None:
        self.server.seen.append((self.path, dict(self.headers.items())))
        body = self.server.ca_pem if self.path.endswith("/tls/ca.pem") else json.dumps(
            {"status": "ok", "code": "123456", "name": "x", "revision": 1, "config": {}}
        )
        self.send_response(200)
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        """Quiet: what it saw is in ``seen``."""


@dataclass
class Centre:
    site: NginxSite
    server: LiveServer
    tokens: dict[str, str]
    tls: Path
    printed_fingerprint: str

    def certificate(self, directory: Path, *names: str) -> Path:
        """``directory`` with this centre's CA and a server certificate of its own for
        ``names``, as make-tls.sh makes it."""
        directory.mkdir()
        for name in ("ca.crt", "ca.key"):
            shutil.copy(self.tls / name, directory / name)
        make_tls(directory, *names)
        return directory

    def serve(self, directory: Path, tls: Path) -> NginxSite:
        """The shipped site in ``directory``, in front of this centre's server, with the
        certificate in ``tls``; the caller stops it."""
        return start_site(directory, self.server.port, tls / "motcua.crt", tls / "motcua.key")


@pytest.fixture
def centre(tmp_path: Path, ticking_clock: TickingClock) -> Iterator[Centre]:
    require_nginx()
    tls = tmp_path / "tls"
    printed = make_tls(tls, "motcua.local", "localhost", "127.0.0.1", "::1")
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, _ = seed_callers(runtime)
    runtime.db.dispose()
    server = LiveServer(url, tmp_path)
    server.env["MOTCUA_TLS_CA_FILE"] = str(tls / "ca.crt")
    server.start()
    try:
        site = start_site(tmp_path / "nginx", server.port, tls / "motcua.crt", tls / "motcua.key")
        try:
            yield Centre(site, server, tokens, tls, printed)
        finally:
            site.stop()
    finally:
        server.kill()


@pytest.fixture
def impostor(tmp_path: Path) -> Iterator[Impostor]:
    other = tmp_path / "other-tls"
    make_tls(other, "motcua.local", "localhost", "127.0.0.1")
    listener = Impostor(other)
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    yield listener
    listener.shutdown()
    listener.server_close()
