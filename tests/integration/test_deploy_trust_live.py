"""Trust on first pairing, then always: the installer's CA and certificate in front of
the real server through the shipped nginx site; a device pairs by code and by the CA
fingerprint the installer printed and the fleet page shows, issues a ticket, and
gives nothing — no token, not even its digest — to a second server on another port
with another certificate."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from clocks import process_env
from live_server import ROOT
from nginx_site import reissue_dated
from server_fixtures import PASSWORD
from tls_centre import Centre, Impostor

from device_kit.client import QueueClient, ServerUntrusted, Trust
from device_kit.fleet import DeviceAgent
from device_kit.pinning import PINNED_CA_FILE, pin_ca, server_ca_fingerprint
from device_kit.trust import fingerprint

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def check_server(*args: str) -> subprocess.CompletedProcess[str]:
    """``motcua-devices check-server ARGS`` as a technician runs it."""
    return subprocess.run(
        [sys.executable, "-m", "drivers.cli", "check-server", *args],
        cwd=ROOT, env=process_env(), capture_output=True, text=True, timeout=60,
    )


def test_device_pairs_by_fingerprint_and_gives_an_impostor_nothing(
    centre: Centre, impostor: Impostor, tmp_path: Path
) -> None:
    base = centre.site.url
    # The fingerprint the installer printed is the CA's, and the fleet page shows it.
    assert centre.printed_fingerprint == fingerprint((centre.tls / "ca.crt").read_text())
    technician = Trust(centre.tls / "ca.crt").session()
    login = technician.get(f"{base}/admin/login", timeout=10)
    token = CSRF.search(login.text)
    assert token is not None
    signed_in = technician.post(
        f"{base}/admin/login", timeout=10,
        data={"username": "technician", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert signed_in.url == f"{base}/admin/devices"  # a technician lands on the fleet page
    assert centre.printed_fingerprint in signed_in.text

    # The device shows the fingerprint it sees; the technician confirms it is the same.
    assert server_ca_fingerprint(base) == centre.printed_fingerprint
    device_dir = tmp_path / "device"
    trust = pin_ca(base, centre.printed_fingerprint.lower(), device_dir / PINNED_CA_FILE)
    agent = DeviceAgent(base, "kiosk", hardware="Mini PC #3", trust=trust)
    code = agent.request_code()
    paired = technician.post(
        f"{base}/api/v1/devices/pair", json={"code": code, "name": "kiosk-sanh-1"},
        headers={"Authorization": f"Bearer {centre.tokens['technician']}"}, timeout=10,
    )
    assert paired.status_code == 201
    assert agent.config() == {}
    with QueueClient(base, agent.token, trust=trust) as kiosk:
        ticket = kiosk.issue_ticket("ho-tich")
    assert re.fullmatch(r"[A-Z]\d{3}", ticket["number"])

    # The impostor answers on another port with another CA: nothing reaches it.
    with pytest.raises(ServerUntrusted) as refused, QueueClient(
        impostor.url, agent.token, trust=trust
    ) as fooled:
        fooled.issue_ticket("ho-tich")
    assert refused.value.problem == "unknown_ca"
    with pytest.raises(ServerUntrusted) as mismatch:
        pin_ca(impostor.url, centre.printed_fingerprint, tmp_path / "fooled" / PINNED_CA_FILE)
    assert mismatch.value.problem == "fingerprint_mismatch"
    assert not (tmp_path / "fooled" / PINNED_CA_FILE).exists()
    with pytest.raises(ServerUntrusted):
        DeviceAgent(impostor.url, "kiosk", trust=trust).request_code()
    # All it ever got: the public CA download, with no credentials.
    assert [path for path, _ in impostor.seen] == ["/tls/ca.pem"]
    assert all("Authorization" not in headers for _, headers in impostor.seen)


def test_check_server_names_each_certificate_problem(
    centre: Centre, impostor: Impostor, tmp_path: Path
) -> None:
    base, ca = centre.site.url, str(centre.tls / "ca.crt")
    trusted = check_server("--server", base, "--ca-file", ca)
    assert trusted.returncode == 0, trusted.stderr
    pinned = check_server("--server", base, "--fingerprint", centre.printed_fingerprint)
    assert pinned.returncode == 0, pinned.stderr

    unknown = check_server("--server", impostor.url, "--ca-file", ca)
    assert unknown.returncode == 2 and "unknown_ca" in unknown.stderr
    assert "không do CA tin cậy ký" in unknown.stderr
    mismatch = check_server("--server", impostor.url, "--fingerprint", centre.printed_fingerprint)
    assert mismatch.returncode == 2 and "fingerprint_mismatch" in mismatch.stderr
    plain = check_server("--server", f"http://motcua.local:{centre.site.http_port}")
    assert plain.returncode == 2 and "plain_http" in plain.stderr
    # https:// to a port that answers without TLS: a failed handshake, not a lost server.
    no_tls = f"https://127.0.0.1:{centre.site.http_port}"
    for trusting in (["--ca-file", ca], ["--fingerprint", centre.printed_fingerprint]):
        handshake = check_server("--server", no_tls, *trusting)
        assert handshake.returncode == 2 and handshake.stderr.startswith("tls_error:"), trusting

    # A certificate from the centre's own CA, but for another name.
    renamed = centre.certificate(tmp_path / "renamed", "other.example")
    other_site = centre.serve(tmp_path / "nginx-renamed", renamed)
    try:
        wrong_name = check_server("--server", other_site.url, "--ca-file", ca)
    finally:
        other_site.stop()
    assert wrong_name.returncode == 2 and "wrong_name" in wrong_name.stderr
    assert Trust.from_settings(ca).ca_file == centre.tls / "ca.crt"


@pytest.mark.parametrize(
    ("problem", "valid", "advice", "advice_vi"),
    [
        ("expired", ("20200101000000Z", "20200201000000Z"), "make-tls.sh --renew", "gia hạn"),
        ("not_yet_valid", ("20900101000000Z", "20910101000000Z"), "clock is probably behind",
         "lấy giờ từ máy chủ"),
    ],
    ids=["expired", "not_yet_valid"],
)
def test_a_certificate_out_of_its_dates_is_named_never_unreachable(
    centre: Centre, problem: str, valid: tuple[str, str], advice: str, advice_vi: str,
    tmp_path: Path,
) -> None:
    """The centre's own CA, its server certificate out of date (or a device clock out
    of step, which looks the same): the device, its fleet member and the technician's
    check all name the problem and what to do; no token leaves the device."""
    dated = centre.certificate(tmp_path / "dated", "127.0.0.1")
    reissue_dated(dated, *valid, "127.0.0.1")
    site = centre.serve(tmp_path / "nginx-dated", dated)
    trust = Trust(centre.tls / "ca.crt")
    try:
        with pytest.raises(ServerUntrusted) as refused, QueueClient(
            site.url, centre.tokens["kiosk"], trust=trust
        ) as kiosk:
            kiosk.issue_ticket("ho-tich")
        with pytest.raises(ServerUntrusted) as fleet:
            DeviceAgent(site.url, "kiosk", trust=trust).request_code()
        checks = [check_server("--server", site.url, "--ca-file", str(trust.ca_file)),
                  check_server("--server", site.url, "--fingerprint", centre.printed_fingerprint)]
    finally:
        site.stop()
    assert refused.value.problem == fleet.value.problem == problem
    assert advice in refused.value.message and advice_vi in refused.value.message_vi
    assert advice_vi in refused.value.screen_text.splitlines()[0]  # Vietnamese first
    for checked in checks:
        assert checked.returncode == 2, checked.stderr
        assert checked.stderr.startswith(f"{problem}:") and advice_vi in checked.stderr
        assert "unreachable" not in checked.stderr.lower()
    # All the server behind got: the public CA download, fetched to compare fingerprints.
    requests = site.logs()["motcua.access.log"].splitlines()
    assert requests and all('"GET /tls/ca.pem" 200' in line for line in requests)
