"""The server's CA on the devices' screens: the pairing screens of the hall board and
the rating terminal show the fingerprint the device will pin (the first sixteen hex
digits big), ask for a confirmation when the device fetched the CA itself, and a
server that cannot prove it is the centre's is named on every screen — in Vietnamese
and English, with the reason — instead of "offline". The kiosk, with
its own pairing panel and banner, runs against a TLS server on loopback. Screenshots
in tests/artifacts/board/ and tests/artifacts/kiosk/, looked at by a person; each
is drawn in its own process."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from test_board_screenshots import draw
from test_kiosk_flow import ARTIFACTS, Hall
from tls_centre import Impostor

from device_kit.pinning import PINNED_CA_FILE
from device_kit.trust import fingerprint

CONFIRM_GREEN = (26, 128, 51)  # the confirm button, as the panel draws it
HALL_AMBER = (255, 193, 7)  # the big fingerprint digits on the hall board's pairing screen
RATING_RED = (199, 26, 26)  # the rating terminal's accent and its refused-server band
ALARM = (255, 114, 102)  # the hall pairing screen's refusal text


def colours(image: Image.Image) -> dict[tuple[int, int, int], int]:
    return {rgb: n for n, rgb in image.getcolors(maxcolors=1 << 22) or []}


def test_hall_pairing_screen_shows_the_fingerprint_beside_the_code(tmp_path) -> None:
    with_code = colours(draw("pairing", "1920x1080", "482913+fp", tmp_path))
    code_only = colours(draw("pairing", "1920x1080", "482913", tmp_path))
    # The fingerprint's first sixteen digits are drawn big, in the code's amber.
    assert with_code[HALL_AMBER] > code_only[HALL_AMBER] + 1920 * 1080 * 0.005
    assert CONFIRM_GREEN not in with_code  # given by the settings: compared, not confirmed


def test_a_fetched_fingerprint_waits_for_the_technicians_confirmation(tmp_path) -> None:
    hall = colours(draw("pairing", "1920x1080", "confirm", tmp_path))
    assert hall.get(CONFIRM_GREEN, 0) > 1920 * 1080 * 0.02
    rating = colours(draw("rating-pairing", "800x480", "confirm", tmp_path))
    assert rating.get(CONFIRM_GREEN, 0) > 800 * 480 * 0.02


def test_a_fingerprint_mismatch_is_named_on_the_pairing_screen(tmp_path) -> None:
    refused = colours(draw("pairing", "1920x1080", "mismatch", tmp_path))
    compared = colours(draw("pairing", "1920x1080", "482913+fp", tmp_path))
    assert refused.get(ALARM, 0) > compared.get(ALARM, 0) + 2000


@pytest.mark.parametrize(
    ("kind", "size", "variant", "plain"),
    [
        ("hall", "1920x1080", "8+fingerprint_mismatch", "8"),
        ("rating", "800x480", "idle+unknown_ca", "idle"),
    ],
)
def test_a_refused_server_is_named_on_the_device_screen(
    kind: str, size: str, variant: str, plain: str, tmp_path
) -> None:
    width, height = (int(v) for v in size.split("x"))
    named = colours(draw(kind, size, variant, tmp_path))
    normal = colours(draw(kind, size, plain, tmp_path))
    # A red band across the screen carries the reason in both languages.
    assert named.get(RATING_RED, 0) > normal.get(RATING_RED, 0) + width * height * 0.04


def kiosk(impostor: Impostor, tmp_path: Path) -> Hall:
    """A kiosk run against ``impostor``, a TLS server with its own CA (no printer)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return Hall(impostor.url, {"kiosk": ""}, {}, 9, None, tmp_path)


def test_an_unpaired_kiosk_shows_the_fetched_fingerprint_and_waits_for_a_yes(
    impostor: Impostor, tmp_path: Path
) -> None:
    result = kiosk(impostor, tmp_path).run("trust_pairing", token=None)
    assert result["fingerprint"] == fingerprint(impostor.ca_pem)
    assert result["code"] == ""  # no code was asked for before the confirmation
    assert result["after_code"] == "123456"
    assert (tmp_path / "kiosk" / PINNED_CA_FILE).read_text() == impostor.ca_pem
    assert all(Path(shot).is_file() for shot in result["shots"])


def test_a_kiosk_names_a_fingerprint_mismatch_on_its_banner(
    impostor: Impostor, tmp_path: Path
) -> None:
    result = kiosk(impostor, tmp_path).run(
        "untrusted_banner", token="kiosk-token", fingerprint="3F" * 32
    )
    assert result["online"] is False
    assert "Máy chủ không tin cậy" in result["banner"]
    assert "fingerprint is not the one the technician confirmed" in result["banner"]
    assert "Mất kết nối" not in result["banner"]  # named, not "server unreachable"
    assert Path(result["shot"]).is_file()
    # The kiosk read the public CA, compared it, and sent that server nothing else.
    assert {path for path, _ in impostor.seen} == {"/tls/ca.pem"}
    assert all("Authorization" not in headers for _, headers in impostor.seen)
