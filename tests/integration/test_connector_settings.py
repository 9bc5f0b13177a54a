"""The site file's optional [dossiers] section: parsed, validated, stored for every process."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.bootstrap import EXAMPLE_SITE
from queue_server.queueing.errors import InvalidConfiguration
from queue_server.runtime import Runtime
from queue_server.services.dossier_settings import load_dossier_settings
from queue_server.services.site_config import apply_site_file, parse_site_file

SECTION = """
[dossiers]
collect_at = "Bộ phận Một cửa UBND huyện, quầy 6"
lookups_per_minute = 30
status_words = { "CHO_KY_DUYET" = 4, "DA_TRA" = "RETURNED" }
fields = { code = "soHoSo", status = "trangThai" }

[dossiers.pull]
url = "https://motcua.gialai.gov.vn/api/hoso"
auth_env = "MOTCUA_UPSTREAM_TOKEN"
interval_s = 120

[dossiers.webhook]
secret_env = "MOTCUA_DOSSIER_WEBHOOK_SECRET"
"""


def site_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(EXAMPLE_SITE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_section_is_stored_and_read_back(runtime: Runtime, tmp_path: Path) -> None:
    config = parse_site_file(site_file(tmp_path, SECTION))
    with runtime.uow() as uow:
        site = apply_site_file(uow, config, "test", runtime.clock())
        uow.commit()
    with runtime.uow(readonly=True) as uow:
        stored = load_dossier_settings(uow, site.id or 0)
    assert stored == config.dossiers
    assert stored.pull is not None and stored.pull.interval_s == 120
    mapping = stored.mapping()
    record = mapping.to_record(
        {"soHoSo": "000.00.06.H56-231027-0361", "trangThai": "DA_TRA", "NgayTiepNhan": "27/10/2023"}
    )
    assert int(record.status) == 10
    assert record.collect_at == "Bộ phận Một cửa UBND huyện, quầy 6"


def test_a_site_file_without_the_section_keeps_the_defaults(runtime: Runtime) -> None:
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None
        assert load_dossier_settings(uow, site.id or 0).lookups_per_minute == 20


@pytest.mark.parametrize(
    "bad",
    [
        '\n[dossiers]\nfields = { so_cmnd = "CMND" }\n',
        '\n[dossiers]\nstatus_words = { "X" = 11 }\n',
        '\n[dossiers]\nhours = "17:00-07:00"\n',
        '\n[dossiers.pull]\nurl = "ftp://x"\n',
    ],
)
def test_mistakes_are_refused_with_the_file_named(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InvalidConfiguration) as refused:
        parse_site_file(site_file(tmp_path, bad))
    assert "site.toml" in refused.value.message
