"""The network soak (``inzira soak network``) on a bounded run, and its checks seen to fire.

The bounded run is the CI's: a few thousand transactions of honest and hostile traffic, each published by
the member that would send it on its own NATS subject with its own credentials (garbage messages too),
through three real peer processes on the session's real NATS cluster; then every peer alive and agreeing,
the chain verified, the ledger compared with the traffic's ground-truth model. The sabotage tests break what
the soak relies on (a transaction lost on its way to the stream, a model that expects money nobody moved)
and check that the soak says so.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from inzira.adversary.cast import Cast
from inzira.adversary.model import Model
from inzira.adversary.traffic import Traffic
from inzira.ledger.apply import prepare
from inzira.cli.main import app
from inzira.ledger.tx import Issue
from inzira.network.layout import DEMO_MEMBER_IDS
from inzira.network.nats_cluster import NatsCluster
from inzira.peer.tx_batch import TX_BATCH_TXS_MAX, TxBatch, decode_batch
from inzira.soak import network as soak_network
from inzira.soak import wire
from tests.network.helpers import running_network

PEERS = ["cbr", "sbk", "eurosend"]
HOSTILE_SHAPES = {"garbage", "truncated", "replay", "reordered_sigs", "missing_sig", "resigned_by_other",
                  "forged_sig", "stranger_quote", "zero_sigs_quote", "hashlock_abuse", "no_authority", "oversize"}


@pytest.fixture
def local(tmp_path: Path, nats_cluster: NatsCluster) -> Iterator:
    with running_network(tmp_path / "net", nats_cluster, PEERS, soak_network.SETTINGS) as net:
        yield net.local


def _soak(local, transactions: int, seed: int) -> tuple[dict, str]:
    err = io.StringIO()
    return soak_network.soak(local, PEERS, transactions, seed, err, check_every=5), err.getvalue()


def test_a_bounded_network_soak_finds_no_defect(local) -> None:
    result, err = _soak(local, 5_000, 21)
    assert result["transactions"] == 5_000 and result["peers"] == 3
    assert result["stopped_early"] == "", err
    assert result["exceptions"] == 0, (result["tracebacks"], err)
    assert result["invariant_violations"] == 0, err
    assert result["peers_agree"] is True and result["agreement_checks"] >= 2, result["examples"]
    assert result["peers_healthy"] is True, result["health"]
    assert result["chain_verified"] is True, result["chain_verify"]
    assert result["chain_verify"]["height"] == result["height"] > 2
    assert result["duplicates_applied"] == 0, result["model_examples"]
    assert result["lost"] == 0 and result["unexpected_txs"] == 0 and result["out_of_order_blocks"] == 0
    assert result["model_mismatches"] == 0 and result["rule_violations"] == 0, result["model_examples"]
    assert result["resolved_twice"] == 0 and result["expiry_mismatches"] == 0, result["model_examples"]
    assert result["unexpected_verdicts"] == 0 and result["hostile_committed"] == 0, result["examples"]
    # What the run covered: honest money moved, the hostile shapes judged, whole garbage messages refused.
    assert result["committed"] > 1_000
    assert HOSTILE_SHAPES <= set(result["shapes"])
    assert result["shapes"]["replay"].keys() <= {"DUPLICATE", "EXPIRED"}
    assert result["garbage_messages"] > 0 and result["refused_messages"] >= result["garbage_messages"]


def test_a_transaction_lost_on_the_way_is_caught(local, monkeypatch) -> None:
    real_pack = wire.pack
    dropped: list[bytes] = []

    def pack_losing_one(shots, prepared, senders):
        messages = real_pack(shots, prepared, senders)
        for message in messages:
            honest = [s for s in message.shots if s.honest]
            if not dropped and len(honest) > 1:  # the rest still makes a block
                dropped.append(honest[0].tx_id)
                raws = tuple(s.raw for s in message.shots if s is not honest[0])
                message.payload = msgspec.msgpack.encode(TxBatch(1, raws))  # the soak still expects it
        return messages

    monkeypatch.setattr(soak_network, "pack", pack_losing_one)
    result, _ = _soak(local, 600, 22)
    assert dropped
    assert result["lost"] == result["honest_lost"] == 1
    assert any(dropped[0].hex()[:16] in e for e in result["examples"])


def test_a_tampered_expectation_is_caught(local, monkeypatch) -> None:
    real_effect = Model._effect

    def one_more_on_issue(model, tx_id, submitter, op):
        real_effect(model, tx_id, submitter, op)
        if type(op) is Issue:
            model._move(op.account, 1, 1)  # the model believes each issue credited one unit more

    monkeypatch.setattr(Model, "_effect", one_more_on_issue)
    result, _ = _soak(local, 600, 23)
    assert result["model_mismatches"] > 0
    assert any("model_mismatches: account" in e for e in result["model_examples"])


def test_the_command_starts_its_own_network_and_prints_one_json_object() -> None:
    outcome = CliRunner().invoke(app, ["soak", "network", "--transactions", "400", "--seed", "3", "--peers", "1",
                                       "--json"])
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.stdout)
    for key in ("transactions", "seed", "peers", "exceptions", "invariant_violations", "peers_agree",
                "duplicates_applied", "tx_per_s"):
        assert key in result
    assert (result["transactions"], result["seed"], result["peers"]) == (400, 3, 1)
    assert result["peers_agree"] is True and result["folder"] is None  # a clean run leaves nothing behind


def test_each_shot_is_sent_by_the_member_that_signed_it_first_in_the_planned_order() -> None:
    cast = Cast.demo()
    traffic = Traffic(4, cast, Model(cast.genesis))
    senders = wire.Senders(list(DEMO_MEMBER_IDS), {m: cast.keys[m][0].public_key for m in DEMO_MEMBER_IDS}, 4)
    shots = traffic.plan(800)
    prepared = [prepare(s.raw) for s in shots.shots]
    messages = wire.pack(shots.shots, prepared, senders)
    assert [s.raw for m in messages for s in m.shots] == [s.raw for s in shots.shots]
    assert len({m.member for m in messages}) >= 5
    owner = {cast.keys[m][0].public_key: m for m in DEMO_MEMBER_IDS}
    for message in messages:
        assert list(decode_batch(message.payload)) == [s.raw for s in message.shots]
        assert len(message.shots) <= TX_BATCH_TXS_MAX
        for p in message.prepared:
            if p.sigs and p.sigs[0].key in owner:
                assert message.member == owner[p.sigs[0].key]
    # A re-signed copy goes out from the member that re-signed it, not from the victim named in the body.
    resigned = [(m, p) for m in messages for s, p in zip(m.shots, m.prepared) if s.shape == "resigned_by_other"]
    assert resigned and all(m.member != p.body.submitter for m, p in resigned)
