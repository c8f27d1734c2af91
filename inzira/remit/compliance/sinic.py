"""Chinese names in Pinyin and in Wade-Giles read as one key: Xie Jianguo and Hsieh Chien-kuo meet.

A word is split into syllables of either system (the fewest syllables win; at most four); each syllable is
written in a coarse form where the two systems agree: the initials by place of articulation, aspiration
dropped since the apostrophe that marks it in Wade-Giles is seldom typed (b and p, d and t, g and k, j q zh
and ch, z and c and ts and tz, x and hs), the finals as Pinyin spells them (Wade-Giles -ung, -ien, -ieh, -ih,
-uei, -erh are Pinyin -ong, -ian, -ie, -i, -ui, -er; e, o and uo are one). The inventories and the
correspondence are the published tables of the two systems.
"""

from __future__ import annotations

from functools import lru_cache

_PINYIN_INITIALS = "b p m f d t n l g k h j q x zh ch sh r z c s".split()
_PINYIN_FINALS = ("a o e i u ai ei ao ou an en ang eng ong er ia ie iao iu ian in iang ing iong ua uo uai ui uan "
                  "un uang ue").split()
_PINYIN_BARE = ("a o e ai ei ao ou an en ang eng er ya yo ye yao you yan yin yang ying yong yi yu yue yuan yun wa wo "
                "wai wei wan wen wang weng wu").split()
_WG_INITIALS = "p m f t n l k h ch hs j ts tz s ss sz sh".split()
_WG_FINALS = ("a o e i u ai ei ao ou an en ang eng ung erh ia ieh iao iu ien in iang ing iung ua uo uai ui uei uan un "
              "uang ueh ih").split()
_WG_BARE = "i yu yen yeh yung yueh yuan yun erh".split()

_INITIAL_CLASS = {"b": "p", "p": "p", "d": "t", "t": "t", "g": "k", "k": "k", "j": "c", "q": "c", "zh": "c",
                  "ch": "c", "z": "z", "c": "z", "ts": "z", "tz": "z", "x": "x", "hs": "x", "ss": "s", "sz": "s"}
_FINAL_CLASS = {"ung": "ong", "iung": "iong", "ien": "ian", "ieh": "ie", "ueh": "ue", "ih": "i", "uei": "ui",
                "erh": "er", "e": "o", "uo": "o"}
_BARE_CLASS = {"i": "yi", "you": "yu", "yen": "yan", "yeh": "ye", "yung": "yong", "yueh": "yue", "erh": "er",
               "e": "o", "wo": "o"}
_SYLLABLE_CHARS_MAX = 6
_SYLLABLES_MAX = 4
WORD_CHARS_MAX = 16


def _pinyin_valid(initial: str, final: str) -> bool:
    """Which initials take which finals in Pinyin: j q x only before i and ü, the retroflexes and sibilants
    only before -i alone among the i finals."""
    if initial in ("j", "q", "x"):
        return final[0] in "iu" and final not in ("ui", "uo", "ua", "uai", "uang")
    if final[0] == "i" and final != "i":
        return initial in ("b", "p", "m", "d", "t", "n", "l")
    if final == "i":
        return initial not in ("g", "k", "h", "f")
    return not (final == "ue" and initial not in ("n", "l"))


@lru_cache(maxsize=1)
def _syllables() -> dict[str, str]:
    """Every syllable of either system, as written without apostrophes, with its coarse form."""
    table: dict[str, str] = {}
    for initial in _PINYIN_INITIALS:
        for final in _PINYIN_FINALS:
            if _pinyin_valid(initial, final):
                table[initial + final] = _INITIAL_CLASS.get(initial, initial) + _FINAL_CLASS.get(final, final)
    for bare in _PINYIN_BARE:
        table[bare] = _BARE_CLASS.get(bare, bare)
    for initial in _WG_INITIALS:
        for final in _WG_FINALS:
            final_class = "i" if initial in ("ss", "sz", "tz") and final == "u" else _FINAL_CLASS.get(final, final)
            initial_class = "r" if initial == "j" else _INITIAL_CLASS.get(initial, initial)
            table.setdefault(initial + final, initial_class + final_class)  # Pinyin reads first where both do
    for bare in _WG_BARE:
        table.setdefault(bare, _BARE_CLASS.get(bare, bare))
    return table


def is_syllable(word: str) -> bool:
    return word in _syllables()


@lru_cache(maxsize=65_536)
def sinic_key(word: str) -> str:
    """The coarse syllables of `word` joined by ".", or "" when it does not read as Chinese syllables."""
    if not word.isascii() or not word.isalpha() or len(word) > WORD_CHARS_MAX:
        return ""
    table = _syllables()
    # best[i]: the fewest syllables that spell word[:i], as their coarse forms
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _SYLLABLE_CHARS_MAX), end):
            before = best[start]
            coarse = table.get(word[start:end])
            if before is None or coarse is None or len(before) >= _SYLLABLES_MAX:
                continue
            if best[end] is None or len(before) + 1 < len(best[end] or ()):
                best[end] = [*before, coarse]
    found = best[len(word)]
    return ".".join(found) if found else ""
