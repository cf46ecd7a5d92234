"""Settings are validated at start: one clear line and exit code 2 on a bad value."""

from __future__ import annotations

import pytest

from bot.settings import load_settings


def test_defaults_are_the_embedded_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.timezone == "Asia/Shanghai"
    assert settings.quiet_window[0].hour == 21
    assert not settings.telegram_on and not settings.wechat_on and not settings.wecom_on


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("DATABASE_URL", "not a url", "DATABASE_URL"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("QUIET_HOURS", "late", "QUIET_HOURS"),
    ],
)
def test_bad_value_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: str, value: str, needle: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SystemExit) as exc:
        load_settings(_env_file=None)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert needle in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_placeholder_secret_refused_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "change-me")
    with pytest.raises(SystemExit) as exc:
        load_settings(_env_file=None)
    assert exc.value.code == 2
    assert "SECRET_KEY" in capsys.readouterr().err


def test_real_secret_accepted_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-some-length")
    assert load_settings(_env_file=None).environment == "production"


def test_placeholder_secret_allowed_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert load_settings(_env_file=None).environment == "development"
