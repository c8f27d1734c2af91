"""A settlement reference whose issuance the ledger refused, against the real demo server: nothing was issued, so
once the refusal is final (the transaction's id spent with a refusal, or its deadline passed with the chain) the
reference is free again: the rightful payment is filed again, approved and funded once, and approvals racing for
the freed reference still fund it once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import create_demo_network, demo_keyring, key_path
from inzira.funding.desk import FundingDesk, Officer
from inzira.funding.store import FundingStore
from inzira.ledger.codes import Code
from inzira.ledger.records import Policy
from inzira.ledger.tx import OpenAccount, SetFrozen, decode_body, decode_signed, tx_id_of
from inzira.node.keystore import load_key
from inzira.node.signer import TX_VALIDITY_MS, MemberSigner, wall_clock_ms
from inzira.node.store import TxLocation
from tests.funding.conftest import balance, code_of, holder_token, officer_token, reference
from tests.funding.test_reference_contest import _issues_on_chain
from tests.hosted import Hosted
from tests.running_demo import demo_http

LEDGER_TIMEOUT_S = 30.0
AMOUNT = 7_00


def _deposit(demo: Demo, holder: str, account: str, ref: str) -> httpx.Response:
    with demo_http(demo, holder_token(demo, holder)) as client:
        return client.post("/funding/v1/deposits", json={"account": account, "amount_minor": AMOUNT,
                                                         "settlement_reference": ref})


def _filed(demo: Demo, holder: str, account: str, ref: str) -> dict[str, Any]:
    answer = _deposit(demo, holder, account, ref)
    assert answer.status_code == 202, answer.text
    return dict(answer.json())


def _approve(demo: Demo, request_id: str, n: int = 1) -> httpx.Response:
    with demo_http(demo, officer_token(demo, "sbk", n)) as officer:
        return officer.post(f"/funding/v1/requests/{request_id}/approve", json={"note": "payer checked"})


def _freeze(demo: Demo, account: str, frozen: bool) -> None:
    """The regulator (cbr) freezes or unfreezes the account, with its own key."""
    signer = MemberSigner(demo.runtime.chain_id, "cbr", load_key(key_path(demo.data_dir, "cbr")))  # type: ignore[union-attr]
    outcome = demo.runtime.submit(signer.sign(SetFrozen(account, frozen), None)).result(LEDGER_TIMEOUT_S)  # type: ignore[union-attr]
    assert outcome.code == 0, outcome


@pytest.fixture
def frozen_eur(demo: Demo) -> Any:
    _freeze(demo, "eurosend:eur", True)
    try:
        yield "eurosend:eur"
    finally:
        _freeze(demo, "eurosend:eur", False)


def test_a_refused_issuance_frees_its_reference_for_the_rightful_payment(demo: Demo, frozen_eur: str) -> None:
    """Before: the failed request kept the reference for ever; its holder got it back and every other holder 409."""
    ref = reference()
    squatter = _filed(demo, "silkpay", "silkpay:usd", ref)
    rightful = _filed(demo, "eurosend", frozen_eur, ref)
    before = balance(demo, frozen_eur), balance(demo, "silkpay:usd")
    failed = _approve(demo, rightful["id"]).json()
    assert failed["state"] == "failed" and failed["code"] not in (None, 0) and failed["height"]
    assert failed["contested_by"] == []  # the claim rejected the squatter's, as any approval does
    assert (balance(demo, frozen_eur), balance(demo, "silkpay:usd")) == before and _issues_on_chain(demo, ref) == 0
    _freeze(demo, frozen_eur, False)

    again = _filed(demo, "eurosend", frozen_eur, ref.lower())  # the same payment, filed again
    assert again["id"] != rightful["id"] and again["state"] == "pending"
    assert _filed(demo, "eurosend", frozen_eur, ref)["id"] == again["id"]  # a retry is that request
    revived = _filed(demo, "silkpay", "silkpay:usd", ref)  # the contest is open again: officers check the payer
    assert revived["id"] != squatter["id"]
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        assert officer.get(f"/funding/v1/requests/{again['id']}").json()["contested_by"] == [revived["id"]]
    approved = _approve(demo, again["id"]).json()
    assert approved["state"] == "approved" and approved["code"] == 0
    assert code_of(_approve(demo, revived["id"])) == (409, 3106)
    assert (balance(demo, frozen_eur), balance(demo, "silkpay:usd")) == (before[0] + AMOUNT, before[1])
    assert _issues_on_chain(demo, ref) == 1
    # Funded now: taken for everyone, the failed request included.
    assert code_of(_deposit(demo, "imari-fx", "imari-fx:aed", ref)) == (409, 3106)
    assert code_of(_approve(demo, rightful["id"])) == (409, 3106)


def test_approvals_racing_for_a_freed_reference_fund_it_once(demo: Demo, frozen_eur: str) -> None:
    ref = reference()
    assert _approve(demo, _filed(demo, "eurosend", frozen_eur, ref)["id"]).json()["state"] == "failed"
    _freeze(demo, frozen_eur, False)
    filed = [_filed(demo, holder, account, ref) for holder, account in
             (("eurosend", frozen_eur), ("silkpay", "silkpay:usd"), ("imari-fx", "imari-fx:aed"))]
    accounts = (frozen_eur, "silkpay:usd", "imari-fx:aed")
    before = sum(balance(demo, a) for a in accounts)
    with ThreadPoolExecutor(len(filed)) as pool:
        answers = list(pool.map(lambda n: _approve(demo, filed[n]["id"], 1 + n % 2), range(len(filed))))
    assert sorted(a.status_code for a in answers) == [200, 409, 409], [a.text for a in answers]
    assert sum(balance(demo, a) for a in accounts) == before + AMOUNT
    assert _issues_on_chain(demo, ref) == 1


def test_an_issuance_past_its_deadline_frees_its_reference(demo: Demo, tmp_path: Path) -> None:
    """The ledger refused the issuance for its deadline (its id spent nowhere): freed once the chain's time is past
    that deadline, which no later block can go back on."""
    late = demo_keyring(demo.data_dir).port(demo.runtime, "sbk",  # type: ignore[arg-type]
                                            clock_ms=lambda: wall_clock_ms() - 2 * TX_VALIDITY_MS)
    store = FundingStore(tmp_path / "funding.db")
    try:
        desk = FundingDesk({"sbk": late}, store)
        ref = reference()
        request = desk.request_deposit("silkpay", "silkpay:usd", AMOUNT, ref)
        before = balance(demo, "silkpay:usd")
        failed = asyncio.run(desk.approve(Officer("sbk", "sbk/officer-1"), request.id, ""))
        assert (failed.state, failed.code) == ("failed", 3300)
        again = desk.request_deposit("silkpay", "silkpay:usd", AMOUNT, ref)
        assert again.id != request.id and again.state == "pending"
        assert balance(demo, "silkpay:usd") == before and _issues_on_chain(demo, ref) == 0
    finally:
        store.close()


def test_an_issuance_committed_while_its_refusal_is_checked_is_not_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issuer's clock runs ahead: the ledger refuses the issuance (deadline too far ahead, its id spent
    nowhere), which later blocks may still commit. The desk looks the id up (not in a block), and before it reads
    the chain's time the block committing it is stored, then a block past its deadline. Before: that later time
    made the miss final, and an issuance that moved the money was failed and its reference freed."""
    create_demo_network(tmp_path, wall_clock_ms() - 1000)
    validity_max_ms = Policy().tx_validity_max_ms
    store = FundingStore(tmp_path / "funding.db")
    with Hosted(tmp_path, block_interval_ms=5) as net:
        try:
            assert net.execute("eurosend", OpenAccount("eurosend:eur", "EUR")).code == Code.OK
            ahead = demo_keyring(tmp_path).port(net, "sbk", validity_ms=validity_max_ms + 3_600_000)
            desk = FundingDesk({"sbk": ahead}, store)
            request = desk.request_deposit("eurosend", "eurosend:eur", AMOUNT, reference())
            checking = threading.current_thread()
            real_locate = net.node.locate

            def racing(tx_ids: Sequence[bytes]) -> dict[bytes, TxLocation]:
                found = real_locate(tx_ids)
                if threading.current_thread() is checking:
                    monkeypatch.setattr(net.node, "locate", real_locate)  # once
                    signed = store.get(request.id)
                    assert signed is not None and signed.signed_tx is not None
                    _commit_then_pass_deadline(net, signed.signed_tx, validity_max_ms)
                return found

            monkeypatch.setattr(net.node, "locate", racing)
            approving = asyncio.run(desk.approve(Officer("sbk", "sbk/officer-1"), request.id, ""))
            assert net.node.account("eurosend:eur").balance_minor == AMOUNT  # type: ignore[union-attr]
            assert approving.state == "approving"  # still holding its reference: the issuance funded it
            assert asyncio.run(desk.recover()) == 1  # the next start asks the chain again: committed
            recovered = store.get(request.id)
            assert recovered is not None and (recovered.state, recovered.code) == ("approved", 0)
        finally:
            store.close()


def _commit_then_pass_deadline(net: Hosted, raw: bytes, validity_max_ms: int) -> None:
    """Through the real orderer: a block whose time takes the issuance (its deadline within the validity
    window), then a block timed at its deadline."""
    expires_at_ms = decode_body(decode_signed(raw).body).expires_at_ms
    net.orderer.clock_ms = lambda: expires_at_ms - validity_max_ms + 60_000
    outcome = net.submit(raw).result(LEDGER_TIMEOUT_S)
    assert (outcome.tx_id, outcome.code) == (tx_id_of(decode_signed(raw).body), Code.OK)
    net.orderer.clock_ms = lambda: expires_at_ms
    net.execute("eurosend", OpenAccount("eurosend:after-deadline", "EUR"))
    assert net.node.tip.timestamp_ms >= expires_at_ms
