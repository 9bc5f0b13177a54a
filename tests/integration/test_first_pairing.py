"""Pairing, trust first, against a real TLS server on loopback (its own CA, published at
/tls/ca.pem): a device given nothing shows the fingerprint of the CA it fetched and
sends nothing more until the technician confirms it; then it pairs, records the pin,
and trusts that server after a restart without asking again. A device given a
fingerprint names the mismatch and sends no pairing request to another server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tls_centre import Impostor

from device_kit.client import QueueClient
from device_kit.errors import ServerUntrusted
from device_kit.first_pairing import FirstPairing, Paired
from device_kit.fleet import save_pairing
from device_kit.pinning import PINNED_CA_FILE
from device_kit.trust import fingerprint
from device_kit.trust_settings import TrustSettings


class RecordingView:
    """What a pairing screen would draw, in order."""

    def __init__(self) -> None:
        self.fingerprints: list[tuple[str, bool]] = []
        self.codes: list[str] = []
        self.problems: list[str | None] = []

    def show_fingerprint(self, fingerprint: str, confirm: bool) -> None:
        self.fingerprints.append((fingerprint, confirm))

    def show_code(self, code: str) -> None:
        self.codes.append(code)

    def show_problem(self, problem: ServerUntrusted | None) -> None:
        self.problems.append(problem.problem if problem else None)


def until(condition: Callable[[], object], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def start(session: FirstPairing) -> tuple[threading.Thread, list[Paired | None]]:
    result: list[Paired | None] = []
    thread = threading.Thread(target=lambda: result.append(session.run()), daemon=True)
    thread.start()
    return thread, result


def test_a_fetched_fingerprint_is_confirmed_before_anything_is_sent(
    impostor: Impostor, tmp_path: Path
) -> None:
    server = impostor  # here simply a TLS server with its own CA
    store, view = tmp_path / PINNED_CA_FILE, RecordingView()
    session = FirstPairing(
        server.url, "board", "tv-sanh", TrustSettings(), store, view, poll_s=0.1
    )
    thread, result = start(session)
    until(lambda: view.fingerprints)
    published = fingerprint(server.ca_pem)
    assert view.fingerprints == [(published, True)]
    # Waiting for the technician: the CA was read, nothing else was asked or sent.
    assert session.awaiting == published and thread.is_alive()
    assert [path for path, _ in server.seen] == ["/tls/ca.pem"]
    assert view.codes == [] and not store.exists()

    session.confirm()
    thread.join(30)
    paired = result[0]
    assert paired is not None and view.codes == ["123456"]
    assert paired.trust.fingerprint == published and paired.trust.source == "confirmed"
    assert fingerprint(store.read_text()) == published
    assert "/api/v1/pairing" in [path for path, _ in server.seen]

    # A restart trusts the same server from pairing.json, without fetching the CA again.
    pairing = tmp_path / "pairing.json"
    save_pairing(pairing, server.url, paired.agent.token or "", paired.trust.recorded())
    settings = TrustSettings.resolve(env={}, pairing=json.loads(pairing.read_text()))
    fetched = [path for path, _ in server.seen].count("/tls/ca.pem")
    with QueueClient(server.url, "token", trust=settings.trust(store)) as client:
        assert client.health()["status"] == "ok"
    assert [path for path, _ in server.seen].count("/tls/ca.pem") == fetched


def test_a_given_fingerprint_names_the_mismatch_and_sends_no_pairing_request(
    impostor: Impostor, tmp_path: Path
) -> None:
    expected = "3F" * 32  # the fleet page's; the server on this port has another CA
    view = RecordingView()
    session = FirstPairing(
        impostor.url, "kiosk", "kiosk-1", TrustSettings(fingerprint=expected, source="flag"),
        tmp_path / PINNED_CA_FILE, view, poll_s=0.1,
    )
    thread, result = start(session)
    until(lambda: "fingerprint_mismatch" in view.problems)
    session.stop()
    thread.join(30)
    assert result == [None]
    assert view.fingerprints == [(expected, False)]  # shown to compare, never confirmed
    assert view.codes == []
    assert {path for path, _ in impostor.seen} == {"/tls/ca.pem"}
    assert all("Authorization" not in headers for _, headers in impostor.seen)
    assert not (tmp_path / PINNED_CA_FILE).exists()
