"""Process settings: one ``pydantic-settings`` class, validated at start-up.

Order of precedence: explicit argument > environment (``SIGNALDESK_*``) > ``.env`` > default.
Profiles (``dev``, ``test``, ``prod``) choose defaults for logging; everything stateful lives
under ``home`` (``SIGNALDESK_HOME``, default ``./.signaldesk``). Secrets are ``SecretStr`` and
never logged.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Profile = Literal["dev", "test", "prod"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

_PROFILE_LOGGING: dict[str, tuple[LogLevel, Literal["console", "json"]]] = {
    "dev": ("INFO", "console"),
    "test": ("WARNING", "console"),
    "prod": ("INFO", "json"),
}
_SOURCE_KINDS = ("bundled", "yahoo", "stooq", "db", "csv:", "parquet:")


class SettingsError(Exception):
    """Invalid configuration; ``str(err)`` holds one line per problem."""


class Settings(BaseSettings):
    """Every process-level setting of SignalDesk (per-run values live in the run context)."""

    model_config = SettingsConfigDict(
        env_prefix="SIGNALDESK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    profile: Profile = "dev"
    home: Path = Path(".signaldesk")
    database_url: SecretStr | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file under home"
    )
    redis_url: SecretStr | None = Field(default=None, description="Redis cache; default: on disk")

    sources: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["bundled"],
        description="price providers in fallback order: "
        "bundled, yahoo, stooq, db, csv:DIR, parquet:DIR",
    )
    yahoo_base_url: str = "https://query1.finance.yahoo.com"
    stooq_base_url: str = "https://stooq.com"
    stooq_api_key: SecretStr | None = None
    http_timeout_s: float = Field(default=10.0, gt=0, le=120)
    user_agent: str = "SignalDesk/0.1 (open-source equity research; set SIGNALDESK_USER_AGENT)"

    retry_attempts: int = Field(default=4, ge=1, le=10)
    retry_base_delay_s: float = Field(default=1.0, ge=0)
    retry_max_delay_s: float = Field(default=4.0, ge=0)
    breaker_threshold: int = Field(default=3, ge=1)
    breaker_cooldown_s: float = Field(default=300.0, ge=0)
    cache_ttl_s: float = Field(default=12 * 3600.0, ge=0)
    calendar: str = "XNYS"
    stale_after_days: int = Field(
        default=7,
        ge=1,
        le=3650,
        description="price data ending more calendar days than this before the as-of date are "
        "stale: said in the answer and the briefing, and a briefing on them exits 1 (7 = about "
        "five trading days)",
    )
    as_of_default: Literal["data", "today"] = Field(
        default="data",
        description="a question or command with no date: 'data' = the last day offline data "
        "hold (the bundled prices end 2013-03-01), or today when a source is online; 'today' "
        "= always the wall clock",
    )
    signal_config: Path | None = Field(
        default=None, description="JSON/TOML file overriding signal weights and thresholds"
    )

    embedding_model: str | None = Field(
        default=None, description="sentence-transformers model id or path; default: bundled MiniLM"
    )
    reranker_model: str | None = Field(default=None, description="local cross-encoder path")
    ingest_max_bytes: int = Field(
        default=50_000_000, ge=1, description="documents: skip a file larger than this (bytes)"
    )
    ingest_max_seconds: float = Field(
        default=120.0, gt=0, description="documents: skip a file whose parsing takes longer"
    )
    vector_store: Literal["lancedb", "pinecone"] = "lancedb"
    pinecone_api_key: SecretStr | None = None
    pinecone_index: str | None = None
    pinecone_host: str | None = None
    pinecone_namespace: str = ""
    sentiment_model: str | None = Field(
        default=None,
        description="FinBERT id or local path; 'minilm' (or a head .json path) for the trained "
        "offline model (the default when FinBERT is absent); 'lexicon' for Loughran-McDonald",
    )
    edgar_user_agent: str | None = Field(
        default=None, description="declared User-Agent for SEC EDGAR: name and contact e-mail"
    )

    ui_host: str = Field(default="127.0.0.1", description="web chat: address to listen on")
    ui_port: int = Field(default=8000, ge=1, le=65535, description="web chat: port")
    ui_users: SecretStr | None = Field(
        default=None,
        description="web chat logins, 'name:HASH' comma-separated (signaldesk ui hash-password)",
    )
    ui_header_auth: str | None = Field(
        default=None,
        description="web chat: trust this header from an authenticating proxy as the user name",
    )
    ui_trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="web chat: addresses or networks (comma-separated) of the proxy allowed to "
        "set SIGNALDESK_UI_HEADER_AUTH's header and X-Forwarded-For; default: loopback only",
    )
    ui_auth_secret: SecretStr | None = Field(
        default=None,
        description="web chat: signs login tokens, 32 characters or more; "
        "default: generated under home",
    )
    ui_db_schema: str = Field(
        default="chainlit",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="web chat: PostgreSQL schema of the chat history tables",
    )

    api_host: str = Field(default="127.0.0.1", description="serving API: address to listen on")
    api_port: int = Field(default=8080, ge=1, le=65535, description="serving API: port")
    api_secrets: SecretStr | None = Field(
        default=None,
        description="serving API: token signing secrets, 32 characters or more, comma-separated: "
        "the first signs, every one verifies (rotation: put the new one first, drop the old one "
        "after the token lifetime); required in prod, else generated under home",
    )
    api_token_ttl_s: int = Field(
        default=3600, ge=60, le=7 * 86400, description="serving API: token lifetime (seconds)"
    )
    api_rate_per_minute: float = Field(
        default=600.0, gt=0, description="serving API: requests per minute per key (sustained)"
    )
    api_burst: int = Field(
        default=60, ge=1, description="serving API: requests a key may make at once (bucket size)"
    )
    api_max_tickers: int = Field(
        default=500, ge=1, le=5000, description="serving API: tickers in one POST /v1/signals"
    )
    api_cache_ttl_s: float = Field(
        default=300.0, ge=0, description="serving API: seconds a computed response is reused"
    )

    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp)"
    )
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_cost_per_1k_input: float = Field(default=0.0, ge=0, description="USD, for the cost budget")
    llm_cost_per_1k_output: float = Field(default=0.0, ge=0, description="USD")

    agent_max_rounds: int = Field(default=4, ge=1, le=20, description="plan -> tools rounds")
    agent_max_tool_calls: int = Field(default=12, ge=1, le=100)
    agent_max_tokens: int = Field(default=60_000, ge=1000, description="LLM tokens per turn")
    agent_max_cost_usd: float = Field(default=0.50, gt=0)
    agent_timeout_s: float = Field(default=120.0, gt=0, description="wall clock per turn")

    briefing_watchlist: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["AAPL", "MSFT", "IBM", "GOOG"],
        description="tickers of the daily briefing when no --watchlist is given",
    )
    briefing_workers: int = Field(default=4, ge=1, le=32, description="tickers run at once")
    briefing_ticker_timeout_s: float = Field(
        default=180.0, gt=0, description="wall clock per ticker before it is reported timed out"
    )

    drift_psi_threshold: float = Field(
        default=0.2,
        gt=0,
        description="drift: population stability index at or above which a feature's (or a "
        "model's predicted probability's) shift counts as significant (0.1 = moderate, "
        "0.2 = significant); a feature drifts when its PSI and its KS test both say so",
    )
    drift_ks_pvalue: float = Field(
        default=0.01,
        gt=0,
        lt=1,
        description="drift: Kolmogorov-Smirnov p-value (for the samples' effective sizes, "
        "autocorrelation allowed for) below which a feature's shift counts as significant",
    )
    drift_window_days: int = Field(
        default=60,
        ge=10,
        le=2520,
        description="drift: trading days (bars) of the recent window compared with a model's "
        "training window, and over which data gaps and quarantined bars are counted",
    )

    retrain_every_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="retraining: calendar days after which a model is retrained on schedule",
    )
    retrain_min_accuracy: float = Field(
        default=0.55,
        gt=0,
        lt=1,
        description="retraining and alerts: a model's rolling hit rate below which it is "
        "retrained and an alert is raised (over its last resolved calls)",
    )
    retrain_min_calls: int = Field(
        default=50,
        ge=1,
        description="retraining and alerts: resolved calls needed before the rolling hit rate "
        "is judged",
    )
    retrain_accuracy_window: int = Field(
        default=100,
        ge=1,
        description="retraining and alerts: the last N resolved calls of the rolling hit rate",
    )
    retrain_on_drift: bool = Field(
        default=True, description="retraining: retrain a model whose features or P(up) drifted"
    )
    retrain_cooldown_days: int = Field(
        default=20,
        ge=0,
        description="retraining: calendar days after a retrain before accuracy or drift can "
        "trigger another (its new calls need time to be resolved)",
    )
    retrain_compare_days: int = Field(
        default=126,
        ge=20,
        description="retraining: trading days of the most recent out-of-sample window on which "
        "a challenger's walk-forward record is compared with the champion's",
    )

    alert_webhook_url: SecretStr | None = Field(
        default=None,
        description="alerts: a webhook that receives Slack-compatible JSON ({'text': ...})",
    )
    alert_smtp_host: str | None = Field(default=None, description="alerts: SMTP server")
    alert_smtp_port: int = Field(default=587, ge=1, le=65535)
    alert_smtp_starttls: bool = Field(default=True, description="alerts: STARTTLS on SMTP")
    alert_smtp_user: str | None = None
    alert_smtp_password: SecretStr | None = None
    alert_email_from: str = Field(default="signaldesk@localhost")
    alert_email_to: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="alerts: e-mail recipients (comma-separated)"
    )
    alert_timeout_s: float = Field(default=5.0, gt=0, le=120, description="alerts: per send")
    alert_retries: int = Field(
        default=3, ge=1, le=10, description="alerts: attempts per channel before it is failed"
    )
    alert_dedup_days: int = Field(
        default=7,
        ge=0,
        description="alerts: an alert with the same key within this many days is stored as "
        "suppressed, not sent again",
    )
    alert_max_per_day: int = Field(
        default=20, ge=1, description="alerts: at most this many sent per as-of day"
    )

    timescale: bool = Field(
        default=False,
        description="PostgreSQL: keep bars in a TimescaleDB hypertable with compression "
        "(the server must have the timescaledb extension; plain tables otherwise)",
    )
    worker_host: str = Field(default="127.0.0.1", description="worker: health/metrics address")
    worker_port: int = Field(
        default=8090, ge=1, le=65535, description="worker: health/metrics port"
    )
    worker_run_at: str = Field(
        default="22:30",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="worker: time of day (UTC, HH:MM) to run the daily jobs and the briefing",
    )
    log_level: LogLevel | None = None
    log_format: Literal["console", "json"] | None = None
    log_file: bool = True

    @field_validator("sources", mode="before")
    @classmethod
    def _split_sources(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("briefing_watchlist", mode="before")
    @classmethod
    def _split_watchlist(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip().upper() for part in value.split(",") if part.strip()]
        return value

    @field_validator("alert_email_to", mode="before")
    @classmethod
    def _split_recipients(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("ui_trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("ui_trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for spec in value:
            try:
                ipaddress.ip_network(spec, strict=False)
            except ValueError:
                raise ValueError(
                    f"{spec!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)"
                ) from None
        return value

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one source is needed, e.g. 'bundled'")
        for spec in value:
            if not any(
                spec == k or (k.endswith(":") and spec.startswith(k)) for k in _SOURCE_KINDS
            ):
                raise ValueError(
                    f"unknown source {spec!r}: "
                    "use bundled, yahoo, stooq, db, csv:DIR or parquet:DIR"
                )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            scheme = value.get_secret_value().split(":", 1)[0].split("+", 1)[0]
            if scheme not in ("sqlite", "postgresql", "postgres"):
                raise ValueError(
                    f"unsupported database {scheme!r}: use sqlite:/// or postgresql://"
                )
        return value

    @model_validator(mode="after")
    def _pinecone_complete(self) -> Settings:
        if self.vector_store == "pinecone" and (
            self.pinecone_api_key is None or not (self.pinecone_index or self.pinecone_host)
        ):
            raise ValueError(
                "vector_store=pinecone needs SIGNALDESK_PINECONE_API_KEY and "
                "SIGNALDESK_PINECONE_INDEX (or SIGNALDESK_PINECONE_HOST)"
            )
        return self

    @model_validator(mode="after")
    def _profile_defaults(self) -> Settings:
        level, fmt = _PROFILE_LOGGING[self.profile]
        if self.log_level is None:
            self.log_level = level
        if self.log_format is None:
            self.log_format = fmt
        return self

    # Derived locations: everything stateful lives under home.
    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.home / 'signaldesk.db').resolve()}"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def corpus_dir(self) -> Path:
        return self.home / "corpus"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    def secrets(self) -> list[str]:
        """Secret values, for the log redaction filter."""
        values = [
            self.database_url,
            self.redis_url,
            self.stooq_api_key,
            self.pinecone_api_key,
            self.llm_api_key,
            self.ui_users,
            self.ui_auth_secret,
            self.api_secrets,
        ]
        found = [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]
        if self.api_secrets is not None:  # each of the rotated secrets on its own too
            found += [
                p.strip() for p in self.api_secrets.get_secret_value().split(",") if p.strip()
            ]
        return found

    def public_dict(self) -> dict[str, Any]:
        """Settings as JSON-ready values, secrets masked."""
        data = self.model_dump(mode="json")
        for key, value in data.items():
            if isinstance(getattr(self, key), SecretStr):
                data[key] = "**********" if value else None
        data["resolved_database"] = "(set)" if self.database_url else self.sqlalchemy_url
        return data


def _describe(error: ErrorDetails) -> str:
    loc = ".".join(str(part) for part in error["loc"] if part != "__root__")
    name = f"SIGNALDESK_{loc.upper()}" if loc else "settings"
    message = str(error["msg"]).removeprefix("Value error, ")
    got = error.get("input")
    shown = "" if isinstance(got, dict | SecretStr) or got is None else f" (got {got!r})"
    if "secret" in loc or "url" in loc or "key" in loc:
        shown = ""
    return f"{name}: {message}{shown}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from arguments, environment and ``.env``; one line per problem on error."""
    try:
        return Settings(**overrides)
    except ValidationError as err:
        lines = [_describe(e) for e in err.errors()]
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
