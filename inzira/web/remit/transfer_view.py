"""A transfer as its page shows it: where it is on its way, what that means, every step, and the proof.

The same context renders the whole page and the live status panel that the event stream pushes, so a
transfer looks the same whether the page was loaded late or watched as it went.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inzira.remit.api.views import PAYEE_STEPS, full
from inzira.remit.records import FINAL_STATES, TransferRecord
from inzira.web.receipts import VERIFY_PATH
from inzira.web.remit.ekash_view import ekash_leg, with_ekash_steps
from inzira.web.remit.messages import outcome
from inzira.web.remit.site import RemitSite
from inzira.web.rendering import ENV

STATUS_TEMPLATE = "remit/status.html"
# The sending FSP's business: its rate, margin and fees (the disclosure), its screening and officers' notes.
SENDING_SIDE_ONLY = ("quote", "compliance")
STEP_LABELS = {
    "RECEIVED": "Received", "HELD": "Held for review", "APPROVED": "Approved by the officer",
    "REJECTED": "Rejected", "RESERVED": "Funds reserved on the ledger", "PAYOUT_STARTED": "Payout started",
    "PAYOUT_SUCCESSFUL": "Paid into the wallet", "PAYOUT_FAILED": "Payout failed",
    "PAYOUT_PENDING": "Payout pending", "COMMITTED": "Committed: final", "ABORTED": "Aborted",
    "RECONCILE": "Checked again",
}


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    status: str  # done, current, failed or todo (a CSS class)


def stages(view: dict[str, Any]) -> list[Stage]:
    """RECEIVED -> RESERVED -> COMMITTED, with HELD when compliance held it, and the failure where it ended."""
    state = view["state"]
    seen = {step["step"] for step in view["timeline"]}
    out = [Stage("RECEIVED", "current" if state == "RECEIVED" else "done")]
    if state == "HELD" or "HELD" in seen:
        out.append(Stage("HELD", "current" if state == "HELD" else "done"))
    if state in ("REJECTED", "ABORTED"):
        if "RESERVED" in seen:
            out.append(Stage("RESERVED", "done"))
        return [*out, Stage(state, "failed")]
    reserved = "current" if state == "RESERVED" else "done" if state == "COMMITTED" else "todo"
    return [*out, Stage("RESERVED", reserved), Stage("COMMITTED", "done" if state == "COMMITTED" else "todo")]


def _proof(view: dict[str, Any]) -> dict[str, Any] | None:
    """Links to the transfer's transactions once it is final and something of it is on chain."""
    if not view["final"] or not view["pending_id"]:
        return None
    tid = view["transfer_id"]
    return {"reservation": view["pending_id"], "resolution": view["resolve_tx_id"],
            "resolution_role": "commit" if view["state"] == "COMMITTED" else "void",
            "receipt_url": f"/remit/transfers/{tid}/receipt.json", "verify_path": VERIFY_PATH}


def transfer_context(site: RemitSite, record: TransferRecord, payee_only: bool = False) -> dict[str, Any]:
    """``payee_only`` for the receiving FSP: what the API shows it (``views.for_receiving_fsp``), so without the
    sending side's pricing (the disclosure), compliance decisions and compliance steps."""
    view = full(site.service, record)
    if payee_only:
        view["timeline"] = [s for s in view["timeline"] if s["step"] in PAYEE_STEPS]
        view.update(dict.fromkeys(SENDING_SIDE_ONLY))
    tone, sentence = outcome(view)
    steps = [{**step, "label": STEP_LABELS.get(step["step"], step["step"])} for step in view["timeline"]]
    ekash = ekash_leg(site.service, record)
    return {"t": view, "stages": stages(view), "tone": tone, "sentence": sentence,
            "steps": with_ekash_steps(steps, ekash), "ekash": ekash,
            "proof": _proof(view), "final": record.state in FINAL_STATES,
            "events_url": f"/remit/transfers/{record.transfer_id}/events"}


def status_html(site: RemitSite, record: TransferRecord, payee_only: bool = False) -> str:
    """The live panel alone, as the event stream sends it."""
    context = transfer_context(site, record, payee_only) | {"public_accounts": site.public_accounts,
                                                            "name_of": site.member_name}
    return ENV.get_template(STATUS_TEMPLATE).render(context)
