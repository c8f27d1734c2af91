"""Names as screening sees them: normalised, tokenised, folded, keyed.

The same steps run on both sides, the names on the sanctions list and the name being screened, so two
spellings of one name end up with equal or close tokens:

1. normalise: NFKD, accents dropped, casefolded, apostrophes joined ("N'Diaye" -> "ndiaye"), every other
   non-alphanumeric character a space, whitespace collapsed;
2. tokenise, dropping particles, titles and legal forms ("al", "bin", "dr", "ltd"...) that carry little
   identity and are written inconsistently;
3. fold each token with a small table of transliteration variants (ph/f, kh/h, q/k, x/ks, ou/u, y/i,
   ie/i...) and collapse doubled letters: Youssef becomes "iusef", a letter away from Yusuf's "iusuf";
4. key each folded token phonetically: after its first letter every run of vowels is one "a", so
   Mohammed, Muhamad and Mohamed share the key "mahamad" while Mahmoud keeps "mahmad".

Non-Latin scripts pass through unchanged apart from dropped combining marks (Arabic harakat, the breve
of Cyrillic й), so a name in its original script matches the list's NAME_ORIGINAL_SCRIPT.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# A name longer than this is not a person's or a company's name: refuse it rather than screen a prefix.
NAME_CHARS_MAX = 300
# Words in a name being screened; more is refused (listed names have their own bound, in `screening`).
NAME_TOKENS_MAX = 12

_APOSTROPHES = str.maketrans({c: None for c in "'’‘ʼʻ`´"})

# Letters that NFKD leaves whole but that people type without the diacritic.
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d", "ħ": "h"}
)

# Words that say little about who someone is and that lists and senders write or omit at will.
_PARTICLES = frozenset(
    # Arabic article and patronymic particles, European name particles
    "al el ul bin ibn bint ben de da del der di du van von la le".split()
    # titles
    + "mr mrs ms miss dr".split()
    # legal forms and function words in entity names
    + "and of the for ltd limited llc inc co company corp corporation plc sa sarl gmbh".split()
)

# Applied in order to each token on both sides; each pair is a spelling difference seen between
# transliterations of one name (Arabic, Cyrillic and French/German/English conventions).
_FOLD_RULES: tuple[tuple[str, str], ...] = (
    ("sch", "sh"),  # German for ш: Schukow / Shukov
    ("tch", "ch"),  # French for ч: Tchernov / Chernov
    ("ph", "f"),  # Philippe / Filip
    ("kh", "h"),  # Arabic خ, Cyrillic х: Khalid / Halid
    ("gh", "g"),  # Arabic غ: Ghazi / Gazi
    ("dh", "d"),  # Arabic ذ/ض: Dhahir / Dahir
    ("th", "t"),  # Arabic ث: Uthman / Utman
    ("ck", "k"),
    ("q", "k"),  # Arabic ق: Qasim / Kasim
    ("x", "ks"),  # Alexander / Aleksandr
    ("w", "v"),  # Wladimir / Vladimir
    ("ou", "u"),  # French: Youssef / Yusef
    ("oo", "u"),
    ("ee", "i"),  # Raheem / Rahim
    ("y", "i"),  # Sergey / Sergei, Yuri / Iuri
    ("ie", "i"),  # Yevgeniy -> ievgenii -> ivgeni
)

VOWELS = frozenset("aeiou")
# A phonetic key shorter than this says too little to count as a match on its own.
PHONETIC_KEY_CHARS_MIN = 4


class UnscreenableName(ValueError):
    """A name that cannot be screened: empty, too long or with too many words."""


@dataclass(frozen=True, slots=True)
class NameToken:
    folded: str
    key: str  # phonetic key of `folded`


def normalise(text: str) -> str:
    """Casefolded, accent-free, punctuation-free text with single spaces: "  Jean-Éric  O'Neil" ->
    "jean eric oneil"."""
    # Apostrophes go before NFKD (which turns "´" into a space and a mark) and after (which makes "ʼ"
    # out of "ŉ").
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES)).translate(_APOSTROPHES)
    chars = []
    for char in decomposed:
        if unicodedata.category(char) == "Mn":
            continue
        chars.append(char if char.isalnum() else " ")
    return " ".join("".join(chars).casefold().translate(_PLAIN_LETTERS).split())


def fold(token: str) -> str:
    """Apply the transliteration table, then collapse doubled letters: "youssef" -> "iusef"."""
    for old, new in _FOLD_RULES:
        token = token.replace(old, new)
    return _collapse_repeats(token)


def phonetic_key(folded: str) -> str:
    """The first letter, then the rest with each run of vowels as one "a": "muhamad" -> "mahamad"."""
    key = folded[:1]
    for char in folded[1:]:
        char = "a" if char in VOWELS else char
        if key[-1] != char:
            key += char
    return key


def _collapse_repeats(text: str) -> str:
    out: list[str] = []
    for char in text:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


def name_tokens(text: str, *, tokens_max: int = NAME_TOKENS_MAX) -> tuple[NameToken, ...]:
    """The tokens screening compares, in written order, at most `tokens_max` of them.

    Particles are dropped unless nothing else is left ("Al Ben" stays a name). Tokens past
    `tokens_max` are cut: callers bound the text's length, and those that must not lose a token (the
    name being screened) check `query_name_problem` first.
    """
    words = normalise(text).split()
    meaningful = [w for w in words if w not in _PARTICLES] or words
    return tuple(NameToken(f, phonetic_key(f)) for f in (fold(w) for w in meaningful[:tokens_max]))


def query_name_problem(text: str) -> str | None:
    """Why `text` cannot be screened as a name, or None when it can."""
    if len(text) > NAME_CHARS_MAX:
        return f"the name is longer than {NAME_CHARS_MAX} characters"
    words = normalise(text).split()
    if not words:
        return "the name has no letters"
    if len(words) > NAME_TOKENS_MAX:
        return f"the name has more than {NAME_TOKENS_MAX} words"
    return None
