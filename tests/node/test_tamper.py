"""Tamper tests: one flipped byte anywhere in stored blocks, transactions, the index or the state makes
``chain verify`` fail and name the block."""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from inzira.ledger.chain import ChainError
from inzira.node.audit import audit

from .helpers import build_sample_chain

SEED = 6962


@pytest.fixture(scope="module")
def sample_chain(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("chain") / "data"
    build_sample_chain(folder)
    return folder


@pytest.fixture
def chain_copy(sample_chain, tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(sample_chain, folder)
    return folder


def _flip(db: Path, sql_select: str, sql_update: str, position: int | None = None, rng=None) -> tuple:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(sql_select).fetchall()
        key, blob = (rng or random.Random(SEED)).choice(rows)
        pos = position if position is not None else (rng or random.Random(SEED)).randrange(len(blob))
        changed = bytearray(blob)
        changed[pos] ^= 1 << (rng or random.Random(SEED)).randrange(8)
        conn.execute(sql_update, (bytes(changed), key))
        conn.commit()
        return key, pos
    finally:
        conn.close()


def test_untouched_chain_verifies(sample_chain):
    report = audit(sample_chain, verify_workers=1)
    assert report.height >= 8 and report.txs >= 20


@pytest.mark.parametrize("trial", range(24))
def test_flipped_byte_in_a_block_names_that_block(chain_copy, trial):
    rng = random.Random(SEED + trial)
    height, _ = _flip(chain_copy / "node.db", "SELECT height, data FROM blocks",
                      "UPDATE blocks SET data = ? WHERE height = ?", rng=rng)
    with pytest.raises(ChainError) as failure:
        audit(chain_copy, verify_workers=1)
    assert failure.value.height == height


def test_flipped_byte_in_each_region_of_a_block(chain_copy, sample_chain):
    """Header, signature, a transaction's body, a signature inside it, and a verdict: each one caught."""
    conn = sqlite3.connect(sample_chain / "node.db")
    height, blob = conn.execute("SELECT height, data FROM blocks WHERE tx_count >= 3 ORDER BY height LIMIT 1").fetchone()
    conn.close()
    for position in [3, 40, len(blob) // 3, len(blob) // 2, len(blob) - 70, len(blob) - 2]:
        shutil.copy(sample_chain / "node.db", chain_copy / "node.db")
        _flip(chain_copy / "node.db", f"SELECT height, data FROM blocks WHERE height = {height}",
              "UPDATE blocks SET data = ? WHERE height = ?", position=position)
        with pytest.raises(ChainError) as failure:
            audit(chain_copy, verify_workers=1)
        assert failure.value.height == height, position


def test_flipped_byte_in_block_hash_column(chain_copy):
    height, _ = _flip(chain_copy / "node.db", "SELECT height, hash FROM blocks",
                      "UPDATE blocks SET hash = ? WHERE height = ?")
    with pytest.raises(ChainError) as failure:
        audit(chain_copy, verify_workers=1)
    assert failure.value.height == height


def test_altered_transaction_index_is_found(chain_copy):
    conn = sqlite3.connect(chain_copy / "node.db")
    tx_id, height = conn.execute("SELECT id, height FROM txs ORDER BY height DESC LIMIT 1").fetchone()
    conn.execute("UPDATE txs SET code = 4001 WHERE id = ?", (tx_id,))
    conn.commit()
    conn.close()
    with pytest.raises(ChainError) as failure:
        audit(chain_copy, verify_workers=1)
    assert failure.value.height == height
    assert "index" in failure.value.reason


def test_altered_reference_in_the_index_is_found(chain_copy):
    conn = sqlite3.connect(chain_copy / "node.db")
    tx_id, height, ref_key = conn.execute(
        "SELECT id, height, ref_key FROM txs WHERE ref_key IS NOT NULL ORDER BY height LIMIT 1").fetchone()
    changed = bytearray(ref_key)
    changed[-1] ^= 1
    conn.execute("UPDATE txs SET ref_key = ? WHERE id = ?", (bytes(changed), tx_id))
    conn.commit()
    conn.close()
    with pytest.raises(ChainError) as failure:
        audit(chain_copy, verify_workers=1)
    assert failure.value.height == height


@pytest.mark.parametrize("trial", range(6))
def test_flipped_byte_in_state_rows_is_found(chain_copy, trial):
    _flip(chain_copy / "node.db", "SELECT key, value FROM state", "UPDATE state SET value = ? WHERE key = ?",
          rng=random.Random(SEED * 7 + trial))
    with pytest.raises(ChainError) as failure:
        audit(chain_copy, verify_workers=1)
    assert "state" in failure.value.reason


def test_cli_exits_non_zero_and_names_the_block(chain_copy):
    height, _ = _flip(chain_copy / "node.db", "SELECT height, data FROM blocks",
                      "UPDATE blocks SET data = ? WHERE height = ?", rng=random.Random(99))
    done = subprocess.run([sys.executable, "-m", "inzira.cli.main", "chain", "verify", "--data", str(chain_copy)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"block {height}" in done.stderr
    ok = subprocess.run([sys.executable, "-m", "inzira.cli.main", "chain", "verify", "--json", "--data",
                         str(chain_copy)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 1 and f'"height": {height}' in ok.stdout
