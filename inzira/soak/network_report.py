"""The network soak's result: what its run counted, what the peers said, and ``chain verify`` of one peer.

One flat report for ``inzira soak network --json`` and the tests: each defect the soak looks for is a count or a
flag, so a clean run reads as zeros and trues. Kept apart from ``network``, which drives the traffic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inzira.ledger.chain import ChainError
from inzira.network.layout import peer_folder
from inzira.network.local_network import LocalNetwork
from inzira.node.audit import audit
from inzira.soak import peers as peer_checks

if TYPE_CHECKING:
    from inzira.soak.network import NetworkSoak


def report(run: NetworkSoak, local: LocalNetwork, members: list[str], seed: int, seconds: float,
           found: dict[str, dict[str, Any] | None], health: dict[str, str]) -> dict[str, object]:
    """Once the peers are stopped and ``run`` closed: ``found`` (their statuses) and ``health`` were read while
    they ran; the followed peer's data is verified and the peers' logs searched for tracebacks here."""
    chain = _verify(local, members[0], run.follower.height)
    traces = peer_checks.tracebacks(local, members)
    tally, faults, counts = run.tally, run.model.faults, run.counts
    invariant_problems = sum("invariant" in str((s or {}).get("problem")) for s in found.values())
    if "invariant" in chain["reason"]:
        invariant_problems += 1
    tallied = tally.report()
    return {
        "transactions": tally.transactions,
        "seed": seed,
        "peers": len(members),
        "exceptions": tally.exceptions + sum(traces.values()),
        "invariant_violations": tally.invariant_violations + invariant_problems,
        "peers_agree": counts["disagreements"] == 0 and counts["agreement_checks"] > 0,
        "duplicates_applied": faults.duplicates_applied,
        "tx_per_s": round(tally.transactions / seconds),
        "seconds": round(seconds, 1),
        "lost": run.follower.lost,
        "honest_lost": run.follower.honest_lost,
        "peers_healthy": all(v == "ok" for v in health.values()),
        "health": health,
        "tracebacks": traces,
        "chain_verified": chain["valid"],
        "chain_verify": chain,
        "stopped_early": run.stopped,
        "model_mismatches": faults.model_mismatches,
        "rule_violations": faults.rule_violations,
        "resolved_twice": faults.resolved_twice,
        "expiry_mismatches": faults.expiry_mismatches,
        "committed": run.model.commits,
        "height": run.follower.height,
        "unexpected_txs": run.follower.unexpected_txs,
        "out_of_order_blocks": run.follower.out_of_order_blocks,
        **counts,
        "refused_messages": sum((s or {}).get("refused_messages", 0) for s in found.values()),
        "final_state": {"accounts": len(run.follower.replayer.state.accounts),  # type: ignore[union-attr]
                        "pendings": len(run.follower.replayer.state.pendings)},  # type: ignore[union-attr]
        **{k: v for k, v in tallied.items() if k in ("blocks", "unexpected_verdicts", "hostile_committed",
                                                       "verdicts", "shapes", "examples")},
        "model_examples": faults.examples,
    }


def _verify(local: LocalNetwork, member: str, height: int) -> dict[str, object]:
    """``inzira chain verify`` on the (stopped) peer's data: the whole chain replayed, its index and state."""
    try:
        report = audit(peer_folder(local.folder, member), verify_workers=1)
    except ChainError as exc:
        return {"valid": False, "height": exc.height, "reason": exc.reason}
    return {"valid": report.height >= height, "height": report.height, "reason": "",
            "transactions": report.txs}
