"""Settings are validated at start: one clear line and exit code 2 on a bad value."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, load_settings
from handlers.assessment.rubric import load_rubric


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


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("secret", ["change-me", "x7Qz-pw", "", " " * 20, "\t change-me \n"])
def test_placeholder_secret_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], environment: str, secret: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(SystemExit) as exc:
        load_settings(_env_file=None)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "SECRET_KEY" in err and err.count("\n") == 1
    assert not secret or secret not in err  # never echo a secret


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMEZONE", raising=False)
    monkeypatch.setenv("HTTP_PORT", "9090")
    (tmp_path / ".env").write_text("TIMEZONE=Asia/Urumqi\nHTTP_PORT=7070\n", encoding="utf-8")
    settings = load_settings()
    assert (settings.timezone, settings.http_port) == ("Asia/Urumqi", 9090)


def test_every_setting_is_documented_in_env_example() -> None:
    example = Path(__file__).parent.parent / ".env.example"
    documented = {line.split("=", 1)[0] for line in example.read_text(encoding="utf-8").splitlines() if "=" in line}
    documented = {name for name in documented if not name.startswith("#")}
    assert documented == {name.upper() for name in Settings.model_fields}


def test_the_installed_command_fails_in_one_line(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "studio-bot"
    env = {**os.environ, "TIMEZONE": "Mars/Olympus", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run([str(script), "init"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "TIMEZONE" in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_configuration_error_under_json_is_also_one_json_object(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "studio-bot"
    env = {**os.environ, "TIMEZONE": "Mars/Olympus", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    args = [str(script), "union", "add", "X", "--level", "municipal", "--json"]
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "TIMEZONE" in done.stderr
    [line] = done.stdout.strip().splitlines()
    data = json.loads(line)
    assert data["ok"] is False and "TIMEZONE" in data["error"] and "Mars/Olympus" in data["error"]
    assert not (tmp_path / "x.db").exists()


def test_the_env_example_copied_as_is_leaves_optional_settings_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = Path(__file__).parent.parent / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")  # `cp .env.example .env`
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = load_settings()
    assert settings.assessment_rubric_file is None and settings.expert_rubric_file is None
    assert load_rubric(settings.assessment_rubric_file).criteria  # the built-in rubric, not the current folder
    assert settings.telegram_bot_token is None and not settings.telegram_on and not settings.wecom_on
    monkeypatch.setenv("ASSESSMENT_RUBRIC_FILE", "  ")
    assert load_settings().assessment_rubric_file is None
