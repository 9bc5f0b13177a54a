"""The deployment files check out with the tools that will read them on the box:
systemd-analyze for the units, nginx -t for the proxy, shellcheck for the
scripts; the install script lays out the files it promises."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from nginx_site import configure_site, run_policy

from queue_server.cli import build_parser
from queue_server.config import WORKER_CONNECTIONS, Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("motcua-*.*"))


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None and os.environ.get("CI"):
        pytest.fail(f"{tool} is required in CI (deploy/setup.sh installs it)")
    if path is None:
        pytest.skip(f"{tool} is not installed (Debian package: see docs/technician.md)")
    return path


def test_every_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    _need("systemd-analyze")
    _need("cage")  # the kiosk and board units start it; verify checks it exists
    names = {unit.name for unit in UNITS}
    assert {
        "motcua-server.service", "motcua-kiosk.service", "motcua-board.service",
        "motcua-led-bridge.service", "motcua-backup.service", "motcua-backup.timer",
    } <= names
    for unit in UNITS:
        # Point /opt/motcua/current at this checkout so the executables verify can check
        # exist (a checkout install makes current its own directory).
        (tmp_path / unit.name).write_text(
            unit.read_text().replace("/opt/motcua/current", str(ROOT))
        )
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(names)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )
    # Unknown keys are only warnings (exit 0): none are accepted either.
    assert (result.returncode, result.stderr, result.stdout) == (0, "", "")


SERVICES = [unit for unit in UNITS if unit.suffix == ".service"]


@pytest.mark.parametrize("unit", SERVICES, ids=[unit.name for unit in SERVICES])
def test_every_service_is_sandboxed(unit: Path) -> None:
    """The processes that parse untrusted input in a public hall run confined:
    systemd's own exposure rating stays at 5.0 or below (10 is unconfined)."""
    _need("systemd-analyze")
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(unit)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    score = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert score is not None, result.stdout + result.stderr
    assert float(score.group(1)) <= 5.0, result.stdout
    text = unit.read_text()
    if "StateDirectory=" in text:
        assert "StateDirectoryMode=0750" in text


def test_connection_limits_agree_from_nginx_to_the_server() -> None:
    """nginx is never the narrow point in front of the server, nor the server's open
    files below its own connection limit."""
    nginx_connections = int(run_policy("--worker-connections"))
    nginx_files = re.search(r"^worker_rlimit_nofile (\d+);$", run_policy("--limits"), re.M)
    assert nginx_files is not None
    site = (DEPLOY / "nginx" / "motcua.conf").read_text()
    per_address = re.search(r"limit_conn motcua_streams (\d+);", site)
    assert per_address is not None
    unit = (DEPLOY / "systemd" / "motcua-server.service").read_text()
    server_files = re.search(r"^LimitNOFILE=(\d+)$", unit, re.M)
    assert server_files is not None
    shipped = {name: field.default for name, field in Settings.model_fields.items()}

    # One nginx worker carries a whole server worker: each connection twice (the
    # client's, and nginx's own to the server), and a file for each.
    assert nginx_connections >= 2 * WORKER_CONNECTIONS
    assert int(nginx_files.group(1)) >= nginx_connections + 1024
    # nginx, which sees each device's and phone's real address, refuses a flood from
    # one address before the server's own cap would; and holds as many addresses at
    # that cap as a server worker has streams for.
    cap = int(per_address.group(1))
    assert cap <= shipped["max_streams_per_client"]
    assert nginx_connections // 2 // cap >= shipped["max_streams"] // cap
    # The server: a connection's socket plus its database handle, and room for logs
    # and libraries.
    assert int(server_files.group(1)) >= 2 * WORKER_CONNECTIONS + 1024


def test_backup_timer_fires_weekly_on_sunday_at_two_in_hanoi() -> None:
    _need("systemd-analyze")
    timer = (DEPLOY / "systemd" / "motcua-backup.timer").read_text()
    spec = re.search(r"^OnCalendar=(.+)$", timer, re.M)
    assert spec is not None
    result = subprocess.run(
        ["systemd-analyze", "calendar", spec.group(1)],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Normalized form: Sun *-*-* 02:00:00 Asia/Ho_Chi_Minh" in result.stdout
    assert "Persistent=true" in timer


def test_units_call_the_server_with_arguments_it_accepts() -> None:
    calls = 0
    for unit in UNITS:
        for line in unit.read_text().splitlines():
            match = re.match(r"^Exec\w+=\S*/motcua-server (.+)$", line)
            if match:
                build_parser().parse_args(shlex.split(match.group(1)))
                calls += 1
    assert calls >= 3  # init, run, backup


def test_proxy_config_passes_nginx_t(tmp_path: Path) -> None:
    """The site with the example site file's policy and the installer's limits."""
    _need("nginx")
    _need("openssl")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=motcua.local", "-keyout", str(tmp_path / "k.key"),
         "-out", str(tmp_path / "c.crt")],
        capture_output=True, check=True, timeout=60,
    )
    network = (DEPLOY / "site.example.toml").read_text().split("[network]")[1]
    configure_site(  # asserts that nginx -t passes without a warning
        tmp_path, 8000, tmp_path / "c.crt", tmp_path / "k.key", network, (8443, 8080)
    )


def test_event_stream_is_proxied_unbuffered_with_a_long_timeout() -> None:
    site = (DEPLOY / "nginx" / "motcua.conf").read_text()
    block = re.search(r"location \^~ /api/v1/events \{(.*?)\}", site, re.S)
    assert block is not None
    settings = dict(
        line.strip().rstrip(";").split(None, 1)
        for line in block.group(1).splitlines()
        if line.strip() and not line.strip().startswith("#")
    )
    assert settings["proxy_buffering"] == "off"
    assert settings["proxy_read_timeout"] == "1h"
    # Keep-alive upstream without "Connection: close", set once at server level.
    assert 'proxy_set_header Connection "";' in site and "proxy_http_version 1.1;" in site
    assert "proxy_set_header" not in block.group(1)


def test_shell_scripts_pass_shellcheck() -> None:
    shellcheck = _need("shellcheck")
    scripts = [*DEPLOY.glob("*.sh"), DEPLOY / "kiosk" / "motcua-session",
               DEPLOY / "kiosk" / "xsession"]
    result = subprocess.run(
        [shellcheck, "-x", *map(str, scripts)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout


def test_install_script_lays_out_files_and_keeps_edited_settings(tmp_path: Path) -> None:
    _need("openssl")
    target = tmp_path / "root"

    def install(*roles: str) -> str:
        result = subprocess.run(
            ["bash", str(DEPLOY / "install.sh"), *roles],
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DESTDIR": str(target)},
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    # Debian's nginx.conf, as the nginx package leaves it.
    nginx_conf = target / "etc/nginx/nginx.conf"
    nginx_conf.parent.mkdir(parents=True)
    nginx_conf.write_text(
        "worker_processes auto;\ninclude /etc/nginx/modules-enabled/*.conf;\n\n"
        "events {\n\tworker_connections 768;\n\t# multi_accept on;\n}\n"
    )
    printed = install("server", "kiosk")
    assert f"\tworker_connections {run_policy('--worker-connections').strip()};\n" in (
        nginx_conf.read_text()
    )
    limits = target / "etc/nginx/modules-enabled/90-motcua-limits.conf"
    assert limits.read_text() == run_policy("--limits")
    system = target / "etc/systemd/system"
    assert sorted(p.name for p in system.iterdir()) == [
        "motcua-backup.service", "motcua-backup.timer", "motcua-dossier-pull.service",
        "motcua-kiosk.service", "motcua-report.service", "motcua-report.timer",
        "motcua-server.service", "motcua-sms-lookup.service",
    ]
    assert (target / "etc/udev/rules.d/99-motcua.rules").is_file()
    assert (target / "etc/nginx/sites-enabled/motcua.conf").resolve() == (
        target / "etc/nginx/sites-available/motcua.conf"
    )
    assert "192.168.10.0/24 1;" in (target / "etc/motcua/nginx/policy.conf").read_text()
    key = target / "etc/motcua/tls/motcua.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (target / "etc/motcua/server.env").stat().st_mode & 0o777 == 0o640
    # Nothing outside DESTDIR was touched: the live steps are only listed.
    assert (
        "would run: systemctl enable --now motcua-server.service motcua-backup.timer"
        " motcua-report.timer" in printed
    )
    assert "would run: systemctl enable motcua-kiosk.service" in printed
    # The units run /opt/motcua/current: for a checkout install, the checkout itself.
    assert "would run: switch_current ." in printed
    assert "ExecStart=/opt/motcua/current/.venv/bin/motcua-server run" in (
        system / "motcua-server.service"
    ).read_text()
    # A kiosk box shows nothing but the app: no other VT login, no SysRq.
    assert "kernel.sysrq = 0" in (target / "etc/sysctl.d/90-motcua-sysrq.conf").read_text()
    assert "NAutoVTs=0" in (target / "etc/systemd/logind.conf.d/motcua-novt.conf").read_text()
    assert "getty@tty2.service" in printed and "autovt@.service" in printed
    # Time: the site's zone; the server serves time to the staff and device networks.
    assert "would run: timedatectl set-timezone Asia/Ho_Chi_Minh" in printed
    assert "chrony" in printed.split("apt-get install", 1)[1].splitlines()[0]
    chrony = (target / "etc/chrony/conf.d/motcua.conf").read_text().splitlines()
    assert chrony[1:] == ["local stratum 10", "allow 192.168.10.0/24", "allow 192.168.20.0/24"]
    assert "would run: systemctl restart chrony.service" in printed
    assert not (target / "etc/systemd/timesyncd.conf.d").exists()  # chrony keeps time here

    edited = target / "etc/motcua/kiosk.env"
    edited.write_text("MOTCUA_SERVER_URL=https://mot-cua.huyen.gov.vn\n")
    first_key = key.read_bytes()
    install("server", "kiosk", "led-bridge")
    assert edited.read_text() == "MOTCUA_SERVER_URL=https://mot-cua.huyen.gov.vn\n"
    assert key.read_bytes() == first_key
    assert (system / "motcua-led-bridge.service").is_file()


def test_make_tls_renew_reissues_the_server_certificate_from_the_same_ca(
    tmp_path: Path,
) -> None:
    _need("openssl")
    tls = tmp_path / "tls"

    def make_tls(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(DEPLOY / "make-tls.sh"), *args], capture_output=True,
                              text=True, timeout=120, check=False)

    def openssl(*args: str) -> str:
        return subprocess.run(["openssl", "x509", "-in", str(tls / "motcua.crt"), "-noout",
                               *args], capture_output=True, text=True, timeout=30,
                              check=True).stdout

    first = make_tls(str(tls), "motcua.local", "192.168.1.10", "::1")
    serial, names, ca = openssl("-serial"), openssl("-ext", "subjectAltName"), (
        tls / "ca.crt").read_bytes()
    assert make_tls(str(tls), "motcua.local", "192.168.1.10", "::1").stdout == first.stdout
    assert openssl("-serial") == serial  # not due: kept

    renewed = make_tls("--renew", str(tls))  # the names of the current certificate
    assert renewed.returncode == 0 and renewed.stdout == first.stdout  # same CA fingerprint
    assert (tls / "ca.crt").read_bytes() == ca
    assert openssl("-serial") != serial and openssl("-ext", "subjectAltName") == names
    verified = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tls / "ca.crt"), str(tls / "motcua.crt")],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # Never a new CA: devices trust the one they have.
    missing = make_tls("--renew", str(tmp_path / "elsewhere"), "motcua.local")
    assert missing.returncode == 1 and "no CA" in missing.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_device_boxes_take_time_from_the_server_in_the_site_zone(tmp_path: Path) -> None:
    """A board box whose technician already set the server's address, and a fresh kiosk
    box (the documented https://motcua.local)."""
    board, kiosk = tmp_path / "board", tmp_path / "kiosk"
    (board / "etc/motcua").mkdir(parents=True)
    (board / "etc/motcua/board.env").write_text(
        "MOTCUA_SERVER_URL=https://mot-cua.huyen.gov.vn:8443\nMOTCUA_TOKEN=\n"
    )
    for target, role in ((board, "board"), (kiosk, "kiosk")):
        result = subprocess.run(
            ["bash", str(DEPLOY / "install.sh"), role],
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DESTDIR": str(target)},
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert result.returncode == 0, result.stderr
        printed = result.stdout
        assert "would run: timedatectl set-timezone Asia/Ho_Chi_Minh" in printed
        assert "systemd-timesyncd" in printed.split("apt-get install", 1)[1].splitlines()[0]
        assert "would run: timedatectl set-ntp true" in printed
        assert "would run: systemctl restart systemd-timesyncd.service" in printed
        assert not (target / "etc/chrony").exists()
    drop_in = "etc/systemd/timesyncd.conf.d/motcua.conf"
    assert (board / drop_in).read_text().splitlines()[1:] == [
        "[Time]", "NTP=mot-cua.huyen.gov.vn", "FallbackNTP=",
    ]
    assert "NTP=motcua.local" in (kiosk / drop_in).read_text().splitlines()


SERVER_DEBS = {"nginx-light", "postgresql-client", "chrony", "chromium", "shellcheck",
               "poppler-utils"}
SERVER_PYTHON = {"flask", "sqlalchemy", "alembic", "gunicorn", "gevent", "psycopg",
                 "psycopg-binary", "pytest", "playwright"}


@pytest.mark.parametrize("role", ["kiosk", "rating", "board", "led-bridge"])
def test_a_device_box_gets_no_server_or_test_package(role: str, tmp_path: Path) -> None:
    """Only the role's Debian packages, and only its lock, installed hash-checked."""
    result = subprocess.run(
        ["bash", str(DEPLOY / "install.sh"), role],
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DESTDIR": str(tmp_path)},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    apt = next(line for line in printed if "apt-get install" in line).split()
    assert sorted(SERVER_DEBS & set(apt)) == []
    assert ("espeak-ng" in apt) == (role == "board")
    pip = [line.split()[2:] for line in printed if line.startswith("would run: /opt/motcua/.venv")]
    extra = "board" if role == "led-bridge" else role
    assert pip == [
        ["/opt/motcua/.venv/bin/pip", "install", "-q", "--require-hashes", "-r",
         f"/opt/motcua/requirements/{extra}.lock"],
        ["/opt/motcua/.venv/bin/pip", "install", "-q", "--no-deps", "/opt/motcua"],
    ]
    locked = re.findall(r"^([A-Za-z0-9._-]+)==", (ROOT / "requirements" / f"{extra}.lock")
                        .read_text(), re.M)
    assert sorted({name.lower() for name in locked} & SERVER_PYTHON) == []
    if role == "rating":
        env = (tmp_path / "etc/motcua/kiosk.env").read_text()
        assert "MOTCUA_KIOSK_ARGS=--mode rating" in env.splitlines()


def test_install_script_refuses_an_unknown_role(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", str(DEPLOY / "install.sh"), "printer"],
        env={"PATH": "/usr/bin:/bin", "DESTDIR": str(tmp_path)},
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 64 and "usage" in result.stderr


def test_compose_runs_server_and_backup_on_postgres() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "server", "backup"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["server"]["ports"] == ["127.0.0.1:8000:8000"]
    assert services["server"]["depends_on"]["db"]["condition"] == "service_healthy"
    command = services["backup"]["command"]
    assert command[:2] == ["motcua-server", "backup"]
    build_parser().parse_args(command[1:])
    assert (ROOT / services["server"]["build"]["context"].removeprefix("../")).is_dir()
    assert (DEPLOY / "Containerfile").is_file()
    env = (DEPLOY / "motcua.env.example").read_text()
    assert "MOTCUA_DATABASE_URL=postgresql+psycopg://" in env


RULE_PAIR = re.compile(r'^(?:[A-Z_]+(?:\{[A-Za-z_]+\})?)(?:==|!=|\+=|=)"[^"]*"$')


def test_udev_rules_are_well_formed_and_name_devices_under_motcua() -> None:
    rules = [
        line for line in (DEPLOY / "udev" / "99-motcua.rules").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(rules) >= 10
    for rule in rules:
        pairs = [pair.strip() for pair in rule.split(", ")]
        assert all(RULE_PAIR.match(pair) for pair in pairs), rule
        for pair in pairs:
            if pair.startswith("SYMLINK"):
                assert pair.startswith('SYMLINK+="motcua/'), rule
    names = {m for r in rules for m in re.findall(r'SYMLINK\+="(motcua/[a-z]+)', r)}
    assert {"motcua/printer", "motcua/scanner", "motcua/led", "motcua/tty"} <= names
