"""Transfers as the API shows them: a summary for lists, the full view with quote, compliance, payout and
timeline for one transfer."""

from __future__ import annotations

from typing import Any

from inzira.remit.disclosure import disclosure
from inzira.remit.money_view import money
from inzira.remit.records import FINAL_STATES, PAYEE_STEPS, DecisionRecord, TimelineStep, TransferRecord
from inzira.remit.service import RemitService
from inzira.remit.settings import PAYOUT_CURRENCY

PREFIX = "/v1/remit"


def summary(record: TransferRecord) -> dict[str, Any]:
    tid = record.transfer_id
    return {
        "transfer_id": tid, "state": record.state.value, "final": record.state in FINAL_STATES,
        "code": record.code, "reason": record.reason, "sending_fsp": record.sending_fsp,
        "receiving_fsp": record.receiving_fsp, "quote_id": record.quote_id,
        "sender": {"id": record.sender_id, "name": record.sender_name},
        "receiver": {"msisdn": record.msisdn, "name": record.receiver_name},
        "amount_sent": money(record.amount_sent_minor, record.source_currency),
        "amount_received": money(record.amount_received_minor, PAYOUT_CURRENCY),
        "created_at_ms": record.created_at_ms, "updated_at_ms": record.updated_at_ms,
        "expires_at_ms": record.expires_at_ms, "pending_id": record.reserve_tx_id.hex() or None,
        "resolve_tx_id": record.resolve_tx_id.hex() or None,
        "links": {"self": f"{PREFIX}/transfers/{tid}", "events": f"{PREFIX}/transfers/{tid}/events",
                  "receipt": f"{PREFIX}/transfers/{tid}/receipt"},
    }


def step_view(step: TimelineStep) -> dict[str, Any]:
    return {"at_ms": step.at_ms, "step": step.step, "state": step.state, "detail": step.detail, "code": step.code,
            "tx_id": step.tx_id.hex() or None}


def decision_view(decision: DecisionRecord) -> dict[str, Any]:
    return {"transfer_id": decision.transfer_id, "at_ms": decision.at_ms, "outcome": decision.outcome,
            "decided_by": decision.decided_by, "note": decision.note, "sanctions_list": decision.sanctions_list or None,
            "reasons": [{"code": r.code, "message": r.message, "party": r.party, "list_reference": r.list_reference,
                         "matched_name": r.matched_name, "score": r.score} for r in decision.reasons]}


def with_decisions(service: RemitService, record: TransferRecord) -> dict[str, Any]:
    """The summary with every compliance decision on it: what the officer and the regulator list."""
    decisions = [decision_view(d) for d in service.transfers.decisions(record.transfer_id)]
    return {**summary(record), "compliance": {"decisions": decisions}}


def fsp_name(service: RemitService, member: str) -> str:
    record = service.node.state.members.get(member)
    return record.name if record else member


def full(service: RemitService, record: TransferRecord) -> dict[str, Any]:
    view = summary(record)
    found = service.transfers.quote(record.quote_id)
    if found is not None:
        terms = found[0]
        view["quote"] = disclosure(terms, fsp_name(service, terms.receiving_fsp), service.settings.transfer_ttl_ms)
        view["receiver"]["masked_name"] = terms.masked_name
    decisions = [decision_view(d) for d in service.transfers.decisions(record.transfer_id)]
    view["compliance"] = {"outcome": decisions[0]["outcome"] if decisions else None, "decisions": decisions}
    payout = service.payouts.get(record.reserve_tx_id) if record.reserve_tx_id else None
    view["payout"] = None if payout is None else {
        "status": payout.status, "reason": payout.reason or None, "reference_id": payout.reference_id,
        "operator_txn_id": payout.operator_txn_id or None, "amount": money(payout.amount_minor, payout.currency)}
    view["timeline"] = [step_view(s) for s in service.transfers.timeline(record.transfer_id)]
    return view


def for_receiving_fsp(service: RemitService, record: TransferRecord) -> dict[str, Any]:
    """Least privilege: the amount to pay out, the beneficiary, the sending FSP, the ids, and the originator
    data the travel rule (FATF R.16) asks to travel with the payment; no screening internals, officer
    notes or the sending side's pricing."""
    tid = record.transfer_id
    payout = service.payouts.get(record.reserve_tx_id) if record.reserve_tx_id else None
    return {
        "transfer_id": tid, "state": record.state.value, "final": record.state in FINAL_STATES,
        "code": record.code, "sending_fsp": record.sending_fsp,
        "sending_fsp_name": fsp_name(service, record.sending_fsp), "receiving_fsp": record.receiving_fsp,
        "originator": {"name": record.sender_name, "reference": record.sender_id},
        "beneficiary": {"msisdn": record.msisdn, "name": record.receiver_name},
        "amount_received": money(record.amount_received_minor, PAYOUT_CURRENCY),
        "created_at_ms": record.created_at_ms, "updated_at_ms": record.updated_at_ms,
        "expires_at_ms": record.expires_at_ms, "pending_id": record.reserve_tx_id.hex() or None,
        "resolve_tx_id": record.resolve_tx_id.hex() or None,
        "payout": None if payout is None else {
            "status": payout.status, "reason": payout.reason or None, "reference_id": payout.reference_id,
            "operator_txn_id": payout.operator_txn_id or None, "amount": money(payout.amount_minor, payout.currency)},
        "timeline": [step_view(s) for s in service.transfers.timeline(tid) if s.step in PAYEE_STEPS],
        "links": {"self": f"{PREFIX}/transfers/{tid}", "events": f"{PREFIX}/transfers/{tid}/events",
                  "receipt": f"{PREFIX}/transfers/{tid}/receipt"},
    }


def view_for(service: RemitService, record: TransferRecord, member: str, sees_all: bool) -> dict[str, Any]:
    """The transfer as ``member`` may see it: whole for its sending FSP and for supervisors, the payee's
    share for its receiving FSP."""
    if sees_all or member == record.sending_fsp:
        return full(service, record)
    return for_receiving_fsp(service, record)
