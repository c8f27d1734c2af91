"""A compliance officer acts for a sending FSP only while the ledger says it is one, on the API as on the pages.

An attack seen: once the members took silkpay's sending role away, its pages ended the officer's session, but
the officer's API token still listed the held transfers and decided them: an approval puts a held transfer on
chain, so a member no longer sending could still send what compliance had held.
"""

from __future__ import annotations

import httpx

from tests.hosted import set_roles
from tests.web_remit.helpers import HTTP_TIMEOUT_S

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def test_the_officer_token_stops_with_the_sending_role(demo, base_url: str, service) -> None:
    before = demo.runtime.node.state.members["silkpay"].roles
    token = service.officer_tokens["silkpay"]
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S,
                      headers={"Authorization": f"Bearer {token}"}) as officer:
        assert officer.get("/v1/remit/compliance/held").status_code == 200
        set_roles(demo, "silkpay", tuple(r for r in before if r != "sending_fsp"))
        try:
            for response in (officer.get("/v1/remit/compliance/held"),
                             officer.get("/v1/remit/compliance/decisions"),
                             officer.post(f"/v1/remit/compliance/transfers/{UNKNOWN}/decision",
                                          json={"decision": "approve", "note": "still here"})):
                assert response.status_code == 403 and response.json()["code"] == 4300, response.text
        finally:
            set_roles(demo, "silkpay", before)
        assert officer.get("/v1/remit/compliance/held").status_code == 200
