"""The one settings class: environment variables, read from `.env` when present."""

from __future__ import annotations

import sys
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.setting_types import QUIET, DatabaseUrl, QuietHours, TimeZoneName, WindowDates, days_before

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value .env.example ships, refused outside development


class Settings(BaseSettings):
    """Everything the bot reads from its environment; see `.env.example` for each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: DatabaseUrl = "sqlite+aiosqlite:///./studio.db"
    sqlite_fast_path: bool = True
    database_pool_size: int = Field(default=10, ge=1, le=200)
    timezone: TimeZoneName = "Asia/Shanghai"
    default_locale: Literal["zh_CN", "en"] = "zh_CN"
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    public_base_url: str = ""
    quiet_hours: QuietHours = "21:00-08:00"
    media_dir: Path = Path("./data/media")
    export_dir: Path = Path("./data/exports")
    conversation_ttl_minutes: int = Field(default=60 * 24, ge=1)
    bind_max_failures: int = Field(default=5, ge=1)
    bind_failure_window_minutes: int = Field(default=10, ge=1)
    bind_lockout_minutes: int = Field(default=30, ge=1)
    bind_global_max_failures: int = Field(default=50, ge=1)
    invite_ttl_days: int = Field(default=14, ge=1)
    application_window: WindowDates = "03-01..04-30"
    public_notice_days: int = Field(default=7, ge=1)
    expert_rubric_file: Path | None = None
    assessment_rubric_file: Path | None = None
    reminder_cycle_days: Annotated[str, days_before("REMINDER_CYCLE_DAYS", "180,90,30,7")] = "180,90,30,7"
    reminder_idle_days: int = Field(default=30, ge=1)
    reminder_returned_days: int = Field(default=7, ge=1)
    reminder_review_working_days: int = Field(default=3, ge=1)
    reminder_escalate_working_days: int = Field(default=7, ge=1)
    download_link_ttl_minutes: int = Field(default=60, ge=1)
    log_format: Literal["text", "json"] = "text"
    metrics_public: bool = False
    web_link_ttl_minutes: int = Field(default=10, ge=1, le=60)
    web_session_idle_hours: int = Field(default=8, ge=1)
    # issue 17: 第三条(4)'s activities, and the association's notice of cycles ending (考核验收)
    application_min_activities: int = Field(default=6, ge=0)
    reminder_assessment_days: Annotated[str, days_before("REMINDER_ASSESSMENT_DAYS", "60,30")] = "60,30"
    web_session_max_days: int = Field(default=7, ge=1, le=365)  # however active, a session ends this long after sign-in
    full_day_hours: float = Field(default=8, gt=0, le=24)
    half_day_hours: float = Field(default=4, gt=0, le=24)
    # retention (issue 20): delivery ids outlive every platform's retries (WeChat's 15 s, Telegram's 24 h); a
    # received file no record took outlives its conversation (CONVERSATION_TTL_MINUTES) before it is removed
    seen_deliveries_keep_days: int = Field(default=2, ge=1)
    unused_media_keep_days: int = Field(default=3, ge=1)
    reply_owed_after_seconds: float = Field(default=30, gt=0, le=3600)

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_url: str = ""
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"

    wechat_app_id: str = ""
    wechat_app_secret: SecretStr | None = None
    wechat_token: SecretStr | None = None
    wechat_aes_key: SecretStr | None = None
    wechat_api_base_url: str = "https://api.weixin.qq.com"
    wechat_reminder_template_id: str = ""
    wechat_signature_max_age_seconds: int = Field(default=300, ge=1)

    wecom_corp_id: str = ""
    wecom_agent_id: str = ""
    wecom_secret: SecretStr | None = None
    wecom_token: SecretStr | None = None
    wecom_aes_key: SecretStr | None = None
    wecom_api_base_url: str = "https://qyapi.weixin.qq.com"

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        # `cp .env.example .env` leaves `ASSESSMENT_RUBRIC_FILE=`: a blank value must mean the default,
        # never Path("") — the current folder — nor an empty secret
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @model_validator(mode="after")
    def _real_secret_outside_development(self) -> Settings:
        # Spaces around a key are a copy-paste slip, not key material: twenty blanks are no secret.
        secret = self.secret_key.get_secret_value().strip()
        if self.environment != "development" and (secret == PLACEHOLDER_SECRET or len(secret) < 16):
            raise ValueError(
                f"SECRET_KEY is a placeholder or shorter than 16 characters; set a real one in {self.environment}"
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def quiet_window(self) -> tuple[time, time]:
        """Quiet hours as (start, end) local times; the window may cross midnight."""
        match = QUIET.match(self.quiet_hours)
        assert match is not None
        return time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))

    @property
    def cycle_reminder_days(self) -> list[int]:
        """Days before a cycle's end at which leads and reviewers are reminded."""
        return sorted({int(p) for p in self.reminder_cycle_days.split(",") if p.strip()}, reverse=True)

    @property
    def assessment_notice_days(self) -> list[int]:
        """Days before a cycle's end at which the association is told that it ends (考核验收)."""
        return sorted({int(p) for p in self.reminder_assessment_days.split(",") if p.strip()}, reverse=True)

    @property
    def telegram_on(self) -> bool:
        """Whether the Telegram channel has its credentials."""
        return self.telegram_bot_token is not None and bool(self.telegram_bot_token.get_secret_value())

    @property
    def wechat_on(self) -> bool:
        """Whether the WeChat Official Account channel has its credentials."""
        return bool(self.wechat_app_id and self.wechat_app_secret and self.wechat_token)

    @property
    def wecom_on(self) -> bool:
        """Whether the WeCom channel has its credentials."""
        return bool(self.wecom_corp_id and self.wecom_secret and self.wecom_token and self.wecom_aes_key)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]).upper() or "settings"
    message = str(err["msg"]).removeprefix("Value error, ")
    return message if field in message or not err["loc"] else f"{field}: {message}"


class ConfigurationError(SystemExit):
    """A bad setting, already reported on stderr: exits with code 2; `message` says what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings; on a bad value print one line and exit with code 2."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        message = _first_error(exc)
        print(f"配置错误 / configuration error: {message}", file=sys.stderr)
        raise ConfigurationError(message) from None
