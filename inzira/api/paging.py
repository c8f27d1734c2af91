"""Cursor pages: the API's one cursor format, and pages over the node's account listing.

A cursor is base64url of "<number>:<last id>": a listing's position after the last row returned (the funding
desk's listings use it with the row's creation time, ``inzira.funding.paging``). Anything else is a 400 (3100).

``Node.accounts(owner, limit)`` lists from the first account in id order and has no "after" argument, so
a cursor carries the last id returned and how many came before it: a page reads only as far as it needs
(plus slack for accounts opened meanwhile), and finds its start by the id, so no account is skipped or
repeated. A listing deeper than ``ACCOUNTS_SCAN_MAX`` is refused rather than cut short in silence.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from inzira.api.numbers import parse_digits
from inzira.api.problems import Problem
from inzira.ledger.codes import Code
from inzira.ledger.records import Account
from inzira.node.node import Node

T = TypeVar("T")
ACCOUNTS_SCAN_MAX = 20_000
CURSOR_CHARS_MAX = 200
CURSOR_PATTERN = f"^[A-Za-z0-9_=-]{{1,{CURSOR_CHARS_MAX}}}$"  # base64url of "<number>:<last id>"


def encode_cursor(offset: int, last_id: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{last_id}".encode()).decode()


def decode_cursor(cursor: str, high: int = ACCOUNTS_SCAN_MAX) -> tuple[int, str]:
    """The number (in [0, high]) and the last id a cursor this API gave out carries."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode() if len(cursor) <= CURSOR_CHARS_MAX else ""
    except (binascii.Error, ValueError):
        text = ""
    offset_text, sep, last_id = text.partition(":")
    offset = parse_digits(offset_text, 0, high)
    if not (sep and offset is not None and last_id):
        raise Problem(400, Code.VALIDATION, "cursor is not one this API gave out")
    return offset, last_id


def cursor_page(rows: Sequence[T], limit: int, view: Callable[[T], dict[str, Any]],
                position: Callable[[T], tuple[int, str]]) -> dict[str, Any]:
    """``{items, next_cursor}`` from up to ``limit + 1`` rows read in a listing's order: one more than the page
    means there is a next one, which starts after this page's last row (``position``: its number and id)."""
    page = rows[:limit]
    return {"items": [view(r) for r in page],
            "next_cursor": encode_cursor(*position(page[-1])) if len(rows) > limit else None}


def account_page(node: Node, owner: str | None, limit: int, cursor: str | None) -> tuple[list[Account], str | None]:
    offset, after = decode_cursor(cursor) if cursor else (0, "")
    rows: list[Account] = []
    start = 0
    for window in sorted({min(offset + 2 * limit + 1, ACCOUNTS_SCAN_MAX), ACCOUNTS_SCAN_MAX}):
        rows = node.accounts(owner, window)
        start = bisect.bisect_right(rows, after, key=lambda a: a.id) if after else 0
        if len(rows) < window or start + limit < len(rows):  # all read, or the page and one more are in
            break
    else:
        raise Problem(400, Code.VALIDATION, f"the listing goes deeper than {ACCOUNTS_SCAN_MAX} accounts: "
                      "filter by owner")
    page = rows[start : start + limit]
    more = len(rows) > start + limit
    return page, encode_cursor(start + len(page), page[-1].id) if more and page else None
