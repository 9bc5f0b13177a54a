"""The site file: the shipped example is valid and mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.bootstrap import EXAMPLE_SITE, demo_site
from queue_server.queueing.errors import InvalidConfiguration
from queue_server.services.site_config import parse_site_file


def test_example_site_models_a_district_centre() -> None:
    site = parse_site_file(EXAMPLE_SITE)
    names = {s.name_vi for s in site.services}
    assert {"Đất đai", "Hộ tịch", "Đăng ký kinh doanh", "Xây dựng", "Trả kết quả"} <= names
    assert "Lao động – Thương binh và Xã hội" in names
    assert len({s.prefix for s in site.services}) == len(site.services)
    assert all(c.services for c in site.counters)
    assert all(s.hours == "always" for s in demo_site().services)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[site\nname_vi='x'", "TOML"),
        (
            "[site]\nname_vi='x'\n[[services]]\ncode='a'\nprefix='A'\nname_vi='A'\ncolour='red'",
            "colour",
        ),
        (
            "[site]\nname_vi='x'\n[[services]]\ncode='a'\nprefix='A'\nname_vi='A'\nhours='mon 9-8'",
            "hours",
        ),
    ],
)
def test_mistakes_in_the_site_file_are_named(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidConfiguration) as refused:
        parse_site_file(path)
    assert fragment in refused.value.message
