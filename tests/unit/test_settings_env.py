"""Settings from ``MOTCUA_*`` variables: numbers are read as numbers, and a value
that cannot work is refused in words for the technician who set it."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.config import SettingsError, load_settings


def test_the_stream_heartbeat_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MOTCUA_SECRET_KEY", "test")
    assert load_settings({"data_dir": tmp_path}).sse_heartbeat_s == 15.0
    monkeypatch.setenv("MOTCUA_SSE_HEARTBEAT_S", "0.5")
    assert load_settings({"data_dir": tmp_path}).sse_heartbeat_s == 0.5


@pytest.mark.parametrize("raw", ["0", "-1", "nhanh", "nan", "inf"])
def test_a_heartbeat_that_cannot_work_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str
) -> None:
    monkeypatch.setenv("MOTCUA_SSE_HEARTBEAT_S", raw)
    with pytest.raises(SettingsError) as refused:
        load_settings({"data_dir": tmp_path})
    assert "MOTCUA_SSE_HEARTBEAT_S" in str(refused.value)
    assert "MOTCUA_SSE_HEARTBEAT_S" in refused.value.message_vi
    assert refused.value.message_vi != str(refused.value)  # said in both languages
