"""Every transfer listing of the remittance API walked a page at a time with a small limit: each transfer once, in
order, also when many share one millisecond across a page's end (created_at_ms, then transfer id, behind an
opaque cursor). Before, the pages went by `next_before_ms`, and a page ending inside a millisecond skipped that
millisecond's other transfers; the incoming list also ended early when a transfer that never reached the chain
was read, and the compliance officer's held list showed one page and no way to the rest.

The transfers are written into the service's own store, created in 1970, older than any other test's, so a
walk from `before_ms` just after them sees only them; they are final (or HELD, and rejected at the end), so no
background job of the service acts on them.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable

import httpx

from inzira.remit.records import TransferState
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import problem, walk_pages
from tests.stored_transfers import stored_transfer

PAGES_MAX = 100
LIMIT = 2
# Each test's own millisecond in 1970, which most of its transfers share; the flagged ones' the oldest, so the
# regulator's walk from just after them meets no other test's refused or held transfers.
FLAGGED_MS, SENT_MS, INCOMING_MS, HELD_MS, DECISIONS_MS = 1_999_000, 2_000_000, 2_000_100, 2_000_200, 2_000_300


def _walk(http: httpx.Client, route: str, **params: object) -> list[str]:
    """Every page of a listing with LIMIT, following `next_cursor`: the items' transfer ids in the order given."""
    return walk_pages(http, route, LIMIT, "transfer_id", PAGES_MAX, **params)[0]


def _newest_first(made: list[tuple[int, str]]) -> list[str]:
    return [transfer_id for _, transfer_id in sorted(made, reverse=True)]


def _batch(same_ms: int, make: Callable[[int], str]) -> list[tuple[int, str]]:
    """One transfer a millisecond after ``same_ms``, five in it, one a millisecond before."""
    return [(at_ms, make(at_ms)) for at_ms in (same_ms + 1, *[same_ms] * 5, same_ms - 1)]


def _start(same_ms: int) -> dict[str, int]:
    """A walk's start just after a batch: the batches made before it are older, no other test's is."""
    return {"before_ms": same_ms + 2}


def test_the_sending_fsp_walks_its_transfers_each_once(flow: Flow) -> None:
    made = _batch(SENT_MS, lambda at_ms: stored_transfer(flow.service.transfers, "eurosend", at_ms, TransferState.COMMITTED))
    refused = _batch(SENT_MS, lambda at_ms: stored_transfer(flow.service.transfers, "eurosend", at_ms, TransferState.REJECTED, "reject"))
    with flow.http("eurosend") as http:
        assert _walk(http, "/v1/remit/transfers", **_start(SENT_MS)) == _newest_first(made + refused)
        assert _walk(http, "/v1/remit/transfers", state="REJECTED", **_start(SENT_MS)) == _newest_first(refused)
    with flow.http("silkpay") as http:  # another sending FSP sees none of them
        assert _walk(http, "/v1/remit/transfers", **_start(SENT_MS)) == []


def test_the_receiving_fsp_walks_what_reached_the_chain_each_once(flow: Flow) -> None:
    # Aborted before reaching the chain (no reservation) between the ones that did: the receiving FSP never sees
    # those, and they do not end its pages early.
    reached = _batch(INCOMING_MS, lambda at_ms: stored_transfer(flow.service.transfers, "silkpay", at_ms, TransferState.COMMITTED,
                                                      reserve_tx_id=uuid.uuid4().bytes * 2))
    _batch(INCOMING_MS, lambda at_ms: stored_transfer(flow.service.transfers, "silkpay", at_ms, TransferState.ABORTED))
    with flow.http("mobimo") as http:
        assert _walk(http, "/v1/remit/incoming", **_start(INCOMING_MS)) == _newest_first(reached)
        assert _walk(http, "/v1/remit/incoming", state="ABORTED", **_start(INCOMING_MS)) == []
    with flow.http("ubumwe") as http:
        assert _walk(http, "/v1/remit/incoming", **_start(INCOMING_MS)) == []


def test_the_regulator_walks_every_flagged_transfer_once(flow: Flow) -> None:
    flagged = _batch(FLAGGED_MS, lambda at_ms: stored_transfer(flow.service.transfers, "silkpay", at_ms, TransferState.REJECTED,
                                                     "reject"))
    _batch(FLAGGED_MS, lambda at_ms: stored_transfer(flow.service.transfers, "silkpay", at_ms, TransferState.COMMITTED))  # not flagged
    with flow.http("cbr") as http:
        assert _walk(http, "/v1/remit/regulator/flagged", **_start(FLAGGED_MS)) == _newest_first(flagged)


def test_the_officer_walks_every_held_transfer_oldest_first_once(flow: Flow) -> None:
    held = _batch(HELD_MS, lambda at_ms: stored_transfer(flow.service.transfers, "silkpay", at_ms, TransferState.HELD, "hold"))
    ids = {transfer_id for _, transfer_id in held}
    with flow.http(token=flow.service.officer_tokens["silkpay"]) as officer:
        try:
            seen = _walk(officer, "/v1/remit/compliance/held")
            assert len(seen) == len(set(seen))
            assert [t for t in seen if t in ids] == [transfer_id for _, transfer_id in sorted(held)]
        finally:  # decided, so no later walk of open transfers meets them
            for _, transfer_id in held:
                decided = officer.post(f"/v1/remit/compliance/transfers/{transfer_id}/decision",
                                       json={"decision": "reject", "note": "paging test"})
                assert decided.status_code == 200, decided.text


def test_the_officer_walks_the_whole_decisions_log_each_decision_once(flow: Flow) -> None:
    """The log answered its newest `limit` decisions and nothing older: an audit could not read it through."""
    made = [stored_transfer(flow.service.transfers, "silkpay", DECISIONS_MS, TransferState.REJECTED, "reject") for _ in range(5)]
    with flow.http(token=flow.service.officer_tokens["silkpay"]) as officer:
        seen = _walk(officer, "/v1/remit/compliance/decisions")
    [(logged,)] = flow.service.db.rows("SELECT count(*) FROM decisions WHERE sending_fsp = 'silkpay'", ())
    assert len(seen) == logged > len(made)
    assert [t for t in seen if t in made] == made[::-1]


def test_a_cursor_this_api_did_not_give_out_is_400_3100(flow: Flow) -> None:
    made_up = [base64.urlsafe_b64encode(text.encode()).decode() for text in ("12:", "x:abc", "99999999999999999:a")]
    routes = [("eurosend", "/v1/remit/transfers"), ("mobimo", "/v1/remit/incoming"),
              ("cbr", "/v1/remit/regulator/flagged"), (None, "/v1/remit/compliance/held"),
              (None, "/v1/remit/compliance/decisions")]
    for member, route in routes:
        token = flow.service.officer_tokens["eurosend"] if member is None else None
        with flow.http(member, token=token) as http:
            for cursor in ("not a cursor!", "x" * 201, *made_up):
                problem(http.get(route, params={"cursor": cursor}), 400, 3100)
