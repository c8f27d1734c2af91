"""A dispute is about two FSPs: the claimant and the holder listed when the claim came. If the number has moved
to a third FSP since (the holder unlisted it, the third listed it with its own confirmed wallet), deciding the old
dispute with ``move`` would take the number from an FSP the regulator never heard: refused, nothing moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from inzira.directory.codes import DirectoryCode
from inzira.sim.momo import MomoSimConfig, serve
from tests.directory.conftest import Directory
from tests.remit_flow.helpers import problem


def _register(directory: Directory, fsp: str, number: str, active: bool = True) -> dict[str, Any]:
    with directory.http(fsp) as http:
        answer = http.post("/v1/directory/registrations", json=directory.request(fsp, number, active))
    assert answer.status_code in (200, 202), answer.text
    return cast(dict[str, Any], answer.json())


def test_an_old_dispute_cannot_move_a_number_away_from_an_fsp_it_does_not_name(directory: Directory,
                                                                               tmp_path: Path) -> None:
    number = directory.wallet("mobimo")
    directory.wallet("ubumwe", number)
    assert _register(directory, "mobimo", number)["state"] == "LISTED"
    claim = _register(directory, "ubumwe", number)
    assert claim["state"] == "DISPUTED"
    assert _register(directory, "mobimo", number, active=False)["state"] == "UNLISTED"
    # SilkPay opens a wallet at the number and lists it: its own account-holder API confirms the wallet.
    apis = cast(dict[str, Any], directory.operator.settings.account_holder_apis)
    with serve(MomoSimConfig(float_minor=10**9, db_path=str(tmp_path / "silkpay.db"))) as silkpay:
        apis["silkpay"] = silkpay.adapter_config()
        try:
            silkpay.admin.create_wallet(number[1:], "Jeanne", "Uwase")
            assert _register(directory, "silkpay", number)["state"] == "LISTED"
        finally:
            del apis["silkpay"]
    resolution = f"/v1/directory/disputes/{claim['dispute_id']}/resolution"
    with directory.http("cbr") as regulator:
        refused = problem(regulator.post(resolution, json={"outcome": "move"}), 409, DirectoryCode.DISPUTE_OUTDATED)
        assert "silkpay" in refused["detail"] and "mobimo" in refused["detail"]
        assert directory.listed(number) == "silkpay"
        kept = regulator.post(resolution, json={"outcome": "keep"})
        assert kept.status_code == 200 and kept.json()["state"] == "KEPT", kept.text
    assert directory.listed(number) == "silkpay"
