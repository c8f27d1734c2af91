"""The outside world of the crash test, in processes of their own that outlive the server: a mobile-money
operator per receiving FSP (its books are the truth of what was paid) and the FX provider's quote desk."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from inzira.bench.child import served_child
from inzira.sim.momo import MomoSimAdmin, MomoSimConfig, RunningMomoSim


def _operator_process(config: MomoSimConfig, conn: Any) -> None:
    from inzira.sim.momo import serve

    with serve(config) as sim:
        conn.send((sim.base_url, os.getpid()))
        conn.recv()  # until the test is done


@contextlib.contextmanager
def operator(config: MomoSimConfig) -> Iterator[RunningMomoSim]:
    """A mobile-money simulator served by a spawned process; its admin client here."""
    with served_child(_operator_process, config, "the mobile-money simulator") as (base_url, _pid):
        admin = MomoSimAdmin(base_url, config.admin_token)
        try:
            yield RunningMomoSim(base_url, config, admin)
        finally:
            admin.close()
