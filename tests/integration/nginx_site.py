"""The shipped nginx site (deploy/nginx/motcua.conf) started on high loopback ports,
with a given certificate, in front of a live server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from live_server import free_port

SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "motcua.conf"
MAKE_TLS = SITE.parents[1] / "make-tls.sh"


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


@dataclass
class NginxSite:
    https_port: int
    http_port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_site(directory: Path, upstream_port: int, certificate: Path, key: Path) -> NginxSite:
    """The site in ``directory`` proxying to ``upstream_port``; returns once it listens."""
    nginx = require_nginx()
    https, http = free_port(), free_port()
    site = (
        SITE.read_text()
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
        .replace("listen 80;", f"listen 127.0.0.1:{http};")
        .replace("/etc/motcua/tls/motcua.crt", str(certificate))
        .replace("/etc/motcua/tls/motcua.key", str(key))
    )
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "motcua.conf").write_text(site)
    (directory / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\npid {directory}/nginx.pid;\n"
        f"error_log {directory}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {directory}/body;\n"
        f" proxy_temp_path {directory}/proxy;\n include {directory}/motcua.conf;\n}}\n"
    )
    process = subprocess.Popen(
        [nginx, "-p", str(directory), "-e", str(directory / "error.log"),
         "-c", str(directory / "nginx.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket_to(https):
                return NginxSite(https, http, process)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"nginx did not start: {(directory / 'error.log').read_text()[-2000:]}")


def socket_to(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=1)
