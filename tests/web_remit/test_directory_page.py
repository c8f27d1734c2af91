"""The directory on the regulator's page: the look-ups members made (who, which number, the answer) and the
disputes over numbers, decided from the page through the directory operator."""

from __future__ import annotations

import httpx

from inzira.demo.setup import load_api_keys
from tests.web_remit.helpers import DEMO_NUMBER, HTTP_TIMEOUT_S, REGISTER_TIMEOUT_S


def test_the_regulator_reads_look_ups_and_decides_disputes(demo, base_url, service, signed_in, new_wallet) -> None:
    tokens = load_api_keys(demo.data_dir)
    found = httpx.get(f"{base_url}/v1/remit/parties/MSISDN/{DEMO_NUMBER}", timeout=HTTP_TIMEOUT_S,
                      headers={"Authorization": f"Bearer {tokens['eurosend']}"})
    assert found.status_code == 200
    number = new_wallet("mobimo")
    demo.remit.sims["ubumwe"].admin.create_wallet(number[1:], "Eric", "Mugisha")
    claim = service.submit(service.register_number("ubumwe", number)).result(REGISTER_TIMEOUT_S)
    assert claim["state"] == "DISPUTED"
    dispute_id = claim["dispute_id"]

    regulator = signed_in("cbr", "regulator")
    page = regulator.get("/remit/regulator").text
    lookups = page.split('<table class="lookups">', 1)[1].split("</table>", 1)[0]
    assert "eurosend" in lookups and DEMO_NUMBER in lookups and "mobimo" in lookups
    row = page.split(f'data-dispute="{dispute_id}"', 1)[1].split("</tr>", 1)[0]
    assert number in row and "ubumwe" in row and "mobimo" in row and "OPEN" in row
    assert f'action="/remit/regulator/disputes/{dispute_id}"' in row

    agent = signed_in("eurosend", "agent")
    assert agent.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": "move"}).status_code == 403
    assert regulator.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": "maybe"}).status_code == 400
    decided = regulator.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": "move"})
    assert decided.status_code == 303
    assert regulator.post(f"/remit/regulator/disputes/{dispute_id}", data={"outcome": "keep"}).status_code == 409
    row = regulator.get("/remit/regulator").text.split(f'data-dispute="{dispute_id}"', 1)[1].split("</tr>", 1)[0]
    assert "MOVED" in row and "by cbr" in row and "<form" not in row
    moved = httpx.get(f"{base_url}/v1/remit/parties/MSISDN/{number}", timeout=HTTP_TIMEOUT_S,
                      headers={"Authorization": f"Bearer {tokens['eurosend']}"})
    assert moved.json()["fsp_id"] == "ubumwe"
