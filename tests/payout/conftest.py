"""Fixtures: a simulator on 127.0.0.1 with a funded float and one wallet, stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from momo_helpers import FLOAT_MINOR, JEANNE

from inzira.sim.momo import MomoSimConfig, RunningMomoSim, serve


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sim() -> Iterator[RunningMomoSim]:
    with serve(MomoSimConfig(float_minor=FLOAT_MINOR)) as running:
        running.admin.create_wallet(JEANNE, "Jeanne", "Uwase")
        yield running
