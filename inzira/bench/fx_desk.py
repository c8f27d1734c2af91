"""The FX provider's quote desk in a process of its own for ``inzira bench remit``, as the FX provider's own
deployment would run it: its CPU is its own, not the server's.

The child is given the path of the FX provider's key file and reads that one key itself; it never sees another
member's key. It gets the chain id, the desk's rates (its rates file, or the demo table) and spreads, and the FX
client tokens, and serves ``inzira.fx.app`` on 127.0.0.1 at a free port until told to stop.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inzira.bench.child import served_child
from inzira.fx.desk import FxDesk
from inzira.fx.rate_source import RateSource


@dataclass(frozen=True)
class DeskConfig:
    """What the FX provider's deployment knows: whose desk, on which chain, at what prices, for which clients."""

    member: str
    chain_id: bytes
    key_file: Path
    rates: RateSource  # its file, if any, re-read by the child as the FX provider publishes
    spread_bps: int
    pair_spread_bps: dict[tuple[str, str], int]
    client_tokens: dict[str, str]  # member -> the client token the FX provider issued it

    @classmethod
    def of(cls, desk: FxDesk, key_file: Path, client_tokens: Mapping[str, str]) -> "DeskConfig":
        """The same desk as ``desk`` (an in-process one), to run elsewhere with the key in ``key_file``."""
        return cls(desk.fx_member, desk.chain_id, key_file, desk.rates, desk.spread_bps,
                   dict(desk.pair_spread_bps), dict(client_tokens))


def _desk_process(config: DeskConfig, conn: Any) -> None:
    from inzira.api.server import serve_in_thread
    from inzira.fx.app import fx_app
    from inzira.node.custody import QuoteKey
    from inzira.node.keystore import load_key

    signer = QuoteKey(config.member, config.chain_id, load_key(config.key_file))
    desk = FxDesk(signer, config.rates, config.spread_bps, config.pair_spread_bps)
    served, _port = serve_in_thread(fx_app(desk, config.client_tokens))
    try:
        conn.send((served.base_url, os.getpid()))
        conn.recv()  # until the benchmark is done
    finally:
        served.stop()


def desk_process(config: DeskConfig) -> contextlib.AbstractContextManager[tuple[str, int]]:
    """(base URL, pid) of the desk served in a spawned process, stopped when the block ends."""
    return served_child(_desk_process, config, "the FX desk")
