"""Attacks on replacing and revoking customers' tokens: a member that lost its role acting for its old
customers, and a holder rotating its own token without end."""

from __future__ import annotations

from typing import Any

import httpx

from tests.hosted import set_roles
from tests.qr_pay.conftest import TEST_SETTINGS
from tests.qr_pay.helpers import HTTP_TIMEOUT_S, Qr, ok, problem
from tests.stream_end import closed_frame

BURST = 3  # QrSettings.token_rotations_burst: a holder's rotations at once


def _roles(qr: Qr, member: str) -> tuple[str, ...]:
    return tuple(qr.node.state.members[member].roles)


def test_a_member_that_lost_its_role_no_longer_acts_for_its_merchants_or_wallets(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 10_000)
    paid = qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 1_000)
    m_path, w_path = f"/v1/qr/merchants/{merchant['merchant_id']}", f"/v1/qr/wallets/{wallet['wallet_id']}"
    acquirer, issuer = _roles(qr, "ubumwe"), _roles(qr, "silkpay")
    set_roles(qr.server, "ubumwe", tuple(r for r in acquirer if r != "acquirer"))
    set_roles(qr.server, "silkpay", tuple(r for r in issuer if r != "wallet_issuer"))
    try:
        acts: list[tuple[Any, str, str, dict[str, Any] | None]] = [
            (qr.ubumwe, "POST", f"{m_path}/token", None), (qr.ubumwe, "DELETE", f"{m_path}/token", None),
            (qr.ubumwe, "POST", f"{m_path}/bills", {"amount_minor": 500}),
            (qr.ubumwe, "POST", f"{m_path}/payments/{paid['payment_id']}/refunds", {"amount_minor": 100}),
            (qr.ubumwe, "GET", f"{m_path}/statement", None),
            (qr.silkpay, "POST", f"{w_path}/token", None), (qr.silkpay, "DELETE", f"{w_path}/token", None),
            (qr.silkpay, "POST", f"{w_path}/topups", {"amount_minor": 100}),
            (qr.silkpay, "GET", f"{w_path}/history", None)]
        for client, method, path, body in acts:
            refused = problem(client.request(method, path, json=body), 403, 4300)
            assert "does not" in refused["detail"], (method, path, refused)
        # Another member's ids stay invisible, as before: the role is checked for the owner only.
        problem(qr.client(qr.tokens["mobimo"]).post(f"{m_path}/token"), 404, 3250)
        # Nothing changed: the tokens the members could not touch still open their own records.
        ok(qr.pos(merchant).get(m_path))
        ok(qr.visitor(wallet).get(w_path))
    finally:
        set_roles(qr.server, "ubumwe", acquirer)
        set_roles(qr.server, "silkpay", issuer)
    ok(qr.ubumwe.delete(f"{m_path}/token"))
    ok(qr.silkpay.post(f"{w_path}/token"))


def test_a_members_open_streams_end_when_it_loses_the_role(qr: Qr) -> None:
    """Asked of every request (above), the role is asked of an open stream too: before each chunk and every 2 s."""
    merchant, wallet = qr.merchant(), qr.wallet()
    m_events = f"/v1/qr/merchants/{merchant['merchant_id']}/events"
    w_events = f"/v1/qr/wallets/{wallet['wallet_id']}/events"
    acquirer, issuer = _roles(qr, "ubumwe"), _roles(qr, "silkpay")
    with httpx.Client(base_url=qr.base_url, timeout=HTTP_TIMEOUT_S) as browser, \
            browser.stream("GET", m_events, params={"ticket": qr.ticket(qr.tokens["ubumwe"])}) as by_acquirer, \
            browser.stream("GET", w_events, params={"ticket": qr.ticket(qr.tokens["silkpay"])}) as by_issuer, \
            browser.stream("GET", m_events, params={"ticket": qr.ticket(merchant["merchant_token"])}) as pos:
        assert by_acquirer.status_code == by_issuer.status_code == pos.status_code == 200
        set_roles(qr.server, "ubumwe", tuple(r for r in acquirer if r != "acquirer"))
        set_roles(qr.server, "silkpay", tuple(r for r in issuer if r != "wallet_issuer"))
        try:
            for stream in (by_acquirer, by_issuer):
                closed = closed_frame(stream.iter_lines())
                assert closed["reason"] == "role_removed" and closed["code"] == 4300, closed
        finally:
            set_roles(qr.server, "ubumwe", acquirer)
            set_roles(qr.server, "silkpay", issuer)
    ok(qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}"))  # the POS's own token was not the role's


def _rotate(client: Any, path: str, field: str) -> str:
    return ok(client.post(path))[field]


def test_a_holder_rotates_its_own_token_a_few_times_then_waits_and_its_member_is_never_held_back(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet()
    for record, path, field, member in (
            (merchant, f"/v1/qr/merchants/{merchant['merchant_id']}", "merchant_token", qr.ubumwe),
            (wallet, f"/v1/qr/wallets/{wallet['wallet_id']}", "wallet_token", qr.silkpay)):
        token = record[field]
        for _ in range(BURST):
            token = _rotate(qr.client(token), f"{path}/token", field)
        refused = problem(qr.client(token).post(f"{path}/token"), 429, 3041)
        assert int(qr.client(token).post(f"{path}/token").headers["Retry-After"]) >= 1
        assert "rotat" in refused["detail"]
        ok(qr.client(token).get(path))  # the refused rotation changed nothing: that token still opens it
        # The member revokes a stolen token and issues a new one whatever the holder did.
        ok(member.delete(f"{path}/token"))
        problem(qr.client(token).get(path), 401, 3040)
        token = _rotate(member, f"{path}/token", field)
        token = _rotate(member, f"{path}/token", field)
        ok(qr.client(token).get(path))
    assert TEST_SETTINGS.token_rotations_burst == BURST
