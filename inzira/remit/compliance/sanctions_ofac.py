"""OFAC's SDN list in its advanced XML format (SDN_ADVANCED.XML), read into a `SanctionsList`.

The format is the advanced sanctions data model: reference value sets give meaning to numeric ids (alias
types, party types and subtypes, name part types, feature types, countries, scripts); locations point to
countries; each DistinctParty has a Profile with Identities, each Identity Aliases, each Alias one
DocumentedName per script made of name parts; Features carry the birthdate (a date period) and the
nationality or citizenship (a location); SanctionsEntries give the date a profile was listed and its
programme. The namespace changes between publications, so elements are found whatever their namespace.

Individuals and entities are read; vessels and aircraft (party type "Transport") are not screened against
names of people and companies and are left out. Limits and refusals are those of `sanctions`.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

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

# Name parts in the order people write them; other parts follow in document order.
_PART_ORDER = ("First Name", "Middle Name", "Patronymic", "Matronymic", "Last Name", "Maiden Name")
_NATIONALITY_FEATURES = ("Nationality Country", "Citizenship Country")


def _values(root: ET.Element, path: str, attribute: str = "") -> dict[str, str]:
    """A reference value set: id -> its text, or the given attribute."""
    return {node.get("ID", ""): (node.get(attribute, "") if attribute else clean(node.text))
            for node in root.iterfind(f"{{*}}ReferenceValueSets/{path}")}


def _date(node: ET.Element | None) -> str:
    if node is None:
        return ""
    year, month, day = (clean(node.findtext(f"{{*}}{part}")) for part in ("Year", "Month", "Day"))
    if not year:
        return ""
    return f"{year}-{int(month):02d}-{int(day):02d}" if month and day else year


def _birthdate(feature: ET.Element) -> str:
    period = feature.find("{*}FeatureVersion/{*}DatePeriod")
    if period is None:
        return ""
    start, end = _date(period.find("{*}Start/{*}From")), _date(period.find("{*}End/{*}To"))
    approximate = (period.find("{*}Start") is not None
                   and period.find("{*}Start").get("Approximate") == "true")  # type: ignore[union-attr]
    if start and end and start != end:
        return f"{start[:4]} to {end[:4]}" if start[:4] != end[:4] else start[:4]
    value = start or end
    return f"approximately {value}" if approximate and value else value


def parse_ofac_advanced_xml(
    data: bytes,
    *,
    bytes_max: int = SANCTIONS_FILE_BYTES_MAX,
    entries_max: int = SANCTIONS_ENTRIES_MAX,
) -> SanctionsList:
    root = xml_root(data, bytes_max)
    if local_name(root.tag) != "Sanctions":
        raise SanctionsListError(f"the root element is <{local_name(root.tag)}>, expected <Sanctions>")
    alias_types = _values(root, "{*}AliasTypeValues/{*}AliasType")
    party_types = _values(root, "{*}PartyTypeValues/{*}PartyType")
    subtype_party = _values(root, "{*}PartySubTypeValues/{*}PartySubType", "PartyTypeID")
    part_types = _values(root, "{*}NamePartTypeValues/{*}NamePartType")
    feature_types = _values(root, "{*}FeatureTypeValues/{*}FeatureType")
    scripts = _values(root, "{*}ScriptValues/{*}Script", "ScriptCode")
    countries = _values(root, "{*}CountryValues/{*}Country")
    locations = {node.get("ID", ""): countries.get(node.find("{*}LocationCountry").get("CountryID", ""), "")
                 for node in root.iterfind("{*}Locations/{*}Location")
                 if node.find("{*}LocationCountry") is not None}
    listed = {node.get("ProfileID", ""): node for node in root.iterfind("{*}SanctionsEntries/{*}SanctionsEntry")}
    profiles = root.findall("{*}DistinctParties/{*}DistinctParty/{*}Profile")
    if len(profiles) > entries_max:
        raise SanctionsListError(f"the sanctions list has more than {entries_max} entries")
    entries = []
    for profile in profiles:
        party = party_types.get(subtype_party.get(profile.get("PartySubTypeID", ""), ""), "")
        if party not in ("Individual", "Entity"):
            continue
        profile_id = profile.get("ID", "")
        where = f"profile {profile_id}"
        names = []
        for identity in profile.iterfind("{*}Identity"):
            group_type = {group.get("ID", ""): part_types.get(group.get("NamePartTypeID", ""), "")
                          for group in identity.iterfind("{*}NamePartGroups/{*}MasterNamePartGroup/{*}NamePartGroup")}
            for alias in identity.iterfind("{*}Alias"):
                low = alias.get("LowQuality") == "true"
                quality = "Low" if low else alias_types.get(alias.get("AliasTypeID", ""), "")
                primary = alias.get("Primary") == "true" and identity.get("Primary") == "true"
                for documented in alias.iterfind("{*}DocumentedName"):
                    parts = [(group_type.get(value.get("NamePartGroupID", ""), ""), clean(value.text),
                              scripts.get(value.get("ScriptID", ""), "Latn"))
                             for value in documented.iterfind("{*}DocumentedNamePart/{*}NamePartValue")]
                    parts.sort(key=lambda p: _PART_ORDER.index(p[0]) if p[0] in _PART_ORDER else len(_PART_ORDER))
                    text = " ".join(value for _, value, _ in parts if value)
                    latin = all(script == "Latn" for _, _, script in parts)
                    kind = (NameKind.ORIGINAL_SCRIPT if not latin else NameKind.PRIMARY if primary else NameKind.ALIAS)
                    names.append(ListedName(text, kind, quality if kind is NameKind.ALIAS or quality == "Low" else ""))
        names.sort(key=lambda n: n.kind is not NameKind.PRIMARY)
        births, nationalities = [], []
        for feature in profile.iterfind("{*}Feature"):
            kind = feature_types.get(feature.get("FeatureTypeID", ""), "")
            if kind == "Birthdate":
                births.append(_birthdate(feature))
            elif kind in _NATIONALITY_FEATURES:
                location = feature.find("{*}FeatureVersion/{*}VersionLocation")
                nationalities.append(locations.get(location.get("LocationID", ""), "") if location is not None else "")
        entry = listed.get(profile_id)
        unique = checked_names(names, where)
        if not unique:
            raise SanctionsListError(f"{where} has no name")
        entries.append(SanctionsEntry(
            data_id=profile_id,
            reference_number=f"OFAC-{profile_id}",
            party_type=PartyType.INDIVIDUAL if party == "Individual" else PartyType.ENTITY,
            names=unique,
            list_type=clean(entry.findtext("{*}SanctionsMeasure/{*}Comment")) if entry is not None else "",
            listed_on=_date(entry.find("{*}EntryEvent/{*}Date")) if entry is not None else "",
            nationalities=tuple(dict.fromkeys(n for n in nationalities if n))[:NATIONALITIES_MAX],
            dates_of_birth=tuple(b for b in births if b)[:DATES_OF_BIRTH_MAX],
        ))
    check_entries(entries, entries_max)
    issued = _date(root.find("{*}DateOfIssue"))
    return SanctionsList(tuple(entries), issued, "OFAC SDN", issued, hashlib.sha256(data).hexdigest())
