"""A local card acquirer: payment sessions a merchant (the wallet issuer) opens, a card form the payer's
browser posts to, test cards that approve, decline or time out, and signed callbacks with the decision.

    with serve(CardSimConfig(webhook_url="http://127.0.0.1:8000/v1/qr/card-notifications/silkpay")) as sim:
        sim.admin.set_behaviour(Behaviour(callback_copies=2))      # every callback delivered twice
"""

from inzira.sim.card.admin_client import CardSimAdmin
from inzira.sim.card.app import create_app
from inzira.sim.card.cards import APPROVED, DECLINED, TIMES_OUT
from inzira.sim.card.config import Behaviour, CardSimConfig
from inzira.sim.card.serve import RunningCardSim, serve
from inzira.sim.card.signing import SIGNATURE_HEADER, signature

__all__ = [
    "APPROVED",
    "DECLINED",
    "SIGNATURE_HEADER",
    "TIMES_OUT",
    "Behaviour",
    "CardSimAdmin",
    "CardSimConfig",
    "RunningCardSim",
    "create_app",
    "serve",
    "signature",
]
