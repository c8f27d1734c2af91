"""The EU's consolidated financial sanctions list, in its XML export, read into a `SanctionsList`.

The export's root carries the generation date and a global file id (the list's version); each
sanctionEntity has an EU reference number, a subjectType (person or enterprise), nameAlias elements (the
whole name, and strong="false" for a weak alias), citizenship and birthdate elements (a full date, or a
year, "circa" when approximate) and the regulations that listed it. Limits and refusals are those of
`sanctions`.
"""

from __future__ import annotations

import hashlib

from inzira.remit.compliance.sanctions import (
    DATES_OF_BIRTH_MAX,
    NATIONALITIES_MAX,
    SANCTIONS_ENTRIES_MAX,
    SANCTIONS_FILE_BYTES_MAX,
    ListedName,
    NameKind,
    PartyType,
    SanctionsEntry,
    SanctionsList,
    SanctionsListError,
    check_entries,
    checked_names,
    clean,
    local_name,
    xml_root,
)


def parse_eu_xml(
    data: bytes,
    *,
    bytes_max: int = SANCTIONS_FILE_BYTES_MAX,
    entries_max: int = SANCTIONS_ENTRIES_MAX,
) -> SanctionsList:
    root = xml_root(data, bytes_max)
    if local_name(root.tag) != "export":
        raise SanctionsListError(f"the root element is <{local_name(root.tag)}>, expected <export>")
    nodes = root.findall("{*}sanctionEntity")
    if len(nodes) > entries_max:
        raise SanctionsListError(f"the sanctions list has more than {entries_max} entries")
    entries = []
    for node in nodes:
        data_id = node.get("logicalId", "")
        where = f"sanctionEntity {data_id or '?'}"
        if not data_id:
            raise SanctionsListError(f"{where} has no logicalId")
        subject = node.find("{*}subjectType")
        code = subject.get("code", "") if subject is not None else ""
        names = []
        for alias in node.iterfind("{*}nameAlias"):
            text = clean(alias.get("wholeName")) or clean(" ".join(
                alias.get(part, "") for part in ("firstName", "middleName", "lastName")))
            if not text.isascii() and not any(c.isascii() and c.isalpha() for c in text):
                names.append(ListedName(text, NameKind.ORIGINAL_SCRIPT))
            else:
                kind = NameKind.PRIMARY if not names else NameKind.ALIAS
                names.append(ListedName(text, kind, "Low" if alias.get("strong") == "false" else ""))
        names.sort(key=lambda n: n.kind is not NameKind.PRIMARY)
        unique = checked_names(names, where)
        if not unique:
            raise SanctionsListError(f"{where} has no name")
        births = []
        for birth in node.iterfind("{*}birthdate"):
            value = birth.get("birthdate", "") or birth.get("year", "")
            births.append(f"approximately {value}" if value and birth.get("circa") == "true" else value)
        nationalities = [clean(c.get("countryDescription")) or c.get("countryIso2Code", "")
                         for c in node.iterfind("{*}citizenship")]
        published = sorted(r.get("publicationDate", "") for r in node.iterfind("{*}regulation"))
        programmes = sorted({r.get("programme", "") for r in node.iterfind("{*}regulation")} - {""})
        entries.append(SanctionsEntry(
            data_id=data_id,
            reference_number=node.get("euReferenceNumber", "") or data_id,
            party_type=PartyType.INDIVIDUAL if code == "person" else PartyType.ENTITY,
            names=unique,
            list_type=", ".join(programmes),
            listed_on=published[0] if published else "",
            nationalities=tuple(dict.fromkeys(n for n in nationalities if n))[:NATIONALITIES_MAX],
            dates_of_birth=tuple(b for b in births if b)[:DATES_OF_BIRTH_MAX],
        ))
    check_entries(entries, entries_max)
    generated = root.get("generationDate", "")
    return SanctionsList(tuple(entries), generated, "EU", root.get("globalFileId", "") or generated,
                         hashlib.sha256(data).hexdigest())
