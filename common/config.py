"""The one place that reads the environment (CONTRACT section 4).

Everything else receives a `Settings` value, so tests pass their own and nothing
reads `os.environ` behind the configuration's back.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from limits import parse as parse_rate_limit

from common.assessment import AssessmentError, load_rules
from common.ladder import Ladder, parse_ladder
from common.scope import Scope, ScopeError, parse_scoped_tokens
from common.workdays import CalendarError, Limit, load_calendar, parse_limit

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_SLA_HOURS = {"urgent": 4.0, "high": 24.0, "normal": 72.0, "low": 168.0}


@dataclass(frozen=True)
class Settings:
    port: int = 8050
    host: str = "0.0.0.0"
    public_url: str | None = None
    database_url: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    stream_prefix: str = "cc:"
    tz_name: str = "Asia/Shanghai"
    warn_hours: float = 24.0
    api_token: str | None = None
    secret_key: str = ""
    data_dir: Path = PROJECT_ROOT / "var"
    county_name: str | None = None
    stale_seconds: float = 15.0
    wall_render_seconds: float = 2.0
    lang: str = "en"
    masterdata_dir: Path = PROJECT_ROOT / "masterdata"
    session_idle_hours: float = 10.0
    credential_recheck_seconds: float = 30.0
    trusted_proxies: int = 0
    login_max_failures: int = 5
    login_ip_max_failures: int = 30
    login_lockout_seconds: float = 900.0
    # second edition (CONTRACT 4): None means the master data's file
    sla_rules_path: Path | None = None
    calendar_path: Path | None = None
    sign_limit: Limit = Limit(1, "wd")
    contact_limit: Limit = Limit(24, "h")
    red_hours: float = 24.0
    escalation_ladder: Ladder = ()  # no ladder
    rate_limit_api: str = "120/minute"
    rate_limit_export: str = "20/minute"
    streams_per_session: int = 4  # live streams per browser session or kiosk
    web_threads: int = 0  # threads per web worker (set by gunicorn's config); 0: unknown
    stream_reserve_threads: int = 16  # a web worker's threads never taken by live streams
    duplicate_candidates: bool = True  # ingest finds likely duplicates (worker.duplicates)
    # the monthly bulletin (CONTRACT 2 and 4, second edition)
    assessment_path: Path | None = None
    report_min_received: int = 30
    report_hour: int = 8
    scoped_tokens: tuple[tuple[str, Scope], ...] = ()  # CC_SCOPED_TOKENS
    # failover (CONTRACT 4, second edition): none set, one Redis and one database
    redis_sentinels: tuple[tuple[str, int], ...] = ()  # CC_REDIS_SENTINELS
    redis_service: str = "cc"  # CC_REDIS_SERVICE
    database_replica_url: str | None = None  # CC_DATABASE_REPLICA_URL

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    def key(self, name: str) -> str:
        """A Redis key under the configured prefix, e.g. key('events') -> 'cc:events'."""
        return f"{self.stream_prefix}{name}"

    @property
    def calendar_file(self) -> Path:
        """CC_CALENDAR, else the master data's calendar.csv (which may be absent)."""
        return self.calendar_path or self.masterdata_dir / "calendar.csv"

    @property
    def assessment_file(self) -> Path:
        """CC_ASSESSMENT, else the master data's assessment.csv."""
        return self.assessment_path or self.masterdata_dir / "assessment.csv"

    @property
    def stream_key(self) -> str:
        return self.key("events")

    @property
    def dead_key(self) -> str:
        return self.key("events:dead")

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


def _number(env: dict, name: str, default: float, kind=float):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _limit(env: dict, name: str, default: str) -> Limit:
    try:
        return parse_limit(env.get(name) or default)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from exc


def _file(env: dict, name: str) -> Path | None:
    raw = env.get(name)
    if not raw:
        return None
    path = Path(raw).resolve()
    if not path.is_file():
        raise ConfigError(f"{name} names no readable file: {raw!r}")
    return path


def _calendar(env: dict) -> Path | None:
    path = _file(env, "CC_CALENDAR")
    try:
        load_calendar(path)  # refuse a bad file at start, not at the first deadline
    except CalendarError as exc:
        raise ConfigError(f"CC_CALENDAR: {exc}") from exc
    return path


def _ladder(env: dict) -> Ladder:
    try:
        return parse_ladder(env.get("CC_ESCALATION_LADDER"))
    except ValueError as exc:
        raise ConfigError(f"CC_ESCALATION_LADDER: {exc}") from exc


def _assessment(env: dict) -> Path | None:
    path = _file(env, "CC_ASSESSMENT")
    if path is not None:
        try:
            load_rules(path)  # refuse a bad file at start, not on the 1st of the month
        except AssessmentError as exc:
            raise ConfigError(f"CC_ASSESSMENT: {exc}") from exc
    return path


def _report_hour(env: dict) -> int:
    hour = _number(env, "CC_REPORT_HOUR", 8, int)
    if not 0 <= hour <= 23:
        raise ConfigError(f"CC_REPORT_HOUR must be an hour 0-23, got {hour}")
    return hour


def _rate_limit(env: dict, name: str, default: str) -> str:
    """A limit such as `120/minute` (or `10 per second`, `1000/hour`), checked at start."""
    raw = env.get(name) or default
    try:
        parse_rate_limit(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a limit such as 120/minute, got {raw!r}") from exc
    return raw


def _scoped_tokens(env: dict) -> tuple[tuple[str, Scope], ...]:
    try:
        return tuple(parse_scoped_tokens(env.get("CC_SCOPED_TOKENS") or "").items())
    except ScopeError as exc:
        raise ConfigError(f"CC_SCOPED_TOKENS: {exc}") from exc


def _sentinels(env: dict) -> tuple[tuple[str, int], ...]:
    """CC_REDIS_SENTINELS `host:port,...` (IPv6 as `[addr]:port`)."""
    found = []
    for item in (env.get("CC_REDIS_SENTINELS") or "").split(","):
        host, _, port = item.strip().rpartition(":")
        if not item.strip():
            continue
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"CC_REDIS_SENTINELS must be host:port,..., got {item.strip()!r}")
        found.append((host.strip("[]"), int(port)))
    return tuple(found)


def _backend(url: str) -> str:
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    return "postgresql" if scheme in ("postgres", "postgresql") else scheme


def _replica_url(env: dict, database_url: str) -> str | None:
    """CC_DATABASE_REPLICA_URL: a replica of CC_DATABASE_URL, so the same kind of database
    (the primary's connections stand in for its own while it is down)."""
    url = env.get("CC_DATABASE_REPLICA_URL") or None
    if url and _backend(url) != _backend(database_url):
        raise ConfigError("CC_DATABASE_REPLICA_URL must be a database of CC_DATABASE_URL's kind")
    return url


def _switch(env: dict, name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in ("on", "off"):
        raise ConfigError(f"{name} must be 'on' or 'off', got {raw!r}")
    return raw == "on"


def _secret_key(data_dir: Path) -> str:
    """A key generated once and kept in the data folder, so restarts keep sessions."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(env: dict | None = None) -> Settings:
    """Read CONTRACT section 4's variables, each with its demo default."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("CC_DATA_DIR") or PROJECT_ROOT / "var").resolve()
    tz_name = env.get("CC_TZ") or "Asia/Shanghai"
    try:
        ZoneInfo(tz_name)
    except Exception as exc:  # zoneinfo raises several kinds
        raise ConfigError(f"CC_TZ is not a known time zone: {tz_name!r}") from exc
    lang = env.get("CC_LANG") or "en"
    if lang not in ("en", "zh"):
        raise ConfigError(f"CC_LANG must be 'en' or 'zh', got {lang!r}")
    database_url = env.get("CC_DATABASE_URL") or f"sqlite:///{data_dir / 'cc.sqlite'}"
    return Settings(
        port=_number(env, "PORT", 8050, int),
        host=env.get("CC_HOST") or "0.0.0.0",
        public_url=env.get("CC_PUBLIC_URL") or None,
        database_url=database_url,
        redis_url=env.get("CC_REDIS_URL") or "redis://127.0.0.1:6379/0",
        stream_prefix=env.get("CC_STREAM_PREFIX") or "cc:",
        tz_name=tz_name,
        warn_hours=_number(env, "CC_WARN_HOURS", 24.0),
        api_token=env.get("CC_API_TOKEN") or None,
        secret_key=env.get("CC_SECRET_KEY") or _secret_key(data_dir),
        data_dir=data_dir,
        county_name=env.get("CC_COUNTY_NAME") or None,
        stale_seconds=_number(env, "CC_STALE_SECONDS", 15.0),
        wall_render_seconds=_number(env, "CC_WALL_RENDER_SECONDS", 2.0),
        lang=lang,
        masterdata_dir=Path(env.get("CC_MASTERDATA_DIR") or data_dir / "masterdata")
        if env.get("CC_MASTERDATA_DIR") or (data_dir / "masterdata").is_dir()
        else PROJECT_ROOT / "masterdata",
        session_idle_hours=_number(env, "CC_SESSION_IDLE_HOURS", 10.0),
        credential_recheck_seconds=_number(env, "CC_CREDENTIAL_RECHECK_SECONDS", 30.0),
        trusted_proxies=_number(env, "CC_TRUSTED_PROXIES", 0, int),
        login_max_failures=_number(env, "CC_LOGIN_MAX_FAILURES", 5, int),
        login_ip_max_failures=_number(env, "CC_LOGIN_IP_MAX_FAILURES", 30, int),
        login_lockout_seconds=_number(env, "CC_LOGIN_LOCKOUT_SECONDS", 900.0),
        sla_rules_path=_file(env, "CC_SLA_RULES"),
        calendar_path=_calendar(env),
        sign_limit=_limit(env, "CC_SIGN_LIMIT", "1wd"),
        contact_limit=_limit(env, "CC_CONTACT_LIMIT", "24h"),
        red_hours=_number(env, "CC_RED_HOURS", 24.0),
        escalation_ladder=_ladder(env),
        rate_limit_api=_rate_limit(env, "CC_RATE_LIMIT_API", "120/minute"),
        rate_limit_export=_rate_limit(env, "CC_RATE_LIMIT_EXPORT", "20/minute"),
        streams_per_session=_number(env, "CC_STREAMS_PER_SESSION", 4, int),
        web_threads=_number(env, "CC_WEB_THREADS", 0, int),
        stream_reserve_threads=_number(env, "CC_STREAM_RESERVE_THREADS", 16, int),
        duplicate_candidates=_switch(env, "CC_DUPLICATE_CANDIDATES", True),
        assessment_path=_assessment(env),
        report_min_received=_number(env, "CC_REPORT_MIN_RECEIVED", 30, int),
        report_hour=_report_hour(env),
        scoped_tokens=_scoped_tokens(env),
        redis_sentinels=_sentinels(env),
        redis_service=env.get("CC_REDIS_SERVICE") or "cc",
        database_replica_url=_replica_url(env, database_url),
    )
