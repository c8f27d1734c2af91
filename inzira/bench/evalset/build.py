"""Build the screening evaluation set: ``python -m inzira.bench.evalset.build`` writes data/.

Outputs, both committed: ``eval-list.xml``, the fictional evaluation list in the UN consolidated format,
and ``pairs.json``, the labelled pairs: a query, the list entry it must find (or none), the rule or fact
that made it, and its split. The split is fixed by a hash of the pair, half "dev" (for tuning) and half
"heldout" (measured by ``inzira bench screening``); the held-out part's digest is pinned in
``inzira.bench.screening`` so that a changed set is refused rather than measured.

Nothing here runs the screener: positives come from romanisation rules and writing habits (``variants``),
negatives from name frequencies (``negatives``).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from inzira.bench.evalset.entries import ENTRIES, Listed
from inzira.bench.evalset.negatives import BUSINESSES, POOLS, is_clean, look_alikes, ordinary, sharing
from inzira.bench.evalset.romanise import romanise_arabic, romanise_cyrillic
from inzira.bench.evalset.variants import strip_marks, variants

DATA = Path(__file__).parent / "data"
ORDINARY_PER_CULTURE = {"rwandan": 160, "east_african": 60, "french": 90, "arabic": 110, "chinese": 80,
                        "cyrillic": 100}
# The names of issue 12 that the screener held and an analyst clears.
ISSUE_NEGATIVES = ["Jean Baptiste Nkurunziza", "Jean-Baptiste Mugabo", "Khalid Hassan Ahmed", "Philippe Xavier Dupont",
                   "Sergey Primakov"]


def listed_parts(entry: Listed) -> list[str]:
    """The name parts as the list writes them (FIRST_NAME, SECOND_NAME...), in capitals."""
    if entry.culture == "cyrillic":
        return romanise_cyrillic(entry.source, "BGN/PCGN").replace("'", "").upper().split()
    if entry.culture == "arabic":
        return romanise_arabic(entry.source.split(), "ALA-LC plain").upper().split()
    if entry.culture == "chinese":
        surname, given = entry.source.split("|")
        return [surname.upper(), given.replace(".", "").upper()]
    if entry.culture == "entity":
        return [entry.source]
    words = entry.source.split()
    given = " ".join(words[:_given_words(entry)])
    return [given.upper(), *(w.upper() for w in words[_given_words(entry):])]


def _given_words(entry: Listed) -> int:
    words = entry.source.lower().split()
    if words[:3] == ["jean", "de", "dieu"]:
        return 3
    if words[0] in ("marie", "jean") and len(words) > 2 and entry.culture == "rwandan":
        return 2
    return 1


def _entry_xml(entry: Listed, data_id: int) -> str:
    individual = entry.culture != "entity"
    tag = "INDIVIDUAL" if individual else "ENTITY"
    lines = [f"    <{tag}>", f"      <DATAID>{data_id}</DATAID>", "      <VERSIONNUM>1</VERSIONNUM>"]
    parts = _SAMPLE_PARTS.get(entry.ref) or listed_parts(entry)  # the demo's sample entries keep their names
    for tag_name, part in zip(("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"), parts):
        lines.append(f"      <{tag_name}>{escape(part)}</{tag_name}>")
    lines += ["      <UN_LIST_TYPE>Evaluation</UN_LIST_TYPE>",
              f"      <REFERENCE_NUMBER>{entry.ref}</REFERENCE_NUMBER>", "      <LISTED_ON>2020-01-01</LISTED_ON>"]
    script = entry.script or (entry.source if entry.culture == "cyrillic" else "")
    lines.append(f"      <NAME_ORIGINAL_SCRIPT>{escape(script)}</NAME_ORIGINAL_SCRIPT>")
    if entry.nationality:
        lines.append(f"      <NATIONALITY><VALUE>{escape(entry.nationality)}</VALUE></NATIONALITY>")
    alias_tag = "INDIVIDUAL_ALIAS" if individual else "ENTITY_ALIAS"
    for quality, aliases in (("Good", entry.aliases), ("Low", entry.low_aliases)):
        for alias in aliases:
            lines.append(f"      <{alias_tag}><QUALITY>{quality}</QUALITY>"
                         f"<ALIAS_NAME>{escape(alias)}</ALIAS_NAME></{alias_tag}>")
    if entry.dob:
        kind, element = ("EXACT", "DATE") if len(entry.dob) == 10 else ("EXACT", "YEAR")
        lines.append(f"      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>{kind}</TYPE_OF_DATE>"
                     f"<{element}>{entry.dob}</{element}></INDIVIDUAL_DATE_OF_BIRTH>")
    lines.append(f"    </{tag}>")
    return "\n".join(lines)


def list_xml() -> str:
    individuals = [e for e in ENTRIES if e.culture != "entity"]
    entities = [e for e in ENTRIES if e.culture == "entity"]
    body = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<!-- FICTIONAL EVALUATION LIST for Inzira's screening benchmark. "
            "Every person and entity in it is invented;",
            "     none is, or is meant to be, a real person or organisation. "
            "Built by inzira/bench/evalset/build.py. -->",
            '<CONSOLIDATED_LIST dateGenerated="2026-01-05T10:00:00.000Z">', "  <INDIVIDUALS>"]
    body += [_entry_xml(e, 8_000_000 + n) for n, e in enumerate(individuals, 1)]
    body += ["  </INDIVIDUALS>", "  <ENTITIES>"]
    body += [_entry_xml(e, 8_100_000 + n) for n, e in enumerate(entities, 1)]
    body += ["  </ENTITIES>", "</CONSOLIDATED_LIST>", ""]
    return "\n".join(body)


_SAMPLE_PARTS = {
    "ZZi.001": ["MUHAMMAD", "YUSUF", "QARZANITHI"], "ZZi.002": ["ALEKSANDR", "VITALIEVICH", "FIKTIVNIKOV"],
    "ZZi.003": ["SERGEI", "NIKOLAEVICH", "PRIMEROV"], "ZZi.004": ["KHALID", "HASSAN", "AL-MITHALY"],
    "ZZi.005": ["OMAR", "ABDELRAHMAN", "WAHMI"], "ZZi.006": ["YEVGENY", "FYODOROVICH", "VYMYSLOV"],
    "ZZi.007": ["JEAN-BAPTISTE", "FICTIF", "SAMPULU"], "ZZi.008": ["IBRAHIM", "QASIM", "TAKHAYYULI"],
    "ZZi.009": ["DMITRI", "OLEGOVICH", "NESUSHCHESTVUYUSHCHY"],
    "ZZi.010": ["PHILIPPE", "XAVIER", "IMAGINAIRE-DUPRÉTEND"],
    "ZZi.011": ["MARIAM", "EXEMPLOVA"], "ZZi.012": ["ABU BAKR", "SALIM", "HAMID", "ZAYFANI"],
}


def pairs() -> list[dict]:
    rng = random.Random(12)
    listed_tokens = {e.ref: {w.strip(".,").casefold() for w in strip_marks(" ".join(
        _SAMPLE_PARTS.get(e.ref) or listed_parts(e))).replace("-", " ").split()} for e in ENTRIES}
    out: list[dict] = []
    for entry in ENTRIES:
        for query, reason in variants(entry):
            out.append({"query": query, "expected": entry.ref, "reason": reason, "culture": entry.culture})
        if entry.dob and entry.culture != "entity" and len(entry.dob) == 10:
            out.append({"query": " ".join(p.capitalize() for p in _SAMPLE_PARTS.get(entry.ref) or listed_parts(entry)),
                        "expected": entry.ref, "reason": "as listed, with the listed date of birth and nationality",
                        "culture": entry.culture, "date_of_birth": entry.dob, "nationality": entry.nationality})
    negatives: list[dict] = []
    for culture, count in ORDINARY_PER_CULTURE.items():
        for query, reason in ordinary(culture, count, rng):
            negatives.append({"query": query, "expected": None, "reason": reason, "culture": culture})
    for entry in ENTRIES:
        primary = " ".join(_SAMPLE_PARTS.get(entry.ref) or listed_parts(entry)).title()
        for query, reason in sharing(entry, primary, rng):
            negatives.append({"query": query, "expected": None, "reason": reason, "culture": entry.culture})
    negatives = [n for n in negatives if is_clean(n["query"], ENTRIES, listed_tokens)]
    for entry in ENTRIES:
        for query, reason in look_alikes(entry):
            negatives.append({"query": query, "expected": None, "reason": reason, "culture": entry.culture})
    for query in ISSUE_NEGATIVES:
        negatives.append({"query": query, "expected": None, "culture": "issue",
                          "reason": "issue 12: an ordinary name the screener used to hold"})
    for entry in [e for e in ENTRIES if e.culture == "chinese"][:6]:
        born = int(entry.dob[:4]) + 25
        negatives.append({"query": " ".join(p.capitalize() for p in listed_parts(entry)), "expected": None,
                          "culture": entry.culture, "date_of_birth": f"{born}-02-02", "nationality": "China",
                          "reason": f"namesake of {entry.ref}: the same common name, born 25 years later, "
                                    "another nationality"})
    for name in BUSINESSES:
        negatives.append({"query": name, "expected": None, "culture": "entity",
                          "reason": "an ordinary business named with trade words and places"})
    seen: set[str] = set()
    for pair in out + negatives:
        key = pair["query"].casefold() + "|" + str(pair["expected"]) + "|" + pair.get("date_of_birth", "")
        if key in seen:
            continue
        seen.add(key)
        digest = hashlib.sha256(key.encode()).digest()
        pair["split"] = "heldout" if digest[0] % 2 == 0 else "dev"
        pair["id"] = digest[:6].hex()
    unique = {p["id"]: p for p in out + negatives if "id" in p}
    return sorted(unique.values(), key=lambda p: (p["expected"] is None, p["expected"] or "", p["query"]))


def heldout_digest(all_pairs: list[dict]) -> str:
    """SHA-256 of the held-out pairs in canonical JSON: what the benchmark pins."""
    heldout = [p for p in all_pairs if p["split"] == "heldout"]
    return hashlib.sha256(json.dumps(heldout, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def main() -> None:
    DATA.mkdir(exist_ok=True)
    (DATA / "eval-list.xml").write_text(list_xml(), encoding="utf-8")
    all_pairs = pairs()
    document = {
        "about": "Labelled pairs for inzira bench screening: each query, the evaluation-list entry it must match "
                 "(null: it must match none), why, and its split. Built by inzira/bench/evalset/build.py from "
                 "romanisation rules and name-frequency facts; the held-out half is frozen.",
        "list": "eval-list.xml",
        "pools": sorted(POOLS),
        "pairs": all_pairs,
    }
    (DATA / "pairs.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    positives = sum(1 for p in all_pairs if p["expected"])
    print(json.dumps({"pairs": len(all_pairs), "positives": positives, "negatives": len(all_pairs) - positives,
                      "heldout": sum(1 for p in all_pairs if p["split"] == "heldout"),
                      "heldout_sha256": heldout_digest(all_pairs)}))


if __name__ == "__main__":
    if sys.argv[1:]:  # it takes no arguments: --help must not rewrite the committed set
        print("usage: python -m inzira.bench.evalset.build  (rewrites inzira/bench/evalset/data/; no options)",
              file=sys.stderr)
        sys.exit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 2)
    main()
