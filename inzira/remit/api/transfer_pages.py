"""Pages of transfers with the API's cursors (``inzira.api.paging``), shared by every transfer listing.

A cursor carries the creation time and id of the last transfer returned, and the next page starts just after
it in the listing's order (creation time, then id): a walk meets every transfer once, even when many were created
in the same millisecond, which a page bound on the time alone (``before_ms``) would skip or repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query

from inzira.api.numbers import TIME_MS_MAX
from inzira.api.paging import CURSOR_PATTERN, cursor_page, decode_cursor
from inzira.remit.api.views import summary
from inzira.remit.records import TransferRecord

Cursor = Annotated[str | None, Query(pattern=CURSOR_PATTERN, description="next_cursor of the previous page")]


def after(cursor: str | None) -> tuple[int, str] | None:
    """Where a cursor this API gave out points; any other is a 400 problem (3100)."""
    return decode_cursor(cursor, TIME_MS_MAX) if cursor else None


def transfer_page(records: list[TransferRecord], limit: int,
                  view: Callable[[TransferRecord], dict[str, Any]] = summary) -> dict[str, Any]:
    """``{items, next_cursor}`` from up to ``limit + 1`` records read in the listing's order."""
    return cursor_page(records, limit, view, lambda r: (r.created_at_ms, r.transfer_id))
