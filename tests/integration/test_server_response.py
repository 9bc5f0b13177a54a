"""The production server's response writer (``server.OneWriteResponse``): a response
with a body leaves in one write, headers and body together, and every other kind
(no body, a chunked stream, a file) still reaches the client whole and in order.

Each test parses a real request with gunicorn's parser from one end of a socket
pair, answers it through the response as gunicorn's worker does, and reads the
other end as a client would."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from http.client import HTTPResponse
from pathlib import Path
from typing import Any, cast

import pytest
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser
from gunicorn.http.wsgi import FileWrapper

from queue_server.server import OneWriteResponse


class Writes:
    """The server's end of the pair, noting each write the response makes."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.sent: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.sent.append(bytes(data))
        self._sock.sendall(data)

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        self.sent.append(b"<file>")
        return self._sock.sendfile(file, offset, count)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, client = socket.socketpair()
    server.settimeout(5)
    client.settimeout(5)
    yield server, client
    server.close()
    client.close()


def answer(
    pair: tuple[socket.socket, socket.socket],
    request: bytes,
    status: str,
    headers: list[tuple[str, str]],
    body: list[bytes] | FileWrapper,
) -> tuple[HTTPResponse, list[bytes]]:
    """Answer ``request`` as gunicorn's worker does; the client's parsed response and
    the server's writes."""
    server, client = pair
    client.sendall(request)
    cfg = Config()
    parsed = next(iter(RequestParser(cfg, server, ("127.0.0.1", 50000))))
    writes = Writes(server)
    response = OneWriteResponse(parsed, cast(socket.socket, writes), cfg)
    response.start_response(status, headers)
    if isinstance(body, FileWrapper):
        response.write_file(body)
    else:
        for item in body:
            response.write(item)
    response.close()
    reply = HTTPResponse(client, method=parsed.method)
    reply.begin()
    return reply, writes.sent


def answer_json(
    pair: tuple[socket.socket, socket.socket], request: bytes, status: str, body: bytes
) -> tuple[HTTPResponse, list[bytes]]:
    """:func:`answer` with a JSON body of known length, as the API answers."""
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    return answer(pair, request, status, headers, [body])


GET = b"GET /api/v1/tickets/1 HTTP/1.1\r\nHost: centre\r\n\r\n"


def test_a_response_with_a_body_leaves_in_one_write(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    body = b'{"number": "A001", "ahead": 3}'
    reply, sent = answer_json(
        pair,
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: centre\r\nContent-Length: 2\r\n\r\n{}",
        "201 CREATED",
        body,
    )
    assert len(sent) == 1
    assert sent[0].startswith(b"HTTP/1.1 201 CREATED\r\n") and sent[0].endswith(body)
    assert reply.status == 201
    assert reply.getheader("Content-Type") == "application/json"
    assert reply.getheader("Connection") == "keep-alive"
    assert reply.read() == body


def test_a_response_without_a_body_sends_its_headers_at_close(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    reply, sent = answer(pair, GET, "204 NO CONTENT", [], [b""])
    assert len(sent) == 1 and sent[0].startswith(b"HTTP/1.1 204 NO CONTENT\r\n")
    assert reply.status == 204 and reply.read() == b""


def test_a_stream_gets_its_headers_then_its_chunks_in_order(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    events = [b"data: 1\n\n", b"data: 2\n\n", b"data: 3\n\n"]
    reply, sent = answer(pair, GET, "200 OK", [("Content-Type", "text/event-stream")], events)
    assert b"Transfer-Encoding: chunked\r\n" in sent[0] and sent[0].endswith(b"\r\n\r\n")
    assert reply.read() == b"".join(events)


def test_a_file_gets_its_headers_before_its_bytes(
    pair: tuple[socket.socket, socket.socket], tmp_path: Path
) -> None:
    content = "Phiếu số A001 — Quầy 3\n".encode() * 200
    path = tmp_path / "phieu.txt"
    path.write_bytes(content)
    with open(path, "rb") as file:
        reply, sent = answer(
            pair,
            GET,
            "200 OK",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(content)))],
            FileWrapper(file),
        )
        assert reply.read() == content
    assert sent[0].startswith(b"HTTP/1.1 200 OK\r\n") and sent[0].endswith(b"\r\n\r\n")
    assert sent[1:] == [b"<file>"]


def test_a_head_request_gets_the_headers_alone(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    """gunicorn drops the body of an answer to HEAD: the held headers still go out."""
    body = b'{"status": "ok"}'
    reply, sent = answer_json(
        pair, b"HEAD /api/v1/health HTTP/1.1\r\nHost: centre\r\n\r\n", "200 OK", body
    )
    assert len(sent) == 1 and sent[0].endswith(b"\r\n\r\n") and body not in sent[0]
    assert reply.status == 200 and reply.getheader("Content-Length") == str(len(body))
    assert reply.read() == b""
