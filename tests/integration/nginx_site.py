"""The shipped nginx site (deploy/nginx/motcua.conf) started on high loopback ports,
with a given certificate, in front of a live server."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from clocks import process_env
from live_server import free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SITE = DEPLOY / "nginx" / "motcua.conf"
MAKE_TLS = DEPLOY / "make-tls.sh"


def require_nginx() -> str:
    nginx = shutil.which("nginx")
    if nginx is None or shutil.which("openssl") is None:
        pytest.skip("nginx or openssl is not installed (Debian: nginx-light, openssl)")
    return nginx


def make_tls(directory: Path, *names: str) -> str:
    """The installer's own CA and server certificate (deploy/make-tls.sh) in
    ``directory``; the CA fingerprint it prints."""
    made = subprocess.run(
        [str(MAKE_TLS), str(directory), *names],
        capture_output=True, text=True, check=True, timeout=120,
    )
    return made.stdout.strip().rpartition(": ")[2]


def reissue_dated(directory: Path, not_before: str, not_after: str, *names: str) -> None:
    """Sign the server key of a :func:`make_tls` directory anew by its CA, for ``names``,
    valid from ``not_before`` to ``not_after`` (``YYYYMMDDHHMMSSZ``): a certificate
    out of date on purpose (``openssl x509`` takes no start date; ``openssl ca`` does)."""
    names_ext = ",".join(
        f"IP:{name}" if name.replace(".", "").isdigit() or ":" in name else f"DNS:{name}"
        for name in names
    )
    (directory / "dated.cnf").write_text(
        "[ca]\ndefault_ca = dated\n[dated]\n"
        f"database = {directory}/dated.index\nserial = {directory}/dated.serial\n"
        f"new_certs_dir = {directory}\n"
        "default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n"
        f"[server]\nsubjectAltName = {names_ext}\nbasicConstraints = critical,CA:FALSE\n"
        "keyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = serverAuth\n"
    )
    (directory / "dated.index").write_text("")
    (directory / "dated.serial").write_text(secrets.token_hex(16) + "\n")
    for command in (
        ["openssl", "req", "-new", "-key", "motcua.key", "-subj", f"/CN={names[0]}",
         "-out", "dated.csr"],
        ["openssl", "ca", "-batch", "-config", "dated.cnf", "-cert", "ca.crt", "-keyfile",
         "ca.key", "-notext", "-startdate", not_before, "-enddate", not_after,
         "-extensions", "server", "-in", "dated.csr", "-out", "dated.leaf"],
    ):
        subprocess.run(command, cwd=directory, capture_output=True, text=True, check=True,
                       timeout=60)
    (directory / "motcua.crt").write_text(
        (directory / "dated.leaf").read_text() + (directory / "ca.crt").read_text()
    )


@dataclass
class NginxSite:
    https_port: int
    http_port: int
    process: subprocess.Popen[bytes]
    directory: Path

    @property
    def access_log(self) -> Path:
        return self.directory / "motcua.access.log"

    def logs(self) -> dict[str, str]:
        """Every log nginx wrote: the site's access and error logs, nginx's own."""
        return {log.name: log.read_text() for log in sorted(self.directory.glob("*.log"))}

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def configure_site(
    directory: Path,
    upstream_port: int,
    certificate: Path,
    key: Path,
    network: str,
    ports: tuple[int, int],
) -> list[str]:
    """Writes the site in ``directory``, listening on loopback ``ports`` (https, http)
    and proxying to ``upstream_port``: its staff policy and nginx's limits made by the
    installer's own script (the policy from a site file whose ``[network]`` section is
    ``network``), in a main configuration laid out like Debian's. Checked with
    ``nginx -t``, warnings refused; the command that runs it."""
    nginx = require_nginx()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "site.toml").write_text(
        (DEPLOY / "site.example.toml").read_text().split("[network]")[0]
        + "[network]\n" + network
    )
    (directory / "policy.conf").write_text(run_policy(str(directory / "site.toml")))
    (directory / "limits.conf").write_text(run_policy("--limits"))
    https, http = ports
    site = (
        SITE.read_text()
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
        .replace("listen 80;", f"listen 127.0.0.1:{http};")
        .replace("/etc/motcua/tls/motcua.crt", str(certificate))
        .replace("/etc/motcua/tls/motcua.key", str(key))
        .replace("/etc/motcua/nginx/policy.conf", str(directory / "policy.conf"))
        .replace("/var/log/nginx/", f"{directory}/")
    )
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (directory / "motcua.conf").write_text(site)
    (directory / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\npid {directory}/nginx.pid;\n"
        f"error_log {directory}/error.log;\ninclude {directory}/limits.conf;\n"
        f"events {{\n worker_connections {run_policy('--worker-connections').strip()};\n}}\n"
        f"http {{\n client_body_temp_path {directory}/body;\n"
        f" proxy_temp_path {directory}/proxy;\n include {directory}/motcua.conf;\n}}\n"
    )
    command = [nginx, "-p", str(directory), "-e", str(directory / "error.log"),
               "-c", str(directory / "nginx.conf")]
    checked = subprocess.run(
        [*command, "-t"], capture_output=True, text=True, timeout=60, env=process_env()
    )
    assert checked.returncode == 0 and "[warn]" not in checked.stderr, checked.stderr
    return command


def run_policy(*args: str) -> str:
    """What ``deploy/nginx/policy.py ARGS`` prints, as the installer runs it."""
    return subprocess.run(
        [sys.executable, str(DEPLOY / "nginx" / "policy.py"), *args],
        capture_output=True, text=True, check=True, timeout=30, env=process_env(),
    ).stdout


def start_site(
    directory: Path,
    upstream_port: int,
    certificate: Path,
    key: Path,
    network: str = 'staff_networks = ["127.0.0.1"]\n',
) -> NginxSite:
    """The site of :func:`configure_site` on free ports, returned once it listens."""
    https, http = free_port(), free_port()
    command = configure_site(directory, upstream_port, certificate, key, network, (https, http))
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=process_env()
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket_to(https):
                return NginxSite(https, http, process, directory)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"nginx did not start: {(directory / 'error.log').read_text()[-2000:]}")


def socket_to(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=1)
