"""The sending agent's page over HTTP: look-up, the full disclosure, send, and every way it can fail."""

from __future__ import annotations

import httpx

import re

from inzira.ledger.receipt import verify_receipt
from inzira.sim.momo import Behaviour, ForcedOutcome
from tests.web_remit.helpers import (
    DEMO_NUMBER,
    field_text,
    hidden,
    quote,
    send,
    send_form,
    wait_record,
)

WITHDRAW_TIMEOUT_S = 30.0


def test_look_up_accepts_a_local_number_and_shows_the_masked_name(signed_in) -> None:
    agent = signed_in("eurosend", "agent")
    page = agent.post("/remit/send/lookup", data={"msisdn": "0788 123 456"})
    assert page.status_code == 200
    assert "<strong data-masked-name>J***** U****</strong>" in page.text
    assert "MobiMo Mobile Money (demo)" in page.text and hidden(page.text, "msisdn") == DEMO_NUMBER
    assert re.search(r'<option value="EUR" selected>EUR</option>', page.text)
    assert '<option value="GBP">GBP</option>' in page.text  # the member's own currencies


def test_unknown_and_invalid_numbers_are_explained(signed_in) -> None:
    agent = signed_in("eurosend", "agent")
    unknown = agent.post("/remit/send/lookup", data={"msisdn": "+250788000001"})
    assert unknown.status_code == 404 and "No wallet is registered for this number" in unknown.text
    assert "(3204:" in unknown.text and 'data-problem="msisdn"' in unknown.text
    foreign = agent.post("/remit/send/lookup", data={"msisdn": "+33612345678"})
    assert foreign.status_code == 400 and "not a Rwandan number" in foreign.text


def test_an_empty_or_unreadable_number_says_how_to_write_one(signed_in) -> None:
    """Not "Check this entry." with the phone library's parse error: what to enter, next to the field, and what
    was typed kept in it."""
    agent = signed_in("eurosend", "agent")
    empty = agent.post("/remit/send/lookup", data={"msisdn": "  "})
    assert empty.status_code == 400 and 'data-problem="msisdn"' in empty.text
    assert "Enter the receiver&#39;s mobile number." in empty.text and "3100" not in empty.text
    for typed in ("abc", "0788 12", "+250 788 123 456 789"):
        garbled = agent.post("/remit/send/lookup", data={"msisdn": typed})
        assert garbled.status_code == 400 and 'data-problem="msisdn"' in garbled.text
        assert "Enter a Rwandan mobile number, as +250 788 123 456 or 0788 123 456. (3100:" in garbled.text
        assert "Check this entry" not in garbled.text and f'value="{typed}"' in garbled.text


def test_quote_shows_the_full_disclosure(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    page = quote(agent, DEMO_NUMBER, "200.00")
    assert page.status_code == 200
    terms, _used = service.transfers.quote(hidden(page.text, "quote_id"))
    assert field_text(page.text, "amount_sent") == "200.00 EUR"
    assert field_text(page.text, "sending_fee") == "2.99 EUR"
    assert field_text(page.text, "total_to_pay") == "202.99 EUR"
    assert f"1 EUR = {terms.rate} RWF" in field_text(page.text, "rate")
    assert f"mid-market {terms.mid_rate}" in field_text(page.text, "rate")
    assert field_text(page.text, "margin_percent") == f"{terms.margin_percent}%"
    assert field_text(page.text, "receiving_fee").startswith("300 RWF")
    assert re.fullmatch(r"\d+\.\d\d%", field_text(page.text, "total_cost_percent"))
    assert field_text(page.text, "amount_received") == f"{terms.amount_received_minor:,} RWF"
    assert "within seconds" in field_text(page.text, "availability")
    assert f'data-expires-at-ms="{terms.expires_at_ms}"' in page.text
    assert "Marie Dupont" in field_text(page.text, "sender") and "Jeanne Uwase" in field_text(page.text, "receiver")
    assert re.fullmatch(r"[0-9a-f-]{36}", hidden(page.text, "transfer_id"))


def test_receiver_gets_amount_in_rwf(signed_in) -> None:
    agent = signed_in("eurosend", "agent")
    page = quote(agent, DEMO_NUMBER, "300,000", amount_type="RECEIVE")
    assert page.status_code == 200 and field_text(page.text, "amount_received") == "300,000 RWF"
    bad = quote(agent, DEMO_NUMBER, "12.345")
    assert bad.status_code == 400 and 'data-problem="amount"' in bad.text
    other = quote(agent, DEMO_NUMBER, "10", currency="CNY")
    assert other.status_code == 400 and 'data-problem="currency"' in other.text


def test_send_leads_to_the_transfer_page_and_is_idempotent(signed_in, service, demo) -> None:
    agent = signed_in("eurosend", "agent")
    page = quote(agent, DEMO_NUMBER, "25.00")
    form = send_form(page.text)
    first = agent.post("/remit/send/transfer", data=form)
    again = agent.post("/remit/send/transfer", data=form)  # a second press of Send: the same transfer
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"] == f"/remit/transfers/{form['transfer_id']}"
    record = wait_record(service, form["transfer_id"])
    assert record.state.value == "COMMITTED"
    shown = agent.get(first.headers["location"]).text
    assert 'data-state="COMMITTED"' in shown and 'data-final="true"' in shown and "The payment is final" in shown
    for stage in ("RECEIVED", "RESERVED", "COMMITTED"):
        assert f'data-stage="{stage}" data-status="done"' in shown
    assert f'href="/tx/{record.reserve_tx_id.hex()}"' in shown and f'href="/tx/{record.resolve_tx_id.hex()}"' in shown
    assert 'data-verify-path="/explorer/verify-receipt"' in shown
    recent = agent.get("/remit/send").text
    assert f'data-transfer="{form["transfer_id"]}"' in recent

    receipt = agent.get(f"/remit/transfers/{form['transfer_id']}/receipt.json")
    assert receipt.status_code == 200 and "attachment" in receipt.headers["content-disposition"]
    entries = receipt.json()["ledger_receipts"]
    assert [e["role"] for e in entries] == ["reservation", "commit"]
    for entry in entries:
        assert verify_receipt(entry["receipt"], demo.runtime.node.genesis)
        checked = agent.post("/explorer/verify-receipt", json=entry["receipt"]).json()
        assert checked["valid"] is True


def test_expired_quote_is_refused_with_3302(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    page = quote(agent, DEMO_NUMBER, "20.00")
    real_clock = service.desk.clock_ms
    service.desk.clock_ms = lambda: real_clock() + service.settings.quote_ttl_ms + 1_000
    try:
        refused = agent.post("/remit/send/transfer", data=send_form(page.text))
    finally:
        service.desk.clock_ms = real_clock
    assert refused.status_code == 422
    assert "The quote expired" in refused.text and "(3302:" in refused.text
    assert 'action="/remit/send/quote"' in refused.text  # back at the amount step, to quote again


def test_insufficient_liquidity_shows_4001(signed_in, service, demo) -> None:
    agent = signed_in("eurosend", "agent")
    gbp = service.node.account("eurosend:gbp")
    keep_minor = 10_00
    filed = service.submit(service.liquidity.withdraw("eurosend", "eurosend:gbp", gbp.available_minor - keep_minor,
                                                      None)).result(WITHDRAW_TIMEOUT_S)
    for n in (1, 2):  # above the issuer's threshold: two of its officers approve
        approved = httpx.post(f"{demo.url}funding/v1/requests/{filed['id']}/approve", json={},
                              headers={"Authorization": f"Bearer {demo.providers.officer_token('sbk', n)}"},
                              timeout=WITHDRAW_TIMEOUT_S)
    assert approved.json()["state"] == "approved", approved.text
    transfer_id = send(agent, DEMO_NUMBER, "100.00", currency="GBP")
    record = wait_record(service, transfer_id)
    assert (record.state.value, record.code) == ("ABORTED", 4001)
    shown = agent.get(f"/remit/transfers/{transfer_id}").text
    assert "Not enough liquidity: your GBP position cannot cover this transfer" in shown and "(4001:" in shown
    assert 'data-stage="ABORTED" data-status="failed"' in shown


def test_payout_failure_returns_the_money(signed_in, service, demo, new_wallet) -> None:
    number = new_wallet("mobimo", "Eric", "Ndayisaba")
    sim = demo.remit.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "fail", "PAYEE_NOT_ALLOWED_TO_RECEIVE"),)))
    try:
        agent = signed_in("eurosend", "agent")
        transfer_id = send(agent, number, "30.00", receiver_name="Eric Ndayisaba")
        record = wait_record(service, transfer_id)
    finally:
        sim.admin.set_behaviour(Behaviour())
    assert (record.state.value, record.code) == ("ABORTED", 5105)
    shown = agent.get(f"/remit/transfers/{transfer_id}").text
    assert "The payout to the wallet failed" in shown and "money returned" in shown
    assert 'data-step="PAYOUT_FAILED"' in shown and "Void" in shown


def test_page_without_a_quote_or_with_a_tampered_id(signed_in) -> None:
    agent = signed_in("eurosend", "agent")
    response = agent.post("/remit/send/transfer", data={"transfer_id": "not-a-uuid", "sender_id": "c",
                                                         "sender_name": "A B", "receiver_name": "C D"})
    assert response.status_code == 400 and "Get a quote first" in response.text
    missing = agent.get("/remit/transfers/11111111-2222-4333-8444-555555555555")
    assert missing.status_code == 404 and "No such transfer" in missing.text



def test_verify_on_the_transfer_page_works_without_javascript(signed_in, service) -> None:
    """The receipt's Verify button is a form post: the server checks each ledger receipt against the genesis
    alone and answers with the page and the verdict, as the script does in place."""
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, DEMO_NUMBER, "12.00")
    assert wait_record(service, transfer_id).state.value == "COMMITTED"
    shown = agent.get(f"/remit/transfers/{transfer_id}").text
    assert f'<form class="actions" method="post" action="/remit/transfers/{transfer_id}/verify">' in shown
    checked = agent.post(f"/remit/transfers/{transfer_id}/verify")
    assert checked.status_code == 200 and checked.headers["cache-control"] == "no-store"
    result = checked.text[checked.text.index('class="verify-result"'):].split("</div>", 1)[0]
    assert '<p class="verdict verdict-valid">✓ valid</p>' in result
    assert re.search(r"<li>reservation: Transaction [0-9a-f]{16}… was committed in block \d+ at .* UTC", result)
    assert re.search(r"<li>commit: Transaction [0-9a-f]{16}… was committed in block \d+ .*signed by mobimo", result)
    receiving = signed_in("mobimo", "receiving").post(f"/remit/transfers/{transfer_id}/verify")
    assert receiving.status_code == 200 and "✓ valid" in receiving.text
    other = signed_in("silkpay", "agent").post(f"/remit/transfers/{transfer_id}/verify")
    assert other.status_code == 404 and "✓ valid" not in other.text
    foreign = agent.post(f"/remit/transfers/{transfer_id}/verify", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "✓ valid" not in foreign.text


def test_back_or_reload_of_the_quote_shows_the_same_transfer_and_sends_it_once(signed_in, service) -> None:
    """The quote step answers with a redirect to the quote's own page: reloading it (or coming Back to it after
    sending) shows the same quote and transfer id, never a new quote; its Send posted twice makes one transfer."""
    agent = signed_in("eurosend", "agent")
    form = {"msisdn": DEMO_NUMBER, "amount_type": "SEND", "amount": "15.00", "currency": "EUR",
            "sender_id": "cust-prg-1", "sender_name": "Marie Dupont", "receiver_name": "Jeanne Uwase"}
    posted = agent.post("/remit/send/quote", data=form)
    assert posted.status_code == 303 and posted.headers["cache-control"] == "no-store"
    location = posted.headers["location"]
    assert re.fullmatch(r"/remit/send/quotes/[0-9a-f-]{36}", location)
    first, reloaded = agent.get(location), agent.get(location)
    assert first.status_code == reloaded.status_code == 200
    assert send_form(first.text) == send_form(reloaded.text)
    sending = send_form(first.text)
    assert sending["quote_id"] == location.rsplit("/", 1)[1] and sending["sender_name"] == "Marie Dupont"
    assert field_text(first.text, "sender") == "Marie Dupont · customer cust-prg-1"

    once = agent.post("/remit/send/transfer", data=sending)
    back = agent.get(location)  # Back after sending: the same quote, now saying it was sent
    assert send_form(back.text)["transfer_id"] == sending["transfer_id"]
    assert f'data-sent-as="{sending["transfer_id"]}"' in back.text
    twice = agent.post("/remit/send/transfer", data=send_form(back.text))
    assert once.status_code == twice.status_code == 303 and once.headers["location"] == twice.headers["location"]
    made = [r for r in service.transfers.page(sending_fsp="eurosend", limit=50) if r.sender_id == "cust-prg-1"]
    assert [r.transfer_id for r in made] == [sending["transfer_id"]]

    other = signed_in("silkpay", "agent").get(location)  # another member's agent: not there
    assert other.status_code == 404 and "Marie Dupont" not in other.text and 'data-problem="msisdn"' in other.text
    unknown = agent.get("/remit/send/quotes/11111111-2222-4333-8444-555555555555")
    assert unknown.status_code == 404 and "start again with the receiver" in unknown.text
