"""ISO 18245 merchant category codes: the check of a code, and names for the ones visitors meet most."""

from __future__ import annotations

import re

MCC_RE = re.compile(r"[0-9]{4}")

# Common codes for tourism and retail (names as the card networks publish them).
NAMES: dict[str, str] = {
    "4111": "Local and suburban commuter transportation",
    "4121": "Taxicabs and limousines",
    "4131": "Bus lines",
    "4511": "Airlines and air carriers",
    "4722": "Travel agencies and tour operators",
    "4789": "Transportation services",
    "5311": "Department stores",
    "5411": "Grocery stores and supermarkets",
    "5462": "Bakeries",
    "5499": "Miscellaneous food stores",
    "5541": "Service stations",
    "5691": "Men's and women's clothing stores",
    "5812": "Eating places and restaurants",
    "5813": "Drinking places (bars, taverns, nightclubs)",
    "5814": "Fast food restaurants",
    "5912": "Drug stores and pharmacies",
    "5942": "Book stores",
    "5947": "Gift, card, novelty and souvenir shops",
    "5970": "Artist's supply and craft shops",
    "5999": "Miscellaneous and specialty retail stores",
    "7011": "Lodging: hotels, motels, resorts",
    "7299": "Miscellaneous personal services",
    "7991": "Tourist attractions and exhibits",
    "7999": "Recreation services",
    "8062": "Hospitals",
    "8099": "Medical services and health practitioners",
    "8398": "Charitable and social service organizations",
}


def is_mcc(code: str) -> bool:
    """Four digits, and not 0000 (no category; a bug some encoders have)."""
    return MCC_RE.fullmatch(code) is not None and code != "0000"


def mcc_name(code: str) -> str | None:
    return NAMES.get(code)
