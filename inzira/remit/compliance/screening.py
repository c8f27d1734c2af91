"""Screening a name against the sanctions list: an index built once, then fast look-ups.

Every listed word goes into a vocabulary with the listed names that hold it. A screening finds, for each
word of the name (and each pair of words that may be one name written apart, Jian Guo or Jean Eric), the
vocabulary words alike enough to match (`similarity.token_similarity`): by spelling, by phonetic and
Chinese-syllable key, by compound head, and by edit distance in rapidfuzz's compiled loop over the words
of about the same length and the same initial. It scores only the listed names those words reach.

A common word (see `commonness`) reaches only the listed names made of common words alone: a name with a
rare word is reached through that word or not at all, since matching its common words alone is never a
match. This also keeps a screening fast: the thousands of names behind Mohammed are never scanned.

Each entry is reported once, through the name that matched it best, with the explanation the officer
reads (`explain`). A "Low" quality alias of one word (a nickname) is not indexed; a match on any other
"Low" quality alias is at most a possible match.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from inzira.remit.compliance import evidence
from inzira.remit.compliance.commonness import Commonness
from inzira.remit.compliance.explain import explain
from inzira.remit.compliance.joined import JoinedWords
from inzira.remit.compliance.names import (
    PHONETIC_KEY_CHARS_MIN,
    VOWELS,
    NameToken,
    UnscreenableName,
    query_name_problem,
    token,
    words,
)
from inzira.remit.compliance.query import query_of
from inzira.remit.compliance.sanctions import ListedName, SanctionsEntry, SanctionsList
from inzira.remit.compliance.similarity import ListedWord, NameComparison, Unit, compare, token_similarity

# Listed names are cut to this many words: the longest entity names on the UN list have about a dozen.
LISTED_NAME_TOKENS_MAX = 16
MATCHES_MAX = 10
SIMILAR_CACHE_TOKENS_MAX = 16_384
_EDITS_SEARCHED = 2


@dataclass(frozen=True, slots=True)
class ScreeningThresholds:
    """Scores (0-100) from which a match is a hit or a possible match."""

    hit: int = 88
    possible: int = 75

    def __post_init__(self) -> None:
        if not 0 < self.possible <= self.hit <= 100:
            raise ValueError(f"thresholds need 0 < possible <= hit <= 100, got {self.possible} and {self.hit}")


class MatchStrength(StrEnum):
    HIT = "hit"
    POSSIBLE = "possible"


@dataclass(frozen=True, slots=True)
class NameMatch:
    entry: SanctionsEntry
    matched_name: ListedName  # the entry's name or alias that scored best
    score: int
    strength: MatchStrength
    explanation: str = ""  # for the officer: which words matched how, and what raised or lowered the score


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    query: str
    matches: tuple[NameMatch, ...]  # hits first, then by score, best first
    names_scored: int  # listed names scored in full, after the index set the others aside

    @property
    def hits(self) -> tuple[NameMatch, ...]:
        return tuple(m for m in self.matches if m.strength is MatchStrength.HIT)

    @property
    def possible(self) -> tuple[NameMatch, ...]:
        return tuple(m for m in self.matches if m.strength is MatchStrength.POSSIBLE)


@dataclass(frozen=True, slots=True)
class _IndexedName:
    entry_index: int
    name: ListedName
    words: tuple[ListedWord, ...]
    spellings: tuple[str, ...]  # its words as written (the vocabulary's keys)
    rare: tuple[str, ...]  # those of its words that are not common
    has_initial: bool


class SanctionsIndex:
    """A sanctions list prepared for screening; build it once per list."""

    def __init__(self, sanctions: SanctionsList) -> None:
        self.sanctions = sanctions
        listed: list[tuple[int, ListedName, list[tuple[NameToken, str]]]] = []
        per_entry: list[list[NameToken]] = []
        for entry_index, entry in enumerate(sanctions.entries):
            held: list[NameToken] = []
            for name in entry.names:
                found = [(token(w.text, w.head), "-".join(w.parts) or w.text)
                         for w in words(name.text)[:LISTED_NAME_TOKENS_MAX]]
                if not found or (name.weak and len(found) == 1):
                    continue
                listed.append((entry_index, name, found))
                held.extend(t for t, _ in found)
            per_entry.append(held)
        self.commonness = Commonness(per_entry, len(sanctions.entries))
        self._vocabulary: dict[str, ListedWord] = {}
        self._names: list[_IndexedName] = []
        postings: dict[str, set[int]] = {}
        for entry_index, name, found in listed:
            name_words = []
            for tok, written in found:
                word = self._vocabulary.get(tok.written)
                if word is None:
                    word = ListedWord(tok, written, self.commonness.weight(tok), self.commonness.is_common(tok))
                    self._vocabulary[tok.written] = word
                name_words.append(word)
                postings.setdefault(tok.written, set()).add(len(self._names))
            self._names.append(_IndexedName(
                entry_index, name, tuple(name_words), tuple(w.token.written for w in name_words),
                tuple(w.token.written for w in name_words if not w.common), any(w.token.initial for w in name_words)))
        common_only = {i for i, n in enumerate(self._names) if all(w.common for w in n.words)}
        self._reaches = {
            spelling: frozenset(ids & common_only if self._vocabulary[spelling].common else ids)
            for spelling, ids in postings.items()
        }
        self._by_key: dict[str, list[str]] = {}
        self._by_sinic: dict[str, list[str]] = {}
        self._by_head: dict[str, list[str]] = {}
        self._blocks: dict[tuple[str, int], list[str]] = {}
        self._sinic_blocks: dict[tuple[str, int], list[str]] = {}  # Chinese-readable spellings, as written
        self._by_folded: dict[str, list[str]] = {}
        for spelling in sorted(self._vocabulary):  # sorted: look-ups walk one order whatever the build's
            tok = self._vocabulary[spelling].token
            if len(tok.key) >= PHONETIC_KEY_CHARS_MIN:
                self._by_key.setdefault(tok.key, []).append(spelling)
            if tok.sinic:
                self._by_sinic.setdefault(tok.sinic, []).append(spelling)
                self._sinic_blocks.setdefault((spelling[:1], len(spelling)), []).append(spelling)
            if tok.head:
                self._by_head.setdefault(tok.head, []).append(spelling)
            if tok.folded not in self._by_folded:
                self._blocks.setdefault((_block(tok.folded), len(tok.folded)), []).append(tok.folded)
            self._by_folded.setdefault(tok.folded, []).append(spelling)
        self._joined = JoinedWords(self._vocabulary.values())
        # Words of names repeat a lot (given names): their look-ups are kept, up to a bound. Entries are
        # only ever whole results, so threads sharing the index at most compute one twice.
        self._similar_cache: dict[NameToken, Mapping[str, float]] = {}

    @property
    def names_count(self) -> int:
        return len(self._names)

    def screen(
        self,
        name: str,
        thresholds: ScreeningThresholds = ScreeningThresholds(),
        *,
        date_of_birth: str = "",
        nationality: str = "",
        matches_max: int = MATCHES_MAX,
    ) -> ScreeningResult:
        """The list entries that `name` matches at or above `thresholds.possible`; a date of birth
        ("YYYY-MM-DD" or "YYYY") and a nationality (country name or ISO code), when known, weigh in.

        Raises `UnscreenableName` for a name that cannot be screened (see `names.query_name_problem`).
        """
        problem = query_name_problem(name)
        if problem is not None:
            raise UnscreenableName(problem)
        query = query_of(name, self.commonness, self._joined)
        similar = [self._similar(unit.token) for unit in query.units]
        candidates: set[int] = set()
        for found in similar:
            for spelling in found:
                candidates.update(self._reaches[spelling])
        reached = set().union(*similar)
        query_initials = any(unit.token.initial for unit in query.units)
        best: dict[int, tuple[tuple[bool, int, int], NameMatch]] = {}
        names_scored = 0
        for name_id in sorted(candidates):
            indexed = self._names[name_id]
            if not _may_match(indexed, reached, query_initials):
                continue
            names_scored += 1
            matrix = [
                [_similarity(unit, found, word) for word in indexed.words] for unit, found in zip(query.units, similar)
            ]
            comparison = compare(query.units, query.weights, query.written, indexed.words, matrix)
            if comparison.score == 0:
                continue
            entry = self.sanctions.entries[indexed.entry_index]
            adjustments = [a for a in (evidence.date_of_birth(date_of_birth, entry.dates_of_birth),
                                       evidence.nationality(nationality, entry.nationalities)) if a]
            score = max(0, min(100, comparison.score + sum(a.points for a in adjustments)))
            if score < thresholds.possible:
                continue
            is_hit = score >= thresholds.hit and not indexed.name.weak
            rank = (is_hit, score, -name_id)
            held = best.get(indexed.entry_index)
            if held is None or rank > held[0]:
                strength = MatchStrength.HIT if is_hit else MatchStrength.POSSIBLE
                text = explain(comparison, adjustments, indexed.name, score, strength.value)
                best[indexed.entry_index] = (rank, NameMatch(entry, indexed.name, score, strength, text))
        matches = sorted(
            (match for _, match in best.values()),
            key=lambda m: (m.strength is not MatchStrength.HIT, -m.score, m.entry.data_id),
        )
        return ScreeningResult(name, tuple(matches[:matches_max]), names_scored)

    def compare(self, name: str, listed_name: str) -> NameComparison:
        """The comparison of `name` with one listed name, as screening makes it, without the index's
        short cuts: for tests and for showing an officer why two names do or do not match."""
        query = query_of(name, self.commonness, self._joined)
        listed_words = [
            self._vocabulary.get(t.written) or ListedWord(t, "-".join(w.parts) or w.text, self.commonness.weight(t),
                                                         self.commonness.is_common(t))
            for w in words(listed_name)[:LISTED_NAME_TOKENS_MAX] for t in (token(w.text, w.head),)
        ]
        matrix = [[token_similarity(u.token, w.token) for w in listed_words] for u in query.units]
        return compare(query.units, query.weights, query.written, listed_words, matrix)

    def _similar(self, found: NameToken) -> Mapping[str, float]:
        """Vocabulary words alike enough to `found` to match, with their similarity."""
        cached = self._similar_cache.get(found)
        if cached is not None:
            return cached
        if found.initial:
            return MappingProxyType({})
        candidates = set(self._by_key.get(found.key, ()) if len(found.key) >= PHONETIC_KEY_CHARS_MIN else ())
        candidates.update(self._by_sinic.get(found.sinic, ()) if found.sinic else ())
        candidates.update(self._by_head.get(found.folded, ()))
        for folded in (found.folded, found.head):
            candidates.update(self._by_folded.get(folded, ()))
        length = len(found.folded)
        for other_length in range(max(1, length - _EDITS_SEARCHED), length + _EDITS_SEARCHED + 1):
            block = self._blocks.get((_block(found.folded), other_length))
            if block:
                for folded, _, _ in process.extract(found.folded, block, scorer=OSA.distance,
                                                    score_cutoff=_EDITS_SEARCHED, limit=None):
                    candidates.update(self._by_folded[folded])
        if found.sinic:  # Chinese syllables one typing error apart as written, whatever their folds
            written = len(found.written)
            for other_length in (written - 1, written, written + 1):
                block = self._sinic_blocks.get((found.written[:1], other_length))
                if block:
                    for spelling, _, _ in process.extract(found.written, block, scorer=OSA.distance, score_cutoff=1,
                                                          limit=None):
                        candidates.add(spelling)
        result: dict[str, float] = {}
        for spelling in sorted(candidates):
            similarity = token_similarity(found, self._vocabulary[spelling].token)
            if similarity > 0:
                result[spelling] = similarity
        if len(self._similar_cache) >= SIMILAR_CACHE_TOKENS_MAX:
            self._similar_cache.clear()
        frozen = self._similar_cache[found] = MappingProxyType(result)
        return frozen


def _may_match(indexed: _IndexedName, reached: set[str], query_initials: bool) -> bool:
    """A cheap look before the full comparison, by the rules of `similarity.compare`: a listed name of
    common words needs all of them; one with rare words needs a rare one and, with two or more words,
    a second word (or an initial)."""
    matched = sum(1 for spelling in indexed.spellings if spelling in reached)
    if not indexed.rare:
        return matched == len(indexed.spellings)
    if not any(spelling in reached for spelling in indexed.rare):
        return False
    return len(indexed.spellings) == 1 or matched >= 2 or query_initials or indexed.has_initial


def _similarity(unit: Unit, found: Mapping[str, float], word: ListedWord) -> float:
    if unit.token.initial or word.token.initial:
        return token_similarity(unit.token, word.token)
    return found.get(word.token.written, 0.0)


def _block(folded: str) -> str:
    """The part of the vocabulary a word is compared with by edit distance: the words with its initial or,
    for a vowel initial, with any vowel then its second letter (Omar/Umar, Evgeni/Ivgeni). Spellings with
    other initials (Jusuf/Yusuf) still meet through their phonetic and Chinese-syllable keys."""
    if folded[0] in VOWELS:
        return "a" + folded[1:2]
    return folded[0]
