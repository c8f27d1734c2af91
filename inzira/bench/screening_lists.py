"""Sanctions lists of any size for the speed measure, generated from the names corpora; and the names to screen.

A real list holds about a thousand entries (UN) to many thousands (OFAC's SDN list, the EU's list); what
the screener's speed depends on is how many listed words there are, how many share an initial and a length,
and how many names a common word reaches. So the generated lists mix, as real lists do:

- given names, fathers' names and patronymics from the most frequent names of each population (the
  evaluation set's pools: Arabic, Russian and Ukrainian, Chinese, Rwandan, East African, French), so common
  words are shared by thousands of entries;
- family names and nisbas made from the sound patterns of each language (Russian stems with -ov, -in,
  -enko, -sky; Arabic al- with a root pattern; Kinyarwanda name elements; Chinese syllables), so rare words
  are many and varied;
- entities named with trade words and a rare word; one or two aliases for a third of the entries.

The names screened are ordinary customers' names from the same pools, a third with a generated rare family
name, so the screener's word cache helps as it would in service but does not answer everything.
"""

from __future__ import annotations

import random
from xml.sax.saxutils import escape, quoteattr

from inzira.bench.evalset.negatives import POOLS
from inzira.remit.compliance.sanctions import ListedName, NameKind, PartyType, SanctionsEntry, SanctionsList

_CONSONANTS = "bdfghjklmnqrstwz"
_RUSSIAN_ENDINGS = ("ov", "ev", "in", "sky", "enko", "uk", "yov")
_ARABIC_PATTERNS = ("{0}a{1}{2}i", "{0}u{1}ay{2}i", "{0}a{1}{2}awi", "{0}a{1}a{2}ani", "{0}i{1}{2}a")
_KINYARWANDA_FIRST = ("Ntawu", "Niyo", "Habi", "Uwi", "Nsengi", "Muka", "Bizi", "Twagira", "Hakizi", "Nzabo", "Ndayi",
                      "Uwama", "Nyira", "Mbonyi", "Kanya", "Ruka", "Sebu", "Gatwa", "Rwa", "Bagi", "Mune", "Iradu")
_KINYARWANDA_SECOND = ("higa", "mana", "rugendo", "yezu", "bikwi", "ndekwe", "kezi", "bayi", "rasa", "gwiza", "ganza",
                       "hoza", "remye", "tegeka", "kiza", "huza", "mbabazi", "nyana", "sabwa", "hirwe", "kuru")
_KINYARWANDA_THIRD = ("", "ye", "yo", "mungu", "za", "na", "ka", "mana")
_PINYIN = ("an bai bin bo chang chao chen cheng chun dan dong fang fei feng gang guang guo hai hao hong hua hui jian "
           "jiang jie jin jing jun kai lan lei li liang lin ling long mei min ming na ning peng ping qiang qing rong "
           "rui shan sheng shu tao ting wei wen xia xiang xiao xin xing xiu xue yan yang ying yong yu yuan yun ze zhen "
           "zheng zhi zhong").split()
_TRADE = ("Trading", "General Trading", "Exchange", "Logistics", "Shipping", "Holdings", "Mining", "Import Export",
          "Foundation", "Investments", "Industries", "Services")
_LEGAL = ("Ltd", "LLC", "Company", "SARL", "Co., Ltd.", "")
CULTURE_SHARES = (("arabic", 0.35), ("cyrillic", 0.2), ("chinese", 0.1), ("rwandan", 0.1), ("east_african", 0.05),
                  ("french", 0.05), ("entity", 0.15))


def _syllables(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice("aeiou") for _ in range(count))


def rare_family_name(culture: str, rng: random.Random) -> str:
    if culture == "cyrillic":
        return (_syllables(rng, rng.randint(2, 3)) + rng.choice(_RUSSIAN_ENDINGS)).capitalize()
    if culture == "arabic":
        root = [rng.choice(_CONSONANTS) for _ in range(3)]
        return "al-" + rng.choice(_ARABIC_PATTERNS).format(*root).capitalize()
    if culture == "chinese":
        return "".join(rng.sample(_PINYIN, 2)).capitalize()
    if culture in ("rwandan", "east_african"):
        return rng.choice(_KINYARWANDA_FIRST) + rng.choice(_KINYARWANDA_SECOND) + rng.choice(_KINYARWANDA_THIRD)
    return (_syllables(rng, rng.randint(2, 3)) + rng.choice(("ard", "ier", "et", "ot", "and"))).capitalize()


def _person(culture: str, rng: random.Random) -> str:
    given, family = POOLS[culture]
    if culture == "chinese":
        return f"{rng.choice(family)} {''.join(rng.sample(_PINYIN, 2)).capitalize()}"
    if culture == "cyrillic":
        return f"{rng.choice(given)} {rng.choice(given[:20]).rstrip('ay')}ovich {rare_family_name(culture, rng)}"
    if culture == "arabic":
        father = rng.choice(given) if rng.random() < 0.7 else ""
        return " ".join(p for p in (rng.choice(given), father, rare_family_name(culture, rng)) if p)
    return f"{rng.choice(given)} {rare_family_name(culture, rng)}"


def _entity(rng: random.Random) -> str:
    return f"{rare_family_name('french', rng)} {rng.choice(_TRADE)} {rng.choice(_LEGAL)}".strip()


def generated_list(entries: int, seed: int = 20, generated_at: str = "2026-01-05T00:00:00Z") -> SanctionsList:
    rng = random.Random(seed)
    cultures, shares = zip(*CULTURE_SHARES)
    out = []
    for i in range(entries):
        culture = rng.choices(cultures, shares)[0]
        primary = _entity(rng) if culture == "entity" else _person(culture, rng)
        names = [ListedName(primary, NameKind.PRIMARY)]
        if rng.random() < 0.33:
            words = primary.split()
            names.append(ListedName(" ".join(words[-1:] + words[:-1]), NameKind.ALIAS, "Good"))
        if rng.random() < 0.1:
            names.append(ListedName(_person(culture, rng) if culture != "entity" else _entity(rng), NameKind.ALIAS,
                                    "a.k.a."))
        party = PartyType.ENTITY if culture == "entity" else PartyType.INDIVIDUAL
        out.append(SanctionsEntry(f"G{i}", f"GEN.{i}", party, tuple(names), "Generated", "2020-01-01"))
    return SanctionsList(tuple(out), generated_at, "generated")


def customer_names(count: int, seed: int = 22) -> list[str]:
    """Ordinary customers' names, from the most frequent names of each population only."""
    rng = random.Random(seed)
    cultures = [c for c, _ in CULTURE_SHARES if c != "entity"]
    out = []
    for _ in range(count):
        given, family = POOLS[rng.choice(cultures)]
        out.append(f"{rng.choice(given)} {rng.choice(family)}")
    return out


def query_names(count: int, seed: int = 21) -> list[str]:
    rng = random.Random(seed)
    cultures = [c for c, _ in CULTURE_SHARES if c != "entity"]
    out = []
    for _ in range(count):
        culture = rng.choice(cultures)
        given, family = POOLS[culture]
        surname = rare_family_name(culture, rng) if rng.random() < 0.33 else rng.choice(family)
        out.append(f"{surname} {rng.choice(given)}" if culture == "chinese" else f"{rng.choice(given)} {surname}")
    return out


def un_list_xml(sanctions: SanctionsList) -> bytes:
    """`sanctions` in the UN consolidated list format, for a service that loads its list from a file."""
    parts = {PartyType.INDIVIDUAL: [], PartyType.ENTITY: []}
    for n, entry in enumerate(sanctions.entries, 1):
        tag = "INDIVIDUAL" if entry.party_type is PartyType.INDIVIDUAL else "ENTITY"
        aliases = "".join(
            f"<{tag}_ALIAS><QUALITY>{escape(name.quality)}</QUALITY><ALIAS_NAME>{escape(name.text)}</ALIAS_NAME>"
            f"</{tag}_ALIAS>" for name in entry.names[1:])
        parts[entry.party_type].append(
            f"<{tag}><DATAID>{n}</DATAID><FIRST_NAME>{escape(entry.primary_name)}</FIRST_NAME>"
            f"<REFERENCE_NUMBER>{escape(entry.reference_number)}</REFERENCE_NUMBER>"
            f"<LISTED_ON>{entry.listed_on}</LISTED_ON>{aliases}</{tag}>")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- GENERATED for a benchmark: no real person. -->\n"
            f"<CONSOLIDATED_LIST dateGenerated={quoteattr(sanctions.generated_at)}><INDIVIDUALS>"
            f"{''.join(parts[PartyType.INDIVIDUAL])}</INDIVIDUALS><ENTITIES>{''.join(parts[PartyType.ENTITY])}"
            "</ENTITIES></CONSOLIDATED_LIST>\n").encode()
