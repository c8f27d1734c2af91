"""Issue 9, case 6, as a member's engineer would try it with only that member's own token, key and files:
reverse the phone numbers on chain, squat a number, enumerate numbers through the look-up API, take over a
number another FSP serves. Each must fail against the real server."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import sqlite3
from pathlib import Path

from inzira.directory.codes import DirectoryCode
from inzira.ledger.codes import Code
from inzira.ledger.tx import SetParty
from inzira.remit.codes import RemitCode
from tests.directory.conftest import SMALL_BURST, Directory
from tests.remit_flow.helpers import problem

SECRET_FILE_BYTES_MAX = 4096


def _candidate_keys(folder: Path) -> list[bytes]:
    """Every small file a member's deployment holds, whole and (for key files) each 32-byte slice of it."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and path.stat().st_size <= SECRET_FILE_BYTES_MAX:
            data = path.read_bytes()
            found.append(data)
            found += [data[i:i + 32] for i in range(0, max(0, len(data) - 31))]
    return found


def test_no_member_holds_a_key_that_reverses_the_numbers_on_chain(directory: Directory) -> None:
    number = directory.wallet("mobimo")
    with directory.http("mobimo") as http:
        assert http.post("/v1/remit/directory", json={"msisdn": number}).status_code == 200
    on_chain = set(directory.net.node.state.parties)
    assert directory.operator.party_hash(number) in on_chain  # type: ignore[arg-type]
    # The attack: hash the number under every secret the members' deployment holds and match the chain.
    keys = [k for k in _candidate_keys(directory.data_dir) if len(k) >= 32]
    assert keys, "the members' folder holds their keys and tokens"
    reversed_by = [k for k in keys if hmac.new(k, number.encode(), hashlib.sha256).digest() in on_chain]
    assert reversed_by == [], "a member's deployment holds the directory key"
    # Only the operator's own folder reverses it.
    operator_keys = _candidate_keys(directory.operator_dir)
    assert any(hmac.new(k, number.encode(), hashlib.sha256).digest() in on_chain for k in operator_keys)
    assert (directory.operator_dir / "directory.key").stat().st_mode & 0o077 == 0


def test_a_member_cannot_squat_a_number_on_chain(directory: Directory) -> None:
    """SilkPay (a wallet issuer) lists a number before the FSP that serves it, signing SetParty itself."""
    number = directory.wallet("mobimo")
    party = directory.operator.party_hash(number)  # type: ignore[arg-type]  (the attacker's best case: it knows the hash)
    for member, fsp in (("silkpay", "silkpay"), ("eurosend", "silkpay"), ("mobimo", "mobimo")):
        raw = directory.net.signer(member).sign(SetParty(party, True, fsp))
        with directory.http(member) as http:
            answer = http.post("/v1/transactions", content=raw, headers={"Content-Type": "application/octet-stream"})
        problem(answer, 422, Code.PERMISSION)
    assert directory.listed(number) is None
    # The FSP that serves the number lists it through the operator: nobody got there first.
    with directory.http("mobimo") as http:
        listed = http.post("/v1/remit/directory", json={"msisdn": number})
    assert listed.status_code == 200 and listed.json()["state"] == "LISTED", listed.text
    assert directory.listed(number) == "mobimo"


def test_look_ups_are_rate_limited_to_the_declared_volume(directory: Directory) -> None:
    """SilkPay declared one transfer a day: a burst of look-ups, then 429 with Retry-After, on the remittance
    API and on the operator's; EuroSend, which declared 50,000 a day, is not held back."""
    number = directory.wallet("mobimo")
    with directory.http("mobimo") as http:
        assert http.post("/v1/remit/directory", json={"msisdn": number}).status_code == 200
    with directory.http("silkpay") as silkpay:
        for _ in range(SMALL_BURST):
            assert silkpay.get(f"/v1/remit/parties/MSISDN/{number}").status_code == 200
        for path in (f"/v1/remit/parties/MSISDN/{number}", f"/v1/directory/parties/MSISDN/{number}",
                     f"/v1/directory/parties/MSISDN/{directory.number()}"):
            refused = silkpay.get(path)
            problem(refused, 429, DirectoryCode.RATE_LIMITED)
            assert refused.headers["Retry-After"].isdigit() and int(refused.headers["Retry-After"]) > 0
        allowance = silkpay.get("/v1/directory/allowance").json()
        assert allowance == {"member": "silkpay", "lookups_per_day": 3, "burst": SMALL_BURST}
    with directory.http("eurosend") as eurosend:
        for _ in range(SMALL_BURST + 3):
            assert eurosend.get(f"/v1/remit/parties/MSISDN/{number}").status_code == 200
    with directory.http("cbr") as regulator:
        refused = regulator.get("/v1/directory/audit").json()["refused_by_member"]
    assert refused["silkpay"] >= 3 and "eurosend" not in refused


def test_a_conflicting_claim_becomes_a_dispute_for_the_regulator(directory: Directory) -> None:
    """A number MobiMo serves is claimed by Ubumwe (say, ported): no first-come 3142, no silent take-over."""
    number = directory.wallet("mobimo")
    directory.wallet("ubumwe", number)
    with directory.http("mobimo") as http:
        assert http.post("/v1/remit/directory", json={"msisdn": number}).status_code == 200
    with directory.http("ubumwe") as http:
        claim = http.post("/v1/remit/directory", json={"msisdn": number})
    assert claim.status_code == 202, claim.text
    answer = claim.json()
    assert answer["state"] == "DISPUTED" and answer["listed"] is False and answer["dispute_id"]
    assert directory.listed(number) == "mobimo"  # nothing moved
    with directory.http("eurosend") as eurosend:
        assert eurosend.get(f"/v1/remit/parties/MSISDN/{number}").json()["fsp_id"] == "mobimo"
        problem(eurosend.get("/v1/directory/disputes"), 403, Code.PERMISSION)
        problem(eurosend.post(f"/v1/directory/disputes/{answer['dispute_id']}/resolution", json={"outcome": "move"}),
                403, Code.PERMISSION)
    with directory.http("ubumwe") as ubumwe:
        problem(ubumwe.post(f"/v1/directory/disputes/{answer['dispute_id']}/resolution", json={"outcome": "move"}),
                403, Code.PERMISSION)
        again = ubumwe.post("/v1/remit/directory", json={"msisdn": number})
    assert again.status_code == 202 and again.json()["dispute_id"] == answer["dispute_id"]  # one case per claim
    with directory.http("cbr") as regulator:
        open_cases = regulator.get("/v1/directory/disputes", params={"state": "OPEN"}).json()["items"]
        case = next(d for d in open_cases if d["dispute_id"] == answer["dispute_id"])
        assert (case["msisdn"], case["claimant"], case["holder"], case["holder_confirms"]) == \
            (number, "ubumwe", "mobimo", True)
        moved = regulator.post(f"/v1/directory/disputes/{case['dispute_id']}/resolution", json={"outcome": "move"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["state"] == "MOVED" and moved.json()["resolved_by"] == "cbr" and moved.json()["tx_id"]
        problem(regulator.post(f"/v1/directory/disputes/{case['dispute_id']}/resolution", json={"outcome": "keep"}),
                409, DirectoryCode.DISPUTE_CLOSED)
        problem(regulator.post("/v1/directory/disputes/no-such-case/resolution", json={"outcome": "keep"}),
                404, DirectoryCode.DISPUTE_NOT_FOUND)
    assert directory.listed(number) == "ubumwe"
    with directory.http("eurosend") as eurosend:
        assert eurosend.get(f"/v1/remit/parties/MSISDN/{number}").json()["fsp_id"] == "ubumwe"
    # MobiMo claims it back; the regulator keeps it where it is now.
    with directory.http("mobimo") as http:
        back = http.post("/v1/remit/directory", json={"msisdn": number})
    assert back.status_code == 202
    with directory.http("cbr") as regulator:
        kept = regulator.post(f"/v1/directory/disputes/{back.json()['dispute_id']}/resolution",
                              json={"outcome": "keep"})
    assert kept.status_code == 200 and kept.json()["state"] == "KEPT" and kept.json()["tx_id"] == ""
    assert directory.listed(number) == "ubumwe"


def test_a_claimant_at_its_dispute_cap_cannot_tell_listed_numbers_from_free_ones(directory: Directory) -> None:
    """An FSP whose own account-holder API confirms whatever it claims probes numbers with listing requests:
    below its cap each number listed elsewhere costs it a dispute the regulator sees. At the cap, the refusal
    (3171) came only for a number listed for another FSP, while a free one was listed: an oracle for "this
    number has a wallet in Inzira" with no look-up role, no allowance, no audit row and no dispute. At the cap
    every listing request of that FSP gets the same refusal, whatever the number."""
    held, other = directory.wallet("mobimo"), directory.wallet("mobimo")
    directory.wallet("ubumwe", held)
    directory.wallet("ubumwe", other)
    free = directory.wallet("ubumwe")
    with directory.http("mobimo") as mobimo:
        for number in (held, other):
            assert mobimo.post("/v1/remit/directory", json={"msisdn": number}).status_code == 200
    operator = directory.operator
    settings = operator.settings
    operator.settings = dataclasses.replace(settings, disputes_open_max=operator.store.open_disputes_of("ubumwe") + 1)
    try:
        with directory.http("ubumwe") as ubumwe:
            claim = ubumwe.post("/v1/remit/directory", json={"msisdn": held})
            assert claim.status_code == 202, claim.text  # the last dispute the cap allows
            on_listed = problem(ubumwe.post("/v1/remit/directory", json={"msisdn": other}), 409,
                                DirectoryCode.DISPUTES_FULL)
            on_free = problem(ubumwe.post("/v1/remit/directory", json={"msisdn": free}), 409,
                              DirectoryCode.DISPUTES_FULL)
        assert on_listed["detail"] == on_free["detail"]
        assert directory.listed(free) is None and directory.listed(other) == "mobimo"
    finally:
        operator.settings = settings
    with directory.http("cbr") as regulator:
        kept = regulator.post(f"/v1/directory/disputes/{claim.json()['dispute_id']}/resolution",
                              json={"outcome": "keep"})
        assert kept.status_code == 200, kept.text


def test_a_holder_name_no_check_can_show_is_the_fsps_failure_not_a_crash(directory: Directory) -> None:
    """A receiving FSP's account-holder API answers a 400-character name (hostile, or broken): the sender's
    look-up crashed with a 500 (the name check refuses to mask more than 300 characters). It is the FSP's
    failure to confirm the wallet, 503 with code PAYEE_UNAVAILABLE, as when its API does not answer."""
    number = directory.wallet("mobimo")
    with contextlib.closing(sqlite3.connect(directory.sims_dir / "mobimo.db")) as books, books:
        books.execute("UPDATE wallets SET given_name = ? WHERE msisdn = ?", ("J" * 400, number[1:]))
    with directory.http("mobimo") as mobimo:
        assert mobimo.post("/v1/remit/directory", json={"msisdn": number}).status_code == 200
    with directory.http("eurosend") as eurosend:
        refused = problem(eurosend.get(f"/v1/remit/parties/MSISDN/{number}"), 503, RemitCode.PAYEE_UNAVAILABLE)
    assert "J" * 20 not in refused["detail"]
