"""Names the gateway sends in a party, within the FSPIOP ``Name`` data type.

The API definition (v1.1, section 7.2.14; the Testing Toolkit's ``fspiop_1.1`` definition) makes a
``PartyName``, ``FirstName`` or ``LastName`` a ``Name``: 1 to 128 letters, marks, digits, connector punctuation,
join controls, spaces and ``.,'-``, not blank. A masked name's ``*`` is none of these, so a 1.1 peer refuses a
``J***** U****`` with 3100: each character outside the set is sent as ``.`` instead (``J..... U....``).
"""

from __future__ import annotations

import unicodedata

NAME_CHARS_MAX = 128
_PUNCTUATION = frozenset(" .,'-")
_JOIN_CONTROLS = frozenset("\u200c\u200d")
_STANDIN = "."


def fspiop_name(text: str) -> str | None:
    """``text`` in the Name character set, or None when nothing of it is left to send."""
    kept = "".join(ch if _allowed(ch) else _STANDIN for ch in text[:NAME_CHARS_MAX]).strip()
    return kept if any(ch.isalnum() for ch in kept) else None


def _allowed(ch: str) -> bool:
    category = unicodedata.category(ch)
    return (category[0] in "LM" or category in ("Nd", "Pc")) or ch in _PUNCTUATION or ch in _JOIN_CONTROLS
