from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings, SettingsError, load_settings


def test_defaults_put_all_state_under_home(tmp_path: Path) -> None:
    s = load_settings(home=tmp_path / "h")
    assert s.sqlalchemy_url == f"sqlite:///{(tmp_path / 'h' / 'signaldesk.db').resolve()}"
    assert s.cache_dir == tmp_path / "h" / "cache"
    assert s.log_dir == tmp_path / "h" / "logs"
    assert s.sources == ["bundled"]


def test_precedence_argument_over_environment_over_dotenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("SIGNALDESK_HTTP_TIMEOUT_S=7\nSIGNALDESK_CALENDAR=XLON\n")
    monkeypatch.delenv("SIGNALDESK_PROFILE")
    assert load_settings().http_timeout_s == 7  # .env beats the default
    monkeypatch.setenv("SIGNALDESK_HTTP_TIMEOUT_S", "9")
    s = load_settings()
    assert (s.http_timeout_s, s.calendar) == (9, "XLON")  # environment beats .env
    assert load_settings(http_timeout_s=3).http_timeout_s == 3  # argument beats environment


def test_sources_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALDESK_SOURCES", "yahoo, stooq,csv:/data/prices")
    assert load_settings().sources == ["yahoo", "stooq", "csv:/data/prices"]


def test_one_line_per_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALDESK_HTTP_TIMEOUT_S", "-1")
    monkeypatch.setenv("SIGNALDESK_SOURCES", "bundled,nasdaq")
    monkeypatch.setenv("SIGNALDESK_PROFILE", "staging")
    with pytest.raises(SettingsError) as err:
        load_settings()
    lines = str(err.value).splitlines()
    assert lines[0] == "invalid configuration:"
    assert len(lines) == 4
    text = str(err.value)
    assert "SIGNALDESK_HTTP_TIMEOUT_S: Input should be greater than 0" in text
    assert "SIGNALDESK_SOURCES: unknown source 'nasdaq'" in text
    assert "SIGNALDESK_PROFILE:" in text


def test_secrets_are_masked_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://app:hunter2secret@db:5432/sd"
    monkeypatch.setenv("SIGNALDESK_DATABASE_URL", url)
    monkeypatch.setenv("SIGNALDESK_STOOQ_API_KEY", "k3y-value")
    s = load_settings()
    assert s.sqlalchemy_url == url
    assert "hunter2secret" not in repr(s) and "hunter2secret" not in str(s.public_dict())
    assert s.public_dict()["stooq_api_key"] == "**********"
    assert set(s.secrets()) == {url, "k3y-value"}


def test_bad_database_url_error_does_not_echo_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALDESK_DATABASE_URL", "mysql://root:topsecret@h/db")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "unsupported database 'mysql'" in str(err.value)
    assert "topsecret" not in str(err.value)


@pytest.mark.parametrize(
    ("profile", "level", "fmt"),
    [("dev", "INFO", "console"), ("test", "WARNING", "console"), ("prod", "INFO", "json")],
)
def test_profiles_choose_logging_defaults(profile: str, level: str, fmt: str) -> None:
    s = Settings(profile=profile)
    assert (s.log_level, s.log_format) == (level, fmt)
    assert Settings(profile=profile, log_format="console").log_format == "console"
