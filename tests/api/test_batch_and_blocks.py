"""The batch endpoint, and blocks: listing, detail, and what each member may see of a block."""

from __future__ import annotations

import base64
import threading

from inzira.api.models import BatchResult, BlockDetail, BlockPage
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer
from tests.api.helpers import problem

BLOCKS_WATCHED = 150
POLLS_MAX = 20_000  # the reader's bound, far above what it does while the blocks are written
POLL_JOIN_S = 30.0


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_batch_answers_each_transaction_in_order(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=1_000)
    payee = ledger.account("mobimo", "EUR")
    txs = [
        b64(ledger.sign("eurosend", Transfer((Leg(payer, payee, 300, "EUR"),)))),
        b64(ledger.sign("eurosend", Transfer((Leg(payer, payee, 5_000, "EUR"),)))),
        b64(ledger.sign("mobimo", OpenAccount("mobimo:not-yours-to-push", "EUR"))),
        "%%% not base64",
        b64(b"\x01\x02"),
    ]
    with ledger.http("eurosend") as http:
        response = http.post("/v1/transactions/batch", json={"txs": txs})
        assert response.status_code == 200, response.text
        batch = BatchResult.model_validate(response.json())
        assert [r.status for r in batch.results] == [200, 422, 403, 400, 400]
        assert [r.code for r in batch.results] == [0, 4001, 4300, 3100, 3101]
        assert batch.committed == 1 and batch.rejected == 4
        assert batch.results[0].height and batch.results[1].height  # both verdicts are in blocks
        again = http.post("/v1/transactions/batch", json={"txs": txs[:2]}).json()["results"]
        assert [(r["height"], r["index"]) for r in again] == [(r.height, r.index) for r in batch.results[:2]]
        assert http.get(f"/v1/accounts/{payer}").json()["balance_minor"] == 700
        problem(http.post("/v1/transactions/batch", json={"txs": []}), 400, 3100)
        problem(http.post("/v1/transactions/batch", json={"txs": ["AA=="] * 1_001}), 400, 3100)
        problem(http.post("/v1/transactions/batch", content=b"{not json", headers={"Content-Type": "application/json"}),
                400, 3100)


def test_blocks_latest_first_with_pages(ledger):
    for _ in range(3):
        ledger.account("imari-fx", "USD")
    with ledger.http("mobimo") as http:
        first = BlockPage.model_validate(http.get("/v1/blocks", params={"limit": 2}).json())
        assert len(first.blocks) == 2 and first.blocks[0].height == first.blocks[1].height + 1
        assert first.blocks[0].height >= ledger.net.node.height - 1
        second = BlockPage.model_validate(http.get("/v1/blocks", params={"limit": 2, "before": first.next_before})
                                          .json())
        assert second.blocks[0].height == first.blocks[1].height - 1
        oldest = http.get("/v1/blocks", params={"before": 2}).json()
        assert [b["height"] for b in oldest["blocks"]] == [1] and oldest["next_before"] is None
        problem(http.get("/v1/blocks", params={"limit": 0}), 400, 3100)
        problem(http.get("/v1/blocks/999999999"), 404, 3200)
        problem(http.get("/v1/blocks/0"), 400, 3100)


def test_block_detail_hides_what_does_not_concern_the_caller(ledger):
    account = ledger.account("silkpay", "CNY")
    outcome = ledger.net.execute("sbk", Issue(account, 8_800, "CNY"))
    with ledger.http("silkpay") as silkpay, ledger.http("mobimo") as mobimo, ledger.http("cbr") as regulator:
        seen = BlockDetail.model_validate(silkpay.get(f"/v1/blocks/{outcome.height}").json())
        line = seen.txs[outcome.index]
        assert line.visible and line.kind == "Issue" and line.submitter == "sbk" and line.code == 0
        assert seen.header["height"] == outcome.height and len(seen.signature) == 128
        hidden = BlockDetail.model_validate(mobimo.get(f"/v1/blocks/{outcome.height}").json()).txs[outcome.index]
        assert not hidden.visible and hidden.kind is None and hidden.tx_id == outcome.tx_id.hex()
        assert regulator.get(f"/v1/blocks/{outcome.height}").json()["txs"][outcome.index]["visible"] is True
        paged = regulator.get(f"/v1/blocks/{outcome.height}", params={"txs_from": 1, "txs_limit": 1}).json()
        assert paged["txs_from"] == 1 and len(paged["txs"]) <= 1


def test_the_height_health_shows_is_a_block_the_api_serves(ledger):
    """A client that reads the height and asks at once for that block gets it, while blocks keep coming."""
    payer = ledger.account("eurosend", "EUR", funded_minor=1_000)
    payee = ledger.account("mobimo", "EUR")
    stop, missing = threading.Event(), []

    def poll() -> None:
        with ledger.http("eurosend") as http:
            for _ in range(POLLS_MAX):
                if stop.is_set():
                    return
                height = http.get("/health").json()["height"]
                found = http.get(f"/v1/blocks/{height}")
                if found.status_code != 200:
                    missing.append((height, found.status_code))

    reader = threading.Thread(target=poll, daemon=True)
    reader.start()
    try:
        for i in range(BLOCKS_WATCHED):  # one at a time: each in a block of its own
            transfer = Transfer((Leg(payer, payee, 1, "EUR"),))
            assert ledger.net.execute("eurosend", transfer, ref=f"watch-{i}").code == 0
    finally:
        stop.set()
        reader.join(timeout=POLL_JOIN_S)
    assert not reader.is_alive()
    assert missing == []
