"""Any supported sanctions list file, read by the reader its root element names.

| root element                            | list                                    | reader                        |
| --------------------------------------- | --------------------------------------- | ----------------------------- |
| CONSOLIDATED_LIST                       | UN Security Council consolidated list   | `sanctions.parse_sanctions_xml` |
| Sanctions (any namespace)               | OFAC SDN list, SDN_ADVANCED.XML         | `sanctions_ofac`              |
| export (any namespace)                  | EU consolidated financial sanctions     | `sanctions_eu`                |

Files are read from disk only: the service never downloads a list while it runs (an operator fetches,
checks and installs it; see `freshness` for how old it may get).
"""

from __future__ import annotations

import os
import re

from inzira.remit.compliance.sanctions import (
    SANCTIONS_ENTRIES_MAX,
    SANCTIONS_FILE_BYTES_MAX,
    SanctionsList,
    SanctionsListError,
    parse_sanctions_xml,
)
from inzira.remit.compliance.sanctions_eu import parse_eu_xml
from inzira.remit.compliance.sanctions_ofac import parse_ofac_advanced_xml

# The first element's name, past the XML declaration, comments and processing instructions.
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s>/]")
_PROLOGUE_BYTES_MAX = 64 * 1024
_READERS = {b"CONSOLIDATED_LIST": parse_sanctions_xml, b"Sanctions": parse_ofac_advanced_xml, b"export": parse_eu_xml}


def _root_name(data: bytes) -> bytes:
    head = data[:_PROLOGUE_BYTES_MAX]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.S)
    found = _ROOT.search(head)
    return found.group(2) if found else b""


def parse_list_xml(
    data: bytes, *, bytes_max: int = SANCTIONS_FILE_BYTES_MAX, entries_max: int = SANCTIONS_ENTRIES_MAX
) -> SanctionsList:
    reader = _READERS.get(_root_name(data))
    if reader is None:
        raise SanctionsListError("not a UN consolidated list, OFAC SDN advanced or EU consolidated list XML file")
    return reader(data, bytes_max=bytes_max, entries_max=entries_max)


def load_list_file(
    path: str | os.PathLike[str], *, bytes_max: int = SANCTIONS_FILE_BYTES_MAX, entries_max: int = SANCTIONS_ENTRIES_MAX
) -> SanctionsList:
    try:
        with open(path, "rb") as file:
            data = file.read(bytes_max + 1)
    except OSError as exc:
        raise SanctionsListError(f"cannot read the sanctions list {os.fspath(path)!r}: {exc}") from exc
    return parse_list_xml(data, bytes_max=bytes_max, entries_max=entries_max)
