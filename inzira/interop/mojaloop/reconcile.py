"""Reconciliation: each eKash transfer matched with its Inzira legs, and with the hub's own settlement file.

A transfer has up to three records that must agree: the gateway's (what it told the hub, or what the hub told
it), Inzira's ledger (the hashlocked pending transfer, and on the payer side the remittance that made it), and
the hub's (its PATCH or error callback, or its settlement file). Each disagreement is a stable reason code;
an item with no reasons matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from inzira.interop.mojaloop.store import ABORTED, COMMITTED


class Reason(StrEnum):
    INZIRA_LEG_MISSING = "INZIRA_LEG_MISSING"  # no Inzira pending transfer (or remittance) for the eKash one
    INZIRA_NOT_POSTED = "INZIRA_NOT_POSTED"  # committed on eKash, the Inzira leg not posted
    INZIRA_POSTED_EKASH_ABORTED = "INZIRA_POSTED_EKASH_ABORTED"  # the Inzira leg posted, eKash aborted
    HUB_ABORTED_AFTER_FULFILMENT = "HUB_ABORTED_AFTER_FULFILMENT"  # payee: recover the payment from the payee
    HUB_COMMITTED_GATEWAY_ABORTED = "HUB_COMMITTED_GATEWAY_ABORTED"  # payee: pay the payee off-ledger
    AMOUNT_DIFFERS = "AMOUNT_DIFFERS"  # the Inzira leg moves another amount or currency than eKash's
    NOT_FINAL_AFTER_EXPIRY = "NOT_FINAL_AFTER_EXPIRY"  # still open well after the eKash transfer expired
    # Against the hub's settlement file:
    MISSING_AT_HUB = "MISSING_AT_HUB"  # committed here, not in the hub's file
    UNKNOWN_TO_GATEWAY = "UNKNOWN_TO_GATEWAY"  # in the hub's file (not aborted), not among the window's
    HUB_STATE_DIFFERS = "HUB_STATE_DIFFERS"
    HUB_AMOUNT_DIFFERS = "HUB_AMOUNT_DIFFERS"


# What each reason asks of the operator (the table and docs say it once).
ACTIONS = {
    Reason.INZIRA_LEG_MISSING: "find the Inzira leg; without one, the eKash transfer was not backed",
    Reason.INZIRA_NOT_POSTED: "post the Inzira leg with the fulfilment before its hashlock expires",
    Reason.INZIRA_POSTED_EKASH_ABORTED: "the wallet was credited on Inzira for a payment eKash will not settle",
    Reason.HUB_ABORTED_AFTER_FULFILMENT: "Inzira paid a payment the hub aborted: recover it from the payee's FSP",
    Reason.HUB_COMMITTED_GATEWAY_ABORTED: "the hub settles a payment Inzira did not make: pay the payee off-ledger",
    Reason.AMOUNT_DIFFERS: "the legs move different amounts: correct the difference",
    Reason.NOT_FINAL_AFTER_EXPIRY: "ask the hub (GET /transfers/{id}) and settle by its answer",
    Reason.MISSING_AT_HUB: "the hub did not settle a transfer committed here: raise it with the hub",
    Reason.UNKNOWN_TO_GATEWAY: "the hub settles a transfer the gateway has no record of in this window",
    Reason.HUB_STATE_DIFFERS: "the hub's state is not the gateway's: settle by the hub's and investigate",
    Reason.HUB_AMOUNT_DIFFERS: "the hub settles another amount than the gateway recorded",
}

EXPIRY_GRACE_MS = 60_000  # the sweeps settle an expired transfer within seconds; a minute later it is stuck
COMMITTED_GROUP, ABORTED_GROUP, PENDING_GROUP = "committed", "aborted", "pending"
_HUB_GROUPS = {COMMITTED: COMMITTED_GROUP, ABORTED: ABORTED_GROUP, "RECEIVED": PENDING_GROUP,
               "RESERVED": PENDING_GROUP}


def payee_reasons(state: str, hub_state: str, inzira: str, inzira_amount: tuple[int, str] | None,
                  amount: tuple[int, str], expired: bool) -> list[Reason]:
    """Payee side: ``state`` is what the gateway told the hub, ``inzira`` the reservation's ledger state
    ("" when there is none), ``hub_state`` the hub's last word ("" when it said nothing). The reservation is
    only owed once the gateway committed."""
    return _reasons(state, inzira, state == COMMITTED, hub_state, inzira_amount, amount, expired)


def payer_reasons(state: str, inzira: str, received: tuple[int, str] | None, quoted: tuple[int, str],
                  expired: bool) -> list[Reason]:
    """Payer side: ``state`` is the eKash transfer's (COMMITTED, ABORTED, or QUOTED while open), ``inzira`` the
    remittance's pending transfer's ledger state ("" when there is none), ``received`` what the remittance pays
    the wallet, ``quoted`` what eKash quoted the wallet would receive. The remittance made the eKash transfer,
    so its leg is owed in every state; the hub's word is checked on the payee side only."""
    return _reasons(state, inzira, True, "", received, quoted, expired)


def _reasons(state: str, inzira: str, leg_owed: bool, hub_state: str, moved: tuple[int, str] | None,
             expected: tuple[int, str], expired: bool) -> list[Reason]:
    """The rules both sides share, in the order reported: ``moved`` is what the Inzira leg moves (None when
    unknown), ``expected`` what eKash's transfer says."""
    reasons = []
    if leg_owed and not inzira:
        reasons.append(Reason.INZIRA_LEG_MISSING)
    elif state == COMMITTED and inzira != COMMITTED:
        reasons.append(Reason.INZIRA_NOT_POSTED)
    if state == ABORTED and inzira == COMMITTED:
        reasons.append(Reason.INZIRA_POSTED_EKASH_ABORTED)
    if state == COMMITTED and hub_state == ABORTED:
        reasons.append(Reason.HUB_ABORTED_AFTER_FULFILMENT)
    if state == ABORTED and hub_state == COMMITTED:
        reasons.append(Reason.HUB_COMMITTED_GATEWAY_ABORTED)
    if moved is not None and moved != expected:
        reasons.append(Reason.AMOUNT_DIFFERS)
    if state not in (COMMITTED, ABORTED) and expired:
        reasons.append(Reason.NOT_FINAL_AFTER_EXPIRY)
    return reasons


def against_hub(items: Iterable[dict[str, Any]], hub: Mapping[str, tuple[int, str, str]]) -> list[dict[str, Any]]:
    """The window's ``items`` (settlement.py) with the hub file's reasons added; the hub's transfers that
    are not among them as items of their own (side "hub"). ``hub``: transfer id -> (amount, currency, state)."""
    matched = []
    seen = set()
    for item in items:
        reasons = list(item["reasons"])
        entry = hub.get(item["transfer_id"].lower())  # hub_file.py keys ids in lower case
        seen.add(item["transfer_id"].lower())
        if entry is None:
            if item["group"] == COMMITTED_GROUP:
                reasons.append(Reason.MISSING_AT_HUB)
        else:
            amount_minor, currency, state = entry
            if _HUB_GROUPS[state] != item["group"]:
                reasons.append(Reason.HUB_STATE_DIFFERS)
            if (amount_minor, currency) != (item["amount_minor"], item["currency"]):
                reasons.append(Reason.HUB_AMOUNT_DIFFERS)
        matched.append({**item, "hub_file_state": entry[2] if entry else "", "reasons": reasons})
    for transfer_id, (amount_minor, currency, state) in hub.items():
        if transfer_id not in seen and state != ABORTED:  # an abort the gateway never saw moves no money
            matched.append({"side": "hub", "transfer_id": transfer_id, "state": "", "group": "",
                            "amount_minor": amount_minor, "currency": currency, "hub_file_state": state,
                            "reasons": [Reason.UNKNOWN_TO_GATEWAY]})
    return matched
