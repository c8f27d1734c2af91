"""The genesis policy's quote_hold_after_max_ms: a genesis file without it loads with the default, one with it
out of bounds is refused, and the value the genesis sets is the one the ledger applies, replay after replay."""

from __future__ import annotations

import hashlib
import json

import msgspec
import pytest

from inzira.ledger import genesis as genesis_mod
from inzira.ledger.codes import Code
from inzira.ledger.genesis import GenesisError
from inzira.ledger.records import Leg, Policy
from inzira.ledger.state import State
from inzira.ledger.tx import Transfer

from .conftest import Net
from .test_envelope_and_fx import _fx_setup
from .test_quote_attacks import _quote


def _document(net: Net) -> dict:
    return json.loads(genesis_mod.dumps(net.genesis))


def test_a_genesis_without_the_value_loads_with_the_default():
    net = Net()
    document = _document(net)
    assert document["policy"]["quote_hold_after_max_ms"] == Policy().quote_hold_after_max_ms == 600_000
    del document["policy"]["quote_hold_after_max_ms"]
    loaded = genesis_mod.loads(json.dumps(document).encode())
    assert loaded.policy_record() == Policy()
    assert loaded.chain_id == net.genesis.chain_id  # the same network as with the default written out
    assert State.from_genesis(loaded).state_hash == State.from_genesis(net.genesis).state_hash


@pytest.mark.parametrize("value", [0, 999, 24 * 3600 * 1000 + 1, -1])
def test_a_value_out_of_bounds_is_refused(value):
    document = _document(Net())
    document["policy"]["quote_hold_after_max_ms"] = value
    with pytest.raises(GenesisError, match="quote_hold_after_max_ms"):
        genesis_mod.loads(json.dumps(document).encode())


def test_the_genesis_value_is_the_rule_and_rows_keep_it():
    net = Net()
    policy = msgspec.structs.replace(net.genesis.policy, quote_hold_after_max_ms=5_000)
    net.genesis = msgspec.structs.replace(net.genesis, policy=policy)
    net.chain_id = net.prev_hash = net.genesis.chain_id
    net.state = State.from_genesis(net.genesis)
    assert net.state.policy.quote_hold_after_max_ms == 5_000
    s, fx_eur, fx_rwf, p = _fx_setup(net)
    legs = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    lock = hashlib.sha256(b"\x01" * 32).digest()
    for quote_id, past_ms, expected in (("a", 5_001, Code.VALIDATION), ("b", 5_000, Code.OK)):
        quote = _quote(net, quote_id)
        op = Transfer(legs, (quote,), expires_at_ms=net.now_ms + 30_000 + past_ms, condition=lock, payee="mobimo")
        assert net.one(net.tx("eurosend", op)) == expected
    rebuilt = State.from_rows(net.chain_id, net.state.rows(), net.state.height, net.state.state_hash,
                              net.state.timestamp_ms)
    assert rebuilt.policy == net.state.policy and rebuilt.digest() == net.state.digest()


def test_a_policy_row_written_before_the_value_existed_decodes_with_the_default():
    old_row = msgspec.msgpack.encode(list(msgspec.structs.astuple(Policy()))[:-1])
    assert msgspec.msgpack.decode(old_row, type=Policy) == Policy()
