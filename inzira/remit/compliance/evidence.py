"""Date of birth and nationality: evidence for or against a name match, when both sides have them.

An analyst who sees a name match looks next at the date of birth, then the nationality. Here the same:
a date of birth that agrees raises the score a little (the name did most of the work); one that is years
apart lowers it a lot, enough to clear a namesake whose name is all common words; an agreeing nationality
raises it a little, a different one lowers it (people hold several). Missing data changes nothing.

The list writes dates as "1971-03-14", "1968", "approximately 1968" or "1975 to 1976"; nationalities as
country names (UN, OFAC) or ISO 3166 codes (EU); both are compared through ISO 3166 (pycountry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

SAME_DATE_POINTS = 5
SAME_YEAR_POINTS = 3
DATE_APART_POINTS = -30
SAME_NATIONALITY_POINTS = 2
OTHER_NATIONALITY_POINTS = -10
# Years within which an approximate date of birth still agrees.
APPROXIMATE_YEARS = 2

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DATE = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")


@dataclass(frozen=True, slots=True)
class Adjustment:
    points: int
    because: str  # words for the officer


def date_of_birth(query_date: str, listed: tuple[str, ...]) -> Adjustment | None:
    """How the customer's date of birth ("YYYY-MM-DD" or "YYYY") bears on the entry's, if both are known."""
    query_year = _YEAR.search(query_date or "")
    if not query_year or not listed:
        return None
    year = int(query_year.group(1))
    full = _DATE.search(query_date)
    for written in listed:
        same = _DATE.search(written)
        if full and same and same.group(0) == full.group(0):
            return Adjustment(SAME_DATE_POINTS, f"born {full.group(0)}, the entry's date of birth")
        years = [int(y) for y in _YEAR.findall(written)]
        if not years:
            continue
        low, high = min(years), max(years)
        slack = APPROXIMATE_YEARS if "approx" in written.casefold() else 0
        if low - slack <= year <= high + slack:
            return Adjustment(SAME_YEAR_POINTS, f"born in {year}, which agrees with the entry ({written})")
    return Adjustment(DATE_APART_POINTS,
                      f"born in {year}, but the entry gives {', '.join(listed)}: likely another person")


@lru_cache(maxsize=1_024)
def country_code(text: str) -> str:
    """ISO 3166 alpha-2 code of a country name or code, or the casefolded text when it is not one."""
    cleaned = re.sub(r"\s*\(.*?\)\s*", " ", text).strip()
    for candidate in (text.strip(), cleaned):
        try:
            return str(pycountry.countries.lookup(candidate).alpha_2)
        except LookupError:
            continue
    return cleaned.casefold()


def nationality(query_nationality: str, listed: tuple[str, ...]) -> Adjustment | None:
    if not query_nationality or not listed:
        return None
    code = country_code(query_nationality)
    if any(country_code(n) == code for n in listed):
        return Adjustment(SAME_NATIONALITY_POINTS, f"nationality {query_nationality}, as the entry's")
    return Adjustment(OTHER_NATIONALITY_POINTS,
                      f"nationality {query_nationality}, the entry's is {', '.join(listed)}")
