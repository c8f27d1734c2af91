"""The names corpus: how common a name is, in people per million (inzira/remit/data/name-frequencies.json).

The file gives tiers of names by order of magnitude, from published frequency facts (see its "about"). Names
are written in lower case without accents; compound given names with spaces ("jean de dieu").
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping

NAME_FREQUENCIES_RESOURCE = "name-frequencies.json"


@lru_cache(maxsize=1)
def names_per_million() -> Mapping[str, int]:
    """Each name of the corpus with its tier; a name listed in two tiers keeps the higher."""
    data = json.loads(resources.files("inzira.remit.data").joinpath(NAME_FREQUENCIES_RESOURCE).read_text("utf-8"))
    found: dict[str, int] = {}
    for tier, names in data["tiers_per_million"].items():
        for name in names:
            found[name] = max(found.get(name, 0), int(tier))
    return MappingProxyType(found)
