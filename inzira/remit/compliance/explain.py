"""A screening decision in words a compliance officer reads: which names matched how, what weighed.

For example: "Sampulu is the listed SAMPULU (same spelling; a rare name, strong evidence). Jean Baptiste is
the listed JEAN-BAPTISTE (same spelling; a common name, weak evidence). The listed name also has FICTIF,
which this name lacks. Born in 1977, which agrees with the entry (1977). Score 92 of 100: hit."
"""

from __future__ import annotations

from typing import Sequence

from inzira.remit.compliance.evidence import Adjustment
from inzira.remit.compliance.sanctions import ListedName
from inzira.remit.compliance.similarity import (
    COMPOUND_HEAD,
    INITIAL,
    SAME_KEY,
    SAME_SINIC,
    NameComparison,
    WordMatch,
)

_HOW = {
    SAME_SINIC: "the same Chinese name in another romanisation",
    SAME_KEY: "the same name in another spelling",
    COMPOUND_HEAD: "the first name of the compound",
    INITIAL: "an initial",
}


def _how(match: WordMatch) -> str:
    if match.similarity == 1.0:
        return "same spelling"
    if match.unit.token.initial or match.listed.token.initial:
        return _HOW[INITIAL]
    if match.similarity in _HOW:
        return _HOW[match.similarity]
    edits = round((1.0 - match.similarity) / 0.06)
    return "one typing error apart" if edits <= 1 else f"{edits} typing errors apart"


def _weight(match: WordMatch) -> str:
    if match.listed.token.initial or match.unit.token.initial:
        return "little evidence"
    return "a common name, weak evidence" if match.listed.common else "a rare name, strong evidence"


def _name(text: str) -> str:
    return " ".join("-".join(p.capitalize() for p in part.split("-")) for part in text.split())


def explain(
    comparison: NameComparison, adjustments: Sequence[Adjustment], listed: ListedName, score: int, strength: str
) -> str:
    sentences = [
        f"{_name(m.unit.written)} is the listed {m.listed.written.upper()} ({_how(m)}; {_weight(m)})."
        for m in comparison.matched
    ]
    if comparison.unmatched_listed:
        missing = ", ".join(w.written.upper() for w in comparison.unmatched_listed)
        sentences.append(f"The listed name also has {missing}, which this name lacks.")
    if comparison.unmatched_query:
        extra = ", ".join(_name(w) for w in comparison.unmatched_query)
        sentences.append(f"This name also has {extra}, which the listed name lacks.")
    sentences.extend(f"{a.because[0].upper()}{a.because[1:]}." for a in adjustments)
    if listed.weak:
        sentences.append("The matched name is a low-quality alias: at most a possible match.")
    sentences.append(f"Score {score} of 100: {strength}.")
    return " ".join(sentences)
