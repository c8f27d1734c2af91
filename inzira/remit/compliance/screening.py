"""Screening a name against the sanctions list: an index built once, then fast fuzzy look-ups.

Every listed token goes into a vocabulary with the names that hold it. A screening finds, for each of its
tokens, the similar vocabulary tokens (Jaro-Winkler in rapidfuzz's compiled loop over the tokens with
the same initial, plus the tokens sharing its phonetic key), gathers the listed names those tokens reach,
and scores only those (see `similarity`).

Four rules keep false positives down, since each one holds a transfer for an officer:
- a listed name of two or more tokens needs two of them matched (`similarity`): a first name alone
  matches nobody;
- a common token (held, in that spelling or in any with the same phonetic key, by more than
  `common_entries_share` of the list's entries and by at least `COMMON_ENTRIES_MIN` of them, e.g.
  Mohammed or Ali on the real list) does not reach a name that has rarer tokens: two namesakes who
  share "Mohammed Ali" and nothing else are not a match. A listed name made only of common tokens is
  still reached through them. This also keeps a screening fast: the names behind a common token are
  never scanned;
- a single-token "Low" quality alias (a nickname such as "Seryozha") is not indexed;
- a match on any other "Low" quality alias is at most a possible match, never a hit.
Each entry is reported once, through the name that matched it best.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from inzira.remit.compliance.names import (
    PHONETIC_KEY_CHARS_MIN,
    VOWELS,
    NameToken,
    UnscreenableName,
    name_tokens,
    query_name_problem,
)
from inzira.remit.compliance.sanctions import ListedName, SanctionsEntry, SanctionsList
from inzira.remit.compliance.similarity import (
    TOKEN_SIMILARITY_MIN,
    adjusted_similarity,
    name_score,
    tokens_needed,
)

# Listed names are cut to this many tokens: the longest entity names on the UN list have about a dozen.
LISTED_NAME_TOKENS_MAX = 16
MATCHES_MAX = 10
SIMILAR_CACHE_TOKENS_MAX = 8_192
# A token is common when more entries than this share of the list hold it, and at least COMMON_ENTRIES_MIN.
COMMON_ENTRIES_SHARE = 0.01
COMMON_ENTRIES_MIN = 20


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
    folded: tuple[str, ...]  # its tokens, folded


class SanctionsIndex:
    """A sanctions list prepared for screening. Build it once per list: about 1.5 s for 10,000 entries."""

    def __init__(self, sanctions: SanctionsList, *, common_entries_share: float = COMMON_ENTRIES_SHARE) -> None:
        self.sanctions = sanctions
        self._names: list[_IndexedName] = []
        self._token_by_folded: dict[str, NameToken] = {}
        postings: dict[str, set[int]] = {}
        entries_holding: dict[str, set[int]] = {}  # by folded token, and by phonetic key
        for entry_index, entry in enumerate(sanctions.entries):
            for name in entry.names:
                tokens = name_tokens(name.text, tokens_max=LISTED_NAME_TOKENS_MAX)
                if not tokens or (name.weak and len(tokens) == 1):
                    continue
                name_id = len(self._names)
                self._names.append(_IndexedName(entry_index, name, tuple(t.folded for t in tokens)))
                for token in tokens:
                    self._token_by_folded[token.folded] = token
                    postings.setdefault(token.folded, set()).add(name_id)
                    for spelling in {token.folded, _key_spelling(token)}:
                        entries_holding.setdefault(spelling, set()).add(entry_index)
        if not 0 <= common_entries_share <= 1:
            raise ValueError("common_entries_share is a share of the entries, 0 to 1")
        common_above = max(COMMON_ENTRIES_MIN - 1, int(common_entries_share * len(sanctions.entries)))
        common = {spelling for spelling, held in entries_holding.items() if len(held) > common_above}
        # A rare spelling of a common name (Muhamad where Mohammed is common) is common too.
        self.common_tokens = frozenset(
            folded for folded, token in self._token_by_folded.items() if {folded, _key_spelling(token)} & common
        )
        common_only = {i for i, n in enumerate(self._names) if self.common_tokens.issuperset(n.folded)}
        # The names a vocabulary token reaches: all that hold it, or for a common token only the names
        # made of common tokens alone.
        self._reaches = {
            folded: frozenset(ids if folded not in self.common_tokens else ids & common_only)
            for folded, ids in postings.items()
        }
        # Sorted, so that look-ups walk the same order whatever the build's set order was.
        blocks: dict[str, list[str]] = {}
        by_key: dict[str, list[str]] = {}
        for folded in sorted(postings):
            blocks.setdefault(_block(folded), []).append(folded)
            key = self._token_by_folded[folded].key
            if len(key) >= PHONETIC_KEY_CHARS_MIN:
                by_key.setdefault(key, []).append(folded)
        self._blocks = blocks
        self._by_key = by_key
        # Query tokens repeat a lot (first names): their look-ups are kept, up to a bound. Entries are
        # only ever whole results, so threads sharing the index at most compute one twice.
        self._similar_cache: dict[str, Mapping[str, float]] = {}

    @property
    def names_count(self) -> int:
        return len(self._names)

    def screen(
        self,
        name: str,
        thresholds: ScreeningThresholds = ScreeningThresholds(),
        *,
        matches_max: int = MATCHES_MAX,
    ) -> ScreeningResult:
        """The list entries that `name` matches at or above `thresholds.possible`.

        Raises `UnscreenableName` for a name that cannot be screened (see `names.query_name_problem`).
        """
        problem = query_name_problem(name)
        if problem is not None:
            raise UnscreenableName(problem)
        similar = [self._similar_tokens(token) for token in name_tokens(name)]
        candidates: set[int] = set()
        for found in similar:
            for folded in found:
                candidates.update(self._reaches[folded])
        best: dict[int, tuple[tuple[bool, int, int], NameMatch]] = {}
        names_scored = 0
        for name_id in sorted(candidates):
            indexed = self._names[name_id]
            matched_max = sum(1 for found in similar if not found.keys().isdisjoint(indexed.folded))
            if matched_max < tokens_needed(len(indexed.folded)):
                continue  # a cheap look first: most names reached share one token and no more
            names_scored += 1
            matrix = [[found.get(folded, 0.0) for folded in indexed.folded] for found in similar]
            score = name_score(matrix, len(indexed.folded))
            if score < thresholds.possible:
                continue
            is_hit = score >= thresholds.hit and not indexed.name.weak
            rank = (is_hit, score, -name_id)
            held = best.get(indexed.entry_index)
            if held is None or rank > held[0]:
                strength = MatchStrength.HIT if is_hit else MatchStrength.POSSIBLE
                entry = self.sanctions.entries[indexed.entry_index]
                best[indexed.entry_index] = (rank, NameMatch(entry, indexed.name, score, strength))
        matches = sorted(
            (match for _, match in best.values()),
            key=lambda m: (m.strength is not MatchStrength.HIT, -m.score, m.entry.data_id),
        )
        return ScreeningResult(name, tuple(matches[:matches_max]), names_scored)

    def _similar_tokens(self, token: NameToken) -> Mapping[str, float]:
        """Vocabulary tokens alike enough to `token` to match, with their similarity."""
        cached = self._similar_cache.get(token.folded)
        if cached is not None:
            return cached
        jaro_winkler = {
            folded: score
            for folded, score, _ in process.extract(
                token.folded,
                self._blocks.get(_block(token.folded), ()),
                scorer=JaroWinkler.normalized_similarity,
                score_cutoff=TOKEN_SIMILARITY_MIN,
                limit=None,
            )
        }
        for folded in self._by_key.get(token.key, ()):
            if folded not in jaro_winkler:
                jaro_winkler[folded] = JaroWinkler.normalized_similarity(token.folded, folded)
        found: dict[str, float] = {}
        for folded in sorted(jaro_winkler):
            similarity = adjusted_similarity(jaro_winkler[folded], token, self._token_by_folded[folded])
            if similarity > 0:
                found[folded] = similarity
        if len(self._similar_cache) >= SIMILAR_CACHE_TOKENS_MAX:
            self._similar_cache.clear()
        result = self._similar_cache[token.folded] = MappingProxyType(found)
        return result


def _key_spelling(token: NameToken) -> str:
    """How a token counts towards commonness through its phonetic key ("#" keeps keys apart from tokens);
    a key too short to say much counts as the token itself."""
    return "#" + token.key if len(token.key) >= PHONETIC_KEY_CHARS_MIN else token.folded


def _block(folded: str) -> str:
    """The part of the vocabulary a token is compared with: the tokens with its initial or, for a vowel
    initial, with any vowel then its second letter (Omar/Umar, Evgeni/Ivgeni, Osman/Usman). Tokens the
    fold table leaves with different initials (Jusuf/Yusuf) do not meet: the price of comparing a token
    with a small part of the vocabulary instead of all of it."""
    if folded[0] in VOWELS:
        return "a" + folded[1:2]
    return folded[0]
