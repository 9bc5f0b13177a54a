"""A device box installs its role and nothing of the server: ``motcua[kiosk]`` and
``motcua[board]`` resolve, with pip's own resolver, to a set without Flask,
SQLAlchemy, gunicorn, psycopg, pytest or playwright, and the apps start from a fresh
virtualenv holding exactly that set.

Offline and quick on purpose: pip resolves against metadata-only wheels of the
versions installed here (the versions the suite runs), and the fresh virtualenv
links the resolved distributions from this one instead of unpacking them again.
The lock files are checked against pyproject.toml so a box gets what the suite ran.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from wheels import stub_wheel

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
SERVER_SIDE = {"flask", "sqlalchemy", "alembic", "gunicorn", "psycopg", "psycopg-binary",
               "gevent", "pytest", "playwright", "schemathesis", "hypothesis"}
KIVY_ENV = {"SDL_VIDEODRIVER": "offscreen", "SDL_AUDIODRIVER": "dummy", "KIVY_NO_ARGS": "1",
            "KIVY_NO_CONSOLELOG": "1", "KIVY_NO_FILELOG": "1"}

pytestmark = pytest.mark.slow


def _project_metadata() -> str:
    """motcua's metadata as the build backend writes it from pyproject.toml."""
    lines = ["Metadata-Version: 2.1", f"Name: {PROJECT['name']}", f"Version: {PROJECT['version']}",
             f"Requires-Python: {PROJECT['requires-python']}"]
    lines += [f"Requires-Dist: {dep}" for dep in PROJECT["dependencies"]]
    for extra, deps in PROJECT["optional-dependencies"].items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {dep} ; extra == "{extra}"' for dep in deps]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheelhouse")
    for dist in metadata.distributions():
        if canonicalize_name(dist.metadata["Name"]) != PROJECT["name"]:
            stub_wheel(folder, dist.metadata["Name"], dist.version, dist.read_text("METADATA"))
    scripts = "".join(f"{name} = {target}\n" for name, target in PROJECT["scripts"].items())
    stub_wheel(folder, PROJECT["name"], PROJECT["version"], _project_metadata(),
                f"[console_scripts]\n{scripts}")
    return folder


def resolve(wheelhouse: Path, extra: str, tmp_path: Path) -> dict[str, str]:
    """What ``pip install motcua[EXTRA]`` would install on a fresh box: name -> version."""
    report = tmp_path / f"{extra}.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--no-index", "--find-links", str(wheelhouse), "--report", str(report),
         "--isolated", f"motcua[{extra}]"],
        check=True, capture_output=True, text=True, timeout=120,
    )
    return {
        canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }


def fresh_venv(resolved: dict[str, str], wheelhouse: Path, where: Path) -> Path:
    """A new virtualenv with the resolved distributions (linked from this one), motcua's
    console scripts and this checkout's code, and nothing else."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True,
                   timeout=120)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(where), "platbase": str(where)}))
    here = Path(sysconfig.get_path("purelib"))
    for name in resolved.keys() - {PROJECT["name"]}:
        dist = metadata.distribution(name)
        assert canonicalize_name(dist.version) == canonicalize_name(resolved[name])
        tops = {Path(str(file)).parts[0] for file in dist.files or ()}
        for top in tops - {".."}:
            if (here / top).exists() and not (site / top).exists():
                (site / top).symlink_to(here / top)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(where / "bin" / "python"), "install",
         "--quiet", "--no-deps", "--no-index", "--isolated", "--find-links", str(wheelhouse),
         PROJECT["name"]],
        check=True, capture_output=True, text=True, timeout=120,
    )
    (site / "motcua-checkout.pth").write_text(f"{ROOT}\n")
    return where / "bin"


def run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, cwd="/",
        env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), **env},
    )


def modules_of(*packages: str) -> list[str]:
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in packages
        for path in (ROOT / package).rglob("*.py")
    )


@pytest.mark.parametrize(
    ("extra", "script", "packages"),
    [
        ("kiosk", "motcua-kiosk", ("kiosk_app", "device_kit", "drivers")),
        ("rating", "motcua-kiosk", ("kiosk_app.rating", "device_kit")),
        ("board", "motcua-board", ("display_board", "device_kit")),
    ],
)
def test_a_device_role_installs_no_server_and_its_app_starts(
    extra: str, script: str, packages: tuple[str, ...], wheelhouse: Path, tmp_path: Path
) -> None:
    resolved = resolve(wheelhouse, extra, tmp_path)
    assert "kivy" in resolved and "requests" in resolved
    assert sorted(resolved.keys() & SERVER_SIDE) == []

    bin_dir = fresh_venv(resolved, wheelhouse, tmp_path / "venv")
    absent = run([str(bin_dir / "python"), "-c", "import flask"])
    assert "No module named 'flask'" in absent.stderr
    started = run([str(bin_dir / script), "--help"], **KIVY_ENV)
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith(f"usage: {script}")
    # The technician's tool offers the families this box has, and names the others.
    tools = run([str(bin_dir / "motcua-devices"), "--help"], **KIVY_ENV)
    assert tools.returncode == 0, tools.stderr
    assert "board-test" in tools.stdout and "check-server" in tools.stdout
    if extra == "kiosk":
        assert "test-print" in tools.stdout and "Not installed" not in tools.stdout
    else:
        assert "test-print" not in tools.stdout
        assert "Not installed for this box's role: printer (needs" in tools.stdout
    # Every module of the role imports there, the lazily imported ones included.
    names = modules_of(*(package.replace(".", "/") for package in packages))
    if extra == "rating":  # the rating terminal is the kiosk program's --mode rating
        names += ["kiosk_app.main", "kiosk_app.config"]
    imported = run(
        [str(bin_dir / "python"), "-c",
         "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]", *names],
        **KIVY_ENV,
    )
    assert imported.returncode == 0, imported.stderr[-2000:]


def test_the_server_role_resolves_its_stack(wheelhouse: Path, tmp_path: Path) -> None:
    resolved = resolve(wheelhouse, "server", tmp_path)
    assert {"flask", "sqlalchemy", "gunicorn", "psycopg"} <= resolved.keys()
    device_or_test = {"kivy", "opencv-python-headless", "pytest", "playwright"}
    assert sorted(resolved.keys() & device_or_test) == []


def _locked(extra: str) -> dict[str, str]:
    text = (ROOT / "requirements" / f"{extra}.lock").read_text("utf-8")
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", text, re.M)
    return {canonicalize_name(name): version for name, version in pins}


@pytest.mark.parametrize("extra", ["server", "kiosk", "rating", "board", "test"])
def test_each_lock_pins_every_requirement_of_its_role_with_hashes(extra: str) -> None:
    """A dependency added to pyproject.toml without `deploy/lock.sh` fails here, not
    on a box: every requirement of the role is pinned, inside its bounds, hashed."""
    locked = _locked(extra)
    environment = {**default_environment(), "python_version": "3.11", "sys_platform": "linux"}
    wanted = [Requirement(dep) for dep in [*PROJECT["dependencies"],
                                           *PROJECT["optional-dependencies"][extra]]]
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        if name == PROJECT["name"]:
            for inner in requirement.extras:
                wanted += [Requirement(d) for d in PROJECT["optional-dependencies"][inner]]
            continue
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        assert name in locked, f"{name} is not in requirements/{extra}.lock (run deploy/lock.sh)"
        assert requirement.specifier.contains(locked[name], prereleases=True), (name, locked[name])
    text = (ROOT / "requirements" / f"{extra}.lock").read_text("utf-8")
    assert len(re.findall(r"^\S+==", text, re.M)) == len(
        re.findall(r"^\S+==[^\n]*\\\n\s+--hash=sha256:", text, re.M)
    )


@pytest.mark.parametrize("extra", ["server", "kiosk", "rating", "board"])
def test_every_role_lock_pins_the_versions_the_suite_runs(extra: str) -> None:
    test_lock = _locked("test")
    assert {name: version for name, version in _locked(extra).items()
            if test_lock.get(name) != version} == {}
