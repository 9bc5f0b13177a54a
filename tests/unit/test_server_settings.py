"""The server's settings: the CLI's arguments over ``MOTCUA_*`` variables over the
settings file over the defaults; a bad value names its variable in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.config import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MOTCUA_SETTINGS_FILE", "MOTCUA_WAIT_SAMPLE", "MOTCUA_PUBLIC_URL",
                 "MOTCUA_USER_TOKEN_HOURS", "MOTCUA_DATABASE_URL", "MOTCUA_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))


def test_defaults_apply_when_nothing_is_set(tmp_path: Path) -> None:
    settings = load_settings()
    assert (settings.wait_sample, settings.user_token_hours, settings.default_site) == (
        20, 12, "default"
    )
    assert settings.data_dir == tmp_path
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'motcua.db'}"
    assert (tmp_path / "secret_key").read_text() == settings.secret_key


def test_an_env_file_is_read_and_the_environment_wins_over_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "server.env"
    env_file.write_text(
        "# as systemd reads it\nMOTCUA_WAIT_SAMPLE=7\nMOTCUA_PUBLIC_URL=https://hcc.example.vn/\n"
        "MOTCUA_SERVER_URL=https://not-a-server-setting.example\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MOTCUA_SETTINGS_FILE", str(env_file))
    monkeypatch.setenv("MOTCUA_PUBLIC_URL", "https://motcua.local/")
    settings = load_settings()
    assert settings.wait_sample == 7
    assert settings.public_url == "https://motcua.local/"


def test_a_toml_file_is_read_and_arguments_win_over_everything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    toml = tmp_path / "server.toml"
    toml.write_text('wait_sample = 9\nuser_token_hours = 8\ndefault_site = "hcm-q1"\n')
    monkeypatch.setenv("MOTCUA_SETTINGS_FILE", str(toml))
    monkeypatch.setenv("MOTCUA_USER_TOKEN_HOURS", "10")
    settings = load_settings({"default_site": "hn-bd", "worker_count": 4})
    assert (settings.wait_sample, settings.user_token_hours) == (9, 10)
    assert (settings.default_site, settings.worker_count) == ("hn-bd", 4)


@pytest.mark.parametrize(
    ("source", "english", "vietnamese"),
    [
        ("env", "MOTCUA_USER_TOKEN_HOURS='twelve' is not a whole number.",
         "MOTCUA_USER_TOKEN_HOURS='twelve' không phải là số nguyên."),
        ("file", "MOTCUA_USER_TOKEN_HOURS='twelve' is not a whole number.",
         "MOTCUA_USER_TOKEN_HOURS='twelve' không phải là số nguyên."),
    ],
)
def test_a_bad_value_names_its_variable_in_both_languages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str, english: str, vietnamese: str
) -> None:
    if source == "env":
        monkeypatch.setenv("MOTCUA_USER_TOKEN_HOURS", "twelve")
    else:
        env_file = tmp_path / "server.env"
        env_file.write_text("MOTCUA_USER_TOKEN_HOURS=twelve\n")
        monkeypatch.setenv("MOTCUA_SETTINGS_FILE", str(env_file))
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert (refused.value.message, refused.value.message_vi) == (english, vietnamese)


def test_a_count_of_zero_is_refused_with_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_WAIT_SAMPLE", "0")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert refused.value.message == "MOTCUA_WAIT_SAMPLE='0' must be above 0."
    assert refused.value.message_vi == "MOTCUA_WAIT_SAMPLE='0' phải lớn hơn 0."


def test_a_missing_settings_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.env"
    monkeypatch.setenv("MOTCUA_SETTINGS_FILE", str(missing))
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert refused.value.message == f"MOTCUA_SETTINGS_FILE={str(missing)!r}: there is no such file."


def test_settings_are_frozen_and_copied_with_changes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test")
    with pytest.raises(ValueError):
        settings.wait_sample = 3  # type: ignore[misc]
    faster = settings.model_copy(update={"sse_heartbeat_s": 0.05})
    assert (faster.sse_heartbeat_s, settings.sse_heartbeat_s) == (0.05, 15.0)


def test_instances_sharing_one_postgresql_split_its_connections_between_all_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two boxes of two workers each against the default 100 connections: each worker's
    share leaves every pool plus its LISTEN connection under what PostgreSQL admits."""
    from queue_server.adapters.database import PG_RESERVE_CONNECTIONS, pool_budget

    monkeypatch.setenv("MOTCUA_APP_INSTANCES", "2")
    settings = load_settings({"worker_count": 2})
    assert settings.database_processes == 4
    per_worker = pool_budget(100, settings.database_processes) + 1
    assert per_worker * 4 <= 100 - PG_RESERVE_CONNECTIONS
    assert pool_budget(100, settings.worker_count) * 4 > 100  # a box counting only itself
