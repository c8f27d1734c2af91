"""How alike a name is to a listed name, weighed as an analyst weighs it.

Two words (see `names`) are the same name when their folded spellings are equal; close when they share a
Chinese-syllable key (Hsieh/Xie, 0.95; two words that read as Chinese syllables are compared only so, or
by one typing error as written) or a phonetic key (Mohammed/Muhamad, Omar/Umar, 0.93), when one is a
compound given name and the other its first name (Jean/Jean de Dieu, 0.85), or when they are one or two
typing errors apart (restricted Damerau-Levenshtein: one edit up to eight letters, two beyond; 0.94 and
0.88) unless the word screened is a name the corpus knows (Khatib is not a mistyped Hatti, Jianhua not a
mistyped Jianghua; a customer's unknown Jinguo may be a mistyped listed Jianguo); an initial matches a word
with its letter (0.8). Anything else is a different name, however much it looks alike: Primakov is not
Primerov.

A name is compared with a listed name as a set of words: the pairs that carry the most evidence are matched
first, each word once. What the match is worth then depends on how rare the matched names are (`commonness`):

- matching only common names (Jean-Baptiste, Mohammed Ali, Sergei) is never a match, unless the listed name
  is itself made of common names only and every one of them matches;
- a listed name of two or more words needs two of them matched (an initial counts), at least one in full;
- the score is the weighted mean similarity of the matched words, lowered for each listed word the name
  lacks (a dropped middle name costs a little, a dropped rare name more) and each word of the name the
  listed name lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rapidfuzz.distance import OSA

from inzira.remit.compliance.names import PHONETIC_KEY_CHARS_MIN, NameToken

SAME_SINIC = 0.95
SAME_KEY = 0.93
COMPOUND_HEAD = 0.85
INITIAL = 0.8
EDIT_COST = 0.06
# A matched rare name counts as evidence only when at least this alike.
EVIDENCE_SIMILARITY_MIN = 0.85
# Each word of a listed name of common words must be at least this alike for the name to match.
COMPLETE_SIMILARITY_MIN = 0.9
# Score lost per word left unmatched, plus a share of its weight.
UNMATCHED_LISTED_BASE, UNMATCHED_LISTED_WEIGHTED = 0.02, 0.06
UNMATCHED_QUERY_BASE, UNMATCHED_QUERY_WEIGHTED = 0.02, 0.05
# A one-word listed name inside a longer name: each extra word costs more.
SINGLE_WORD_QUERY_BASE, SINGLE_WORD_QUERY_WEIGHTED = 0.05, 0.10


def edits_allowed(length: int) -> int:
    """Typing errors forgiven in a word of `length` letters: none up to three, one up to eight, then two."""
    return 0 if length <= 3 else 1 if length <= 8 else 2


def token_similarity(a: NameToken, b: NameToken) -> float:
    """0 for different names, else 0.8 to 1; `a` is the word screened, `b` the listed word."""
    if a.initial or b.initial:
        return 1.0 if a.folded == b.folded else INITIAL if a.letter == b.letter else 0.0
    if a.sinic and b.sinic:
        return _sinic_similarity(a, b)
    if a.folded == b.folded:
        return 1.0
    if a.key == b.key and len(a.key) >= PHONETIC_KEY_CHARS_MIN and _spellings_of_one_name(a, b):
        return SAME_KEY
    if (a.head and a.head == b.folded) or (b.head and b.head == a.folded):
        return COMPOUND_HEAD
    allowed = edits_allowed(min(len(a.folded), len(b.folded)))
    if allowed == 0 or a.known:
        return 0.0  # a name typed as the corpus knows it, a letter from a listed one, is another name
    distance = OSA.distance(a.folded, b.folded, score_cutoff=allowed)
    return 1.0 - EDIT_COST * distance if distance <= allowed else 0.0


def _spellings_of_one_name(a: NameToken, b: NameToken) -> bool:
    """Whether two words with one phonetic key are spellings of one name (Mohammed, Muhamad), not two names
    whose consonants happen to agree (Khadija and Hidha; Mukamana and Mukamanayo, a known name and a
    longer one): at most one edit apart up to five letters, two beyond, and no longer than a known name
    by more than a letter."""
    shorter = min(len(a.folded), len(b.folded))
    if (a.known or b.known) and abs(len(a.folded) - len(b.folded)) > 1:
        return False
    edits = 1 if shorter <= 5 else 2
    return OSA.distance(a.folded, b.folded, score_cutoff=edits) <= edits


def _sinic_similarity(a: NameToken, b: NameToken) -> float:
    """Two words that both read as Chinese syllables: the same syllables in either romanisation, or one
    typing error apart as written. The folds and the vowel-blind phonetic key are for other languages: for
    Chinese the vowels tell the syllables apart (Haifeng is not Huifang, Jianjun is not Jinyun)."""
    if a.written == b.written:
        return 1.0
    if a.sinic == b.sinic:
        return SAME_SINIC
    if edits_allowed(min(len(a.written), len(b.written))) == 0 or a.known:
        return 0.0
    return 1.0 - EDIT_COST if OSA.distance(a.written, b.written, score_cutoff=1) <= 1 else 0.0


@dataclass(frozen=True, slots=True)
class Unit:
    """A word of the name being screened, or two of its words read as one name, or one part of a compound."""

    token: NameToken
    positions: int  # bit mask of the written words it stands for
    written: str


@dataclass(frozen=True, slots=True)
class ListedWord:
    token: NameToken
    written: str
    weight: float
    common: bool


@dataclass(frozen=True, slots=True)
class WordMatch:
    unit: Unit
    listed: ListedWord
    similarity: float


@dataclass(frozen=True, slots=True)
class NameComparison:
    score: int  # 0 when the name does not match at all
    matched: tuple[WordMatch, ...]
    unmatched_listed: tuple[ListedWord, ...]
    unmatched_query: tuple[str, ...]
    why_not: str = ""  # when score is 0 with words matched: the rule that stopped it


def compare(
    units: Sequence[Unit],
    position_weights: Sequence[float],
    position_words: Sequence[str],
    listed: Sequence[ListedWord],
    similarities: Sequence[Sequence[float]],
) -> NameComparison:
    """Compare a name (its units and written words) with a listed name; `similarities[u][j]` is unit u
    against listed word j."""
    # Most evidence first; between equals, a unit of fewer words (J. B. is two initials, not one).
    pairs = sorted(
        ((s * listed[j].weight, s, u, j) for u, row in enumerate(similarities) for j, s in enumerate(row) if s > 0),
        key=lambda pair: (-pair[0], -pair[1], units[pair[2]].positions.bit_count(), pair[2], pair[3]),
    )
    used_positions = 0
    used_listed: set[int] = set()
    matched: list[WordMatch] = []
    for _, similarity, u, j in pairs:
        unit = units[u]
        if unit.positions & used_positions or j in used_listed:
            continue
        used_positions |= unit.positions
        used_listed.add(j)
        matched.append(WordMatch(unit, listed[j], similarity))
    unmatched_listed = tuple(word for j, word in enumerate(listed) if j not in used_listed)
    unmatched_positions = [p for p in range(len(position_weights)) if not used_positions >> p & 1]
    unmatched_query = tuple(position_words[p] for p in unmatched_positions)
    full = [m for m in matched if not (m.unit.token.initial or m.listed.token.initial)]
    evidence = any(not m.listed.common and m.similarity >= EVIDENCE_SIMILARITY_MIN for m in full)
    # A name of common words alone matches only when each of them does, closely (no first name of a
    # compound for the whole: Marie is not Marie Rose).
    every_listed_word = not unmatched_listed and len(full) == len(listed) and all(
        m.similarity >= COMPLETE_SIMILARITY_MIN for m in full)

    def no(why: str) -> NameComparison:
        return NameComparison(0, tuple(matched), unmatched_listed, unmatched_query, why)

    if not full:
        return no("")
    if len(listed) == 1:
        if not (evidence or not unmatched_query):
            return no("only a common name matches a one-word listed name")
    elif len(matched) < 2:
        return no("only one of the listed name's words matches")
    elif not (evidence or every_listed_word):
        return no("only common names match, and not all of the listed name")
    weight_matched = sum(m.listed.weight for m in matched)
    mean = sum(m.similarity * m.listed.weight for m in matched) / weight_matched
    keep = 1.0 - sum(UNMATCHED_LISTED_BASE + UNMATCHED_LISTED_WEIGHTED * w.weight for w in unmatched_listed)
    base, weighted = ((SINGLE_WORD_QUERY_BASE, SINGLE_WORD_QUERY_WEIGHTED) if len(listed) == 1
                      else (UNMATCHED_QUERY_BASE, UNMATCHED_QUERY_WEIGHTED))
    keep -= sum(base + weighted * position_weights[p] for p in unmatched_positions)
    return NameComparison(round(100 * mean * max(0.0, keep)), tuple(matched), unmatched_listed, unmatched_query)
