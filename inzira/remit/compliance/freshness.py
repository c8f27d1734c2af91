"""How old the sanctions list may get: past one age it raises an alert, past a second it holds new transfers.

Publishers update their lists often (OFAC several times a week, the UN and the EU when designations change);
a service still screening against last month's file passes people listed since. The list's age is measured
from the date its publisher generated it (UN dateGenerated, OFAC DateOfIssue, EU generationDate); a list
whose date cannot be read is treated as too old, since nothing says it is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum

from inzira.remit.compliance.sanctions import SanctionsList

DAY_MS = 24 * 60 * 60 * 1000


class ListState(StrEnum):
    FRESH = "fresh"
    ALERT = "alert"  # older than the alert age: operators are told, transfers go on
    HOLD = "hold"  # older than the hold age: new transfers are held until a newer list is loaded


@dataclass(frozen=True, slots=True)
class ListFreshness:
    alert_age_ms: int = 3 * DAY_MS
    hold_age_ms: int = 14 * DAY_MS

    def __post_init__(self) -> None:
        if not 0 < self.alert_age_ms <= self.hold_age_ms:
            raise ValueError("list ages need 0 < alert_age_ms <= hold_age_ms")


@dataclass(frozen=True, slots=True)
class ListStatus:
    state: ListState
    age_ms: int | None  # None when the list's date cannot be read
    message: str


def published_at_ms(sanctions: SanctionsList) -> int | None:
    """The list's generation time in ms since the epoch, or None when it has no readable date."""
    text = sanctions.generated_at.strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp() * 1000)


def list_status(sanctions: SanctionsList, now_ms: int, freshness: ListFreshness) -> ListStatus:
    published = published_at_ms(sanctions)
    if published is None:
        return ListStatus(ListState.HOLD, None,
                          f"the {sanctions.source or 'sanctions'} list has no readable date: it may be any age")
    age_ms = max(0, now_ms - published)
    days = age_ms / DAY_MS
    if age_ms > freshness.hold_age_ms:
        return ListStatus(ListState.HOLD, age_ms,
                          f"the {sanctions.label} is {days:.1f} days old, past the limit of "
                          f"{freshness.hold_age_ms / DAY_MS:g} days: new transfers are held until a newer list "
                          "is loaded")
    if age_ms > freshness.alert_age_ms:
        return ListStatus(ListState.ALERT, age_ms,
                          f"the {sanctions.label} is {days:.1f} days old, past {freshness.alert_age_ms / DAY_MS:g} "
                          "days: load a newer list")
    return ListStatus(ListState.FRESH, age_ms, f"the {sanctions.label} is {days:.1f} days old")
