"""SQLAlchemy models: master data, incidents and disputes with their append-only events.

Instants are stored as naive UTC (the same on SQLite and PostgreSQL) and handed out as
aware UTC; local days (`*_day`) are dates in CC_TZ, computed when a row is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.vocabulary import MERGED, OPEN_STATUSES

# the open incidents' partial index; migration 0013 recreated it for the second edition's
# open set (signed, returned)
_open_sql = f"status IN ({', '.join(repr(s) for s in OPEN_STATUSES)})"
# the merged incidents' partial index (migration 0014): `duplicates` reads a window's few
# merged rows by it instead of every row reported in the window
_merged_sql = f"status = {MERGED!r}"
# The open incidents' index holds every column the backlog and the windows' open counts
# read, by town and by each breakdown's dimension, so they are answered from the index
# alone (31,000 open incidents at 5 M: the backlog 117 ms through the table, 11 ms from
# the index on PostgreSQL; a year's open counts by department 49 ms through the table).
OPEN_INDEX_COLUMNS = (
    "deadline", "reported_day", "reported_at", "town", "status", "closed_at",
    "category", "channel", "department", "grid",
    "escalation_level", "acknowledged_at",  # the alert colours (migration 0024)
)  # fmt: skip


class UTCDateTime(TypeDecorator):
    """Aware UTC in Python, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


CODE = String(64)


class Town(Base):
    __tablename__ = "towns"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="town")  # town | street
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Community(Base):
    __tablename__ = "communities"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, index=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))


class Grid(Base):
    __tablename__ = "grids"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, index=True)
    community: Mapped[str | None] = mapped_column(CODE)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    households: Mapped[int | None] = mapped_column(Integer)
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON geometry (Polygon)
    center_lat: Mapped[float | None] = mapped_column(Float)
    center_lon: Mapped[float | None] = mapped_column(Float)


class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))


class CodeName(Base):
    """Names of the open code sets shown to people: channel, category, dispute kind, ..."""

    __tablename__ = "code_names"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))


class SlaRule(Base):
    """The time to the deadline (`Nh` or `Nwd`) by category, priority and channel;
    category and channel '*' match any (CONTRACT 2)."""

    __tablename__ = "sla_limits"
    category: Mapped[str] = mapped_column(CODE, primary_key=True)
    priority: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(CODE, primary_key=True)
    limit: Mapped[str] = mapped_column(String(16))


class Incident(Base):
    """Current state of an incident, folded from its events (worker.fold)."""

    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(CODE)
    category: Mapped[str] = mapped_column(CODE)
    town: Mapped[str] = mapped_column(CODE)
    grid: Mapped[str | None] = mapped_column(CODE)
    department: Mapped[str | None] = mapped_column(CODE)
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    status_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_day: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    reporter_phone: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # second edition (worker.fold): what the work order's figures and the API read
    first_dispatch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first after dispatch
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # likewise
    returns: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    extensions: Mapped[int] = mapped_column(Integer, server_default=text("0"))  # applied
    solved: Mapped[bool | None] = mapped_column(Boolean)
    merged_into: Mapped[str | None] = mapped_column(String(96))
    reopened: Mapped[bool] = mapped_column(Boolean, server_default=false())  # after closing
    # the first `acknowledged` at or after the deadline in force
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    # the instants the work order's figures are taken as of (migration 0015)
    sign_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # dispatch + sign limit
    contact_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # + contact limit
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first `returned`
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first applied
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first after closing
    closed_once_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first closing
    # from when the work order's figures count the row as the summaries do (migration 0021)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_incidents_reported_day", "reported_day", "town"),
        Index("ix_incidents_deadline_day", "deadline_day"),
        Index("ix_incidents_town_day", "town", "reported_day"),
        Index("ix_incidents_closed_at", "closed_at"),
        Index("ix_incidents_settled_at", "settled_at"),
        # an earlier instant's corrections, day by day (data_access.as_of; migration 0023)
        Index("ix_incidents_day_closed", "reported_day", "closed_at"),
        Index("ix_incidents_day_settled", "reported_day", "settled_at"),
        # a new incident's duplicate candidates: its town and category, days around it
        # (worker.duplicates; migration 0019)
        Index("ix_incidents_town_category_day", "town", "category", "reported_day"),
        Index(
            "ix_incidents_open_deadline",
            *OPEN_INDEX_COLUMNS,
            postgresql_where=text(_open_sql),
            sqlite_where=text(_open_sql),
        ),
        # the escalation ladder's candidates (worker.ladder, migration 0016): open
        # incidents by level, then deadline, so each rung reads only its overdue rows
        Index(
            "ix_incidents_ladder",
            "escalation_level",
            "deadline",
            postgresql_where=text(_open_sql),
            sqlite_where=text(_open_sql),
        ),
        Index(  # with reported_at, a window's duplicates as of an instant: index only
            "ix_incidents_merged",
            "reported_day",
            "town",
            "reported_at",
            postgresql_where=text(_merged_sql),
            sqlite_where=text(_merged_sql),
        ),
        # an incident's duplicates (migration 0017): the incident page lists them
        Index(
            "ix_incidents_merged_into",
            "merged_into",
            postgresql_where=text("merged_into IS NOT NULL"),
            sqlite_where=text("merged_into IS NOT NULL"),
        ),
    )


class IncidentEvent(Base):
    """Every accepted stream event of an incident, append-only; event_id is unique."""

    __tablename__ = "incident_events"
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(96))
    status: Mapped[str] = mapped_column(String(16))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    seq: Mapped[int] = mapped_column(BigInteger)  # stream order, breaks ts ties
    actor: Mapped[str | None] = mapped_column(String(128))
    fields: Mapped[str] = mapped_column(Text)  # JSON object of every field as sent

    __table_args__ = (Index("ix_incident_events_incident", "incident_id", "ts", "seq"),)


class DuplicateCandidate(Base):
    """A pair of incidents that likely report the same problem (common.duplicates), found
    by ingest when the later one arrived (worker.duplicates); with the scorer's reasons."""

    __tablename__ = "duplicate_candidates"
    incident_id: Mapped[str] = mapped_column(String(96), primary_key=True)  # reported later
    candidate_id: Mapped[str] = mapped_column(String(96), primary_key=True)  # the earlier
    score: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    hours: Mapped[float] = mapped_column(Float)
    text: Mapped[float] = mapped_column(Float)
    same_caller: Mapped[bool] = mapped_column(Boolean)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (Index("ix_duplicate_candidates_candidate", "candidate_id"),)


class DuplicateDismissal(Base):
    """Staff said this candidate pair is not a duplicate: never shown or found again."""

    __tablename__ = "duplicate_dismissals"
    incident_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    dismissed_by: Mapped[str] = mapped_column(String(128))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime)


DISPUTE_INDEX_COLUMNS = (
    "accepted_day", "town", "accepted_at", "status", "resolved_at", "via_mediating",
    "kind", "mediation_type", "mediator",
)  # fmt: skip


class Dispute(Base):
    __tablename__ = "disputes"
    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(CODE)
    town: Mapped[str] = mapped_column(CODE)
    grid: Mapped[str | None] = mapped_column(CODE)
    mediation_type: Mapped[str | None] = mapped_column(String(16))
    mediator: Mapped[str | None] = mapped_column(CODE)
    status: Mapped[str] = mapped_column(String(16))
    status_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    judicial_confirmation: Mapped[bool | None] = mapped_column(Boolean)
    # whether any `mediating` event came: the mediation flow's split, without reading
    # dispute_events for every dispute of the window
    via_mediating: Mapped[bool] = mapped_column(Boolean, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # covers what the mediation figures read, so a year of disputes is read from the index
    # alone (300,000 disputes: 130 ms scanning the table, 45 ms from the index)
    # resolved_at: the few disputes resolved after "now" (clock skew), which the
    # summaries count by their state and the definition not yet
    __table_args__ = (
        Index("ix_disputes_accepted_day", *DISPUTE_INDEX_COLUMNS),
        Index("ix_disputes_resolved_at", "resolved_at"),
    )


class DisputeEvent(Base):
    __tablename__ = "dispute_events"
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    dispute_id: Mapped[str] = mapped_column(String(96))
    status: Mapped[str] = mapped_column(String(16))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    seq: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str | None] = mapped_column(String(128))
    fields: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_dispute_events_dispute", "dispute_id", "ts", "seq"),)


# --- Sign-in, kiosks, API tokens and the audit log (the web tier's own records) ---


class User(Base):
    """A person who signs in. session_version grows on disable, reset or role change,
    which ends the person's existing sessions (dashboard.auth.recheck). scope is what they
    see, in common.scope's text form (`county`, `town:A,B`, `department:X`); their API
    tokens carry it too."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    scope: Mapped[str] = mapped_column(Text, server_default=text("'county'"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A person's bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Kiosk(Base):
    """A wall screen: a one-time pairing code becomes a long-lived secret (hashes only);
    scope is what it shows (a town's own wall: `town:A`)."""

    __tablename__ = "kiosks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scope: Mapped[str] = mapped_column(Text, server_default=text("'county'"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what: sign-ins, views of unmasked personal data, exports, escalations, admin
    acts; scope is the caller's (common.scope text form), None when there was no caller
    (a failed sign-in)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(256), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str | None] = mapped_column(Text)

    # the audit page and CLI list one person's day (data_access.audit.day_of)
    __table_args__ = (Index("ix_audit_log_actor_at", "actor", "at"),)


# --- Summaries: exact daily counts that keep KPI questions fast at millions of rows ---
# One row per local day and town, so a year of the whole county is a few thousand rows.
# Maintained by ingest with the same fold that writes `incidents` (worker.summaries) and
# rebuilt set-based by the seeder. Figures that depend on "now" (today's deadlines, open
# incidents) and figures narrowed by category, channel or department read `incidents`.


class ReceivedCounts:
    """The counts of a summary by reported day or month (worker/summaries.py: DAILY)."""

    received: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    rated: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)


class WorkOrderCounts:
    """The work order's counts (data_access.work_order.COUNTS) by reported day or month,
    each row counted by its eventual state (worker/summaries.py: WORK)."""

    dispatched: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    sign_due: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    signed_on_time: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    contact_due: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    contacted_in_time: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    returned: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    extended: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    reopened: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    closed_once: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    solved_known: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    solved: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class DueCounts:
    """The counts of a summary by deadline day or month (worker/summaries.py: DUE)."""

    due: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)


class IncidentDaily(ReceivedCounts, WorkOrderCounts, Base):
    """By reported local day and town: received (not rejected), closed, rated, satisfied."""

    __tablename__ = "incident_daily"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, primary_key=True)


class IncidentDueDaily(DueCounts, Base):
    """By deadline local day and town: due (not rejected) and closed by the deadline."""

    __tablename__ = "incident_due_daily"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, primary_key=True)


# --- The seeder's own record: how far a staged build of the history got (demo.seed) ---


class SeedProgress(Base):
    """One row per seeding stage. Every row repeats the build's plan (seed, the instant
    the history runs up to, days), so a killed build resumes with exactly the same one."""

    __tablename__ = "seed_progress"
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    seed: Mapped[int] = mapped_column(Integer)
    history_until: Mapped[datetime] = mapped_column(UTCDateTime)
    days: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(BigInteger)  # lifecycles planned (0: not a history)
    done: Mapped[int] = mapped_column(BigInteger)  # lifecycles committed
    last_day: Mapped[date | None] = mapped_column(Date)  # last local day fully committed
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IncidentDailyBy(ReceivedCounts, WorkOrderCounts, Base):
    """IncidentDaily split by one more dimension (SUMMARY_DIMENSIONS): by dimension,
    reported local day, town and the dimension's value ('' when the incident has none)."""

    __tablename__ = "incident_daily_by"
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, primary_key=True)
    key: Mapped[str] = mapped_column(CODE, primary_key=True)


class IncidentDueDailyBy(DueCounts, Base):
    """IncidentDueDaily split by one more dimension (DUE_DIMENSIONS), like IncidentDailyBy."""

    __tablename__ = "incident_due_daily_by"
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, primary_key=True)
    key: Mapped[str] = mapped_column(CODE, primary_key=True)


class IncidentCloseHist(Base):
    """Closed incidents by reported local day, town and bucket of time to close
    (data_access.close_buckets): the median's histogram for some towns."""

    __tablename__ = "incident_close_hist"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    closed: Mapped[int] = mapped_column(Integer)


class IncidentCloseHistAll(Base):
    """IncidentCloseHist summed over towns: the median's histogram for the county."""

    __tablename__ = "incident_close_hist_all"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    closed: Mapped[int] = mapped_column(Integer)


class IncidentCloseHistMonth(Base):
    """IncidentCloseHistAll summed by month (`month`: its first day), so a long window
    reads a row per bucket and month rather than per bucket and day."""

    __tablename__ = "incident_close_hist_month"
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    closed: Mapped[int] = mapped_column(Integer)


class IncidentMonthlyBy(ReceivedCounts, WorkOrderCounts, Base):
    """IncidentDailyBy by reported month (`month`: its first day), so a long window reads
    its whole months here and only its edge days by day. `dimension` '' (with key '')
    holds the town totals of IncidentDaily; the hour split is left out (the weekday x hour
    heatmap needs days)."""

    __tablename__ = "incident_monthly_by"
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, primary_key=True)
    key: Mapped[str] = mapped_column(CODE, primary_key=True)


class IncidentDueMonthlyBy(DueCounts, Base):
    """IncidentDueDailyBy by deadline month, like IncidentMonthlyBy (dimension '': towns)."""

    __tablename__ = "incident_due_monthly_by"
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    town: Mapped[str] = mapped_column(CODE, primary_key=True)
    key: Mapped[str] = mapped_column(CODE, primary_key=True)


DISPUTE_KEY_TAIL = ("town", "key", "outcome", "via", "bin")  # after dimension, day or month


class DisputeCounts:
    """The key columns after the day or month and the count of a dispute summary
    (worker/dispute_summaries.py)."""

    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    town: Mapped[str] = mapped_column(CODE, primary_key=True)
    key: Mapped[str] = mapped_column(CODE, primary_key=True)
    # the outcome by the dispute's current state, 'pending' while it has none
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    via: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # the bin of days from acceptance to outcome (data_access.dispute_counts.bin_of;
    # 0 while pending), for the resolution times' histogram
    bin: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class DisputeDailyBy(DisputeCounts, Base):
    """Disputes by accepted local day, town, one split (`dimension` kind, mediation_type
    or mediator with its value as `key`, '' when the dispute has none; '' with key '' for
    no split), outcome, `via` (1: it went through mediating) and bin of days to outcome:
    what the mediation figures, flow and resolution times count, a few hundred rows a day
    instead of every dispute."""

    __tablename__ = "dispute_daily_by"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    __table_args__ = (PrimaryKeyConstraint("dimension", "day", *DISPUTE_KEY_TAIL),)


class DisputeMonthlyBy(DisputeCounts, Base):
    """DisputeDailyBy by accepted month (`month`: its first day)."""

    __tablename__ = "dispute_monthly_by"
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    __table_args__ = (PrimaryKeyConstraint("dimension", "month", *DISPUTE_KEY_TAIL),)


# --- The monthly bulletin (月度通报): every generation kept (data_access.bulletin) ---


class Bulletin(Base):
    """One generation of a month's bulletin: the whole model as JSON, so every form (the
    API's JSON, the PDF, the workbook) and every host renders the same numbers."""

    __tablename__ = "bulletins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    scope: Mapped[str] = mapped_column(String(64), default="county")
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    generated_by: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_bulletins_month_generated_at", "month", "generated_at"),)
