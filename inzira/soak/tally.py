"""What a soak counts, and the JSON object it prints."""

from __future__ import annotations

import sys
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from inzira.ledger.codes import Code

TRACEBACKS_MAX = 3  # printed to stderr; every exception is counted
EXAMPLES_MAX = 10


def code_name(code: int) -> str:
    try:
        return Code(code).name
    except ValueError:
        return str(code)


@dataclass
class Tally:
    err: TextIO = sys.stderr
    transactions: int = 0
    blocks: int = 0
    exceptions: int = 0
    invariant_violations: int = 0
    recoveries: int = 0
    unexpected_verdicts: int = 0
    hostile_committed: int = 0
    snapshots: int = 0
    fast_clock_blocks: int = 0
    fast_clock_refused: int = 0
    early_expiries_refused: int = 0  # pending transfers a fast-clock block would have expired early
    oversize_blocks_refused: int = 0
    oversize_batches_refused: int = 0
    verdicts: Counter = field(default_factory=Counter)
    shapes: dict[str, Counter] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def example(self, text: str) -> None:
        if len(self.examples) < EXAMPLES_MAX:
            self.examples.append(text)
            self.err.write(f"soak: {text}\n")

    def defect(self, kind: str, where: str) -> None:
        """Count an exception (kind "exceptions") or a broken invariant, with its traceback for the first few."""
        setattr(self, kind, getattr(self, kind) + 1)
        if self.exceptions + self.invariant_violations <= TRACEBACKS_MAX:
            self.err.write(f"soak: {kind[:-1].replace('_', ' ')} {where}\n{traceback.format_exc()}")
        self.example(f"{kind}: {where}: {sys.exc_info()[1]!r}")

    def verdict(self, shape: str, code: int, unexpected: bool) -> None:
        self.verdicts[code] += 1
        per_shape = self.shapes.get(shape)
        if per_shape is None:
            per_shape = self.shapes[shape] = Counter()
        per_shape[code] += 1
        if unexpected:
            self.unexpected_verdicts += 1
            if code == Code.OK:
                self.hostile_committed += 1
            self.example(f"unexpected verdict: {shape} got {code_name(code)}")

    def report(self) -> dict[str, object]:
        return {
            "transactions": self.transactions,
            "blocks": self.blocks,
            "exceptions": self.exceptions,
            "invariant_violations": self.invariant_violations,
            "recoveries": self.recoveries,
            "unexpected_verdicts": self.unexpected_verdicts,
            "hostile_committed": self.hostile_committed,
            "snapshots": self.snapshots,
            "fast_clock_blocks": self.fast_clock_blocks,
            "fast_clock_refused": self.fast_clock_refused,
            "early_expiries_refused": self.early_expiries_refused,
            "oversize_blocks_refused": self.oversize_blocks_refused,
            "oversize_batches_refused": self.oversize_batches_refused,
            "verdicts": {code_name(c): n for c, n in sorted(self.verdicts.items())},
            "shapes": {s: {code_name(c): n for c, n in sorted(counts.items())}
                       for s, counts in sorted(self.shapes.items())},
            "examples": self.examples,
        }
