"""How a listed name reaches a sending agent's form: the variants, each with the rule that made it.

Per culture, the published romanisations (see `romanise`) and the ways clerks and customers write a name:
order (family name first, with a comma), dropped and added middle names, initials, diacritics dropped or
added, hyphens, honorifics, the Arabic article and "bin", and one typing error (a letter dropped, doubled,
swapped with its neighbour, or hit on the next key of a QWERTY keyboard) in the rarest word.
"""

from __future__ import annotations

import random
import unicodedata

from inzira.bench.evalset.entries import Listed
from inzira.bench.evalset.romanise import (
    ARABIC_CONVENTIONS,
    CYRILLIC_SYSTEMS,
    romanise_arabic,
    romanise_cyrillic,
    scholarly_with_marks,
    wade_giles_name,
)

Variant = tuple[str, str]  # (the name as typed, the rule that made it)

# Letters next to each other on a QWERTY keyboard (the layout of most senders' phones and keyboards).
_QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    c: "".join(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)) for row in _QWERTY_ROWS for i, c in enumerate(row)
}


def typo(word: str, rng: random.Random) -> tuple[str, str]:
    """One typing error inside `word` (never its first letter): the word and what was done."""
    if len(word) < 5:
        return word, "none"
    i = rng.randrange(2, len(word) - 1)
    kind = rng.choice(("dropped", "doubled", "swapped", "next key"))
    if kind == "dropped":
        return word[:i] + word[i + 1:], f"letter {word[i]!r} dropped"
    if kind == "doubled":
        return word[:i] + word[i] + word[i:], f"letter {word[i]!r} doubled"
    if kind == "swapped" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:], f"letters {word[i:i + 2]!r} swapped"
    near = _NEIGHBOURS.get(word[i].lower(), "")
    if not near:
        return word[:i] + word[i + 1:], f"letter {word[i]!r} dropped"
    return word[:i] + rng.choice(near) + word[i + 1:], f"{word[i]!r} typed as its keyboard neighbour"


def strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) != "Mn")


def _rng(entry: Listed, what: str) -> random.Random:
    return random.Random(f"{entry.ref}/{what}")


def cyrillic(entry: Listed) -> list[Variant]:
    given, patronymic, surname = (entry.source.split() + ["", ""])[:3] if len(entry.source.split()) == 3 else (
        entry.source.split()[0], "", entry.source.split()[-1])
    out: list[Variant] = []
    for system in CYRILLIC_SYSTEMS:
        out.append((romanise_cyrillic(entry.source, system), f"Cyrillic romanised by {system}"))
    en = {part: romanise_cyrillic(part, "English press") for part in (given, patronymic, surname) if part}
    icao = {part: romanise_cyrillic(part, "ICAO passport") for part in (given, patronymic, surname) if part}
    bgn = {part: romanise_cyrillic(part, "BGN/PCGN") for part in (given, patronymic, surname) if part}
    out.append((f"{bgn[surname].upper()}, {' '.join(bgn[p] for p in (given, patronymic) if p)}",
                "family name first with a comma (BGN/PCGN)"))
    if patronymic:
        out.append((f"{en[given]} {en[surname]}", "patronymic dropped (English press)"))
        out.append((f"{icao[given][0]}. {icao[patronymic][0]}. {icao[surname]}", "initials (ICAO passport)"))
    out.append((f"{en[given][0]}. {en[surname]}", "first name as an initial, patronymic dropped"))
    word, how = typo(en[surname], _rng(entry, "typo"))
    out.append((f"{en[given]} {word}", f"typing error in the family name: {how}"))
    out.append((entry.source, "written in Cyrillic"))
    out.append((f"Mr {romanise_cyrillic(given, 'German')} {romanise_cyrillic(surname, 'German')}",
                "honorific, German spelling"))
    return out


def arabic(entry: Listed) -> list[Variant]:
    words = entry.source.split()
    out: list[Variant] = []
    for convention in ARABIC_CONVENTIONS:
        out.append((romanise_arabic(words, convention), f"Arabic romanised by {convention} usage"))
    out.append((scholarly_with_marks(words), "ALA-LC with its diacritics"))
    plain = [w[3:] if w.startswith("al-") else w for w in words]
    out.append((romanise_arabic(plain, "ALA-LC plain"), "article al- dropped"))
    attached = romanise_arabic(words, "ALA-LC plain", article="al").replace("al-", "Al")
    out.append((attached, "article written attached (Alx)"))
    assimilated = romanise_arabic(words, "ALA-LC plain", assimilate=True)
    if assimilated != romanise_arabic(words, "ALA-LC plain"):
        out.append((assimilated, "article assimilated to a sun letter (ar-Rahman)"))
    if len(words) >= 3:
        out.append((romanise_arabic([words[0], words[-1]], "English press"), "father's name dropped"))
        out.append((romanise_arabic([words[0], "bin", *words[1:]], "ALA-LC plain").replace("Bin", "bin"),
                    "bin added before the father's name"))
        out.append((romanise_arabic([*words[:-1], "aHmad", words[-1]], "English press"),
                    "grandfather's name added"))
    family = romanise_arabic(words[-1:], "ALA-LC plain")
    out.append((f"{family.upper()}, {romanise_arabic(words[:-1], 'ALA-LC plain')}", "family name first with a comma"))
    honorific = _rng(entry, "honorific").choice(("Sheikh", "Hajji", "Dr.", "Mullah"))
    out.append((f"{honorific} {romanise_arabic(words, 'French')}", f"honorific {honorific}, French usage"))
    rare = words[-1][3:] if words[-1].startswith("al-") else words[-1]
    rare_plain = romanise_arabic([rare], "English press")
    word, how = typo(rare_plain, _rng(entry, "typo"))
    out.append((f"{romanise_arabic(words[:-1], 'English press')} {word}", f"typing error in the family name: {how}"))
    if entry.script:
        out.append((entry.script, "written in Arabic script"))
    return out


def chinese(entry: Listed) -> list[Variant]:
    surname, given = entry.source.split("|")
    syllables = given.split(".")
    joined = "".join(syllables).capitalize()
    sur = surname.capitalize()
    wg_surname = wade_giles_name([surname])
    out: list[Variant] = [
        (f"{sur} {joined}", "Pinyin, family name first"),
        (f"{joined} {sur}", "Pinyin, family name last"),
        (f"{sur.upper()} {' '.join(s.capitalize() for s in syllables)}", "Pinyin, given name's syllables apart"),
        (f"{sur} {'-'.join(syllables).capitalize()}", "Pinyin, given name hyphenated"),
        (f"{wg_surname} {wade_giles_name(syllables)}", "Wade-Giles"),
        (f"{wade_giles_name([surname], apostrophes=False)} {wade_giles_name(syllables, apostrophes=False)}",
         "Wade-Giles typed without apostrophes"),
        (f"{wade_giles_name(syllables, apostrophes=False)} {wade_giles_name([surname], apostrophes=False)}",
         "Wade-Giles, family name last"),
        (f"{sur.upper()}, {joined}", "family name first with a comma"),
        (entry.script, "written in Chinese characters"),
    ]
    word, how = typo(joined, _rng(entry, "typo"))
    out.append((f"{sur} {word}", f"typing error in the given name: {how}"))
    return out


def african_or_french(entry: Listed) -> list[Variant]:
    """Rwandan, East African and French names: given names first in the list's form."""
    words = entry.source.split()
    compound = _compound_given(words)
    given, rest = words[:compound], words[compound:]
    given_text, rest_text = " ".join(given), " ".join(rest)
    rng = _rng(entry, "typo")
    out: list[Variant] = [
        (entry.source, "as listed"),
        (strip_marks(entry.source).upper(), "capitals, accents dropped"),
        (f"{rest_text} {given_text}", "family name first, as Rwandan documents write it"),
        (f"{rest_text.upper()}, {given_text}", "family name first with a comma"),
    ]
    if len(given) > 1 or "-" in given_text:
        spaced = given_text.replace("-", " ")
        hyphen = "-".join(given_text.replace("-", " ").split())
        other = hyphen if spaced == given_text else spaced
        out.append((f"{other} {rest_text}", "compound given name hyphenated differently"))
        out.append((f"{given_text.replace('-', ' ').split()[0]} {rest_text}", "compound given name shortened"))
        initials = ".".join(p[0] for p in given_text.replace("-", " ").split() if p[0].isupper()) + "."
        out.append((f"{initials} {rest_text}", "compound given name as initials"))
    else:
        out.append((f"{given_text[0]}. {rest_text}", "given name as an initial"))
    if len(rest) >= 2:
        out.append((f"{given_text} {rest[-1]}", "middle name dropped"))
        out.append((f"{given_text} {rest[0]}", "last name dropped"))
    if "-" in rest_text:
        out.append((f"{given_text} {rest_text.replace('-', ' ')}", "double family name without its hyphen"))
        out.append((f"{given_text} {rest_text.split('-')[0]}", "first part of a double family name only"))
    added = {"rwandan": "Habimana", "east_african": "Juma", "french": "Marie"}[entry.culture]
    out.append((f"{given_text} {added} {rest_text}", f"middle name {added} added"))
    word, how = typo(strip_marks(rest[-1]), rng)
    out.append((f"{given_text} {' '.join(rest[:-1] + [word])}", f"typing error in the family name: {how}"))
    if any(c in rest_text for c in "rR") and entry.culture == "rwandan":
        out.append((f"{given_text} {rest_text.replace('r', 'l').replace('R', 'L')}",
                    "r written l (the two were one letter in older Kinyarwanda spelling)"))
    honorific = _rng(entry, "honorific").choice(("Mr", "Dr", "M.", "Monsieur"))
    out.append((f"{honorific} {strip_marks(entry.source)}", f"honorific {honorific}, accents dropped"))
    return out


def _compound_given(words: list[str]) -> int:
    """How many leading words are given names: Jean de Dieu, Marie Claire, Jean Bosco are one given name."""
    lowered = [w.lower() for w in words]
    if lowered[:3] == ["jean", "de", "dieu"]:
        return 3
    if lowered[0] in ("jean", "marie") and len(words) > 2 and words[1][0].isupper() and lowered[1] not in ("de",):
        return 2
    if lowered[0] in ("françois", "hélène", "gérard", "philippe"):
        return 2
    return 1


_LEGAL_FORMS = {"LTD": "Limited", "CO.,": "Company", "COMPANY": "Co.", "SARL": "S.A.R.L.", "CORPORATION": "Corp."}


def entity(entry: Listed) -> list[Variant]:
    words = entry.source.split()
    title = " ".join(w.capitalize() for w in words)
    out: list[Variant] = [(entry.source, "as listed"), (title, "mixed case")]
    swapped = [(_LEGAL_FORMS.get(w, w)) for w in words]
    if swapped != words:
        out.append((" ".join(swapped), "legal form written out or abbreviated"))
        bare = [w for w in words if w not in _LEGAL_FORMS and w.rstrip(".,") not in ("LTD", "CO")]
        out.append((" ".join(bare).title(), "legal form left out"))
    distinctive = max(words, key=lambda w: (w not in ("BANK", "TRADING", "COMPANY", "AL-WAHMI"), len(w)))
    word, how = typo(distinctive.capitalize(), _rng(entry, "typo"))
    out.append((title.replace(distinctive.capitalize(), word), f"typing error: {how}"))
    out.append((f"The {title}", "with an article"))
    return out


def variants(entry: Listed) -> list[Variant]:
    make = {"cyrillic": cyrillic, "arabic": arabic, "chinese": chinese, "entity": entity}.get(
        entry.culture, african_or_french)
    seen: set[str] = set()
    out = []
    for text, reason in make(entry):
        text = " ".join(text.split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append((text, reason))
    return out
