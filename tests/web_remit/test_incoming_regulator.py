"""The receiving FSP's page (incoming, paid out, positions, alerts) and the regulator's (corridors, flags)."""

from __future__ import annotations

from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED, send, wait_record


def test_incoming_shows_paid_out_transfers_and_positions(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, "+250722123456", "15.00", receiver_name="Diane Ingabire")  # a wallet at Ubumwe
    assert wait_record(service, transfer_id).state.value == "COMMITTED"
    ubumwe = signed_in("ubumwe", "receiving")
    page = ubumwe.get("/remit/incoming").text
    row = page.split(f'data-transfer="{transfer_id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="COMMITTED"' in row and "SUCCESSFUL" in row and "EuroSend Remit" in row
    assert "Paid out in the transfers shown" in page
    assert 'data-account="ubumwe:rwf"' in page and 'data-account="ubumwe:fees-rwf"' in page
    assert f'data-transfer="{transfer_id}"' not in signed_in("mobimo", "receiving").get("/remit/incoming").text


def test_low_liquidity_threshold_raises_an_alert(signed_in, service) -> None:
    ubumwe = signed_in("ubumwe", "receiving")
    available_minor = service.node.account("ubumwe:fees-rwf").available_minor
    response = ubumwe.post("/remit/incoming/thresholds",
                           data={"account": "ubumwe:fees-rwf", "threshold": str(available_minor + 1_000)})
    assert response.status_code == 303
    page = ubumwe.get("/remit/incoming").text
    assert 'data-alert="liquidity.low"' in page and 'data-account="ubumwe:fees-rwf" class="low"' in page
    wrong = ubumwe.post("/remit/incoming/thresholds", data={"account": "mobimo:rwf", "threshold": "10"})
    assert wrong.status_code == 403
    ubumwe.post("/remit/incoming/thresholds", data={"account": "ubumwe:fees-rwf", "threshold": "0"})


def test_regulator_sees_corridors_and_flagged_transfers(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    done = send(agent, DEMO_NUMBER, "12.00")
    held = send(agent, DEMO_NUMBER, "13.00", receiver_name=SANCTIONED)
    wait_record(service, done)
    wait_record(service, held, ("HELD",))
    regulator = signed_in("cbr", "regulator")
    page = regulator.get("/remit/regulator").text
    row = page.split('data-corridor="EUR-RWF-eurosend-mobimo"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="COMMITTED"' in row and 'data-state="HELD"' in row and " EUR" in row and " RWF" in row
    assert f'data-flagged="{held}"' in page and "<code>ZZi.001</code>" in page
    assert f'data-flagged="{done}"' not in page
    assert regulator.get("/remit/regulator?days=30").status_code == 200
    assert regulator.get("/remit/regulator?days=x").status_code == 200
    assert regulator.get(f"/remit/transfers/{held}").status_code == 200
