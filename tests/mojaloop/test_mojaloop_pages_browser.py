"""The eKash leg in the web pages, in a real browser (Debian's chromium driven by Playwright): a remittance to a
number only eKash knows (the Testing Toolkit playing hub and payee FSP) shows the eKash leg in its timeline,
receipt and fee disclosure; an eKash payer's payment to an Inzira merchant (the test playing the hub) appears on
the merchant's POS page live, and its details say who paid and that it is not refunded here."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from inzira.http import HttpProblem
from inzira.remit.client import RemitClient
from tests.browser import chromium, new_context
from tests.mojaloop import hub_rules
from tests.mojaloop.payee_env import PAYER_FSP, bench, quote_body, transfer_body  # noqa: F401
from tests.mojaloop.test_mojaloop_merchant_payments import merchant_api, pay_merchant, wait_line
from tests.mojaloop.ttk import TestingToolkit

WAIT_MS = 10_000
SETTLE_MS = 30_000  # a transfer from Send to COMMITTED, through the toolkit


@pytest.fixture(scope="module")
def browser(ekash_demo: Demo, bench) -> Iterator[Browser]:  # noqa: F811
    """After the demos: Playwright's sync API runs an event loop in this thread, where a demo cannot start."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def ekash_demo(ttk_hub: TestingToolkit, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    demo = Demo(tmp_path_factory.mktemp("pages-ekash"), port=0, mojaloop_hub=ttk_hub.fspiop_url)
    demo.start()
    try:
        ttk_hub.configure(CALLBACK_ENDPOINT=f"http://127.0.0.1:{demo.port}/fspiop")
        yield demo
    finally:
        ttk_hub.configure(CALLBACK_ENDPOINT=ttk_hub.fspiop_url)
        demo.stop()


def new_page(browser: Browser, base_url: str) -> tuple[BrowserContext, Page]:
    context = new_context(browser, base_url, WAIT_MS, accept_downloads=True)
    return context, context.new_page()


def send_to_ekash(page: Page, amount: str) -> None:
    """The sending agent's form, to a number Inzira's directory does not list: it falls back to eKash."""
    page.goto("/remit/sign-in")
    page.get_by_role("button", name="Sign in as sending agent of eurosend").click()
    page.wait_for_url("**/remit/send")
    page.get_by_label("Receiver's mobile number").fill("+" + hub_rules.KNOWN)
    page.get_by_role("button", name="Look up").click()
    page.locator("[data-masked-name]").wait_for()
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_label("Full name", exact=True).fill("Marie Dupont")
    page.get_by_label("Customer number").fill("cust-mariedupont")
    page.get_by_label("Full name, as your customer knows it").fill("Jeanne Uwase")
    page.get_by_role("button", name="Get a quote").click()
    page.locator("[data-quote]").wait_for()
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(re.compile(r".*/remit/transfers/[0-9a-f-]{36}$"))


def test_a_remittance_through_ekash_shows_the_ekash_leg_in_timeline_receipt_and_fees(browser, ekash_demo):
    context, page = new_page(browser, ekash_demo.url.rstrip("/"))
    try:
        send_to_ekash(page, "20.00")
        page.locator('[data-current-state="COMMITTED"]').wait_for(timeout=SETTLE_MS)
        steps = page.locator("table.timeline tr[data-step]").evaluate_all("rows => rows.map(r => r.dataset.step)")
        assert [s for s in steps if s.startswith("EKASH_")] == ["EKASH_QUOTED", "EKASH_RESERVED", "EKASH_COMMITTED"]
        assert steps.index("EKASH_QUOTED") < steps.index("RESERVED") < steps.index("EKASH_RESERVED")
        assert steps.index("EKASH_COMMITTED") < steps.index("COMMITTED")
        transfer_id = page.locator("[data-ekash-transfer] code").inner_text()
        assert re.fullmatch(r"[0-9a-f-]{36}", transfer_id)
        assert transfer_id in page.locator('tr[data-step="EKASH_COMMITTED"]').inner_text()

        receipt = page.locator("[data-receipt]")
        assert hub_rules.PAYEE_FSP in receipt.locator("[data-ekash-transfer]").inner_text()
        assert receipt.locator("[data-ekash-state]").get_attribute("data-ekash-state") == "COMMITTED"
        assert f"{hub_rules.FEE} RWF fee to {hub_rules.PAYEE_FSP}" in receipt.locator("[data-ekash-amounts]").inner_text()

        with page.expect_download() as download:
            receipt.get_by_role("link", name="Download receipt (JSON)").click()
        saved = json.loads(open(download.value.path()).read())
        assert [entry["role"] for entry in saved["ledger_receipts"]] == ["reservation", "commit"]
        leg = saved["ekash_leg"]
        assert (leg["ekash_transfer_id"], leg["payee_fsp"], leg["state"]) == (transfer_id, hub_rules.PAYEE_FSP,
                                                                             "COMMITTED")
        assert leg["payee_fsp_fee_minor"] == int(hub_rules.FEE)
        assert [s["state"] for s in leg["steps"]] == ["QUOTED", "RESERVED", "COMMITTED"]
        receipt.get_by_role("button", name="Verify").click()
        receipt.locator(".verify-result .verdict").wait_for()
        assert receipt.locator(".verify-result .verdict").inner_text() == "✓ valid"

        page.locator("details.panel summary").click()
        fees = page.locator("[data-ekash-fees]").inner_text()
        assert f"{hub_rules.FEE} RWF is the fee of {hub_rules.PAYEE_FSP}" in fees
        assert "the eKash gateway's" in fees
    finally:
        context.close()


def test_an_ekash_payment_appears_on_the_merchants_pos_live(browser, bench):  # noqa: F811
    context, page = new_page(browser, bench.demo.url.rstrip("/"))
    try:
        page.goto("/qr/pos/sign-in")
        page.get_by_role("button", name=f"Sign in as {bench.demo.qr_demo.merchant_name}").click()
        page.wait_for_url("**/qr/pos")
        page.locator("[data-pos-live-status].on").wait_for()  # the feed is live
        page.evaluate("window.notReloaded = true")

        transfer_id = pay_merchant(bench, "3300")
        with merchant_api(bench) as client:
            payment_id = wait_line(client, bench.demo.qr_demo.merchant_id, transfer_id)["payment_id"]
        row = page.locator(f'#pos-payments tr[data-payment="{payment_id}"]')
        row.wait_for()
        assert page.evaluate("window.notReloaded === true")
        assert row.locator("[data-payer]").inner_text() == f"eKash · {PAYER_FSP} · ********789"
        assert "3,300 RWF" in row.inner_text()
        with merchant_api(bench) as client:
            totals = client.get(f"/v1/qr/merchants/{bench.demo.qr_demo.merchant_id}/statement",
                                params={"limit": 1}).json()["totals"]
        count = totals["payments"]
        page.locator("[data-today-totals]", has_text=f"{count} payment{'' if count == 1 else 's'},").wait_for()
        assert page.evaluate("window.notReloaded === true")

        row.get_by_role("link", name="Details").click()
        page.wait_for_url(f"**/qr/pos/payments/{payment_id}")
        assert PAYER_FSP in page.locator('[data-field="payer"]').inner_text()
        assert page.locator("[data-no-refund]").is_visible()
        assert page.locator("#refund").count() == 0
    finally:
        context.close()


def test_an_aborted_ekash_leg_is_shown_aborted_with_its_reason(browser, ekash_demo):
    """eKash aborts the transfer (the toolkit's rule for 4002 RWF): the leg ends ABORTED with the Mojaloop
    code, and the Inzira leg is voided."""
    client = RemitClient(ekash_demo.url.rstrip("/"), load_api_keys(ekash_demo.data_dir)["eurosend"], timeout_s=60.0)
    with client:
        quote = client.quote("+" + hub_rules.KNOWN, "RECEIVE", int(hub_rules.TRANSFER_ABORTED) - int(hub_rules.FEE),
                             "RWF", "EUR")
        transfer_id = str(uuid.uuid4())
        try:
            client.send(transfer_id, quote["quote_id"], "cust-1", "Marie Dupont", "Jeanne Uwase", wait_ms=20_000)
        except HttpProblem:
            pass  # the transfer's page tells how it ended
    context, page = new_page(browser, ekash_demo.url.rstrip("/"))
    try:
        page.goto("/remit/sign-in")
        page.get_by_role("button", name="Sign in as sending agent of eurosend").click()
        page.wait_for_url("**/remit/send")
        page.goto(f"/remit/transfers/{transfer_id}")
        page.locator('[data-current-state="ABORTED"], [data-current-state="EXPIRED"]').wait_for(timeout=SETTLE_MS)
        aborted = page.locator('tr[data-step="EKASH_ABORTED"]')
        assert "MOJALOOP_5105" in aborted.inner_text()
        assert page.locator("[data-ekash-leg]").get_attribute("data-ekash-leg") == "ABORTED"
        assert page.locator("[data-receipt] [data-ekash-state]").get_attribute("data-ekash-state") == "ABORTED"
    finally:
        context.close()


def test_a_hostile_payer_fsp_id_is_shown_as_text_on_the_pos(browser, bench):  # noqa: F811
    """FSPIOP-Source is what the hub relays (up to 32 visible ASCII characters): markup in it stays text."""
    evil = "<img/src=x/onerror=pwned=1>"  # visible ASCII, as an FSP id header may be
    merchant = bench.demo.qr_demo
    context, page = new_page(browser, bench.demo.url.rstrip("/"))
    try:
        page.goto("/qr/pos/sign-in")
        page.get_by_role("button", name=f"Sign in as {merchant.merchant_name}").click()
        page.wait_for_url("**/qr/pos")
        page.locator("[data-pos-live-status].on").wait_for()

        quote = quote_body(merchant.merchant_id, amount="1400", id_type="BUSINESS")
        quote["payer"]["partyIdInfo"]["fspId"] = evil
        assert bench.send("POST", "/quotes", "quotes", quote, headers={"FSPIOP-Source": evil}).status_code == 202
        answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
        transfer = transfer_body(quote, answer, payerFsp=evil)
        assert bench.send("POST", "/transfers", "transfers", transfer,
                          headers={"FSPIOP-Source": evil}).status_code == 202
        assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
        with merchant_api(bench) as client:
            payment_id = wait_line(client, merchant.merchant_id, transfer["transferId"])["payment_id"]
        row = page.locator(f'#pos-payments tr[data-payment="{payment_id}"]')
        row.wait_for()
        assert row.locator("[data-payer]").inner_text() == f"eKash · {evil} · ********789"
        assert row.locator("img").count() == 0
        assert page.evaluate("typeof window.pwned") == "undefined"
        page.reload()
        page.locator(f'tr[data-payment="{payment_id}"] [data-payer]').wait_for()
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator("#pos-payments img").count() == 0
    finally:
        context.close()
