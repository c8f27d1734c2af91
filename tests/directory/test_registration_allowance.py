"""Registration requests have a per-FSP allowance and leave a row in a log the regulator reads.

An FSP whose own account-holder API confirms anything could otherwise list free numbers without end (a SetParty
on chain each) and, below its dispute cap, learn which numbers are listed elsewhere, with no trace. Here a second
operator of the same network (the same key, its own records) grants MobiMo three requests: the fourth is 429
3041 with Retry-After, through the operator's API and through the remittance service alike.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.server import ServedApp, serve_in_thread
from inzira.demo.setup import demo_keyring
from inzira.directory.api import mount_directory
from inzira.directory.client import DirectoryClient
from inzira.directory.codes import DirectoryCode
from inzira.directory.operator import KEY_FILE, DirectoryOperator
from inzira.directory.settings import DAY_MS, Allowance, DirectorySettings
from inzira.ledger.codes import Code
from tests.directory.conftest import HTTP_TIMEOUT_S, Directory
from tests.remit_flow.helpers import problem

REGISTRATIONS = "/v1/directory/registrations"
LOG = "/v1/directory/audit/registrations"
BURST = 3


@dataclass
class Strict:
    operator: DirectoryOperator
    served: ServedApp

    def http(self, directory: Directory, member: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {directory.tokens[member]}"} if member else {}
        return httpx.Client(base_url=self.served.base_url, headers=headers, timeout=HTTP_TIMEOUT_S)


@pytest.fixture
def strict(directory: Directory, tmp_path: Path) -> Iterator[Strict]:
    folder = tmp_path / "directory-operator"
    folder.mkdir(mode=0o700)
    shutil.copy2(directory.operator_dir / KEY_FILE, folder / KEY_FILE)  # the same hash key: the same parties
    settings = DirectorySettings(account_holder_apis={f: s.adapter_config() for f, s in directory.sims.items()},
                                 registration_allowances={"mobimo": Allowance(per_day=1, burst=BURST)})
    operator = DirectoryOperator(demo_keyring(directory.data_dir).port(directory.net, "cbr"), folder, settings,
                                 {t: m for m, t in directory.tokens.items()})
    try:
        app = create_app(directory.net)
        mount_directory(app, operator)
        served, _port = serve_in_thread(app)
        try:
            yield Strict(operator, served)
        finally:
            served.stop()
    finally:
        operator.close()


def test_registrations_beyond_the_allowance_are_refused_and_each_one_counted_is_logged(
        directory: Directory, strict: Strict) -> None:
    listed, unknown, later, over = (directory.wallet("mobimo"), directory.number(), directory.wallet("mobimo"),
                                    directory.wallet("mobimo"))
    at_ubumwe = directory.wallet("ubumwe")
    first = directory.request("mobimo", listed)
    with strict.http(directory) as http:
        assert http.post(REGISTRATIONS, json=first).status_code == 200
        problem(http.post(REGISTRATIONS, json=directory.request("mobimo", unknown)), 404, Code.PARTY_NOT_FOUND)
        # Neither a forged request nor the same request again costs MobiMo anything, nor leaves a row.
        problem(http.post(REGISTRATIONS, json=directory.request("mobimo", over, signer="ubumwe")), 401,
                Code.BAD_SIGNATURE)
        assert http.post(REGISTRATIONS, json=first).json()["state"] == "LISTED"
        assert http.post(REGISTRATIONS, json=directory.request("mobimo", later)).status_code == 200
        refused = http.post(REGISTRATIONS, json=directory.request("mobimo", over))
        problem(refused, 429, DirectoryCode.RATE_LIMITED)
        assert 0 < int(refused.headers["Retry-After"]) <= DAY_MS // 1000  # a day refills one request
        assert refused.json()["title"] == "too many requests" and "registration" in refused.json()["detail"]
        # Ubumwe's allowance is its own (the default).
        assert http.post(REGISTRATIONS, json=directory.request("ubumwe", at_ubumwe)).status_code == 200
    assert directory.listed(over) is None and directory.listed(later) == "mobimo"

    for member in ("mobimo", "eurosend"):
        with strict.http(directory, member) as http:
            problem(http.get(LOG), 403, Code.PERMISSION)
    with strict.http(directory, "cbr") as regulator:
        log = regulator.get(LOG)
        assert log.status_code == 200, log.text
        rows = log.json()["items"]
        assert [(r["member"], r["outcome"], r["status"], r["code"]) for r in rows] == [
            ("ubumwe", "LISTED", 200, None), ("mobimo", "LISTED", 200, None),
            ("mobimo", "REFUSED", 404, Code.PARTY_NOT_FOUND), ("mobimo", "LISTED", 200, None)]
        assert log.json()["refused_by_member"] == {"mobimo": 1}
        numbers = [at_ubumwe, later, unknown, listed]
        hashes = [strict.operator.party_hash(n).hex() for n in numbers]  # type: ignore[arg-type]
        assert [r["party"] for r in rows] == hashes
        for row, number in zip(rows, numbers):  # masked: the network and the last digits, never the number
            assert row["msisdn"] == number[:6] + "****" + number[-3:] and row["active"] is True
        assert rows[-1]["request_id"] == first["request_id"]
        [found] = regulator.get(LOG, params={"msisdn": unknown}).json()["items"]
        assert found["outcome"] == "REFUSED"
        page = regulator.get(LOG, params={"member": "mobimo", "limit": 2}).json()
        assert len(page["items"]) == 2 and page["next_before_id"] == page["items"][1]["id"]
        rest = regulator.get(LOG, params={"member": "mobimo", "before_id": page["next_before_id"]}).json()
        assert [r["party"] for r in rest["items"]] == [rows[-1]["party"]] and rest["next_before_id"] is None


def test_the_remittance_service_passes_the_operators_refusal_on_with_its_retry_after(
        directory: Directory, strict: Strict) -> None:
    service = directory.service
    client = DirectoryClient()
    client.connect(strict.served.base_url, directory.tokens)
    usual, service.directory = service.directory, client  # registrations go to the strict operator
    try:
        with directory.http("mobimo") as mobimo:
            for _ in range(BURST):
                listed = mobimo.post("/v1/remit/directory", json={"msisdn": directory.wallet("mobimo")})
                assert listed.status_code == 200, listed.text
            refused = mobimo.post("/v1/remit/directory", json={"msisdn": directory.wallet("mobimo")})
    finally:
        service.directory = usual
        service.submit(client.aclose()).result(HTTP_TIMEOUT_S)
    problem(refused, 429, DirectoryCode.RATE_LIMITED)
    assert 0 < int(refused.headers["Retry-After"]) <= DAY_MS // 1000
