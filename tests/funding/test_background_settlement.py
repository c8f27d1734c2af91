"""The funding desk settles approvals it saw no final verdict for by itself, against the real demo server and
ledger: no restart and no second approval needed. Its settler takes a bounded batch per pass, reaches every
approving request even when some never settle, tries those again later and later, and stops cleanly.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import demo_keyring
from inzira.funding.desk import FundingDesk, Officer
from inzira.funding.settler import Settler
from inzira.funding.store import FundingStore
from inzira.fx.wire import unb64
from inzira.node.signer import wall_clock_ms
from tests.funding.conftest import balance, holder_token, officer_token, redemption, reference
from tests.funding.test_unsettled_approvals import _spend_ref
from tests.running_demo import demo_http, running_demo

SETTLE_INTERVAL_MS = 100  # the demo's settler, often: the test waits for it
SETTLED_WAIT_S = 60.0
POLL_S = 0.05
PASS_INTERVAL_MS = 1_000  # a settler run pass by pass, its clock moved by hand


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "funding-settler", SETTLE_INTERVAL_MS) as running:
        yield running


def _left_approving(store: FundingStore, request_id: str) -> None:
    """The desk submitted the signed transaction and never heard back."""
    with store._lock:
        store._conn.execute("UPDATE requests SET state = 'approving', code = NULL, height = NULL WHERE id = ?",
                            (request_id,))


def _settled(demo: Demo, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLED_WAIT_S
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        while True:
            seen = officer.get(f"/funding/v1/requests/{request_id}").json()
            if seen["state"] != "approving" or time.monotonic() > deadline:
                return dict(seen)
            time.sleep(POLL_S)


def test_an_approval_left_approving_settles_by_itself(demo: Demo) -> None:
    with demo_http(demo, holder_token(demo, "silkpay")) as holder:
        filed = holder.post("/funding/v1/deposits", json={"account": "silkpay:cny", "amount_minor": 7_00,
                                                          "settlement_reference": reference()}).json()
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        approved = officer.post(f"/funding/v1/requests/{filed['id']}/approve", json={}).json()
    assert approved["state"] == "approved", approved
    after = balance(demo, "silkpay:cny")
    _left_approving(demo.providers.funding.store, filed["id"])  # type: ignore[union-attr]
    settled = _settled(demo, filed["id"])
    assert (settled["state"], settled["code"], settled["height"]) == ("approved", 0, approved["height"]), settled
    assert balance(demo, "silkpay:cny") == after  # issued once


class _Clock:
    def __init__(self) -> None:
        self.now_ms = wall_clock_ms()

    def __call__(self) -> int:
        return self.now_ms


def _own_desk(demo: Demo, folder: Path, clock: Callable[[], int]) -> FundingDesk:
    """A second book of requests at sbk over the demo's ledger, which the demo's own settler does not read."""
    ports = demo_keyring(demo.data_dir).ports(demo.runtime, ["sbk"])  # type: ignore[arg-type]
    return FundingDesk(ports, FundingStore(folder / "funding.db"), clock_ms=clock)


def test_the_settler_reaches_every_approving_request_and_tries_stuck_ones_later(demo: Demo, tmp_path: Path) -> None:
    clock = _Clock()
    desk = _own_desk(demo, tmp_path, clock)
    officer = Officer("sbk", "sbk/officer-1")
    try:
        # First, a redemption the ledger refuses without spending its id (its transaction reference was used
        # since): it stays approving until its deadline, however often it is submitted.
        tx_ref = f"wd:{uuid.uuid4().hex}"
        raw = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), tx_ref=tx_ref)
        stuck = desk.request_withdrawal("eurosend", unb64(raw))
        _spend_ref(demo, tx_ref)
        assert asyncio.run(desk.approve(officer, stuck.id, "")).state == "approving"
        clock.now_ms += 1
        # Then an issuance whose verdict was lost.
        lost = desk.request_deposit("silkpay", "silkpay:cny", 6_00, reference())
        approved = asyncio.run(desk.approve(officer, lost.id, ""))
        assert approved.state == "approved"
        after = balance(demo, "silkpay:cny")
        _left_approving(desk.store, lost.id)
        settler = Settler(desk.settlement, clock, interval_ms=PASS_INTERVAL_MS, batch_max=1)
        passes = [asyncio.run(settler.run_pass()) for _ in range(2)]
        found = desk.store.get(lost.id)
        assert found is not None and (found.state, found.height) == ("approved", approved.height)
        assert balance(demo, "silkpay:cny") == after  # issued once
        passes += [asyncio.run(settler.run_pass()) for _ in range(3)]  # the round ends; the stuck one is not due
        clock.now_ms += 2 * PASS_INTERVAL_MS
        passes.append(asyncio.run(settler.run_pass()))
        assert passes == [1, 1, 0, 0, 0, 1]
        assert desk.store.get(stuck.id).state == "approving"  # type: ignore[union-attr]
    finally:
        desk.store.close()


def test_the_settler_stops_cleanly(demo: Demo, tmp_path: Path) -> None:
    desk = _own_desk(demo, tmp_path, wall_clock_ms)
    try:
        settler = Settler(desk.settlement, wall_clock_ms, interval_ms=1).start()
        assert settler.running
        settler.stop()
        assert not settler.running
    finally:
        desk.store.close()
