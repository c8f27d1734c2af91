"""The sanctions list: its entries, and the UN Security Council consolidated list XML read into them.

Other formats (OFAC's SDN_ADVANCED XML, the EU's consolidated list XML) are read by `list_formats`, which
also picks the reader from a file's root element; every reader gives the same `SanctionsList`, with the
list's source, version, publication date and the SHA-256 of the file, recorded with every decision.

The format is the one published as consolidated.xml: a root CONSOLIDATED_LIST (attribute dateGenerated)
holding INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY. An entry has DATAID, FIRST_NAME to FOURTH_NAME
(an entity's name is its FIRST_NAME), UN_LIST_TYPE, REFERENCE_NUMBER (e.g. "QDi.001"), LISTED_ON,
NAME_ORIGINAL_SCRIPT, NATIONALITY/VALUE, INDIVIDUAL_DATE_OF_BIRTH (TYPE_OF_DATE with DATE, YEAR or
FROM_YEAR/TO_YEAR) and aliases INDIVIDUAL_ALIAS or ENTITY_ALIAS, each a QUALITY ("Good", "Low",
"a.k.a.", "f.k.a." or empty) and an ALIAS_NAME that may hold several names separated by ";". Elements
the list leaves empty (<ALIAS_NAME/>) are common and skipped; everything else in an entry (comments,
addresses, documents) is not needed for screening and is ignored.

The file is trusted only so far: it is read under a size limit, a document type declaration is refused
(the real list has none, and it is the door to entity-expansion attacks), and the entry count, the names
per entry and the length of a name are bounded. A list that breaks a rule is refused whole with a
`SanctionsListError`, never half-loaded: screening against part of a list would pass people it should
hold.
"""

from __future__ import annotations

import hashlib
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

# The real list is a few MiB; ten times that is still a list, more is a mistake or an attack.
SANCTIONS_FILE_BYTES_MAX = 64 * 1024 * 1024
# The real list has about 1,000 entries.
SANCTIONS_ENTRIES_MAX = 50_000
ENTRY_NAMES_MAX = 200
LISTED_NAME_CHARS_MAX = 1_000
DATES_OF_BIRTH_MAX = 20
NATIONALITIES_MAX = 20

SAMPLE_SANCTIONS_RESOURCE = "sanctions-sample.xml"


class SanctionsListError(ValueError):
    """A sanctions list file that cannot be used: too large, not XML, not the UN format, over a limit."""


class PartyType(StrEnum):
    INDIVIDUAL = "individual"
    ENTITY = "entity"


class NameKind(StrEnum):
    PRIMARY = "primary"
    ALIAS = "alias"
    ORIGINAL_SCRIPT = "original_script"


@dataclass(frozen=True, slots=True)
class ListedName:
    text: str
    kind: NameKind
    quality: str = ""  # the alias QUALITY as the list writes it

    @property
    def weak(self) -> bool:
        """A "Low" quality alias: a nickname or a vague name, too common to be evidence on its own."""
        return self.quality.casefold() == "low"


@dataclass(frozen=True, slots=True)
class SanctionsEntry:
    data_id: str
    reference_number: str
    party_type: PartyType
    names: tuple[ListedName, ...]  # the primary name first
    list_type: str
    listed_on: str  # ISO date as the list writes it
    nationalities: tuple[str, ...] = ()
    dates_of_birth: tuple[str, ...] = ()

    @property
    def primary_name(self) -> str:
        return self.names[0].text


@dataclass(frozen=True, slots=True)
class SanctionsList:
    entries: tuple[SanctionsEntry, ...]  # individuals first, then entities, each in file order
    generated_at: str = ""  # when the publisher generated the file, as it writes it (ISO 8601)
    source: str = ""  # "UN", "OFAC SDN", "EU"
    version: str = ""  # the publisher's version or file id where it gives one, else its generation date
    sha256: str = ""  # of the file's bytes, hex

    @property
    def label(self) -> str:
        """What a decision records: "UN list 2026-01-05T10:00:00.000Z sha256:1f2e...", enough to find the file."""
        version = f" version {self.version}" if self.version and self.version != self.generated_at else ""
        dated = self.generated_at or "unknown date"
        return f"{self.source or 'sanctions'} list{version} of {dated} sha256:{self.sha256}"


class _RefuseDoctype(ET.TreeBuilder):
    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise SanctionsListError("the sanctions list has a document type declaration; the published lists have none")


def load_sanctions_file(
    path: str | os.PathLike[str],
    *,
    bytes_max: int = SANCTIONS_FILE_BYTES_MAX,
    entries_max: int = SANCTIONS_ENTRIES_MAX,
) -> SanctionsList:
    """Read and parse a list in the UN consolidated XML format."""
    try:
        with open(path, "rb") as file:
            data = file.read(bytes_max + 1)
    except OSError as exc:
        raise SanctionsListError(f"cannot read the sanctions list {os.fspath(path)!r}: {exc}") from exc
    return parse_sanctions_xml(data, bytes_max=bytes_max, entries_max=entries_max)


def load_sample_sanctions() -> SanctionsList:
    """The small fictional list shipped for tests and the demo."""
    data = resources.files("inzira.remit.data").joinpath(SAMPLE_SANCTIONS_RESOURCE).read_bytes()
    return parse_sanctions_xml(data)


def xml_root(data: bytes, bytes_max: int = SANCTIONS_FILE_BYTES_MAX) -> ET.Element:
    """The root element of a list file, under the size limit and without a document type declaration."""
    if len(data) > bytes_max:
        raise SanctionsListError(f"the sanctions list is larger than {bytes_max} bytes")
    parser = ET.XMLParser(target=_RefuseDoctype())
    try:
        parser.feed(data)
        return parser.close()
    except (ET.ParseError, LookupError) as exc:  # LookupError: an encoding Python does not know
        raise SanctionsListError(f"the sanctions list is not well-formed XML: {exc}") from exc


def local_name(tag: str) -> str:
    """An element's name without its namespace: "{urn:x}Sanctions" -> "Sanctions"."""
    return tag.rsplit("}", 1)[-1]


def check_entries(entries: list[SanctionsEntry], entries_max: int) -> None:
    """Refuse a list with no entries (more likely a truncated download than a world at peace), too many,
    or one id twice."""
    if not entries:
        raise SanctionsListError("the sanctions list has no entries")
    if len(entries) > entries_max:
        raise SanctionsListError(f"the sanctions list has more than {entries_max} entries")
    seen: set[str] = set()
    for entry in entries:
        if entry.data_id in seen:
            raise SanctionsListError(f"entry {entry.data_id} appears twice")
        seen.add(entry.data_id)


def parse_sanctions_xml(
    data: bytes,
    *,
    bytes_max: int = SANCTIONS_FILE_BYTES_MAX,
    entries_max: int = SANCTIONS_ENTRIES_MAX,
) -> SanctionsList:
    """Parse the bytes of a list in the UN consolidated XML format, or refuse it with the reason."""
    root = xml_root(data, bytes_max)
    if root.tag != "CONSOLIDATED_LIST":
        raise SanctionsListError(f"the root element is <{root.tag}>, expected <CONSOLIDATED_LIST>")
    individuals = root.findall("INDIVIDUALS/INDIVIDUAL")
    entities = root.findall("ENTITIES/ENTITY")
    # An empty list would pass everybody: more likely a truncated download than a world at peace.
    if not individuals and not entities:
        raise SanctionsListError("the sanctions list has no INDIVIDUALS/INDIVIDUAL or ENTITIES/ENTITY entries")
    if len(individuals) + len(entities) > entries_max:
        raise SanctionsListError(f"the sanctions list has more than {entries_max} entries")
    entries = [_entry(node, PartyType.INDIVIDUAL, n) for n, node in enumerate(individuals, 1)]
    entries += [_entry(node, PartyType.ENTITY, n) for n, node in enumerate(entities, 1)]
    check_entries(entries, entries_max)
    generated_at = root.get("dateGenerated", "")
    return SanctionsList(tuple(entries), generated_at, "UN", generated_at, hashlib.sha256(data).hexdigest())


def _entry(node: ET.Element, party_type: PartyType, position: int) -> SanctionsEntry:
    where = f"{party_type.value} #{position}"
    data_id = _text(node, "DATAID")
    if not data_id:
        raise SanctionsListError(f"{where} has no DATAID")
    where = f"{where} (DATAID {data_id})"
    name_parts = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    if party_type is PartyType.ENTITY:
        name_parts = ("FIRST_NAME",)
    primary = " ".join(part for part in (_text(node, tag) for tag in name_parts) if part)
    if not primary:
        raise SanctionsListError(f"{where} has no name")
    names = [ListedName(primary, NameKind.PRIMARY)]
    alias_tag = "INDIVIDUAL_ALIAS" if party_type is PartyType.INDIVIDUAL else "ENTITY_ALIAS"
    for alias in node.iterfind(alias_tag):
        quality = _text(alias, "QUALITY")
        for text in _text(alias, "ALIAS_NAME").split(";"):
            names.append(ListedName(text.strip(), NameKind.ALIAS, quality))
    names.append(ListedName(_text(node, "NAME_ORIGINAL_SCRIPT"), NameKind.ORIGINAL_SCRIPT))
    unique = checked_names(names, where)
    nationalities = [clean(v.text) for v in node.iterfind("NATIONALITY/VALUE")]
    births = [_date_of_birth(d) for d in node.iterfind("INDIVIDUAL_DATE_OF_BIRTH")]
    return SanctionsEntry(
        data_id=data_id,
        reference_number=_text(node, "REFERENCE_NUMBER"),
        party_type=party_type,
        names=unique,
        list_type=_text(node, "UN_LIST_TYPE"),
        listed_on=_text(node, "LISTED_ON"),
        nationalities=tuple(n for n in nationalities if n)[:NATIONALITIES_MAX],
        dates_of_birth=tuple(b for b in births if b)[:DATES_OF_BIRTH_MAX],
    )


def checked_names(names: list[ListedName], where: str) -> tuple[ListedName, ...]:
    """Non-empty names, each text once (the first, most authoritative, occurrence kept), within the bounds."""
    seen: set[str] = set()
    unique: list[ListedName] = []
    for name in names:
        if name.text and name.text not in seen:
            seen.add(name.text)
            unique.append(name)
    if len(unique) > ENTRY_NAMES_MAX:
        raise SanctionsListError(f"{where} has more than {ENTRY_NAMES_MAX} names")
    for name in unique:
        if len(name.text) > LISTED_NAME_CHARS_MAX:
            raise SanctionsListError(f"{where} has a name longer than {LISTED_NAME_CHARS_MAX} characters")
    return tuple(unique)


def _date_of_birth(node: ET.Element) -> str:
    """A date of birth as people read it: "1971-03-14", "1968", "approximately 1968", "1975 to 1976"."""
    kind = _text(node, "TYPE_OF_DATE").upper()
    from_year, to_year = _text(node, "FROM_YEAR"), _text(node, "TO_YEAR")
    if from_year or to_year:
        return f"{from_year or '?'} to {to_year or '?'}"
    value = _text(node, "DATE") or _text(node, "YEAR")
    if value and kind == "APPROXIMATELY":
        return f"approximately {value}"
    return value


def _text(node: ET.Element, tag: str) -> str:
    return clean(node.findtext(tag))


def clean(text: str | None) -> str:
    """Stripped, with inner runs of whitespace as one space: the list pads some values."""
    return " ".join(text.split()) if text else ""
