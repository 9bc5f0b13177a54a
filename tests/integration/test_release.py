"""A box without internet installs a release only when it is signed by the key the
box pinned and every file in it is the one signed; the units' ``/opt/motcua/current``
then points at a new virtualenv, and ``install.sh --rollback`` points it back.

Offline: ``release.sh --wheelhouse`` builds the releases from wheels made here —
stand-ins carrying the metadata of motcua's base dependencies and a small probe
package — which the test's locks list by hash; installs go into a DESTDIR.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from wheels import stub_wheel

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "deploy" / "install.sh"
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": os.environ.get("HOME", "/tmp")}
VERSIONS = ("9.0.0", "9.1.0")
PROBE = 'GREETING = "xin chào"\n'

pytestmark = pytest.mark.slow


def run(command: list[str | Path], cwd: Path | None = None,
        **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env={**ENV, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def must(command: list[str | Path], cwd: Path | None = None,
         **env: str) -> subprocess.CompletedProcess[str]:
    result = run(command, cwd, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@dataclass(frozen=True)
class Releases:
    tars: dict[str, Path]
    dirs: dict[str, Path]
    key: Path
    public_key: Path


def _checkout_copy(target: Path) -> None:
    """This checkout's files (tests aside) as a git repository: release.sh builds HEAD."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.split("\0")
    for name in listed:
        if name and not name.startswith("tests/") and (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    must(["git", "init", "-q"], target)


def _commit(source: Path, message: str) -> None:
    must(["git", "add", "-A"], source)
    must(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
          "commit", "-q", "-m", message], source)


def _wheelhouse(folder: Path) -> str:
    """Wheels for motcua's base dependencies and a probe package; the lock naming them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wheels = [
        stub_wheel(folder, name, metadata.version(name),
                   f"Metadata-Version: 2.1\nName: {name}\nVersion: {metadata.version(name)}\n")
        for name in (Requirement(dep).name for dep in project["dependencies"])
    ]
    wheels.append(stub_wheel(folder, "motcua-probe", "1.0",
                             "Metadata-Version: 2.1\nName: motcua-probe\nVersion: 1.0\n",
                             modules={"motcua_probe.py": PROBE}))
    lines = []
    for wheel in wheels:
        name, version = wheel.name.split("-")[:2]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}\n")
    return "".join(lines)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    work = tmp_path_factory.mktemp("release-maker")
    source, wheelhouse, out = work / "src", work / "wheelhouse", work / "dist"
    for folder in (source, wheelhouse):
        folder.mkdir()
    _checkout_copy(source)
    lock = _wheelhouse(wheelhouse)
    for extra in ("server", "kiosk", "board", "rating"):
        (source / "requirements" / f"{extra}.lock").write_text(lock)
    key = work / "keys" / "release.key"
    key.parent.mkdir()
    made = must(["bash", source / "deploy" / "release.sh", "--new-key", key])
    assert "keep it off release media and boxes" in made.stdout
    assert key.stat().st_mode & 0o777 == 0o600
    pyproject = source / "pyproject.toml"
    for version in VERSIONS:
        pyproject.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"',
                                    pyproject.read_text()))
        _commit(source, f"release {version}")
        must(["bash", source / "deploy" / "release.sh", "--key", key, "--out", out,
              "--wheelhouse", wheelhouse], source, PYTHON=sys.executable)
    return Releases(
        tars={v: out / f"motcua-{v}.tar" for v in VERSIONS},
        dirs={v: out / f"motcua-{v}" for v in VERSIONS},
        key=key, public_key=Path(f"{key}.pub"),
    )


def install(root: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run(["bash", INSTALL, *args], DESTDIR=str(root))


def installed_version(root: Path) -> str:
    """What the units would run: motcua's version in current's virtualenv, and the probe.

    Run from the box's root, not the checkout: ``python -c`` puts its working directory
    first on the path, where a checkout's ``motcua.egg-info`` and packages would answer."""
    result = must([root / "opt/motcua/current/.venv/bin/python", "-c",
                   "import importlib.metadata as m, drivers.errors, motcua_probe;"
                   "print(m.version('motcua'), motcua_probe.GREETING)"], root)
    version, greeting = result.stdout.split(maxsplit=1)
    assert greeting.strip() == "xin chào"
    return version


def link(root: Path, name: str) -> str:
    return os.readlink(root / "opt/motcua" / name)


def test_a_signed_release_installs_offline_and_pins_its_key(
    releases: Releases, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    result = install(root, "--key", releases.public_key, "--release", releases.tars["9.0.0"],
                     "board")
    assert result.returncode == 0, result.stdout + result.stderr
    assert link(root, "current").startswith("releases/9.0.0-")
    assert installed_version(root) == "9.0.0"
    assert not (root / "opt/motcua/previous").exists()
    pinned = root / "etc/motcua/release-signing.pub"
    assert pinned.read_bytes() == releases.public_key.read_bytes()
    # The units run what current points at, with the release's own session script.
    unit = (root / "etc/systemd/system/motcua-board.service").read_text()
    assert "/opt/motcua/current/deploy/kiosk/motcua-session board" in unit
    assert os.access(root / "opt/motcua/current/deploy/kiosk/motcua-session", os.X_OK)
    assert "would run: systemctl try-restart motcua-*.service" in result.stdout


def _changed_wheel(release: Path, other_key: Path) -> list[str]:
    wheel = next((release / "wheelhouse").glob("motcua_probe-*.whl"))
    with wheel.open("ab") as opened:
        opened.write(b"\0")
    return ["files differ from SHA256SUMS: wheelhouse/motcua_probe-1.0-py3-none-any.whl"]


def _missing_signature(release: Path, other_key: Path) -> list[str]:
    (release / "SHA256SUMS.sig").unlink()
    return ["SHA256SUMS or its signature SHA256SUMS.sig is missing"]


def _unlisted_file(release: Path, other_key: Path) -> list[str]:
    (release / "deploy" / "extra.sh").write_text("#!/bin/sh\n")
    return ["files not listed in SHA256SUMS: deploy/extra.sh"]


def _signed_by_another_key(release: Path, other_key: Path) -> list[str]:
    must(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", other_key,
          "-in", release / "SHA256SUMS", "-out", release / "SHA256SUMS.sig"])
    return ["the signature does not match key", "signed by another key"]


@pytest.mark.parametrize("tamper", [_changed_wheel, _missing_signature, _unlisted_file,
                                    _signed_by_another_key])
def test_a_release_not_exactly_as_signed_is_refused_before_anything_changes(
    tamper: Callable[[Path, Path], list[str]], releases: Releases, tmp_path: Path
) -> None:
    release = tmp_path / "motcua-9.0.0"
    shutil.copytree(releases.dirs["9.0.0"], release)
    other_key = tmp_path / "other.key"
    must(["openssl", "genpkey", "-algorithm", "ed25519", "-out", other_key])
    expected = tamper(release, other_key)
    root = tmp_path / "root"
    (root / "etc/motcua").mkdir(parents=True)
    shutil.copy(releases.public_key, root / "etc/motcua/release-signing.pub")
    result = install(root, "--release", release, "board")
    assert result.returncode == 1
    assert result.stderr.startswith("Từ chối bản phát hành: ")
    assert "\nRelease refused: " in result.stderr
    for words in expected:
        assert words in result.stderr
    assert not (root / "opt").exists()


def test_a_key_other_than_the_pinned_one_is_refused(releases: Releases, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc/motcua").mkdir(parents=True)
    shutil.copy(releases.public_key, root / "etc/motcua/release-signing.pub")
    other_key = tmp_path / "other.key"
    must(["openssl", "genpkey", "-algorithm", "ed25519", "-out", other_key])
    must(["openssl", "pkey", "-in", other_key, "-pubout", "-out", tmp_path / "other.pub"])
    result = install(root, "--key", tmp_path / "other.pub", "--release",
                     releases.tars["9.0.0"], "board")
    assert result.returncode == 1
    assert "unknown key" in result.stderr and "this box trusts only the pinned key" in result.stderr
    assert not (root / "opt").exists()


def test_first_release_install_needs_a_key(releases: Releases, tmp_path: Path) -> None:
    result = install(tmp_path / "root", "--release", releases.tars["9.0.0"], "board")
    assert result.returncode == 1
    assert "no signing key is pinned on this box" in result.stderr


def test_an_update_switches_current_and_rollback_switches_it_back(
    releases: Releases, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    first = install(root, "--key", releases.public_key, "--release", releases.tars["9.0.0"],
                    "board")
    assert first.returncode == 0, first.stderr
    old = link(root, "current")
    update = install(root, "--release", releases.dirs["9.1.0"], "board")  # the key is pinned
    assert update.returncode == 0, update.stderr
    new = link(root, "current")
    assert new.startswith("releases/9.1.0-") and link(root, "previous") == old
    assert installed_version(root) == "9.1.0"

    back = install(root, "--rollback")
    assert back.returncode == 0, back.stderr
    assert (link(root, "current"), link(root, "previous")) == (old, new)
    assert installed_version(root) == "9.0.0"
    assert "would run: systemctl try-restart motcua-*.service" in back.stdout

    # A release whose virtualenv lost a package is not switched to.
    site = next((root / "opt/motcua" / new / ".venv/lib").glob("python3*/site-packages"))
    shutil.rmtree(next(site.glob("requests-*.dist-info")))
    broken = install(root, "--rollback")
    assert broken.returncode == 1
    assert "is missing packages" in broken.stderr and "requests" in broken.stderr
    assert link(root, "current") == old
