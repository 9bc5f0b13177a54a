"""A device fetching the CA to pair with meets something that is not the centre's
server answering properly: the pairing screen names the problem and tries again,
its thread never dies on an odd answer (a page that merely mentions a certificate,
a service on the port that does not speak HTTP)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from nginx_site import make_tls

from device_kit.errors import ServerUnreachable, ServerUntrusted
from device_kit.pinning import CA_PATH, server_ca_fingerprint

#: A login page of some appliance that talks about certificates, served at the CA's path.
NOT_A_CERTIFICATE = (
    b"<html><body>Paste your -----BEGIN CERTIFICATE----- here, then press Save"
    b"</body></html>"
)


@contextmanager
def tls_server(directory: Path, answer: Callable[[bytes], bytes]) -> Iterator[str]:
    """A TLS listener on 127.0.0.1 that answers each connection's first bytes with
    ``answer(request)``; yields its https URL."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "motcua.crt", directory / "motcua.key")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            with raw, context.wrap_socket(raw, server_side=True) as conn:
                conn.sendall(answer(conn.recv(4096)))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The installer's CA and server certificate, and the CA fingerprint it printed."""
    directory = tmp_path_factory.mktemp("tls")
    return directory, make_tls(directory, "127.0.0.1")


def page(body: bytes) -> Callable[[bytes], bytes]:
    def answer(request: bytes) -> bytes:
        assert request.startswith(f"GET {CA_PATH} ".encode())
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        return head.encode() + body

    return answer


def test_a_page_that_only_mentions_a_certificate_is_an_unknown_ca(tls: tuple[Path, str]) -> None:
    with tls_server(tls[0], page(NOT_A_CERTIFICATE)) as url:
        with pytest.raises(ServerUntrusted) as caught:
            server_ca_fingerprint(url)
        assert caught.value.problem == "unknown_ca"
        assert "not a certificate" in str(caught.value)


def test_a_service_that_does_not_speak_http_is_unreachable_not_a_crash(
    tls: tuple[Path, str],
) -> None:
    with tls_server(tls[0], lambda _request: b"220 mail.example ESMTP ready\r\n") as url:
        with pytest.raises(ServerUnreachable, match="BadStatusLine"):
            server_ca_fingerprint(url)


def test_the_centres_ca_gives_the_fingerprint_make_tls_printed(tls: tuple[Path, str]) -> None:
    """The same listener serving the real CA: the faults above are the answers, not it."""
    directory, printed = tls
    with tls_server(directory, page((directory / "ca.crt").read_bytes())) as url:
        assert server_ca_fingerprint(url) == printed
