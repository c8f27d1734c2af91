"""Who may call, submit and read: tokens, the first-signature rule and the visibility rules."""

from __future__ import annotations

from inzira.api.models import AccountPage
from inzira.ledger.records import Leg
from inzira.ledger.tx import OpenAccount, Transfer
from tests.api.helpers import post_tx, problem


def test_missing_or_invalid_token_is_401(ledger):
    with ledger.http() as anonymous:
        body = problem(anonymous.get("/v1/accounts"), 401, 3040)
        assert "Bearer" in body["detail"]
        assert anonymous.get("/v1/accounts").headers["www-authenticate"].startswith("Bearer")
        problem(anonymous.get("/v1/blocks", headers={"Authorization": "Bearer not-a-token"}), 401, 3040)
        problem(anonymous.get("/v1/blocks", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401, 3040)
        problem(anonymous.get("/v1/blocks", headers={"Authorization": "Bearer " + "x" * 5_000}), 401, 3040)
        problem(post_tx(anonymous, ledger.sign("eurosend", OpenAccount("eurosend:anon", "EUR"))), 401, 3040)


def test_member_cannot_submit_a_transaction_another_member_signed_first(ledger):
    raw = ledger.sign("mobimo", OpenAccount("mobimo:pushed-by-other", "EUR"))
    with ledger.http("eurosend") as eurosend, ledger.http("cbr") as regulator:
        body = problem(post_tx(eurosend, raw), 403, 4300)
        assert body["tx_id"]
        problem(post_tx(regulator, raw), 403, 4300)  # not even the regulator pushes others' transactions
    with ledger.http("mobimo") as mobimo:
        assert mobimo.get("/v1/accounts/mobimo:pushed-by-other").status_code == 404  # nothing happened


def test_members_see_only_what_concerns_them(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=500)
    payee = ledger.account("ubumwe", "EUR")
    outsiders_own = ledger.account("mobimo", "RWF")
    outcome = ledger.net.execute("eurosend", Transfer((Leg(payer, payee, 200, "EUR"),)))
    tx_id = outcome.tx_id.hex()
    with ledger.http("mobimo") as outsider:
        problem(outsider.get(f"/v1/accounts/{payer}"), 404, 3240)
        problem(outsider.get(f"/v1/transactions/{tx_id}"), 404, 3207)
        problem(outsider.get(f"/v1/transactions/{tx_id}/receipt"), 404, 3207)
        problem(outsider.get("/v1/accounts", params={"owner": "eurosend"}), 403, 4300)
        own = AccountPage.model_validate(outsider.get("/v1/accounts").json())
        assert outsiders_own in [a.id for a in own.accounts]
        assert all(a.owner == "mobimo" for a in own.accounts)
    for member in ("eurosend", "ubumwe", "cbr"):  # the payer, the payee and the regulator
        with ledger.http(member) as http:
            assert http.get(f"/v1/transactions/{tx_id}").status_code == 200, member
            assert http.get(f"/v1/transactions/{tx_id}/receipt").status_code == 200, member
    with ledger.http("cbr") as regulator:
        assert regulator.get(f"/v1/accounts/{payer}").json()["balance_minor"] == 300
        listed = regulator.get("/v1/accounts", params={"owner": "eurosend", "limit": 500}).json()["accounts"]
        assert payer in [a["id"] for a in listed]


def test_unknown_ids_look_the_same_as_hidden_ones(ledger):
    with ledger.http("mobimo") as http:
        problem(http.get("/v1/transactions/" + "ab" * 32), 404, 3207)
        problem(http.get("/v1/accounts/mobimo:never-opened"), 404, 3240)
        problem(http.get("/v1/pending/" + "ab" * 32), 404, 3208)
        problem(http.get("/v1/transactions/not-hex"), 400, 3100)
        problem(http.get("/v1/accounts/no-colon"), 400, 3100)


def test_account_pages_follow_the_cursor_without_gaps(ledger):
    for _ in range(5):
        ledger.account("silkpay", "CNY")
    with ledger.http("cbr") as regulator:
        everything = [a["id"] for a in regulator.get("/v1/accounts", params={"limit": 500}).json()["accounts"]]
        paged: list[str] = []
        cursor = None
        for _ in range(100):
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = regulator.get("/v1/accounts", params=params).json()
            paged += [a["id"] for a in page["accounts"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert paged[: len(everything)] == everything and len(paged) >= len(everything)
        assert len(set(paged)) == len(paged)
        problem(regulator.get("/v1/accounts", params={"cursor": "garbage"}), 400, 3100)
        problem(regulator.get("/v1/accounts", params={"limit": 501}), 400, 3100)
