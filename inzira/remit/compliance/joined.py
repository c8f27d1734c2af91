"""Two or three listed words typed as one ("AleksandrFiktivnikov"): where a written word may be cut apart.

The opposite case, one listed word typed apart (Fiktiv Nikov), is read in `query`. Cutting a word anywhere
would cost a fold per cut and make many false names, so a cut is made only where the folded word begins or
ends with a rare listed word (the evidence a screening turns on); the rest may be cut once more where it
begins or ends with any listed word. Folding is letter-local enough that a fold's slices are the folds of
the slices, bar a doubled letter at the cut.
"""

from __future__ import annotations

from collections.abc import Iterable

from inzira.remit.compliance.similarity import ListedWord

# A rare listed word cut off a longer one: shorter ones (Ali, Omar) are found inside too many names.
RARE_PIECE_CHARS_MIN = 5
# Any other piece: one syllable is a name of its own (Li, Wu are 2 letters but Chinese names are written apart).
PIECE_CHARS_MIN = 3
# Longer written words are not cut (nor screened as one name: see `names.NAME_CHARS_MAX`).
JOINED_CHARS_MAX = 64


class JoinedWords:
    """The cuts of a written word into listed words, from the folds of a list's vocabulary."""

    def __init__(self, vocabulary: Iterable[ListedWord]) -> None:
        listed = list(vocabulary)
        self._rare = frozenset(w.token.folded for w in listed
                               if not w.common and len(w.token.folded) >= RARE_PIECE_CHARS_MIN)
        self._any = frozenset(w.token.folded for w in listed if len(w.token.folded) >= PIECE_CHARS_MIN)

    def pieces(self, folded: str) -> tuple[str, ...]:
        """The folded pieces of ``folded`` (two or three), or () when it is not listed words joined."""
        if not RARE_PIECE_CHARS_MIN + PIECE_CHARS_MIN <= len(folded) <= JOINED_CHARS_MAX:
            return ()
        cut = _cut(folded, self._rare, RARE_PIECE_CHARS_MIN)
        if cut is None:
            return ()
        halves, rest_at = cut
        again = _cut(halves[rest_at], self._any, PIECE_CHARS_MIN)
        if again is None:
            return halves
        return (*again[0], halves[1]) if rest_at == 0 else (halves[0], *again[0])


def _cut(folded: str, listed: frozenset[str], piece_chars_min: int) -> tuple[tuple[str, str], int] | None:
    """``folded`` cut off the longest listed word it begins or ends with, leaving at least `PIECE_CHARS_MIN`
    letters: (the two pieces in written order, the index of the piece left over)."""
    for size in range(len(folded) - PIECE_CHARS_MIN, piece_chars_min - 1, -1):
        if folded[:size] in listed:
            return (folded[:size], folded[size:]), 1
        if folded[-size:] in listed:
            return (folded[:-size], folded[-size:]), 0
    return None
