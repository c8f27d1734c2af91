"""Mojaloop's DateTime: ISO 8601 with milliseconds, e.g. 2026-12-05T12:00:00.000Z."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_ms(at_ms: int) -> str:
    moment = datetime.fromtimestamp(at_ms // 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{at_ms % 1000:03d}Z"


def parse_ms(text: str) -> int | None:
    """Milliseconds since the epoch, or None when ``text`` is no date-time with a zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return int(moment.timestamp() * 1000)
