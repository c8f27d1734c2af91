"""The sending agent's page in a real browser (Debian's chromium driven by Playwright): from the form to
the receipt, with the status followed live; and a held transfer that completes once an officer approves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from inzira.sim.momo import Behaviour
from tests.browser import chromium, new_context
from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED

WAIT_MS = 10_000
SETTLE_MS = 20_000  # a transfer from Send to COMMITTED, payout latency included
PAYOUT_LATENCY_MS = 3_000  # slow enough payouts that the page sees the transfer before it is final


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def contexts(browser: Browser, base_url: str) -> Iterator[list[BrowserContext]]:
    """Two separate browsers' worth of cookies: the agent's and the officer's."""
    opened = [new_context(browser, base_url, WAIT_MS, accept_downloads=True) for _ in range(2)]
    try:
        yield opened
    finally:
        for context in opened:
            context.close()


def sign_in(page: Page, label: str, home: str) -> None:
    page.goto("/remit/sign-in")
    page.get_by_role("button", name=label).click()
    page.wait_for_url(f"**{home}")


def quote(page: Page, amount: str, sender: str, receiver: str) -> None:
    """From the empty form to the disclosure, as an agent types it."""
    page.get_by_label("Receiver's mobile number").fill(DEMO_NUMBER)
    page.get_by_role("button", name="Look up").click()
    assert page.locator("[data-masked-name]").inner_text() == "J***** U****"
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_label("Full name", exact=True).fill(sender)
    page.get_by_label("Customer number").fill("cust-" + re.sub(r"\W", "", sender.lower())[:12])
    page.get_by_label("Full name, as your customer knows it").fill(receiver)
    page.get_by_role("button", name="Get a quote").click()
    page.locator("[data-quote]").wait_for()


def test_agent_sends_and_verifies_the_receipt(demo, contexts: list[BrowserContext]) -> None:
    page = contexts[0].new_page()
    sign_in(page, "Sign in as sending agent of eurosend", "/remit/send")
    quote(page, "200.00", "Marie Dupont", "Jeanne Uwase")

    def field(name: str) -> str:
        return page.locator(f'[data-field="{name}"]').inner_text()

    assert field("amount_sent") == "200.00 EUR" and field("sending_fee") == "2.99 EUR"
    assert re.match(r"1 EUR = \d+\.\d+ RWF", field("rate")) and "mid-market 1585.40" in field("rate")
    assert re.fullmatch(r"\d+\.\d\d%", field("total_cost_percent"))
    assert re.fullmatch(r"[\d,]+ RWF", field("amount_received"))
    assert re.fullmatch(r"expires in 0:[0-5]\d|expires in 1:00", page.locator("[data-countdown]").inner_text())

    sim = demo.remit.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(latency_ms=PAYOUT_LATENCY_MS))
    try:
        page.get_by_role("button", name="Send", exact=True).click()
        page.wait_for_url(re.compile(r".*/remit/transfers/[0-9a-f-]{36}$"))
        page.evaluate("window.notReloaded = true")
        first_state = page.locator("[data-current-state]").get_attribute("data-current-state")
        page.locator('[data-current-state="COMMITTED"]').wait_for(timeout=SETTLE_MS)
    finally:
        sim.admin.set_behaviour(Behaviour())
    assert first_state in ("RECEIVED", "RESERVED")  # the page followed the transfer live...
    assert page.evaluate("window.notReloaded === true")  # ...without reloading
    assert page.locator('[data-stage="COMMITTED"]').get_attribute("data-status") == "done"
    assert "The payment is final" in page.locator("[data-outcome]").inner_text()

    receipt = page.locator("[data-receipt]")
    assert receipt.locator('a[href^="/tx/"]').count() == 2  # the reservation and the commit, in the explorer
    with page.expect_download() as download:
        receipt.get_by_role("link", name="Download receipt (JSON)").click()
    saved = json.loads(open(download.value.path()).read())
    assert [entry["role"] for entry in saved["ledger_receipts"]] == ["reservation", "commit"]

    receipt.get_by_role("button", name="Verify").click()
    verdict = receipt.locator(".verify-result .verdict")
    verdict.wait_for()
    assert verdict.inner_text() == "✓ valid"
    assert "was committed in block" in receipt.locator(".verify-result").inner_text()

    for width in (1280, 390):  # every card of the summary holds its text (the Created card's CAT line too)
        page.set_viewport_size({"width": width, "height": 900})
        overflowing = page.evaluate("""() => [...document.querySelectorAll(".remit-summary > div")]
            .filter((card) => card.scrollWidth > card.clientWidth).map((card) => card.textContent.trim())""")
        assert overflowing == [], (width, overflowing)

    transfer_id = page.url.rsplit("/", 1)[1]
    page.go_back()  # the quote's own page again, not a form to resubmit: the same transfer id, said to be sent
    page.locator(f'[data-sent-as="{transfer_id}"]').wait_for()
    assert page.locator('input[name="transfer_id"]').get_attribute("value") == transfer_id


def test_held_transfer_completes_after_the_officer_approves(demo, contexts: list[BrowserContext]) -> None:
    agent = contexts[0].new_page()
    sign_in(agent, "Sign in as sending agent of eurosend", "/remit/send")
    quote(agent, "50.00", "Marie Dupont", SANCTIONED)
    agent.get_by_role("button", name="Send", exact=True).click()
    agent.wait_for_url(re.compile(r".*/remit/transfers/[0-9a-f-]{36}$"))
    transfer_id = agent.url.rsplit("/", 1)[1]
    agent.locator('[data-current-state="HELD"]').wait_for()
    assert "Held for the compliance officer" in agent.locator("[data-outcome]").inner_text()
    agent.locator("[data-live-status].on").wait_for()  # the stream is open
    agent.evaluate("window.notReloaded = true")

    officer = contexts[1].new_page()
    officer.goto("/remit/sign-in")  # no button for a power: the officer's own token
    officer.get_by_label("A member's API token, or a compliance officer's token").fill(
        demo.remit.service.officer_tokens["eurosend"])
    officer.get_by_role("button", name="Sign in with the token").click()
    officer.wait_for_url("**/remit/compliance")
    held = officer.locator(f'[data-held="{transfer_id}"]')
    assert "ZZi.001" in held.inner_text()
    held.get_by_label("Note").fill("namesake, documents checked")
    held.get_by_role("button", name="Approve").click()
    officer.wait_for_url(f"**/remit/compliance?decided={transfer_id}")

    agent.locator('[data-current-state="COMMITTED"]').wait_for(timeout=SETTLE_MS)
    assert agent.evaluate("window.notReloaded === true")
    steps = agent.locator("#transfer-status tr[data-step]").evaluate_all("rows => rows.map(r => r.dataset.step)")
    assert steps[:2] == ["HELD", "APPROVED"] and steps[-1] == "COMMITTED"
    assert agent.locator('[data-stage="HELD"]').get_attribute("data-status") == "done"


def test_the_regulator_filters_the_registrations_log_on_a_phone_without_javascript(browser: Browser,
                                                                                  base_url: str) -> None:
    context = new_context(browser, base_url, WAIT_MS, java_script_enabled=False,
                          viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, "Sign in as regulator of cbr", "/remit/regulator")
        page.get_by_role("link", name="the registrations log").click()
        page.get_by_label("FSP").select_option("mobimo")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**/remit/regulator/registrations?member=mobimo*")
        fsps = page.locator("table.registrations tbody td:nth-child(2)").all_inner_texts()
        assert fsps and set(fsps) == {"mobimo"}
        # The page does not scroll sideways: the form wraps, the table scrolls in its own frame.
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        context.close()
