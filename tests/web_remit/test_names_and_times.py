"""What the remittance pages say to people: members by their display names (not their ids), every time as
UTC and CAT with the one helper, and a page that is not live says to reload it."""

from __future__ import annotations

import re

from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED, field_text, quote, send, wait_record

MOMENT = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
WHEN = rf'<time datetime="[^"]+">{MOMENT} UTC</time> <span class="cat">{MOMENT} CAT</span>'


def test_the_reference_rates_time_reads_as_every_other_time(signed_in) -> None:
    page = quote(signed_in("eurosend", "agent"), DEMO_NUMBER, "20.00")
    assert page.status_code == 200
    assert re.search(r'data-field="rates_as_of">' + WHEN + r"( \(demo rates\))?</span>", page.text)
    assert not re.search(r"\d\d:\d\d:\d\dZ", field_text(page.text, "rate"))


def test_members_are_named_and_a_page_not_final_says_to_reload(signed_in, service) -> None:
    names = {m: service.node.state.members[m].name for m in ("eurosend", "mobimo")}
    agent = signed_in("eurosend", "agent")
    held_id = send(agent, DEMO_NUMBER, "42.00", receiver_name=SANCTIONED)
    assert wait_record(service, held_id, ("HELD",)).state.value == "HELD"
    held = agent.get(f"/remit/transfers/{held_id}").text
    assert 'data-final="false"' in held
    assert re.search(r'<span class="live" data-live-status>[^<]*reload the page[^<]*</span>', held)
    assert f'<span data-field="route">{names["eurosend"]} → {names["mobimo"]}</span>' in held

    compliance = signed_in("eurosend", "officer").get("/remit/compliance").text
    held_card = compliance.split(f'data-held="{held_id}"', 1)[1].split("</article>", 1)[0]
    assert f"at {names['mobimo']}</span>" in held_card and "at mobimo" not in held_card

    done_id = send(agent, DEMO_NUMBER, "11.00")
    assert wait_record(service, done_id).state.value == "COMMITTED"
    incoming = signed_in("mobimo", "receiving").get("/remit/incoming").text
    row = incoming.split(f'data-transfer="{done_id}"', 1)[1].split("</tr>", 1)[0]
    assert f"<td>{names['eurosend']} <span" in row
    regulator = signed_in("cbr", "regulator").get("/remit/regulator").text
    assert f"<td>{names['eurosend']} → {names['mobimo']}</td>" in regulator
    assert "<td>eurosend → mobimo</td>" not in regulator
