"""``inzira bench screening``: how well and how fast the sanctions screener works.

Quality, on the labelled evaluation set (inzira/bench/evalset: a fictional 70-entry list in the UN format
and pairs built from romanisation rules and name frequencies). Each query is screened against the whole
list, as a transfer's names are; any match, hit or possible, holds a transfer, so any match counts:

- recall: the share of the positive pairs whose listed entry is among the matches;
- false_positive_rate: the share of the negative pairs (ordinary names, hard look-alikes) with any match;
- precision: of the queries with any match, the share that matched their own listed entry.

They are reported on the held-out half, frozen before tuning (its digest is pinned below: a changed set is
refused), and for information on the dev half. Speed: names screened per second against lists of 1,000 and
20,000 entries generated from the names corpora (`screening_lists`), the index built beforehand.
"""

from __future__ import annotations

import json
import time
from importlib import resources
from typing import Any

from inzira.bench.evalset.build import heldout_digest
from inzira.bench.screening_lists import generated_list, query_names
from inzira.bench.stats import machine
from inzira.remit.compliance.sanctions import parse_sanctions_xml
from inzira.remit.compliance.screening import SanctionsIndex

HELDOUT_SHA256 = "8db340b86b9c7638cadd023e7655764447b406f4d7b5cbe3be3cc2b23981327d"
LIST_SIZES = (1_000, 20_000)
SPEED_QUERIES = 4_000
ERRORS_SHOWN_MAX = 200


class EvaluationSetChanged(RuntimeError):
    """The held-out pairs are not the ones frozen before tuning."""


def evaluation_set() -> tuple[bytes, list[dict[str, Any]]]:
    folder = resources.files("inzira.bench.evalset").joinpath("data")
    pairs = json.loads(folder.joinpath("pairs.json").read_text("utf-8"))["pairs"]
    if heldout_digest(pairs) != HELDOUT_SHA256:
        raise EvaluationSetChanged("the held-out pairs differ from the set frozen before tuning")
    return folder.joinpath("eval-list.xml").read_bytes(), pairs


def quality(index: SanctionsIndex, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    positives = found = negatives = false_positives = alerts = correct_alerts = 0
    errors: list[dict[str, Any]] = []
    for pair in pairs:
        result = index.screen(pair["query"], date_of_birth=pair.get("date_of_birth", ""),
                              nationality=pair.get("nationality", ""))
        refs = [m.entry.reference_number for m in result.matches]
        expected = pair["expected"]
        if refs:
            alerts += 1
            correct_alerts += expected in refs
        if expected:
            positives += 1
            found += expected in refs
            if expected not in refs:
                errors.append({"missed": pair["query"], "expected": expected, "reason": pair["reason"],
                               "matched": refs})
        else:
            negatives += 1
            false_positives += bool(refs)
            if refs:
                errors.append({"held": pair["query"], "matched": refs, "reason": pair["reason"],
                               "why": result.matches[0].explanation})
    return {
        "pairs": len(pairs),
        "positives": positives,
        "negatives": negatives,
        "recall": round(found / positives, 4) if positives else None,
        "false_positive_rate": round(false_positives / negatives, 4) if negatives else None,
        "precision": round(correct_alerts / alerts, 4) if alerts else None,
        "errors": errors[:ERRORS_SHOWN_MAX],
    }


def speed(entries: int) -> dict[str, float]:
    sanctions = generated_list(entries)
    started = time.perf_counter()
    index = SanctionsIndex(sanctions)
    built_s = time.perf_counter() - started
    names = query_names(SPEED_QUERIES)
    started = time.perf_counter()
    for name in names:
        index.screen(name)
    elapsed = time.perf_counter() - started
    return {"names_per_s": round(len(names) / elapsed, 1), "index_build_s": round(built_s, 3),
            "listed_names": index.names_count}


def run(*, show_errors: bool = False) -> dict[str, Any]:
    xml, pairs = evaluation_set()
    index = SanctionsIndex(parse_sanctions_xml(xml))
    heldout = quality(index, [p for p in pairs if p["split"] == "heldout"])
    dev = quality(index, [p for p in pairs if p["split"] == "dev"])
    result: dict[str, Any] = {
        "benchmark": "screening",
        "pairs": heldout["pairs"],
        "pairs_total": len(pairs),
        "precision": heldout["precision"],
        "recall": heldout["recall"],
        "false_positive_rate": heldout["false_positive_rate"],
        "positives": heldout["positives"],
        "negatives": heldout["negatives"],
        "dev": {k: dev[k] for k in ("pairs", "precision", "recall", "false_positive_rate")},
    }
    for entries in LIST_SIZES:
        measured = speed(entries)
        result[f"names_per_s_{entries}"] = measured["names_per_s"]
        result[f"index_build_s_{entries}"] = measured["index_build_s"]
        result[f"listed_names_{entries}"] = measured["listed_names"]
    result["names_per_s"] = result[f"names_per_s_{LIST_SIZES[0]}"]
    if show_errors:
        result["heldout_errors"] = heldout["errors"]
        result["dev_errors"] = dev["errors"]
    return {**result, **machine()}
