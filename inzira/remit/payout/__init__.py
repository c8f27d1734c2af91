"""Payout adapters: how a receiving FSP pays a remittance out to a wallet, whatever operator is behind it."""

from inzira.remit.payout.adapter import PayoutAdapter
from inzira.remit.payout.momo_config import MomoHttpConfig
from inzira.remit.payout.momo_http import MomoHttpAdapter
from inzira.remit.payout.registry import KINDS, adapter_from_config
from inzira.remit.payout.types import (
    AccountHolder,
    Hashlock,
    OperatorBalance,
    PayoutConfigError,
    PayoutConflictError,
    PayoutError,
    PayoutNotFoundError,
    PayoutRefusedError,
    PayoutState,
    PayoutStatus,
    PayoutUnavailableError,
    reference_id_from,
)

__all__ = [
    "KINDS",
    "AccountHolder",
    "Hashlock",
    "MomoHttpAdapter",
    "MomoHttpConfig",
    "OperatorBalance",
    "PayoutAdapter",
    "PayoutConfigError",
    "PayoutConflictError",
    "PayoutError",
    "PayoutNotFoundError",
    "PayoutRefusedError",
    "PayoutState",
    "PayoutStatus",
    "PayoutUnavailableError",
    "adapter_from_config",
    "reference_id_from",
]
