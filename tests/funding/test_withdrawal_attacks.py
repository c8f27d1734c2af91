"""Attacks on the issuer's funding desk's withdrawals, caps and recovery, against the real demo server: a signed
redemption naming another account, signed or submitted by another member, for another chain, expired, expiring
later than the ledger takes, malformed, or filed again once carried out; another issuer's officer approving it;
caps on another issuer's or an issuance account, or out of range; and a restart that finds an approval whose
verdict it never saw. The issuer signs only what its officers approved, once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import demo_keyring, key_path
from inzira.fx.wire import b64, unb64
from inzira.ledger.encoding import encode
from inzira.ledger.records import Leg
from inzira.ledger.tx import TX_SIGNATURES_MAX, Sig, SignedTx, Transfer, decode_signed, tx_id_of
from inzira.money import AMOUNT_MINOR_MAX
from inzira.node.keystore import load_key
from inzira.node.signer import wall_clock_ms
from tests.funding.conftest import balance, code_of, holder_token, officer_token, redemption, reference
from tests.running_demo import demo_http

DAY_MS = 24 * 3600 * 1000


def _withdraw(demo: Demo, holder: str, signed_tx: str) -> httpx.Response:
    with demo_http(demo, holder_token(demo, holder)) as client:
        return client.post("/funding/v1/withdrawals", json={"signed_tx": signed_tx})


def _requests(demo: Demo) -> list[Any]:
    return [r.id for r in demo.providers.funding.store.listing(None, None, None, 10_000, None, 0)]  # type: ignore[union-attr]


def _approve(demo: Demo, request_id: str, issuer: str = "sbk", n: int = 1) -> httpx.Response:
    with demo_http(demo, officer_token(demo, issuer, n)) as officer:
        return officer.post(f"/funding/v1/requests/{request_id}/approve", json={"note": "paid out"})


def _refused(demo: Demo, holder: str, signed_tx: str, expected: tuple[int, int]) -> None:
    before = _requests(demo)
    answer = _withdraw(demo, holder, signed_tx)
    assert code_of(answer) == expected, answer.text
    assert _requests(demo) == before


def test_a_redemption_of_another_members_account_is_refused(demo: Demo) -> None:
    for account in ("silkpay:usd", "sbk:issuance-gbp", "eurosend:none"):
        _refused(demo, "eurosend", redemption(demo, "eurosend", account, 1_00, "GBP", reference()), (404, 3240))


def test_a_redemption_not_signed_by_the_holder_is_refused(demo: Demo) -> None:
    forged = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), signer="silkpay")
    _refused(demo, "eurosend", forged, (400, 3105))
    by_issuer = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), signer="sbk")
    _refused(demo, "eurosend", by_issuer, (400, 3105))


def test_a_redemption_another_member_submits_is_refused(demo: Demo) -> None:
    theirs = redemption(demo, "silkpay", "silkpay:usd", 1_00, "USD", reference())
    _refused(demo, "eurosend", theirs, (400, 3100))  # eurosend files silkpay's own signed redemption
    named = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), submitter="silkpay")
    _refused(demo, "eurosend", named, (400, 3100))


def test_a_redemption_for_another_chain_is_refused(demo: Demo) -> None:
    other = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), chain_id=b"\x01" * 32)
    _refused(demo, "eurosend", other, (400, 3100))


def test_an_expired_redemption_is_refused(demo: Demo) -> None:
    expired = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), expires_at_ms=wall_clock_ms())
    _refused(demo, "eurosend", expired, (422, 3300))


@pytest.mark.parametrize("later_ms", [DAY_MS + 3_600_000, 2**62, 2**63 - 1, 2**64 - 1])
def test_a_redemption_expiring_later_than_the_ledger_takes_is_refused(demo: Demo, later_ms: int) -> None:
    # The ledger refuses a transaction whose deadline is further ahead than its policy allows: filed, an officer
    # would approve what can only fail (and a deadline past 2^63 - 1 does not fit the desk's book).
    deadline = later_ms if later_ms > 2**40 else wall_clock_ms() + later_ms
    late = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), expires_at_ms=deadline)
    _refused(demo, "eurosend", late, (400, 3100))


@pytest.mark.parametrize("shape", [{"version": 2}, {"tx_ref": ""}, {"tx_ref": "r" * 65}])
def test_a_redemption_the_ledger_would_refuse_is_refused_before_an_officer_sees_it(demo: Demo,
                                                                                  shape: dict[str, Any]) -> None:
    odd = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), **shape)
    _refused(demo, "eurosend", odd, (400, 3100))


@pytest.mark.parametrize("amount, currency", [(0, "GBP"), (-1, "GBP"), (AMOUNT_MINOR_MAX + 1, "GBP"),
                                              (1_00, "EUR"), (1_00, "gbp"), (1_00, "")])
def test_a_redemption_of_another_amount_or_currency_is_refused(demo: Demo, amount: int, currency: str) -> None:
    _refused(demo, "eurosend", redemption(demo, "eurosend", "eurosend:gbp", amount, currency, reference()),
             (400, 3100))


@pytest.mark.parametrize("ref", ["", " " * 3 + "\u00e9", "x" * 65, "line\nbreak"])
def test_a_redemption_without_a_usable_reference_is_refused(demo: Demo, ref: str) -> None:
    _refused(demo, "eurosend", redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", ref), (400, 3100))


def _signed_with(demo: Demo, sigs: Any) -> str:
    """eurosend's redemption of 1.00 GBP with ``sigs(its own signature)`` as its signatures."""
    body = decode_signed(unb64(redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference()))).body
    key = load_key(key_path(demo.data_dir, "eurosend"))
    mine = Sig(key.public_key, key.sign(tx_id_of(body)))
    return b64(encode(SignedTx(body, tuple(sigs(mine)))))


@pytest.mark.parametrize("sigs, expected", [
    (lambda mine: [mine] * TX_SIGNATURES_MAX, (400, 3104)),  # no room left for the issuer's countersignature
    (lambda mine: [mine, Sig(mine.key, bytes(64))], (400, 3105)),  # the holder's, and one that does not verify
    (lambda mine: [mine, Sig(bytes(range(32)), bytes(64))], (400, 3105)),  # a key of no member
    (lambda mine: [Sig(mine.key, bytes(64))] * 200 + [mine], (400, 3104)),  # hundreds to verify before its own
    (lambda mine: [], (400, 3105)),
])
def test_a_redemption_whose_countersigned_bytes_the_ledger_would_refuse_is_refused_at_once(
        demo: Demo, sigs: Any, expected: tuple[int, int]) -> None:
    """Filed and approved, the issuer's countersigned bytes would be refused without spending their id: the request
    would stay approving, holding its reference, until the redemption's deadline, with an officer's approval spent."""
    _refused(demo, "eurosend", _signed_with(demo, sigs), expected)


def test_something_else_than_a_signed_redemption_is_refused(demo: Demo) -> None:
    _refused(demo, "eurosend", "not base64 at all!\u00e9", (400, 3101))
    _refused(demo, "eurosend", b64(b"\x93\x01\x02\x03"), (400, 3101))
    _refused(demo, "eurosend", "", (400, 3101))
    port = demo_keyring(demo.data_dir).port(demo.runtime, "eurosend")  # type: ignore[arg-type]
    transfer = port.sign(Transfer(legs=(Leg("eurosend:gbp", "silkpay:usd", 1, "GBP"),)))
    _refused(demo, "eurosend", b64(transfer), (400, 3100))


def test_a_redemption_carried_out_is_not_carried_out_again(demo: Demo) -> None:
    ref = reference()
    signed = redemption(demo, "eurosend", "eurosend:gbp", 2_00, "GBP", ref)
    before = balance(demo, "eurosend:gbp")
    filed = _withdraw(demo, "eurosend", signed).json()
    with demo_http(demo, officer_token(demo, "cbr")) as other_issuer:  # RWF's issuer, on the same desk
        assert code_of(other_issuer.post(f"/funding/v1/requests/{filed['id']}/approve", json={})) == (404, 3200)
    assert _approve(demo, filed["id"]).json()["state"] == "approved"
    assert balance(demo, "eurosend:gbp") == before - 2_00
    again = _withdraw(demo, "eurosend", signed)  # the very same bytes: the same request, already carried out
    assert again.status_code == 202 and (again.json()["id"], again.json()["state"]) == (filed["id"], "approved")
    other = redemption(demo, "eurosend", "eurosend:gbp", 2_00, "GBP", ref.upper())  # same payment, new signature
    assert _withdraw(demo, "eurosend", other).json()["id"] == filed["id"]
    assert code_of(_withdraw(demo, "eurosend", redemption(demo, "eurosend", "eurosend:gbp", 3_00, "GBP", ref))) \
        == (409, 3106)
    assert code_of(_approve(demo, filed["id"], n=2)) == (409, 3143)
    assert balance(demo, "eurosend:gbp") == before - 2_00


@pytest.mark.parametrize("issuer, account, cap, expected", [
    ("cbr", "eurosend:eur", 1_00, (403, 4300)),  # EUR is sbk's
    ("sbk", "mobimo:rwf", 1_00, (403, 4300)),
    ("sbk", "sbk:issuance-eur", 1_00, (404, 3240)),
    ("sbk", "eurosend:none", 1_00, (404, 3240)),
    ("sbk", "eurosend:eur", -1, (400, 3100)),
    ("sbk", "eurosend:eur", AMOUNT_MINOR_MAX + 1, (400, 3100)),
    ("sbk", "eurosend:eur", 10**40, (400, 3100)),
    ("sbk", "eurosend:eur", 1.5, (400, 3100)),
    ("sbk", "eurosend:eur", True, (400, 3100)),
    ("sbk", "eurosend:eur", None, (400, 3100)),
])
def test_a_cap_is_set_only_by_the_accounts_issuer_within_range(demo: Demo, issuer: str, account: str, cap: Any,
                                                               expected: tuple[int, int]) -> None:
    before = demo.runtime.node.account(account)  # type: ignore[union-attr]
    with demo_http(demo, officer_token(demo, issuer)) as officer:
        assert code_of(officer.put(f"/funding/v1/caps/{account}", json={"cap_minor": cap})) == expected
    assert demo.runtime.node.account(account) == before  # type: ignore[union-attr]


def test_a_restart_settles_an_approval_it_saw_no_verdict_for_as_the_ledger_did(demo: Demo) -> None:
    desk = demo.providers.funding  # type: ignore[union-attr]
    with demo_http(demo, holder_token(demo, "silkpay")) as holder:
        filed = holder.post("/funding/v1/deposits", json={"account": "silkpay:cny", "amount_minor": 8_00,
                                                          "settlement_reference": reference()}).json()
    approved = _approve(demo, filed["id"]).json()
    assert approved["state"] == "approved"
    after = balance(demo, "silkpay:cny")
    # The desk stopped after submitting the issuance and before writing down the ledger's verdict.
    with desk.store._lock:
        desk.store._conn.execute("UPDATE requests SET state = 'approving', code = NULL, height = NULL WHERE id = ?",
                                 (filed["id"],))
    assert asyncio.run(desk.recover()) == 1
    settled = desk.view(desk.store.get(filed["id"]))
    assert (settled["state"], settled["code"], settled["height"]) == ("approved", 0, approved["height"]), settled
    assert balance(demo, "silkpay:cny") == after  # issued once


def test_a_redemption_past_the_balance_does_not_draw_the_credit_line(demo: Demo) -> None:
    """A holder the issuer gave a net debit cap files a withdrawal of more than it holds, and an officer, who sees
    the amount and not the balance, approves: the ledger refuses it (4001), nothing moves, and the request fails."""
    account = "eurosend:gbp"
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        assert officer.put(f"/funding/v1/caps/{account}", json={"cap_minor": 5_000_00}).status_code == 200
    try:
        before = balance(demo, account)
        filed = _withdraw(demo, "eurosend", redemption(demo, "eurosend", account, before + 1, "GBP", reference()))
        assert filed.status_code == 202, filed.text
        assert _approve(demo, filed.json()["id"]).json()["state"] == "pending"  # a large amount: two officers
        decided = _approve(demo, filed.json()["id"], n=2)
        assert decided.status_code == 200, decided.text
        assert (decided.json()["state"], decided.json()["code"]) == ("failed", 4001), decided.json()
        assert balance(demo, account) == before
    finally:
        with demo_http(demo, officer_token(demo, "sbk")) as officer:
            assert officer.put(f"/funding/v1/caps/{account}", json={"cap_minor": 0}).status_code == 200
