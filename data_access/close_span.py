"""Conditions on an incident's time to close (closed_at - reported_at), written as
ix_incidents_close_span's expression (migration 0006) so that SQLite and PostgreSQL read
them through that index."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.sql import ColumnElement

from data_access.models import Incident


def span_at_least(dialect: str, seconds: float) -> ColumnElement:
    """`time to close >= seconds`."""
    if dialect == "postgresql":
        return Incident.closed_at - Incident.reported_at >= timedelta(seconds=seconds)
    span = func.julianday(Incident.closed_at) - func.julianday(Incident.reported_at)
    return span >= seconds / 86400.0


def span_below(dialect: str, seconds: float) -> ColumnElement:
    """`time to close < seconds`."""
    if dialect == "postgresql":
        return Incident.closed_at - Incident.reported_at < timedelta(seconds=seconds)
    span = func.julianday(Incident.closed_at) - func.julianday(Incident.reported_at)
    return span < seconds / 86400.0
