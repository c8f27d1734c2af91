"""The directory operator's API: look-ups for a member's token, signed registration requests (forged,
tampered, expired, another member's, replayed), removal, and the audit log that only the regulator reads."""

from __future__ import annotations

import msgspec

from inzira.api.codes import ApiCode
from inzira.directory.codes import DirectoryCode
from inzira.ledger.codes import Code
from tests.directory.conftest import Directory, now_ms
from tests.remit_flow.helpers import problem

REGISTRATIONS = "/v1/directory/registrations"


def test_look_ups_need_a_member_token(directory: Directory) -> None:
    number = directory.wallet("mobimo")
    with directory.http() as anonymous:
        assert anonymous.post(REGISTRATIONS, json=directory.request("mobimo", number)).status_code == 200
        problem(anonymous.get(f"/v1/directory/parties/MSISDN/{number}"), 401, ApiCode.UNAUTHENTICATED)
        problem(anonymous.get(f"/v1/directory/parties/MSISDN/{number}", headers={"Authorization": "Bearer nope"}),
                401, ApiCode.UNAUTHENTICATED)
    with directory.http("eurosend") as eurosend:
        found = eurosend.get(f"/v1/directory/parties/MSISDN/{number}")
        assert found.status_code == 200 and found.json() == {"msisdn": number, "fsp_id": "mobimo"}
        problem(eurosend.get(f"/v1/directory/parties/MSISDN/{directory.number()}"), 404, Code.PARTY_NOT_FOUND)
        problem(eurosend.get("/v1/directory/parties/MSISDN/+3225551234"), 400, Code.VALIDATION)


def test_a_signed_request_lists_a_number_once(directory: Directory) -> None:
    number = directory.wallet("mobimo")
    body = directory.request("mobimo", number)
    with directory.http() as http:
        listed = http.post(REGISTRATIONS, json=body)
        assert listed.status_code == 200, listed.text
        answer = listed.json()
        assert answer["state"] == "LISTED" and answer["fsp_id"] == "mobimo" and len(answer["tx_id"]) == 64
        height = directory.net.node.height
        assert http.post(REGISTRATIONS, json=body).json() == answer  # the same request, the same answer
        assert directory.net.node.height == height
        reused = directory.request("mobimo", directory.wallet("mobimo"), request_id=body["request_id"])
        problem(http.post(REGISTRATIONS, json=reused), 409, Code.MODIFIED_REQUEST)
        # A new request for a number already listed for the same FSP: listed, nothing signed.
        again = http.post(REGISTRATIONS, json=directory.request("mobimo", number)).json()
        assert again["state"] == "LISTED" and again["tx_id"] == ""
    assert directory.listed(number) == "mobimo"
    with directory.http("mobimo") as mobimo:  # the FSP sees the entry that lists it, signed by the operator
        seen = mobimo.get(f"/v1/transactions/{answer['tx_id']}")
        assert seen.status_code == 200 and seen.json()["tx"]["signers"] == ["cbr"]
    with directory.http("ubumwe") as ubumwe:
        assert ubumwe.get(f"/v1/transactions/{answer['tx_id']}").status_code == 404


def test_forged_tampered_expired_and_foreign_requests_are_refused(directory: Directory) -> None:
    number = directory.wallet("mobimo")
    now = now_ms()
    forged = {**directory.request("mobimo", number), "signature": "ab" * 64}
    tampered = {**directory.request("mobimo", number), "msisdn": directory.wallet("mobimo")}
    by_another = directory.request("mobimo", number, signer="ubumwe")  # Ubumwe's key, claiming to be MobiMo
    other_network = directory.request("mobimo", number, chain_id=b"\x01" * 32)
    stale = directory.request("mobimo", number, signed_at_ms=now - 10 * 60_000)
    early = directory.request("mobimo", number, signed_at_ms=now + 10 * 60_000)
    unknown = {**directory.request("mobimo", number), "member": "ghost-bank"}
    with directory.http() as http:
        for body in (forged, tampered, by_another, other_network, unknown):
            problem(http.post(REGISTRATIONS, json=body), 401, Code.BAD_SIGNATURE)
        for body in (stale, early):
            problem(http.post(REGISTRATIONS, json=body), 401, DirectoryCode.REQUEST_EXPIRED)
        problem(http.post(REGISTRATIONS, json={**forged, "signature": "zz"}), 400, Code.VALIDATION)
        problem(http.post(REGISTRATIONS, json={**forged, "active": "yes"}), 400, Code.VALIDATION)
    assert directory.listed(number) is None


def test_the_operator_lists_only_wallets_the_fsp_holds(directory: Directory) -> None:
    at_ubumwe = directory.wallet("ubumwe")
    with directory.http() as http:
        problem(http.post(REGISTRATIONS, json=directory.request("mobimo", at_ubumwe)), 404, Code.PARTY_NOT_FOUND)
        problem(http.post(REGISTRATIONS, json=directory.request("mobimo", directory.number())), 404,
                Code.PARTY_NOT_FOUND)
        # EuroSend serves no wallets; SilkPay issues wallets but gave the operator no account-holder API.
        problem(http.post(REGISTRATIONS, json=directory.request("eurosend", at_ubumwe)), 403, Code.PERMISSION)
        problem(http.post(REGISTRATIONS, json=directory.request("silkpay", at_ubumwe)), 403, Code.PERMISSION)
    assert directory.listed(at_ubumwe) is None


def test_only_the_listed_fsp_unlists_a_number(directory: Directory) -> None:
    number = directory.wallet("mobimo")
    with directory.http("mobimo") as mobimo:
        assert mobimo.post("/v1/remit/directory", json={"msisdn": number}).status_code == 200
    with directory.http("ubumwe") as ubumwe:
        problem(ubumwe.delete(f"/v1/remit/directory/{number}"), 404, Code.PARTY_NOT_FOUND)
    assert directory.listed(number) == "mobimo"
    with directory.http("mobimo") as mobimo:
        gone = mobimo.delete(f"/v1/remit/directory/{number}")
    assert gone.status_code == 200 and gone.json()["state"] == "UNLISTED" and gone.json()["tx_id"]
    assert directory.listed(number) is None


def test_the_audit_log_is_the_regulators_alone(directory: Directory) -> None:
    number = directory.wallet("mobimo")
    unlisted = directory.number()
    with directory.http("mobimo") as mobimo:
        assert mobimo.post("/v1/remit/directory", json={"msisdn": number}).status_code == 200
    before = now_ms()
    with directory.http("eurosend") as eurosend:
        assert eurosend.get(f"/v1/remit/parties/MSISDN/{number}").status_code == 200
        assert eurosend.get(f"/v1/directory/parties/MSISDN/{unlisted}").status_code == 404
    for member in ("eurosend", "mobimo", "sbk", "imari-fx"):
        with directory.http(member) as http:
            problem(http.get("/v1/directory/audit"), 403, Code.PERMISSION)
    with directory.http() as anonymous:
        problem(anonymous.get("/v1/directory/audit"), 401, ApiCode.UNAUTHENTICATED)
    with directory.http("cbr") as regulator:
        found = regulator.get("/v1/directory/audit", params={"msisdn": number})
        assert found.status_code == 200, found.text
        [entry] = found.json()["items"]
        assert (entry["member"], entry["msisdn"], entry["fsp_id"]) == ("eurosend", number, "mobimo")
        assert entry["at_ms"] >= before
        [missed] = regulator.get("/v1/directory/audit", params={"msisdn": unlisted}).json()["items"]
        assert (missed["member"], missed["fsp_id"]) == ("eurosend", None)
        page = regulator.get("/v1/directory/audit", params={"member": "eurosend", "limit": 1}).json()
        assert len(page["items"]) == 1 and page["next_before_id"] == page["items"][0]["id"]
        older = regulator.get("/v1/directory/audit", params={"member": "eurosend", "limit": 1,
                                                             "before_id": page["next_before_id"]}).json()
        assert older["items"][0]["id"] < page["items"][0]["id"]
        problem(regulator.get("/v1/directory/audit", params={"msisdn": "not a number"}), 400, Code.VALIDATION)
    # The remittance service's client reads the same log with the same filters, as the regulator's pages do.
    read = directory.service.submit(directory.service.directory.audit("cbr", 5, member="eurosend", msisdn=number))
    [same] = read.result(30).items
    assert msgspec.to_builtins(same) == entry
