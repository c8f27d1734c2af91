"""Pages of funding requests, newest first, with the API's cursors (``inzira.api.paging``).

The cursor carries the creation time and id of the last request returned, and a page starts just after it in
(creation time descending, id) order: requests filed between two pages come before the cursor and are not
repeated, nor do they push an older request off the next page (an offset would do both).
"""

from __future__ import annotations

from inzira.api.numbers import TIME_MS_MAX
from inzira.api.paging import decode_cursor, encode_cursor
from inzira.funding.store import FundingRequest, FundingStore


def request_page(store: FundingStore, issuers: tuple[str, ...] | None, holder: str | None, state: str | None,
                 limit: int, cursor: str | None, now_ms: int) -> tuple[list[FundingRequest], str | None]:
    """A page of at most ``limit`` requests (in ``state`` as shown at ``now_ms``) and the cursor of
    the next one (None on the last page); a cursor this API did not give out is a 400 problem (3100)."""
    after = decode_cursor(cursor, TIME_MS_MAX) if cursor else None
    found = store.listing(issuers, holder, state, limit + 1, after, now_ms)
    page = found[:limit]
    return page, encode_cursor(page[-1].created_at_ms, page[-1].id) if len(found) > limit else None
