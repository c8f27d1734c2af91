"""Settlement with the hub and reconciliation: the window's net position, each eKash transfer matched with its
Inzira legs, the report's API (authorized, paged) and ``inzira mojaloop reconcile`` with the hub's file.

The payee side runs on a real demo with the gateway (payee_env.py's recording hub); the payer side on the
remittance world of test_mojaloop_remit_ekash.py (the Testing Toolkit plays eKash).
"""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from inzira.cli.main import app as cli
from inzira.demo.setup import load_api_keys
from inzira.interop.mojaloop import hub_file, settlement
from inzira.interop.mojaloop.ekash_book import RouteBook as PayerRecords
from inzira.interop.mojaloop.payer_answers import QuoteTerms
from inzira.interop.mojaloop.reconcile import Reason, against_hub, payee_reasons, payer_reasons
from inzira.interop.mojaloop.settlement import Sources
from inzira.interop.mojaloop.store import Store
from tests.mojaloop import hub_rules
from tests.mojaloop.payee_env import Bench, bench, quote_body, transfer_body  # noqa: F401 (fixture)
from tests.mojaloop.test_mojaloop_remit_ekash import FEE, KNOWN, World, _final, _send, world  # noqa: F401
from tests.mojaloop.waiting import wait_for

HTTP_TIMEOUT_S = 10.0


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def _pay(bench: Bench, amount: str) -> str:
    """An eKash payer pays the demo wallet ``amount`` RWF: the transfer id, once the gateway committed it."""
    quote = quote_body(amount=amount)
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    transfer = transfer_body(quote, answer)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
    return transfer["transferId"]


def _refused(bench: Bench, amount: str) -> str:
    """A transfer the gateway refuses (its expiration is past): recorded ABORTED, nothing reserved."""
    quote = quote_body(amount=amount)
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    late = transfer_body(quote, answer, expiration="2020-01-01T00:00:00.000Z")
    assert bench.send("POST", "/transfers", "transfers", late).status_code == 202
    assert bench.hub.take(f"/transfers/{late['transferId']}/error").body["errorInformation"]["errorCode"] == "3303"
    return late["transferId"]


def _hub_aborts(bench: Bench, transfer_id: str) -> None:
    patch = {"completedTimestamp": "2026-12-05T12:00:00.000Z", "transferState": "ABORTED"}
    assert bench.send("PATCH", f"/transfers/{transfer_id}", "transfers", patch, drop=("Accept",),
                      headers={"FSPIOP-Source": "switch"}).status_code == 200
    wait_for(lambda: bench.demo.gateway.store.transfer(transfer_id).hub_state == "ABORTED")


def _report(bench: Bench, member: str = "ekash", **params: Any) -> httpx.Response:
    token = load_api_keys(bench.demo.data_dir)[member]
    return httpx.get(f"http://127.0.0.1:{bench.demo.port}/v1/mojaloop/settlement", params=params,
                     headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_S)


def _reconcile(bench: Bench, *args: str) -> tuple[int, Any]:
    """``inzira mojaloop reconcile ... --json`` against the bench: exit code and the JSON printed."""
    result = CliRunner().invoke(cli, ["mojaloop", "reconcile", "--url", f"http://127.0.0.1:{bench.demo.port}",
                                      "--data", str(bench.demo.data_dir), "--json", *args])
    return result.exit_code, json.loads(result.stdout)


# --- the payee side, through the API ----------------------------------------------------------------------


def test_the_window_report_nets_committed_payments_and_lists_aborted_and_disputed_apart(bench):
    from_ms = _now_ms()
    paid = _pay(bench, "4321")
    refused = _refused(bench, "900")
    disputed = _pay(bench, "300")
    _hub_aborts(bench, disputed)
    window = {"from_ms": from_ms, "to_ms": _now_ms() + 1}
    answer = _report(bench, **window)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["payee"] == {"committed": {"RWF": {"count": 1, "sum_minor": 4321}},
                               "aborted": {"RWF": {"count": 2, "sum_minor": 1200}}, "pending": {}}
    assert report["payer"] == {"committed": {}, "aborted": {}, "pending": {}}
    assert report["net_minor"] == {"RWF": 4321} and report["next_cursor"] is None
    items = {item["transfer_id"]: item for item in report["items"]}
    assert set(items) == {paid, refused, disputed}
    assert (items[paid]["inzira"]["state"], items[paid]["reasons"]) == ("COMMITTED", [])
    assert (items[refused]["group"], items[refused]["inzira"]["state"], items[refused]["reasons"]) == \
        ("aborted", "NONE", [])
    assert items[disputed]["inzira"]["state"] == "COMMITTED" and items[disputed]["hub_state"] == "ABORTED"
    assert items[disputed]["reasons"] == [Reason.HUB_ABORTED_AFTER_FULFILMENT]
    # The regulator sees it too; another member finds nothing; no token is no answer.
    assert _report(bench, "cbr", **window).json()["items"] == report["items"]
    assert _report(bench, "mobimo", **window).status_code == 404
    assert httpx.get(f"http://127.0.0.1:{bench.demo.port}/v1/mojaloop/settlement", params=window,
                     timeout=HTTP_TIMEOUT_S).status_code == 401


def test_pages_walk_the_window_once_each(bench):
    from_ms = _now_ms()
    paid = {_pay(bench, str(amount)) for amount in (101, 102, 103)}
    window = {"from_ms": from_ms, "to_ms": _now_ms() + 1}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = _report(bench, **window, limit=1, **({"cursor": cursor} if cursor else {})).json()
        assert len(page["items"]) <= 1 and page["net_minor"] == {"RWF": 306}
        seen += [item["transfer_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(paid) and len(seen) == 3
    whole = _report(bench, **window, limit=500).json()
    assert [item["transfer_id"] for item in whole["items"]] == seen


@pytest.mark.parametrize("params", [
    {"from_ms": 2_000, "to_ms": 1_000},  # from > to
    {"from_ms": 1_000, "to_ms": 1_000},  # empty
    {"from_ms": 0, "to_ms": 32 * 86_400_000},  # longer than 31 days
    {"from_ms": 0, "to_ms": 1_000, "cursor": "payee.1.!!"},  # a cursor the report never gave
    {"from_ms": 0, "to_ms": 1_000, "cursor": "payer.1.gA"},  # not UTF-8 inside
    {"from_ms": 0, "to_ms": 1_000, "cursor": "x" * 201},
    {"from_ms": 0, "to_ms": 1_000, "limit": 0},
    {"from_ms": 0, "to_ms": 1_000, "limit": 501},
    {"from_ms": -1, "to_ms": 1_000},
    {"from_ms": "yesterday", "to_ms": 1_000},
    {"from_ms": 0, "to_ms": 2**64},
])
def test_a_crafted_query_is_a_400_3100(bench, params):
    answer = _report(bench, **params)
    assert (answer.status_code, answer.json()["code"]) == (400, 3100), answer.text


def test_the_default_window_is_today_in_utc(bench):
    report = _report(bench).json()
    start = _now_ms() // 86_400_000 * 86_400_000
    assert (report["from_ms"], report["to_ms"]) == (start, start + 86_400_000)


# --- the command, with the hub's file ---------------------------------------------------------------------


def test_reconcile_exits_0_when_the_hub_file_agrees_and_1_on_each_disagreement(bench, tmp_path):
    from_ms = _now_ms()
    paid = _pay(bench, "2500")
    window = ["--from", _iso(from_ms), "--to", _iso(_now_ms() + 1)]
    code, report = _reconcile(bench, *window)
    assert code == 0 and report["matched"] and report["net_minor"] == {"RWF": 2500}
    agree = tmp_path / "agree.json"
    agree.write_text(json.dumps([{"transferId": paid.upper(), "amount": "2500", "currency": "RWF",
                                  "state": "COMMITTED"}]))
    code, report = _reconcile(bench, *window, "--hub-file", str(agree))
    assert code == 0 and report["mismatches"] == 0, report
    stranger = "0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2"
    cases = [
        ([{"transferId": paid, "amount": "2400", "currency": "RWF", "state": "COMMITTED"}],
         {paid: [Reason.HUB_AMOUNT_DIFFERS]}),
        ([{"transferId": paid, "amount": "2500", "currency": "RWF", "state": "ABORTED"}],
         {paid: [Reason.HUB_STATE_DIFFERS]}),
        ([], {paid: [Reason.MISSING_AT_HUB]}),
        ([{"transferId": paid, "amount": "2500", "currency": "RWF", "state": "COMMITTED"},
          {"transferId": stranger, "amount": "10", "currency": "RWF", "state": "COMMITTED"},
          {"transferId": "1a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2", "amount": "10", "currency": "RWF",
           "state": "ABORTED"}],  # an abort the gateway never saw moves nothing
         {stranger: [Reason.UNKNOWN_TO_GATEWAY]}),
    ]
    for entries, expected in cases:
        path = tmp_path / "hub.json"
        path.write_text(json.dumps(entries))
        code, report = _reconcile(bench, *window, "--hub-file", str(path))
        assert code == 1 and not report["matched"], report
        assert {i["transfer_id"]: i["reasons"] for i in report["items"] if i["reasons"]} == expected


def test_reconcile_prints_a_table_and_names_each_mismatch(bench):
    from_ms = _now_ms()
    disputed = _pay(bench, "700")
    _hub_aborts(bench, disputed)
    result = CliRunner().invoke(cli, ["mojaloop", "reconcile", "--url", f"http://127.0.0.1:{bench.demo.port}",
                                      "--data", str(bench.demo.data_dir), "--from", _iso(from_ms),
                                      "--to", _iso(_now_ms() + 1)], terminal_width=200)
    assert result.exit_code == 1, result.stdout
    assert "Mismatches (1)" in result.stdout and disputed in result.stdout
    assert "HUB_ABORTED_AFTER_FULFILMENT" in result.stdout and "recover it" in result.stdout


HOSTILE_FILES = [
    b"",  # not JSON
    b"{\"transferId\": 1}",  # not a list
    b"[1]",
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": 1e400, \"currency\": \"RWF\", "
    b"\"state\": \"COMMITTED\"}]",  # a number (and an infinite one)
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": " + b"9" * 5000 +
    b", \"currency\": \"RWF\", \"state\": \"COMMITTED\"}]",  # an integer of 5,000 digits
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": \"" + b"9" * 19 +
    b"\", \"currency\": \"RWF\", \"state\": \"COMMITTED\"}]",  # beyond FSPIOP's 18 digits
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": \"1.5\", \"currency\": \"RWF\", "
    b"\"state\": \"COMMITTED\"}]",  # RWF has no decimals
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": \"-1\", \"currency\": \"RWF\", "
    b"\"state\": \"COMMITTED\"}]",
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": \"1\", \"currency\": \"XQZ\", "
    b"\"state\": \"COMMITTED\"}]",
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": \"1\", \"currency\": \"RWF\", "
    b"\"state\": \"SETTLED\"}]",
    b"[{\"transferId\": \"../../etc/passwd\", \"amount\": \"1\", \"currency\": \"RWF\", \"state\": \"COMMITTED\"}]",
    b"[{\"transferId\": null, \"amount\": \"1\", \"currency\": \"RWF\", \"state\": \"COMMITTED\"}]",
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": \"1\", \"currency\": \"RWF\", "
    b"\"state\": \"COMMITTED\", \"extra\": 1}]",
    b"[{\"transferId\": \"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2\", \"amount\": \"1\", \"currency\": \"RWF\", "
    b"\"state\": \"COMMITTED\"}, {\"transferId\": \"0A6BD3F6-4D1B-4BA5-8A4D-6B5F33A1C9D2\", \"amount\": \"1\", "
    b"\"currency\": \"RWF\", \"state\": \"COMMITTED\"}]",  # the same id twice
    b"[" * 100_000 + b"]" * 100_000,  # nesting deep enough to exhaust a recursive parser
    b"[NaN]",
]


@pytest.fixture(scope="module")
def one_payment(bench: Bench) -> dict[str, int]:
    """A window holding one committed payment (each payment costs the gateway directory look-ups)."""
    from_ms = _now_ms()
    _pay(bench, "150")
    return {"from_ms": from_ms, "to_ms": _now_ms() + 1}


@pytest.mark.parametrize("content", HOSTILE_FILES, ids=range(len(HOSTILE_FILES)))
def test_a_hostile_hub_file_is_refused_whole_with_exit_2_and_changes_nothing(bench, one_payment, tmp_path, content):
    window = one_payment
    from_ms = window["from_ms"]
    before = _report(bench, **window).json()
    path = tmp_path / "hub.json"
    path.write_bytes(content)
    code, answer = _reconcile(bench, "--from", _iso(from_ms), "--to", _iso(window["to_ms"]), "--hub-file", str(path))
    assert code == 2 and answer["error"]["code"] == "bad_hub_file", answer
    assert _report(bench, **window).json() == before


@pytest.mark.parametrize("args", [
    ["--from", "2026-13-01"],
    ["--from", "yesterday"],
    ["--from", "2026-12-05", "--to", "2026-12-04"],  # from > to
    ["--from", "2026-12-05", "--to", "2026-12-05"],  # empty
    ["--from", "2026-01-01", "--to", "2026-03-01"],  # longer than 31 days
    ["--from", "1969-12-31"],
    ["--hub-file", "/nonexistent/hub.json"],
    ["--hub-file", "/"],  # a directory
    ["--token", "not-a-token"],  # the gateway refuses it
    ["--url", "http://127.0.0.1:9"],  # nobody listens
])
def test_usage_and_io_errors_exit_2(bench, args):
    result = CliRunner().invoke(cli, ["mojaloop", "reconcile", "--url", f"http://127.0.0.1:{bench.demo.port}",
                                      "--data", str(bench.demo.data_dir), "--json", *args])
    assert result.exit_code == 2, result.stdout


def test_a_server_that_does_not_answer_a_report_is_exit_2(bench):
    # The recording hub answers every path 200 with an empty body.
    code, answer = _reconcile(bench, "--url", bench.hub.url)
    assert code == 2 and answer["error"]["code"] == "no_report", answer


def test_without_a_token_anywhere_it_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["mojaloop", "reconcile", "--data", str(tmp_path), "--json"])
    assert result.exit_code == 2 and json.loads(result.stdout)["error"]["code"] == "no_token"


def test_a_demo_without_the_gateway_is_named_with_what_to_do(tmp_path):
    (tmp_path / "api-keys.json").write_text(json.dumps({"cbr": "t" * 32}))
    result = CliRunner().invoke(cli, ["mojaloop", "reconcile", "--data", str(tmp_path), "--json"])
    error = json.loads(result.stdout)["error"]
    assert result.exit_code == 2 and error["code"] == "no_token" and "--mojaloop-hub" in error["message"], error

    class NoGateway(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"title": "not found", "status": 404, "code": 3002,
                               "detail": "no route for GET /v1/mojaloop/settlement"}).encode()
            self.send_response(404)
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), NoGateway) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{server.server_port}"
            result = CliRunner().invoke(cli, ["mojaloop", "reconcile", "--url", url, "--token", "t" * 32, "--json"])
        finally:
            server.shutdown()
    error = json.loads(result.stdout)["error"]
    assert result.exit_code == 2 and error["code"] == "no_report" and "--mojaloop-hub" in error["message"], error


# --- the payer side: remittances paid out through eKash ------------------------------------------------------


def test_payouts_through_ekash_are_owed_to_the_hub_and_match_their_remittances(world: World, tmp_path: Path):
    from_ms = _now_ms()
    with world.client() as client:
        paid_quote = client.quote(KNOWN, "RECEIVE", 10_000, "RWF", "EUR")
        aborted_quote = client.quote(KNOWN, "RECEIVE", int(hub_rules.TRANSFER_ABORTED) - FEE, "RWF", "EUR")
    paid, _view = _send(world, paid_quote["quote_id"])
    aborted, _view = _send(world, aborted_quote["quote_id"])
    assert _final(world, paid)["state"] == "COMMITTED" and _final(world, aborted)["state"] in ("ABORTED", "EXPIRED")
    to_ms = _now_ms() + 1
    transfers = world.service.transfers

    def remittance(quote_id: str) -> Any:
        found = transfers.quote(quote_id)
        return None if found is None or found[1] is None else transfers.get(found[1])

    payee = Store(tmp_path / "mojaloop.db")
    sources = Sources(payee, world.route.state, world.net.node.pending, remittance, _now_ms)
    try:
        totals = settlement.summary(sources, from_ms, to_ms)
        items, cursor = settlement.page(sources, from_ms, to_ms)
    finally:
        payee.close()
    owed = 10_000 + FEE
    assert totals["payer"]["committed"] == {"RWF": {"count": 1, "sum_minor": owed}}
    assert totals["payer"]["aborted"] == {"RWF": {"count": 1, "sum_minor": int(hub_rules.TRANSFER_ABORTED)}}
    assert totals["net_minor"] == {"RWF": -owed} and cursor is None
    by_remittance = {item["inzira"]["remittance_id"]: item for item in items}
    assert set(by_remittance) == {paid, aborted}
    assert by_remittance[paid]["side"] == "payer" and by_remittance[paid]["state"] == "COMMITTED"
    assert (by_remittance[paid]["inzira"]["state"], by_remittance[paid]["reasons"]) == ("COMMITTED", [])
    assert by_remittance[paid]["amount_minor"] == owed
    assert (by_remittance[aborted]["inzira"]["state"], by_remittance[aborted]["reasons"]) == ("ABORTED", [])


def test_a_payer_book_of_the_earlier_schema_is_upgraded_in_place(tmp_path):
    path = tmp_path / "ekash.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE ekash (quote_id TEXT PRIMARY KEY, msisdn TEXT NOT NULL, terms TEXT NOT NULL,"
                   " state TEXT NOT NULL DEFAULT 'QUOTED', reason TEXT NOT NULL DEFAULT '', fulfilment BLOB,"
                   " reference_id TEXT UNIQUE, expires_at TEXT)")
        db.execute("INSERT INTO ekash (quote_id, msisdn, terms) VALUES ('q', '250788', '{}')")
    records = PayerRecords(path)
    try:
        assert records.sent_totals(0, 10**13) == [] and records.sent_page(0, 10**13, None, 10) == []
    finally:
        records.close()


# --- the rules, one by one ------------------------------------------------------------------------------------


RWF = (1_000, "RWF")


@pytest.mark.parametrize(("state", "hub", "inzira", "amount", "expired", "reasons"), [
    ("COMMITTED", "", "COMMITTED", RWF, False, []),
    ("COMMITTED", "", "", None, False, [Reason.INZIRA_LEG_MISSING]),
    ("COMMITTED", "", "ABORTED", RWF, False, [Reason.INZIRA_NOT_POSTED]),
    ("COMMITTED", "", "RESERVED", RWF, False, [Reason.INZIRA_NOT_POSTED]),
    ("ABORTED", "", "COMMITTED", RWF, False, [Reason.INZIRA_POSTED_EKASH_ABORTED]),
    ("COMMITTED", "ABORTED", "COMMITTED", RWF, False, [Reason.HUB_ABORTED_AFTER_FULFILMENT]),
    ("ABORTED", "COMMITTED", "ABORTED", RWF, False, [Reason.HUB_COMMITTED_GATEWAY_ABORTED]),
    ("COMMITTED", "", "COMMITTED", (999, "RWF"), False, [Reason.AMOUNT_DIFFERS]),
    ("COMMITTED", "", "COMMITTED", (1_000, "EUR"), False, [Reason.AMOUNT_DIFFERS]),
    ("RESERVED", "", "RESERVED", RWF, True, [Reason.NOT_FINAL_AFTER_EXPIRY]),
    ("RESERVED", "", "RESERVED", RWF, False, []),
    ("ABORTED", "", "", None, True, []),
])
def test_payee_reasons(state, hub, inzira, amount, expired, reasons):
    assert payee_reasons(state, hub, inzira, amount, RWF, expired) == reasons


@pytest.mark.parametrize(("state", "inzira", "received", "expired", "reasons"), [
    ("COMMITTED", "COMMITTED", RWF, False, []),
    ("COMMITTED", "", None, False, [Reason.INZIRA_LEG_MISSING]),
    ("COMMITTED", "ABORTED", RWF, False, [Reason.INZIRA_NOT_POSTED]),
    ("ABORTED", "COMMITTED", RWF, False, [Reason.INZIRA_POSTED_EKASH_ABORTED]),
    ("ABORTED", "ABORTED", (1, "RWF"), False, [Reason.AMOUNT_DIFFERS]),
    ("QUOTED", "RESERVED", RWF, True, [Reason.NOT_FINAL_AFTER_EXPIRY]),
    ("QUOTED", "RESERVED", RWF, False, []),
])
def test_payer_reasons(state, inzira, received, expired, reasons):
    assert payer_reasons(state, inzira, received, RWF, expired) == reasons


def test_the_hub_file_is_keyed_by_lower_case_id_and_matched_whatever_the_case():
    entries = hub_file.parse(b'[{"transferId": "0A6BD3F6-4D1B-4BA5-8A4D-6B5F33A1C9D2", "amount": "12.5",'
                             b' "currency": "EUR", "state": "RESERVED"}]')
    assert entries == {"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2": (1250, "EUR", "RESERVED")}
    item = {"transfer_id": "0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2", "group": "pending", "amount_minor": 1250,
            "currency": "EUR", "reasons": []}
    assert against_hub([item], entries)[0]["reasons"] == []


def test_pages_cross_from_the_payee_side_to_the_payer_side_without_skipping_or_repeating(bench, tmp_path):
    """Two payee transfers and three eKash payouts in real books, the demo's ledger (which knows none of their
    legs): every page size walks the five once each, in order."""
    from_ms = _now_ms()
    payee_ids = [_pay(bench, "110"), _pay(bench, "120")]
    payer = PayerRecords(tmp_path / "ekash.db")
    expiration = datetime.fromtimestamp((from_ms + 60_000) / 1000, UTC)
    payer_ids = []
    for n in range(3):
        transfer_id = f"0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d{n}"
        terms = QuoteTerms(f"q{n}", f"1b6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d{n}", "payeefsp", "RWF", 1_000 + n, 900 + n,
                           100, expiration, b"\0" * 32, "", transfer_id)
        payer.put_quote(f"remit-quote-{n}", "250788000001", terms)
        payer.sending(f"remit-quote-{n}", f"ref-{n}", expiration, from_ms + n)
        payer_ids.append(transfer_id)
    payer.finish("remit-quote-0", "COMMITTED", "", b"\1" * 32)
    to_ms = _now_ms() + 1
    sources = Sources(bench.demo.gateway.store, payer, bench.demo.runtime.node.pending,
                      lambda _quote_id: None, _now_ms)
    try:
        totals = settlement.summary(sources, from_ms, to_ms)
        assert totals["net_minor"] == {"RWF": 230 - 1_000}
        assert totals["payer"]["pending"] == {"RWF": {"count": 2, "sum_minor": 2_003}}
        for limit in range(1, 7):
            seen: list[str] = []
            cursor = None
            for _ in range(10):
                items, cursor = settlement.page(sources, from_ms, to_ms, cursor, limit)
                assert len(items) <= limit
                seen += [item["transfer_id"] for item in items]
                if cursor is None:
                    break
            assert seen == payee_ids + payer_ids, limit
        items, _cursor = settlement.page(sources, from_ms, to_ms, None, 10)
        assert [item["reasons"] for item in items[2:]] == [[Reason.INZIRA_LEG_MISSING]] * 3
        assert [item["state"] for item in items[2:]] == ["COMMITTED", "SENT", "SENT"]
        # One sent long ago, expired past the grace, and still without an answer: stuck, and said so.
        stale = datetime.fromtimestamp((from_ms - 3_600_000) / 1000, UTC)
        payer.put_quote("remit-quote-stale", "250788000001", QuoteTerms(
            "q-stale", "1b6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9df", "payeefsp", "RWF", 10, 9, 1, stale, b"\0" * 32, "",
            "0a6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9df"))
        payer.sending("remit-quote-stale", "ref-stale", stale, from_ms - 7_200_000)
        items, _cursor = settlement.page(sources, from_ms - 7_200_000, from_ms)
        stuck = [item for item in items if item["side"] == "payer"]
        assert [item["reasons"] for item in stuck] == [[Reason.INZIRA_LEG_MISSING, Reason.NOT_FINAL_AFTER_EXPIRY]]
    finally:
        payer.close()
