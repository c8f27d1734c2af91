"""A name being screened, as the units it is compared by (see `similarity.compare`).

Each written word is a unit; so is each part of a compound given name (Jean and Baptiste of Jean-Baptiste,
which a listed JEAN BAPTISTE written apart may hold), a word with an attached article without it (Alwahmi as
Wahmi), and two or three neighbouring words read as one name written apart (Jian Guo as Jianguo, Jean Eric as
Jean-Eric, or a listed name cut to evade screening). A written word that is listed words joined (see
`joined`) is read as those words, as a compound given name is. A unit stands for one or more written words;
each written word is matched once.
"""

from __future__ import annotations

from dataclasses import dataclass

from inzira.remit.compliance.commonness import Commonness
from inzira.remit.compliance.joined import JoinedWords
from inzira.remit.compliance.names import merge_head, token, words
from inzira.remit.compliance.similarity import Unit

_ATTACHED_ARTICLES = ("al", "el")
_ATTACHED_WORD_CHARS_MIN = 6
# Any two or three neighbouring words are also read as one: a listed name cut apart (Fiktiv Nikov, F Iktivnikov,
# Fik Tiv Nikov) must not pass; the comparison still needs each written word matched once.
_JOINED_WORDS_MAX = 3


@dataclass(frozen=True, slots=True)
class Query:
    units: tuple[Unit, ...]
    weights: tuple[float, ...]  # per written word
    written: tuple[str, ...]


def query_of(name: str, commonness: Commonness, joined: JoinedWords | None = None) -> Query:
    units: list[Unit] = []
    weights: list[float] = []
    written: list[str] = []
    alone: list[str] = []  # per written word: the word when it is a name of its own, else ""
    for word in words(name):
        whole = token(word.text, word.head)
        cut = word.parts or (joined.pieces(whole.folded) if joined is not None else ())
        parts = cut or (word.text,)
        first = len(weights)
        mask = ((1 << len(parts)) - 1) << first
        units.append(Unit(whole, mask, "-".join(word.parts) or word.text))
        for n, part in enumerate(parts):
            part_token = token(part) if cut else whole
            weights.append(commonness.weight(part_token))
            written.append(part)
            alone.append("" if cut else part)
            if cut:
                units.append(Unit(part_token, 1 << (first + n), part))
        if not cut and word.text.startswith(_ATTACHED_ARTICLES) and len(word.text) >= _ATTACHED_WORD_CHARS_MIN:
            units.append(Unit(token(word.text[2:]), mask, word.text))
    for p in range(len(alone) - 1):
        for span in range(2, _JOINED_WORDS_MAX + 1):
            pieces = alone[p:p + span]
            if len(pieces) < span or not all(pieces):
                break
            head = merge_head(pieces[0], pieces[1]) if span == 2 else None
            units.append(Unit(token("".join(pieces), head or ""), ((1 << span) - 1) << p, " ".join(pieces)))
    return Query(tuple(units), tuple(weights), tuple(written))
