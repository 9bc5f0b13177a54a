"""Wheels built in a test, offline: pip installs them like any other."""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from pathlib import Path


def stub_wheel(folder: Path, name: str, version: str, metadata_text: str,
               entry_points: str = "", modules: dict[str, str] | None = None) -> Path:
    """A pure-Python wheel with the given metadata and modules (path -> source), and a
    RECORD with their hashes; with no modules, only metadata for pip to resolve."""
    stem = f"{re.sub(r'[-_.]+', '_', name)}-{version}"
    info = f"{stem}.dist-info"
    files = dict(modules or {})
    files[f"{info}/METADATA"] = metadata_text
    files[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if entry_points:
        files[f"{info}/entry_points.txt"] = entry_points
    record = "".join(f"{path},{_digest(text)},{len(text.encode())}\n"
                     for path, text in files.items())
    files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
    wheel = folder / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def _digest(text: str) -> str:
    raw = hashlib.sha256(text.encode()).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
