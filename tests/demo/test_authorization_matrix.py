"""Issue 9: the authorization matrix, every cell driven against the running demo server and compared with
docs/authorization-matrix.md (see tests/demo/authz_matrix.py for how a cell is read)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.node.signer import MemberSigner
from tests.demo.authz_matrix import as_table, documented, observe
from tests.demo.authz_requests import CALLERS, REQUESTS, context
from tests.hosted import member_keys
from tests.running_demo import running_demo

HTTP_TIMEOUT_S = 30.0
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "matrix") as running:
        yield running


def test_every_operation_the_server_offers_is_in_the_matrix(demo: Demo) -> None:
    spec = httpx.get(f"{demo.url.rstrip('/')}/openapi.json", timeout=HTTP_TIMEOUT_S).json()
    offered = {f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item
               if method in METHODS}
    assert offered == set(REQUESTS), {"untested": sorted(offered - set(REQUESTS)),
                                      "gone": sorted(set(REQUESTS) - offered)}
    assert set(documented()) == set(REQUESTS)


def test_the_server_answers_every_cell_as_documented(demo: Demo) -> None:
    runtime = demo.runtime
    assert runtime is not None
    signer = MemberSigner(runtime.chain_id, "eurosend", member_keys(demo.data_dir)["eurosend"])
    seen = observe(demo.url.rstrip("/"), context(demo.url.rstrip("/"), demo.data_dir, runtime.chain_id, signer),
                   HTTP_TIMEOUT_S)
    expected = documented()
    differences = [f"{op} as {caller}: documented {expected[op][caller]}, server says {seen[op][caller]}"
                   for op in REQUESTS for caller in CALLERS if expected[op][caller] != seen[op][caller]]
    assert not differences, "\n".join(differences) + "\n\nThe server's matrix:\n" + as_table(seen)


def test_a_member_token_opens_none_of_the_other_credential_books(demo: Demo) -> None:
    """The invariant the table shows, stated on its own: the FX quote service, the funding desk and the
    compliance routes take only their own credentials, and no customer token reaches a member route."""
    table = documented()
    members = ("sending_fsp", "wallet_issuer", "receiving_fsp", "acquirer", "fx_provider", "settlement_bank",
               "central_bank")
    for op, row in table.items():
        if op.split()[1].startswith(("/fx/", "/funding/", "/v1/remit/compliance/")):
            assert all(row[m] == "no" for m in members), op
        if op.split()[1].startswith(("/v1/transactions", "/v1/accounts", "/v1/blocks", "/v1/remit/")):
            assert row["merchant"] == row["wallet"] == row["anonymous"] == "no", op
