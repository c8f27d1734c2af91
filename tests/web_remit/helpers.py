"""Driving the remittance pages over HTTP as a browser would: sign in, then post the send form's steps."""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from inzira.remit.records import TransferRecord
from inzira.remit.service import RemitService

HTTP_TIMEOUT_S = 10.0
REGISTER_TIMEOUT_S = 30.0
SETTLE_TIMEOUT_S = 15.0
POLL_S = 0.05
DEMO_NUMBER = "+250788123456"  # Jeanne Uwase's wallet at MobiMo in the demo
SANCTIONED = "Mohammed Youssef Karzanithi"  # an alias of entry ZZi.001 of the sample list
FINAL = ("COMMITTED", "ABORTED", "REJECTED")


def sign_in(base_url: str, member: str, role: str, token: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S)
    form = {"token": token} if token else {"member": member, "role": role}
    response = client.post("/remit/sign-in", data=form)
    if response.status_code != 303:
        client.close()
        raise AssertionError(f"sign-in as {role} of {member}: {response.status_code} {response.text[:300]}")
    return client


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    if found is None:
        raise AssertionError(f"no hidden field {name} in the page")
    return html.unescape(found.group(1))


def field_text(page: str, name: str) -> str:
    """The text of the disclosure's ``data-field`` element (tags removed)."""
    found = re.search(rf'<(\w+)[^>]*data-field="{name}"[^>]*>(.*?)</\1>', page, re.S)
    if found is None:
        raise AssertionError(f"no disclosure field {name} in the page")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(2))).split())


def customer(**changes: str) -> dict[str, str]:
    """A fresh customer (limits and velocity count per customer number) sending to Jeanne Uwase."""
    return {"sender_id": f"cust-{uuid.uuid4().hex[:8]}", "sender_name": "Marie Dupont",
            "receiver_name": "Jeanne Uwase", **changes}


def quote(client: httpx.Client, msisdn: str, amount: str, currency: str = "EUR", amount_type: str = "SEND",
          **names: str) -> httpx.Response:
    """The quote page (the quote step redirects to it), or the amount step with its problem."""
    form = {"msisdn": msisdn, "amount_type": amount_type, "amount": amount, "currency": currency, **customer(**names)}
    return client.post("/remit/send/quote", data=form, follow_redirects=True)


def send_form(quote_page: str) -> dict[str, str]:
    """What the quote page's Send button posts."""
    names = ("msisdn", "amount_type", "amount", "currency", "sender_id", "sender_name", "receiver_name",
             "quote_id", "transfer_id")
    return {name: hidden(quote_page, name) for name in names}


def send(client: httpx.Client, msisdn: str, amount: str, currency: str = "EUR", **names: str) -> str:
    """Quote and send through the pages; the new transfer's id."""
    page = quote(client, msisdn, amount, currency, **names)
    assert page.status_code == 200, page.text[:500]
    response = client.post("/remit/send/transfer", data=send_form(page.text))
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"].rsplit("/", 1)[1]


def wait_record(service: RemitService, transfer_id: str, states: tuple[str, ...] = FINAL,
                timeout_s: float = SETTLE_TIMEOUT_S) -> TransferRecord:
    deadline = time.monotonic() + timeout_s
    while True:
        record = service.transfers.get(transfer_id)
        if record is not None and record.state.value in states:
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"transfer {transfer_id} is {record.state.value if record else 'missing'}, "
                                 f"not one of {states}")
        time.sleep(POLL_S)


def sse_frames(client: httpx.Client, path: str, after_first: Callable[[], None] | None = None,
               frames_max: int = 50) -> list[dict[str, Any]]:
    """The ``event: status`` frames of a stream that ends by itself (bounded by the client's timeout);
    ``after_first`` runs once the first frame (the snapshot) is in."""
    frames: list[dict[str, Any]] = []
    with client.stream("GET", path) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "status":
                frames.append(json.loads(line[6:]))
                if len(frames) == 1 and after_first is not None:
                    after_first()
                if len(frames) >= frames_max:
                    break
    return frames


MADE_UP_CURSORS = ("garbage!", "MTI6", "x" * 300)  # not base64url, no separator, too long


def made_up_pages_show_the_first(client: httpx.Client, path: str, param: str, rows: str, says: str) -> None:
    """A page's list asked from a cursor this site never gave out: 400, saying ``says``, with the first page's
    rows (``rows``: the data attribute that names them)."""
    pattern = rf'{rows}="([^"]+)"'
    first = re.findall(pattern, client.get(path).text)
    for made_up in MADE_UP_CURSORS:
        response = client.get(path, params={param: made_up})
        assert response.status_code == 400 and says in response.text
        assert re.findall(pattern, response.text) == first
