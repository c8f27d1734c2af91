"""A local mobile-money operator shaped like MTN MoMo's Disbursement API, with wallets by MSISDN.

    with serve(MomoSimConfig(float_minor=1_000_000)) as sim:
        sim.admin.create_wallet("250788123456", "Jeanne", "Uwase")
        adapter = adapter_from_config(sim.adapter_config())
"""

from inzira.sim.momo.admin_client import MomoSimAdmin
from inzira.sim.momo.app import create_app
from inzira.sim.momo.config import Behaviour, ForcedOutcome, MomoSimConfig
from inzira.sim.momo.serve import RunningMomoSim, serve

__all__ = [
    "Behaviour",
    "ForcedOutcome",
    "MomoSimAdmin",
    "MomoSimConfig",
    "RunningMomoSim",
    "create_app",
    "serve",
]
