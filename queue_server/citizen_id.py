"""The keyed hash of a citizen ID number: how the server matches a visitor's card
to mirrored dossiers (and bookings) without ever holding the number.

HMAC-SHA256 with the site's secret (Decree 13/2023/NĐ-CP, DESIGN.md "Trust and
privacy"). A bare SHA-256 would not protect anything: ID numbers are 12 digits
with a known structure (province, century and sex, birth year), so whoever holds
the hashes could try every plausible number in minutes. Without the key they
cannot. The key lives in the data directory (``citizen_id_key``, made at first
start) or ``MOTCUA_CITIZEN_ID_KEY``, never in the database, so a database backup
holds hashes nobody can reverse. Every server box of a province must share it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from device_kit.contract.citizen_card import normalize_id_number

KEY_FILE = "citizen_id_key"


class NotAnIdNumber(ValueError):
    """The text is not a 12-digit ID number (the value is never part of the message)."""


@dataclass(frozen=True)
class CitizenIdKey:
    secret: bytes = field(repr=False)

    def digest(self, id_number: str) -> str:
        """The hex HMAC of the normalised number; :class:`NotAnIdNumber` for anything else."""
        digits = normalize_id_number(id_number)
        if digits is None:
            raise NotAnIdNumber("not a 12-digit citizen ID number")
        return hmac.new(self.secret, digits.encode(), hashlib.sha256).hexdigest()

    @classmethod
    def load(cls, configured: str, data_dir: Path) -> CitizenIdKey:
        """The configured key, else the one stored in ``data_dir`` (made on first use)."""
        if configured:
            return cls(configured.encode())
        path = data_dir / KEY_FILE
        if not path.exists():
            _create_once(path)
        return cls(path.read_text().strip().encode())


def _create_once(path: Path) -> None:
    """Write a new key whole, then link it into place: two processes starting at once
    both end up reading the one that was linked first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{KEY_FILE}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
