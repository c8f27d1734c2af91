"""The eKash leg on a transfer's page: when the receiving FSP paid the wallet out through eKash (the Mojaloop
gateway's route), its steps join the timeline, its ids and state the receipt, and the disclosure says which
part of the receiving fee the eKash payee FSP charges and which the gateway keeps."""

from __future__ import annotations

from typing import Any

from inzira.interop.mojaloop.ekash_leg import EkashLeg
from inzira.interop.mojaloop.ekash_route import EkashRoute
from inzira.money import money_text
from inzira.remit.records import TransferRecord
from inzira.remit.service import RemitService

STEP_LABELS = {"QUOTED": "eKash: quoted", "RESERVED": "eKash: transfer sent, reserved at the hub",
               "COMMITTED": "eKash: committed, paid into the wallet", "ABORTED": "eKash: aborted"}


def _leg(service: RemitService, record: TransferRecord) -> EkashLeg | None:
    agent = service.agents.get(record.receiving_fsp)
    route = agent.adapter if agent is not None else None
    return route.leg(record.quote_id) if isinstance(route, EkashRoute) else None


def receipt_part(service: RemitService, record: TransferRecord) -> dict[str, Any] | None:
    """The eKash leg in the receipt file: eKash's word as the gateway recorded it (no Inzira proof of its own:
    the fulfilment eKash returned is what committed the Inzira leg, whose receipts the file carries)."""
    leg = _leg(service, record)
    if leg is None:
        return None
    return {"ekash_transfer_id": leg.transfer_id, "payee_fsp": leg.payee_fsp, "state": leg.state,
            "reason": leg.reason or None, "currency": leg.currency,
            "transfer_amount_minor": leg.transfer_amount_minor,
            "payee_receive_amount_minor": leg.payee_receive_amount_minor, "payee_fsp_fee_minor": leg.payee_fee_minor,
            "steps": [{"state": state, "at_ms": at_ms} for state, at_ms in leg.steps]}


def ekash_leg(service: RemitService, record: TransferRecord) -> dict[str, Any] | None:
    leg = _leg(service, record)
    if leg is None:
        return None
    found = service.transfers.quote(record.quote_id)
    receiving_fee_minor = found[0].receiving_fee_minor if found is not None else leg.payee_fee_minor
    steps = [{"step": f"EKASH_{state}", "label": STEP_LABELS.get(state, state), "at_ms": at_ms,
              "detail": _detail(state, leg.transfer_id, leg.reason), "code": None, "tx_id": None, "ekash": True}
             for state, at_ms in leg.steps]
    return {"transfer_id": leg.transfer_id, "payee_fsp": leg.payee_fsp, "state": leg.state,
            "reason": leg.reason or None, "at_ms": leg.steps[-1][1] if leg.steps else None,
            "transfer_amount": money_text(leg.transfer_amount_minor, leg.currency),
            "receive_amount": money_text(leg.payee_receive_amount_minor, leg.currency),
            "payee_fee": money_text(leg.payee_fee_minor, leg.currency),
            "gateway_fee": money_text(max(0, receiving_fee_minor - leg.payee_fee_minor), leg.currency),
            "steps": steps}


def _detail(state: str, transfer_id: str, reason: str) -> str:
    if state == "ABORTED" and reason:
        return f"eKash transfer {transfer_id}: {reason}"
    return f"eKash transfer {transfer_id}"


def with_ekash_steps(steps: list[dict[str, Any]], leg: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The timeline with the eKash leg's steps in time order (Inzira's first at equal times)."""
    if leg is None:
        return steps
    return sorted([*steps, *leg["steps"]], key=lambda s: (s["at_ms"], bool(s.get("ekash"))))
