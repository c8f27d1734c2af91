"""The directory on the regulator's page: the look-ups members made (who, which number, the answer) and the
disputes over numbers, viewed from any regulator session and decided only from one opened with the regulator's
own API token: deciding is a power, never a demo button."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from inzira.remit.phone import parse_payout_phone
from inzira.remit.service import RemitService
from tests.web_remit.helpers import DEMO_NUMBER, HTTP_TIMEOUT_S, REGISTER_TIMEOUT_S, sign_in


def _dispute(demo: Demo, service: RemitService, new_wallet: Callable[..., str]) -> tuple[str, str]:
    """A number listed for mobimo that ubumwe claims too: (number, open dispute id)."""
    number = new_wallet("mobimo")
    demo.remit.sims["ubumwe"].admin.create_wallet(number[1:], "Eric", "Mugisha")  # type: ignore[union-attr]
    claim = service.submit(service.register_number("ubumwe", number)).result(REGISTER_TIMEOUT_S)
    assert claim["state"] == "DISPUTED"
    return number, claim["dispute_id"]


def _row(page: str, dispute_id: str) -> str:
    return page.split(f'data-dispute="{dispute_id}"', 1)[1].split("</tr>", 1)[0]


def _listed_for(demo: Demo, number: str) -> str | None:
    """Who the chain lists the number for: the ledger's own state, not anyone's answer about it."""
    operator = demo.remit.operator  # type: ignore[union-attr]
    return demo.runtime.node.state.parties.get(operator.party_hash(parse_payout_phone(number)))


def test_a_demo_button_regulator_views_disputes_but_cannot_decide_one(demo, base_url, service, signed_in,
                                                                     new_wallet) -> None:
    """Before: the one-click regulator session of the demo moved a number between FSPs, a power behind a button."""
    number, dispute_id = _dispute(demo, service, new_wallet)
    regulator = signed_in("cbr", "regulator")  # the demo button
    for outcome in ("move", "keep"):
        refused = regulator.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": outcome})
        assert refused.status_code == 403 and "own API token" in refused.text
    dispute = demo.remit.operator.store.dispute(dispute_id)  # type: ignore[union-attr]
    assert dispute is not None and dispute.state == "OPEN" and not dispute.tx_id and not dispute.resolved_by
    assert _listed_for(demo, number) == "mobimo"
    tokens = load_api_keys(demo.data_dir)
    listed = httpx.get(f"{base_url}/v1/remit/parties/MSISDN/{number}", timeout=HTTP_TIMEOUT_S,
                       headers={"Authorization": f"Bearer {tokens['eurosend']}"})
    assert listed.json()["fsp_id"] == "mobimo"
    page = regulator.get("/remit/regulator")  # viewing stays one click
    assert page.status_code == 200
    row = _row(page.text, dispute_id)
    assert number in row and "OPEN" in row and "<form" not in row
    assert 'data-power="needs-token"' in page.text and "api-keys.json" in page.text


def test_the_regulator_reads_look_ups_and_decides_disputes_with_its_own_token(demo, base_url, service, signed_in,
                                                                             new_wallet) -> None:
    tokens = load_api_keys(demo.data_dir)
    found = httpx.get(f"{base_url}/v1/remit/parties/MSISDN/{DEMO_NUMBER}", timeout=HTTP_TIMEOUT_S,
                      headers={"Authorization": f"Bearer {tokens['eurosend']}"})
    assert found.status_code == 200
    number, dispute_id = _dispute(demo, service, new_wallet)

    regulator = sign_in(base_url, "cbr", "regulator", tokens["cbr"])  # the regulator's own API token
    try:
        page = regulator.get("/remit/regulator").text
        assert 'data-power="needs-token"' not in page
        lookups = page.split('<table class="lookups">', 1)[1].split("</table>", 1)[0]
        assert "eurosend" in lookups and DEMO_NUMBER in lookups and "mobimo" in lookups
        row = _row(page, dispute_id)
        assert number in row and "ubumwe" in row and "mobimo" in row and "OPEN" in row
        assert f'action="/remit/regulator/disputes/{dispute_id}"' in row

        agent = signed_in("eurosend", "agent")
        assert agent.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": "move"}).status_code == 403
        assert regulator.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": "maybe"}).status_code == 400
        decided = regulator.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": "move"})
        assert decided.status_code == 303
        assert regulator.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": "keep"}).status_code == 409
        row = _row(regulator.get("/remit/regulator").text, dispute_id)
    finally:
        regulator.close()
    assert "MOVED" in row and "by cbr" in row and "<form" not in row
    assert _listed_for(demo, number) == "ubumwe"
    moved = httpx.get(f"{base_url}/v1/remit/parties/MSISDN/{number}", timeout=HTTP_TIMEOUT_S,
                      headers={"Authorization": f"Bearer {tokens['eurosend']}"})
    assert moved.json()["fsp_id"] == "ubumwe"
