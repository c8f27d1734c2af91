"""How much a matching word says about who someone is: rare names weigh more than Jean or Mohammed.

A word's frequency, in people per million, is the highest of: the names corpus (`facts`), for the word or
any spelling with its phonetic or Chinese-syllable key (Mouhamad is as common as Mohammed, Hsieh as Xie);
and its share of the list's entries, once it is held by at least `LIST_ENTRIES_MIN` of them (on the real
UN list, Mohammed and Ali). A word neither source knows is rare. Position never counts: many listed names
have no family name, and Rwandan names put the Kinyarwanda name first or last.

Weight falls with the logarithm of frequency, from 1 for a rare name to `WEIGHT_MIN` for the most common:
a match on Jean-Baptiste is a tenth of the evidence of a match on Sampulu.
"""

from __future__ import annotations

import math
from functools import lru_cache
from types import MappingProxyType
from typing import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from inzira.remit.compliance.facts import names_per_million
from inzira.remit.compliance.names import PHONETIC_KEY_CHARS_MIN, NameToken, token, words

# From this frequency a name is common: matching only common names is never a hit.
COMMON_PER_MILLION = 3_000
# A word the list gives to this many entries or more counts by its share of them, too.
LIST_ENTRIES_MIN = 20
WEIGHT_MIN = 0.1
# Frequencies below this carry full weight (one person in 100,000).
RARE_PER_MILLION = 10
# Russian patronymics (folded: -ovich, -evna...) are made from fathers' given names, which are common.
_PATRONYMIC_ENDINGS = ("vish", "vna", "vic")
# A word this long or longer that is one typing error from a corpus name is that name's spelling.
_NEAR_CORPUS_CHARS_MIN = 5


def weight_of(per_million: float) -> float:
    """1 for a rare name, falling by a quarter per factor of ten of frequency, never below WEIGHT_MIN."""
    if per_million <= RARE_PER_MILLION:
        return 1.0
    return max(WEIGHT_MIN, min(1.0, (math.log10(1_000_000 / per_million) - 1) / 4))


@lru_cache(maxsize=1)
def _corpus() -> tuple[Mapping[str, int], Mapping[str, int]]:
    """The corpus by folded word, and by key (phonetic "#key", Chinese "~key")."""
    by_word: dict[str, int] = {}
    by_key: dict[str, int] = {}
    for name, per_million in names_per_million().items():
        for word in words(name):
            found = token(word.text, word.head)
            by_word[found.folded] = max(by_word.get(found.folded, 0), per_million)
            for key in _keys(found):
                by_key[key] = max(by_key.get(key, 0), per_million)
    return MappingProxyType(by_word), MappingProxyType(by_key)


def _keys(found: NameToken) -> list[str]:
    keys = []
    if len(found.key) >= PHONETIC_KEY_CHARS_MIN:
        keys.append("#" + found.key)
    if found.sinic:
        keys.append("~" + found.sinic)
    return keys


@lru_cache(maxsize=262_144)
def corpus_per_million(found: NameToken) -> int:
    """The corpus frequency of a word: its own, its keys', a patronymic's, or a one-letter neighbour's."""
    by_word, by_key = _corpus()
    best = max([by_word.get(found.folded, 0), *(by_key.get(k, 0) for k in _keys(found))])
    if best == 0 and found.folded.endswith(_PATRONYMIC_ENDINGS) and len(found.folded) > 6:
        best = COMMON_PER_MILLION
    if best == 0 and len(found.folded) >= _NEAR_CORPUS_CHARS_MIN:
        near = process.extractOne(found.folded, _corpus_words(), scorer=OSA.distance, score_cutoff=1)
        if near is not None:
            best = by_word[near[0]]
    return best


@lru_cache(maxsize=1)
def _corpus_words() -> tuple[str, ...]:
    return tuple(sorted(word for word in _corpus()[0] if len(word) >= _NEAR_CORPUS_CHARS_MIN))


class Commonness:
    """Word frequencies for one list: the corpus's, and the list's own for its frequent words."""

    def __init__(self, entry_tokens: Iterable[Iterable[NameToken]], entries_count: int) -> None:
        holders: dict[str, int] = {}
        for tokens in entry_tokens:  # one iterable per entry: its tokens over all its names
            for spelling in {s for t in tokens for s in (t.folded, *_keys(t))}:
                holders[spelling] = holders.get(spelling, 0) + 1
        self._list_per_million = {
            spelling: 1_000_000 * count / max(1, entries_count)
            for spelling, count in holders.items()
            if count >= LIST_ENTRIES_MIN
        }

    def per_million(self, found: NameToken) -> float:
        spellings = (found.folded, *_keys(found))
        listed = max((self._list_per_million.get(s, 0.0) for s in spellings), default=0.0)
        return max(float(corpus_per_million(found)), listed)

    def weight(self, found: NameToken) -> float:
        if found.initial:
            return WEIGHT_MIN
        return weight_of(self.per_million(found))

    def is_common(self, found: NameToken) -> bool:
        return found.initial or self.per_million(found) >= COMMON_PER_MILLION
