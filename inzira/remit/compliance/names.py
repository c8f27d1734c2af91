"""Names as screening sees them: transliterated, normalised, split into words, folded, keyed.

The same steps run on both sides, the names on the sanctions list and the name being screened:

1. ``normalise``: every script to Latin letters (anyascii: Cyrillic by its usual romanisation, Chinese
   characters as Pinyin, Arabic as its consonants, so a name written in its own script meets the list's
   NAME_ORIGINAL_SCRIPT), accents dropped, casefolded, apostrophes joined ("N'Diaye" -> "ndiaye"), hyphens
   kept as the one mark that joins words, every other mark a space;
2. ``words``: particles, titles and honorifics dropped ("al-", "bin", "de", "Dr", "Sheikh", "Ltd"); compound
   given names joined into one name: Jean-Baptiste, Jean de Dieu, Marie Claire (from the names corpus), any
   "Abd al-X" (servant of X, one name however it is spelled: Abdelrahman, Abdul Rahman, Abd ar-Rahman) and
   "Abu X", and a hyphenated pair of Chinese syllables (Chien-kuo);
3. ``fold``: a table of transliteration variants applied to each word (ph/f, kh/h, q/k, w/v, ou/u, y/i...),
   doubled letters collapsed: Youssef becomes "iusef", a letter from Yusuf's "iusuf";
4. ``phonetic_key``: the initial (any vowel as "a"), then every run of vowels as one "a": Mohammed, Muhamad
   and Mohamed share "mahamad", Omar and Umar share "amar"; ``sinic.sinic_key`` does the same for Pinyin and
   Wade-Giles spellings of Chinese names (Xie Jianguo, Hsieh Chien-kuo).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from inzira.remit.compliance.facts import names_per_million
from inzira.remit.compliance.sinic import is_syllable, sinic_key

# A name longer than this is not a person's or a company's name: refuse it rather than screen a prefix.
NAME_CHARS_MAX = 300
# Words in a name being screened; more is refused (listed names have their own bound, in `screening`).
NAME_TOKENS_MAX = 12

_APOSTROPHES = str.maketrans({c: None for c in "'’‘ʼʻ`´ʿʾ"})
# Letters whose mark is a sound of its own (ISO 9 and Czech-style romanisation: č is ch), not an accent.
_MARKED_LETTERS = str.maketrans({"č": "ch", "Č": "Ch", "š": "sh", "Š": "Sh", "ž": "zh", "Ž": "Zh", "ŝ": "shch",
                                 "Ŝ": "Shch"})
_NOT_NAME_CHARS = re.compile(r"[^A-Za-z0-9-]")
_HYPHENS = str.maketrans({c: "-" for c in "‐‑‒–—―-"})

PARTICLES = frozenset(
    # Arabic article and patronymic particles, European name particles
    "al el ul ad ar as at az an ash bin ibn bint ben de da del der di du dos das van von la le".split()
    # titles and honorifics
    + "mr mrs ms miss mister dr prof sheikh shaikh sheik haji hajji hadji alhaji mullah mulla maulvi mawlawi"
      " imam monsieur mme mlle madame gen general col colonel capt captain".split()
    # legal forms and function words in entity names
    + "and of the for ltd limited llc inc co company corp corporation plc sa sarl gmbh".split()
)
# Arabic articles written joined to the next word by a hyphen: al-Wahmi, ar-Rahman, el-Mithali.
_ARTICLES = frozenset("al el ul ad ar as at az an ash".split())
# "Abd" (servant of) however it is written before the article and the divine name: Abdel, Abdul, Abdoul,
# Abdur-Rahman (the article's l taken by a sun letter), Abdi, Abd.
_ABD = re.compile(r"^abd(?:[aeiou]{1,2}l|[aeiou]{1,2}(?=([a-z])\1)|[iu](?=[^aeiou]))?(?=[a-z]{3})")
_ABD_WORDS = frozenset("abd abdu abdul abdel abdal abdoul abdou abdi abdil".split())
_ABU_WORDS = frozenset("abu abou abo".split())
_COMPOUND_HEADS = frozenset("jean marie anne pierre louis".split())

# Applied in order to each word on both sides; each is a spelling difference seen between transliterations
# of one name (Arabic, Cyrillic and French/German/English conventions). A string replaces, a pattern subs.
_FOLD_RULES: tuple[tuple[str | re.Pattern[str], str], ...] = (
    (re.compile(r"ou(?=[aeiou])"), "w"),  # French ou before a vowel is w: Ouahmi / Wahmi
    ("tsch", "ch"),  # German for ч: Witaljewitsch / Vitalyevich
    ("sch", "sh"),  # German for ш and ж: Schukow / Shukov
    ("tch", "ch"),  # French for ч: Tchernov / Chernov
    (re.compile(r"ch(?=[bcdfgjklmnpqrstvwxz])"), "h"),  # German ch for х before a consonant: Chlystunow
    ("zh", "sh"),  # ж: Zhukov (English), Schukow (German)
    ("ch", "sh"),  # French ch for ش and ш: Chouqeiri / Shuqayri
    ("ts", "c"),  # ц: Tsyplakov (English), Cyplakov (scientific)
    ("tz", "c"),
    ("dj", "j"),  # French for ج: Djamal / Jamal
    ("ph", "f"),  # Philippe / Filip
    ("kh", "h"),  # Arabic خ, Cyrillic х: Khalid / Halid
    ("gh", "g"),  # Arabic غ: Ghazi / Gazi
    ("dh", "d"),  # Arabic ذ/ض: Dhahir / Dahir
    ("th", "t"),  # Arabic ث: Uthman / Utman
    ("ck", "k"),
    ("q", "k"),  # Arabic ق: Qasim / Kasim
    ("x", "ks"),  # Alexander / Aleksandr
    ("w", "v"),  # Wladimir / Vladimir
    ("z", "s"),  # German s for з: Sadorozhny / Zadorozhny
    (re.compile(r"(?<=[bcdfgklmnprstv])j"), "i"),  # German and scientific j for й, ь: Sadoroschnjuk
    (re.compile(r"^j(?=[aeiou])"), "i"),  # Jurij / Yuri, Jewgeni / Yevgeni
    ("ou", "u"),  # French: Youssef / Yusef
    ("oo", "u"),
    ("ee", "i"),  # Raheem / Rahim
    ("y", "i"),  # Sergey / Sergei, Yuri / Iuri
    ("ie", "i"),  # Yevgeniy -> ievgenii -> ivgeni
    ("ij", "i"),  # Dmitrij / Dmitri
    ("ej", "i"),  # Sergej / Sergei
    ("ei", "i"),
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
    sinic: str = ""  # Chinese-syllable key, when the word reads as Pinyin or Wade-Giles
    head: str = ""  # for a compound given name, its first name (Jean of Jean-Baptiste)
    letter: str = ""  # the initial as written, before folding (J of Jean, which folds to "ian")
    initial: bool = False  # a single letter: J. for Jean
    written: str = ""  # the word as normalised, before folding
    known: bool = False  # the names corpus has this very name: a spelling close to it is another name


def normalise(text: str) -> str:
    """Latin, casefolded, accent-free text with single spaces and hyphens: "  Jean-Éric  O'Neil" ->
    "jean-eric oneil"; "Сергей" -> "sergei"; "谢建国" -> "xie jianguo"."""
    if text.isascii():  # the common case, without the per-letter walk
        plain = _NOT_NAME_CHARS.sub(" ", text.translate(_APOSTROPHES)).casefold()
        return " ".join(w.strip("-") for w in plain.split() if w.strip("-"))
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).translate(_HYPHENS).translate(_MARKED_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    chars: list[str] = []
    han_run = 0
    for char in decomposed:
        if unicodedata.category(char) == "Mn":
            continue
        if char.isascii():
            chars.append(char if char.isalnum() or char == "-" else " ")
            han_run = 0
            continue
        latin = anyascii(char).translate(_APOSTROPHES)
        if "CJK UNIFIED" in unicodedata.name(char, ""):
            # a Chinese name is a family name then a given name written as one word: Xie Jianguo
            chars.append((" " if han_run == 0 else "") + latin + (" " if han_run == 0 else ""))
            han_run += 1
            continue
        han_run = 0
        chars.append("".join(c if c.isalnum() else " " for c in latin))
    lowered = "".join(chars).casefold()
    return " ".join(w.strip("-") for w in lowered.split() if w.strip("-"))


def fold(word: str) -> str:
    """Apply the transliteration table, then collapse doubled letters: "youssef" -> "iusef"."""
    for old, new in _FOLD_RULES:
        word = word.replace(old, new) if isinstance(old, str) else old.sub(new, word)
    return _collapse_repeats(word)


def phonetic_key(folded: str) -> str:
    """The initial (a vowel as "a"), then the rest with each run of vowels as one "a"."""
    key = ""
    for char in folded:
        char = "a" if char in VOWELS else char
        if not key or key[-1] != char:
            key += char
    return key


def _collapse_repeats(text: str) -> str:
    out: list[str] = []
    for char in text:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # a word, or a compound given name written as one word ("jeanbaptiste")
    head: str = ""  # a compound given name's first name ("jean")
    parts: tuple[str, ...] = ()  # a compound given name's words, which a query may also match one by one


def words(text: str) -> list[Word]:
    """The meaningful words of `text`, in written order, compound given names joined."""
    raw: list[tuple[str, bool]] = []  # (word, joined to the previous one by a hyphen)
    for chunk in normalise(text).split():
        parts = chunk.split("-")
        if len(parts) > 1 and parts[0] in _ARTICLES:
            parts = parts[1:]  # al-Wahmi: the article is a particle
        raw.extend((part, n > 0) for n, part in enumerate(parts) if part)
    kept = [(w, hyphen) for w, hyphen in raw if w not in PARTICLES] or raw
    out: list[Word] = []
    i = 0
    while i < len(kept):
        span, kind = _compound_at(kept, i)
        group = [w for w, _ in kept[i:i + span]]
        if span == 1:
            out.append(Word(group[0]))
        elif kind == "prefix":  # Abd al-X, Abu X: one name, meaningless in halves
            out.append(Word("".join(group)))
        else:
            out.append(Word("".join(group), group[0], tuple(group)))
        i += span
    return out


@lru_cache(maxsize=1)
def _compounds() -> frozenset[str]:
    """Compound given names of the names corpus, as their meaningful words: "jean dieu" for Jean de Dieu."""
    found = set()
    for name in names_per_million():
        parts = [w for w in name.split() if w not in PARTICLES]
        if len(parts) > 1:
            found.add(" ".join(parts))
    return frozenset(found)


def _compound_at(kept: list[tuple[str, bool]], i: int) -> tuple[int, str]:
    """How many words the name starting at word `i` takes, and what joins them ("prefix", "given" or "")."""
    word = kept[i][0]
    for span in (3, 2):
        if i + span <= len(kept) and " ".join(w for w, _ in kept[i:i + span]) in _compounds():
            return span, "given"
    if i + 1 >= len(kept):
        return 1, ""
    following, hyphenated = kept[i + 1]
    if word in _ABD_WORDS or word in _ABU_WORDS:
        return 2, "prefix"
    if hyphenated and (word in _COMPOUND_HEADS or (is_syllable(word) and is_syllable(following))):
        return 2, "given"  # Jean-Eric, Chien-kuo: hyphenated given names are one name
    return 1, ""


def merge_head(first: str, second: str) -> str | None:
    """When two written words may be one name written apart, the head of that name ("" for Chinese
    syllables: Jian Guo is Jianguo; "jean" for Jean Eric, which may be Jean-Eric); None when they may not."""
    if first in _COMPOUND_HEADS:
        return first
    return "" if is_syllable(first) and is_syllable(second) else None


def _folded(word: str) -> str:
    """`fold`, after giving "Abd" and "Abu" names one spelling of their prefix."""
    if len(word) > 3 and _ABD.match(word):
        word = "abd" + _ABD.sub("", word)
    elif word.startswith(("abou", "abu")) and len(word) > 5:
        word = "abu" + word[4 if word.startswith("abou") else 3:]
    return fold(word)


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """Every name of the names corpus, folded."""
    return frozenset(_folded(w.text) for name in names_per_million() for w in words(name))


@lru_cache(maxsize=65_536)
def token(word: str, head: str = "") -> NameToken:
    """One word's folded form, keys and whether the names corpus knows it."""
    folded = _folded(word)
    return NameToken(folded, phonetic_key(folded), sinic_key(word), fold(head) if head else "", word[:1],
                     len(folded) == 1, word, folded in _known())


def name_tokens(text: str, *, tokens_max: int = NAME_TOKENS_MAX) -> tuple[NameToken, ...]:
    """The tokens screening compares, in written order, at most `tokens_max` of them.

    Particles are dropped unless nothing else is left ("Al Ben" stays a name). Tokens past `tokens_max`
    are cut: callers bound the text's length, and those that must not lose a token (the name being
    screened) check `query_name_problem` first.
    """
    return tuple(token(w.text, w.head) for w in words(text)[:tokens_max])


def query_name_problem(text: str) -> str | None:
    """Why `text` cannot be screened as a name, or None when it can."""
    if len(text) > NAME_CHARS_MAX:
        return f"the name is longer than {NAME_CHARS_MAX} characters"
    found = normalise(text).replace("-", " ").split()
    if not found:
        return "the name has no letters"
    if len(found) > NAME_TOKENS_MAX:
        return f"the name has more than {NAME_TOKENS_MAX} words"
    return None
