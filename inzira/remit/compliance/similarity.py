"""How alike two names are, 0 to 100, from how alike their tokens are.

Tokens (see `names`) are compared with Jaro-Winkler, which rewards a shared beginning and forgives a
letter or two; two tokens with the same phonetic key are at least `PHONETIC_SIMILARITY` alike, so vowel
spellings of one name (Mohammed, Muhamad) are close even where Jaro-Winkler alone would hesitate. Tokens
whose lengths differ by three letters or more are different words whatever Jaro-Winkler says: it forgives
a short string with a shared start a lot ("mome" and "mohamed" score 0.89; "abd" and "abdel" still meet).

Names are compared as sets of tokens, in any order: the most alike pair of tokens is matched first, then
the next among those left, and so on (greedy, deterministic on ties). The score is the mean similarity of
the matched pairs, lowered for each token left unmatched on either side:

    score = 100 * mean(matched similarities) * (1 - 0.07 * unmatched listed - 0.06 * unmatched query)

so a query with 2 of the 3 tokens of a listed name scores 93 (a hit at the default threshold), a listed
name inside a longer query loses a little per extra word, and a differing middle name lands in the
"possible" band. One token is no evidence against a longer listed name: a listed name of two or more
tokens needs at least two matched, so a common first name alone never matches anybody.
"""

from __future__ import annotations

from typing import Sequence

from rapidfuzz.distance import JaroWinkler

from inzira.remit.compliance.names import PHONETIC_KEY_CHARS_MIN, NameToken

# Below this two tokens are different words (Jaro-Winkler: "ahmed"/"ahmad" 0.92, "omar"/"umar" 0.83).
TOKEN_SIMILARITY_MIN = 0.82
# Folded tokens whose lengths differ by this many letters or more never match.
TOKEN_LENGTH_DIFFERENCE_MAX = 3
# Similarity given to tokens that share a phonetic key, when Jaro-Winkler says less.
PHONETIC_SIMILARITY = 0.90
# Score lost per listed token the query does not have, and per query token the listed name lacks.
UNMATCHED_LISTED_PENALTY = 0.07
UNMATCHED_QUERY_PENALTY = 0.06


def token_similarity(a: NameToken, b: NameToken) -> float:
    """0 for different words, else TOKEN_SIMILARITY_MIN..1."""
    if a.folded == b.folded:
        return 1.0
    return adjusted_similarity(JaroWinkler.normalized_similarity(a.folded, b.folded), a, b)


def adjusted_similarity(jaro_winkler: float, a: NameToken, b: NameToken) -> float:
    """`token_similarity` from an already computed Jaro-Winkler similarity of `a` and `b`."""
    if abs(len(a.folded) - len(b.folded)) >= TOKEN_LENGTH_DIFFERENCE_MAX:
        return 0.0
    similarity = jaro_winkler
    if a.key == b.key and len(a.key) >= PHONETIC_KEY_CHARS_MIN:
        similarity = max(similarity, PHONETIC_SIMILARITY)
    return similarity if similarity >= TOKEN_SIMILARITY_MIN else 0.0


def tokens_needed(listed_count: int) -> int:
    """Matched tokens a listed name needs before it can match at all."""
    return min(2, listed_count)


def name_score(similarities: Sequence[Sequence[float]], listed_count: int) -> int:
    """Score of a query against a listed name, from the token similarity matrix
    (`similarities[i][j]`: query token i against listed token j)."""
    pairs = sorted(
        (
            (similarity, i, j)
            for i, row in enumerate(similarities)
            for j, similarity in enumerate(row)
            if similarity > 0
        ),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    used_query: set[int] = set()
    used_listed: set[int] = set()
    total = 0.0
    for similarity, i, j in pairs:
        if i in used_query or j in used_listed:
            continue
        used_query.add(i)
        used_listed.add(j)
        total += similarity
    matched = len(used_query)
    if matched == 0 or matched < tokens_needed(listed_count):
        return 0
    return _scaled(total / matched, len(similarities) - matched, listed_count - matched)


def _scaled(mean_similarity: float, unmatched_query: int, unmatched_listed: int) -> int:
    keep = 1.0 - UNMATCHED_LISTED_PENALTY * unmatched_listed - UNMATCHED_QUERY_PENALTY * unmatched_query
    return round(100 * mean_similarity * max(0.0, keep))
