"""Text one party writes and another reads (a name, an address, a reason): what it may hold to read as written."""

from __future__ import annotations

import unicodedata

_UNSHOWN = ("C", "Zl", "Zp")  # controls, format characters (a bidi override), unassigned ones; line breaks
UNSHOWN_DETAIL = ("holds a control or format character (a line break, an escape, a zero-width or bidi one): it "
                  "would not read as written")


def shown_as_is(text: str) -> bool:
    """Whether ``text`` reads the same on a page, a receipt and a terminal: no control or format character and
    no line break. A zero-width space or a bidi override would make a name read as another, or hide it from
    a screener that splits words on spaces."""
    return not any(unicodedata.category(char).startswith(_UNSHOWN) for char in text)
