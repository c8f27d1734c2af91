"""A stolen POS tablet or a leaked wallet token has a way out: the acquirer (or issuer) issues a new token or
revokes the old one, and a holder rotates its own. The old token then opens nothing, on any route, in any
open stream or ticket, and after a restart too; the wallet's money stays where it is."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from inzira.qr import tokens
from inzira.qr.directory import Directory
from inzira.qr.records import Merchant, insert_sql, values
from inzira.qr.serve import QrServer
from inzira.qr.settings import QrSettings
from inzira.qr.store.reader import StoreReader
from tests.qr_pay.helpers import HTTP_TIMEOUT_S, EventReader, Qr, created, ok, problem

STREAM_END_TIMEOUT_S = 15.0


def _merchant_token(qr: Qr, merchant: dict[str, Any], client: httpx.Client) -> str:
    answer = ok(client.post(f"/v1/qr/merchants/{merchant['merchant_id']}/token"))
    assert answer["merchant_id"] == merchant["merchant_id"] and answer["revoked"] is False
    assert answer["merchant_token"].startswith(f"qrm_{merchant['merchant_id']}.")
    assert answer["merchant_token"] != merchant["merchant_token"]
    return answer["merchant_token"]


def _wallet_token(qr: Qr, wallet: dict[str, Any], client: httpx.Client) -> str:
    answer = ok(client.post(f"/v1/qr/wallets/{wallet['wallet_id']}/token"))
    assert answer["wallet_id"] == wallet["wallet_id"] and answer["wallet_token"].startswith("qrw_")
    return answer["wallet_token"]


def _refused_everywhere_as_pos(qr: Qr, merchant: dict[str, Any], token: str) -> None:
    pos, path = qr.client(token), f"/v1/qr/merchants/{merchant['merchant_id']}"
    problem(pos.get(path), 401, 3040)
    problem(pos.post(f"{path}/bills", json={"amount_minor": 1_000}), 401, 3040)
    problem(pos.get(f"{path}/statement"), 401, 3040)
    problem(pos.post(f"{path}/token"), 401, 3040)
    problem(pos.post("/v1/qr/tickets"), 401, 3040)


def test_a_stolen_pos_token_is_refused_once_the_acquirer_issues_a_new_one(qr: Qr) -> None:
    merchant = qr.merchant()
    stolen = merchant["merchant_token"]
    new = _merchant_token(qr, merchant, qr.ubumwe)
    _refused_everywhere_as_pos(qr, merchant, stolen)
    assert ok(qr.client(new).get(f"/v1/qr/merchants/{merchant['merchant_id']}"))["merchant_id"] == merchant[
        "merchant_id"]
    created(qr.client(new).post(f"/v1/qr/merchants/{merchant['merchant_id']}/bills", json={"amount_minor": 500}))


def test_a_pos_rotates_its_own_token(qr: Qr) -> None:
    merchant = qr.merchant()
    old = merchant["merchant_token"]
    new = _merchant_token(qr, merchant, qr.client(old))
    _refused_everywhere_as_pos(qr, merchant, old)
    newer = _merchant_token(qr, merchant, qr.client(new))
    problem(qr.client(new).get(f"/v1/qr/merchants/{merchant['merchant_id']}"), 401, 3040)
    ok(qr.client(newer).get(f"/v1/qr/merchants/{merchant['merchant_id']}"))


def test_a_revoked_wallet_cannot_pay_keeps_its_money_and_a_new_token_restores_it(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    bill = qr.bill(merchant, 5_000)
    quote = created(qr.quote(wallet, bill["payload"]))
    path = f"/v1/qr/wallets/{wallet['wallet_id']}"
    revoked = ok(qr.silkpay.delete(f"{path}/token"))
    assert revoked == {"wallet_id": wallet["wallet_id"], "revoked": True, "at_ms": revoked["at_ms"]}
    problem(qr.pay(wallet, quote["quote_id"]), 401, 3040)
    problem(qr.visitor(wallet).get(path), 401, 3040)
    problem(qr.visitor(wallet).post(f"{path}/topups", json={"amount_minor": 100}), 401, 3040)
    problem(qr.visitor(wallet).post(f"{path}/token"), 401, 3040)
    assert qr.balance(wallet["account"]) == 50_000
    seen = ok(qr.silkpay.get(path))
    assert seen["balance_minor"] == 50_000 and seen["reconciled"]
    # Revoking again changes nothing; issuing a token gives the visitor its wallet back, money and all.
    ok(qr.silkpay.delete(f"{path}/token"))
    token = _wallet_token(qr, wallet, qr.silkpay)
    payment = created(qr.client(token).post(f"{path}/payments", json={"quote_id": quote["quote_id"]}))
    assert payment["status"] == "completed" and qr.balance(merchant["account"]) == 5_000


def test_a_wallet_rotates_its_own_token(qr: Qr) -> None:
    wallet = qr.wallet()
    new = _wallet_token(qr, wallet, qr.visitor(wallet))
    problem(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}"), 401, 3040)
    ok(qr.client(new).get(f"/v1/qr/wallets/{wallet['wallet_id']}"))


def test_nobody_else_rotates_or_revokes_and_others_ids_look_unknown(qr: Qr) -> None:
    merchant, other, wallet = qr.merchant(), qr.merchant("Other Shop"), qr.wallet()
    strangers = [qr.client(qr.tokens[m]) for m in ("mobimo", "silkpay", "eurosend")]
    strangers += [qr.client(other["merchant_token"]), qr.visitor(wallet)]
    m_path = f"/v1/qr/merchants/{merchant['merchant_id']}/token"
    for stranger in strangers:
        for method in ("POST", "DELETE"):
            mine = problem(stranger.request(method, m_path), 404, 3250)
            unknown = problem(stranger.request(method, "/v1/qr/merchants/00000000ff/token"), 404, 3250)
            assert mine["detail"].replace(merchant["merchant_id"], "ID") == unknown["detail"].replace(
                "00000000ff", "ID")
    w_path = f"/v1/qr/wallets/{wallet['wallet_id']}/token"
    for stranger in [qr.ubumwe, qr.client(qr.tokens["mobimo"]), qr.pos(merchant), qr.visitor(qr.wallet())]:
        for method in ("POST", "DELETE"):
            problem(stranger.request(method, w_path), 404, 3252)
    # A customer token rotates itself, but only the member that issued it revokes it.
    problem(qr.pos(merchant).delete(m_path), 403, 4300)
    problem(qr.visitor(wallet).delete(w_path), 403, 4300)
    problem(qr.client().post(m_path), 401, 3040)
    ok(qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}"))
    ok(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}"))


def _ends(response: httpx.Response) -> bool:
    """Whether the stream ends by itself (its heartbeats keep the deadline checked)."""
    deadline = time.monotonic() + STREAM_END_TIMEOUT_S
    for _ in response.iter_lines():
        if time.monotonic() > deadline:
            return False
    return True


def test_open_streams_and_tickets_of_an_old_token_end(qr: Qr) -> None:
    merchant, wallet, payer = qr.merchant(), qr.wallet(), qr.wallet("CNY", 50_000)
    m_events = f"/v1/qr/merchants/{merchant['merchant_id']}/events"
    w_events = f"/v1/qr/wallets/{wallet['wallet_id']}/events"
    pos_ticket = qr.ticket(merchant["merchant_token"])
    with httpx.Client(base_url=qr.base_url, timeout=HTTP_TIMEOUT_S) as browser, \
            browser.stream("GET", m_events, params={"ticket": qr.ticket(merchant["merchant_token"])}) as pos, \
            browser.stream("GET", w_events, params={"ticket": qr.ticket(wallet["wallet_token"])}) as visitor, \
            browser.stream("GET", m_events, params={"ticket": qr.ticket(qr.tokens["ubumwe"])}) as acquirer:
        assert pos.status_code == visitor.status_code == acquirer.status_code == 200
        acquirer_events = EventReader(acquirer)
        new = _merchant_token(qr, merchant, qr.ubumwe)
        ok(qr.silkpay.delete(f"/v1/qr/wallets/{wallet['wallet_id']}/token"))
        assert _ends(pos) and _ends(visitor)
        # The acquirer's own stream of the same merchant is not the POS token's: it stays open.
        paid = qr.quote_and_pay(payer, merchant["static_qr"]["payload"], 1_000)
        heard = acquirer_events.wait_for(lambda f: f["event"] == "payment.completed", STREAM_END_TIMEOUT_S)
        assert heard["data"]["data"]["payment_id"] == paid["payment_id"]
    problem(qr.client().get(m_events, params={"ticket": pos_ticket}), 401, 3040)
    problem(qr.client().get(f"/v1/qr/merchants/{merchant['merchant_id']}/qr.svg", params={"ticket": pos_ticket}),
            401, 3040)
    assert qr.client().get(f"/v1/qr/merchants/{merchant['merchant_id']}/qr.svg",
                           params={"ticket": qr.ticket(new)}).status_code == 200


def test_rotation_and_revocation_survive_a_restart(tmp_path: Path) -> None:
    settings = QrSettings()
    with QrServer(tmp_path, settings=settings, block_interval_ms=5) as server, Qr(server) as qr:
        merchant, wallet = qr.merchant(), qr.wallet("CNY", 1_000)
        new = _merchant_token(qr, merchant, qr.ubumwe)
        ok(qr.silkpay.delete(f"/v1/qr/wallets/{wallet['wallet_id']}/token"))
    with QrServer(tmp_path, settings=settings, block_interval_ms=5) as again, Qr(again) as qr:
        problem(qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}"), 401, 3040)
        ok(qr.client(new).get(f"/v1/qr/merchants/{merchant['merchant_id']}"))
        problem(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}"), 401, 3040)
        assert ok(qr.silkpay.get(f"/v1/qr/wallets/{wallet['wallet_id']}"))["balance_minor"] == 1_000
        token = _wallet_token(qr, wallet, qr.silkpay)
        assert ok(qr.client(token).get(f"/v1/qr/wallets/{wallet['wallet_id']}"))["balance_minor"] == 1_000


class _SlowReader(StoreReader):
    """A real reader of ``qr.db`` whose first merchant read is overtaken by a token change: the read is done,
    the change commits and reaches the directory, and only then does the read hand back its row."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.overtake: Callable[[], None] | None = None

    def merchant(self, merchant_id: str) -> Merchant | None:
        found = super().merchant(merchant_id)
        overtake, self.overtake = self.overtake, None
        if overtake is not None:
            overtake()
        return found


def test_a_read_from_before_a_token_change_does_not_bring_the_old_token_back(db: sqlite3.Connection,
                                                                              tmp_path: Path) -> None:
    old_token, old_digest = tokens.mint(tokens.MERCHANT_TOKEN_PREFIX, "00000000aa")
    merchant = Merchant("00000000aa", "ubumwe", "Shop", "Kigali", "5812", "KN 3 Rd", None, None, None, None,
                        "ubumwe:m-00000000aa", "payload", old_digest, 1)
    db.execute(insert_sql("merchants", Merchant), values(merchant))
    db.commit()
    reader = _SlowReader(str(tmp_path / "qr.db"))
    directory = Directory(reader, 10)
    _, new_digest = tokens.mint(tokens.MERCHANT_TOKEN_PREFIX, merchant.id)
    replaced = dataclasses.replace(merchant, token_digest=new_digest)

    def change() -> None:
        db.execute("UPDATE merchants SET token_digest = ? WHERE id = ?", (new_digest, merchant.id))
        db.commit()
        directory.replace_merchant(replaced)

    reader.overtake = change
    try:
        assert directory.merchant(merchant.id) == merchant  # that request began before the change
        assert directory.merchant(merchant.id) == replaced
        parsed = tokens.parse(old_token)
        assert parsed is not None and not parsed.matches(directory.merchant(merchant.id).token_digest)
    finally:
        reader.close()
