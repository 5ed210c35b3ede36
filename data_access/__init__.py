"""Answers questions with plain data: SQL history, Redis live state, KPI queries."""
