from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inzira.remit.compliance.sanctions import (
    NameKind,
    PartyType,
    SanctionsListError,
    load_sample_sanctions,
    load_sanctions_file,
    parse_sanctions_xml,
)

SAMPLE_FILE = Path(__file__).parents[2] / "inzira" / "remit" / "data" / "sanctions-sample.xml"

# The shape of the published consolidated.xml, element for element (names and numbers made up): schema
# attributes on the root, padded values, empty optional elements, several names in one ALIAS_NAME,
# alias details, VALUE lists, dates of birth of every kind, addresses and documents.
REAL_FORMAT_FRAGMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:noNamespaceSchemaLocation="https://scsanctions.un.org/resources/xsd/consolidated-list.xsd" \
dateGenerated="2026-03-01T10:00:02.393Z">
<INDIVIDUALS>
<INDIVIDUAL>
<DATAID>6900001</DATAID>
<VERSIONNUM>1</VERSIONNUM>
<FIRST_NAME>QUENTAVIO</FIRST_NAME>
<SECOND_NAME>ZARBULAK</SECOND_NAME>
<THIRD_NAME/>
<UN_LIST_TYPE>DRC</UN_LIST_TYPE>
<REFERENCE_NUMBER>CDi.901 </REFERENCE_NUMBER>
<LISTED_ON>2012-12-31</LISTED_ON>
<GENDER>Male</GENDER>
<SUBMITTED_BY/>
<NAME_ORIGINAL_SCRIPT/>
<COMMENTS1>Fictional test entry.</COMMENTS1>
<TITLE><VALUE>Colonel</VALUE></TITLE>
<DESIGNATION><VALUE>Commander</VALUE></DESIGNATION>
<NATIONALITY>
<VALUE>Democratic Republic of the Congo</VALUE>
<VALUE>Rwanda</VALUE>
</NATIONALITY>
<LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
<LAST_DAY_UPDATED><VALUE>2016-10-13</VALUE><VALUE>2019-02-01</VALUE></LAST_DAY_UPDATED>
<INDIVIDUAL_ALIAS>
<QUALITY>Good</QUALITY>
<ALIAS_NAME>ZARBULAK, Colonel QUENTAVIO</ALIAS_NAME>
</INDIVIDUAL_ALIAS>
<INDIVIDUAL_ALIAS>
<QUALITY>Low</QUALITY>
<ALIAS_NAME>Quen; Zarbu</ALIAS_NAME>
<DATE_OF_BIRTH>1971</DATE_OF_BIRTH>
<CITY_OF_BIRTH>Sampleville</CITY_OF_BIRTH>
<COUNTRY_OF_BIRTH>Rwanda</COUNTRY_OF_BIRTH>
<NOTE>fictional</NOTE>
</INDIVIDUAL_ALIAS>
<INDIVIDUAL_ALIAS>
<QUALITY/>
<ALIAS_NAME/>
</INDIVIDUAL_ALIAS>
<INDIVIDUAL_ADDRESS>
<COUNTRY>Rwanda</COUNTRY>
<NOTE>Fictional.</NOTE>
</INDIVIDUAL_ADDRESS>
<INDIVIDUAL_DATE_OF_BIRTH>
<TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
<YEAR>1971</YEAR>
</INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_DATE_OF_BIRTH>
<TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>
<FROM_YEAR>1969</FROM_YEAR>
<TO_YEAR>1972</TO_YEAR>
</INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_PLACE_OF_BIRTH>
<COUNTRY/>
</INDIVIDUAL_PLACE_OF_BIRTH>
<INDIVIDUAL_DOCUMENT>
<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>
<NUMBER>XX 0000000</NUMBER>
<ISSUING_COUNTRY>Nowhereland</ISSUING_COUNTRY>
</INDIVIDUAL_DOCUMENT>
<SORT_KEY/>
<SORT_KEY_LAST_MOD/>
</INDIVIDUAL>
</INDIVIDUALS>
<ENTITIES>
<ENTITY>
<DATAID>6900002</DATAID>
<VERSIONNUM>2</VERSIONNUM>
<FIRST_NAME> ZARBULAK EXPORT AND SUPPLY DEPARTMENT (ZESD)</FIRST_NAME>
<UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
<REFERENCE_NUMBER>KPe.901</REFERENCE_NUMBER>
<LISTED_ON>2017-09-11</LISTED_ON>
<SUBMITTED_ON/>
<NAME_ORIGINAL_SCRIPT/>
<COMMENTS1>Fictional test entity.</COMMENTS1>
<LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
<LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED>
<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Zarbulak Supply Bureau</ALIAS_NAME></ENTITY_ALIAS>
<ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>Zarbulak Trading Office</ALIAS_NAME></ENTITY_ALIAS>
<ENTITY_ALIAS><QUALITY/><ALIAS_NAME/></ENTITY_ALIAS>
<ENTITY_ADDRESS>
<STREET>1 Sample Street</STREET>
<CITY>Sampleville</CITY>
<STATE_PROVINCE/>
<ZIP_CODE/>
<COUNTRY>Nowhereland</COUNTRY>
</ENTITY_ADDRESS>
<SORT_KEY/>
<SORT_KEY_LAST_MOD/>
</ENTITY>
</ENTITIES>
</CONSOLIDATED_LIST>
"""


def test_sample_list_parses():
    sanctions = load_sample_sanctions()
    assert sanctions.generated_at == "2026-01-05T10:00:00.000Z"
    individuals = [e for e in sanctions.entries if e.party_type is PartyType.INDIVIDUAL]
    entities = [e for e in sanctions.entries if e.party_type is PartyType.ENTITY]
    assert (len(individuals), len(entities)) == (12, 5)
    aliases = [n for e in sanctions.entries for n in e.names if n.kind is NameKind.ALIAS]
    assert len(aliases) == 33  # 32 non-empty ALIAS_NAME values, one of them holding two names
    assert sum(1 for e in sanctions.entries for n in e.names if n.kind is NameKind.ORIGINAL_SCRIPT) == 11
    assert len({e.data_id for e in sanctions.entries}) == 17
    assert all(e.reference_number and e.list_type == "Sample" for e in sanctions.entries)


def test_sample_entry_fields():
    by_ref = {e.reference_number: e for e in load_sample_sanctions().entries}
    first = by_ref["ZZi.001"]
    assert first.primary_name == "MUHAMMAD YUSUF QARZANITHI"
    assert [(n.text, n.kind, n.quality) for n in first.names[1:]] == [
        ("Mohammed Youssef Karzanithi", NameKind.ALIAS, "Good"),
        ("Abu Yusuf al-Qarzanithi", NameKind.ALIAS, "Good"),
        ("Abu Yusuf", NameKind.ALIAS, "Low"),
        ("محمد يوسف قرزانيثي", NameKind.ORIGINAL_SCRIPT, ""),
    ]
    assert first.names[3].weak and not first.names[1].weak
    assert first.dates_of_birth == ("1971-03-14",)
    assert first.nationalities == ("Examplia",)
    assert first.listed_on == "2019-05-02"
    assert by_ref["ZZi.002"].dates_of_birth == ("approximately 1968",)
    assert by_ref["ZZi.003"].dates_of_birth == ("1975 to 1976",)
    four_names = by_ref["ZZi.012"]
    assert four_names.primary_name == "ABU BAKR SALIM HAMID ZAYFANI"
    assert "Abou Bakr Zeyfani" in [n.text for n in four_names.names]  # "a; b" holds two aliases
    assert by_ref["ZZe.005"].names[1].text == "NMC"  # the empty alias is skipped
    assert by_ref["ZZe.001"].party_type is PartyType.ENTITY


def test_load_from_file_path():
    assert load_sanctions_file(SAMPLE_FILE) == load_sample_sanctions()
    assert load_sanctions_file(str(SAMPLE_FILE)) == load_sample_sanctions()


def test_the_real_format_parses():
    sanctions = parse_sanctions_xml(REAL_FORMAT_FRAGMENT.encode())
    assert sanctions.generated_at == "2026-03-01T10:00:02.393Z"
    person, entity = sanctions.entries
    assert person.data_id == "6900001"
    assert person.reference_number == "CDi.901"  # padding stripped
    assert person.list_type == "DRC"
    assert person.primary_name == "QUENTAVIO ZARBULAK"  # empty THIRD_NAME skipped
    assert [n.text for n in person.names] == ["QUENTAVIO ZARBULAK", "ZARBULAK, Colonel QUENTAVIO", "Quen", "Zarbu"]
    assert [n.quality for n in person.names[1:]] == ["Good", "Low", "Low"]
    assert person.nationalities == ("Democratic Republic of the Congo", "Rwanda")
    assert person.dates_of_birth == ("1971", "1969 to 1972")
    assert entity.party_type is PartyType.ENTITY
    assert entity.primary_name == "ZARBULAK EXPORT AND SUPPLY DEPARTMENT (ZESD)"
    assert [(n.text, n.quality) for n in entity.names[1:]] == [
        ("Zarbulak Supply Bureau", "a.k.a."),
        ("Zarbulak Trading Office", "f.k.a."),
    ]


def test_utf16_files_parse_too():
    text = REAL_FORMAT_FRAGMENT.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    utf16, utf8 = parse_sanctions_xml(text.encode("utf-16")), parse_sanctions_xml(REAL_FORMAT_FRAGMENT.encode())
    assert (utf16.entries, utf16.generated_at) == (utf8.entries, utf8.generated_at)
    assert utf16.sha256 != utf8.sha256  # the hash is of the file's bytes, as received


def _one_entry(body: str) -> bytes:
    return f"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>{body}</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>".encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&c;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&secret;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not well-formed"),
        (b"this is not xml", "not well-formed"),
        (b"<CONSOLIDATED_LIST><INDIVIDUALS>", "not well-formed"),
        (b"\xff\xfe\x00garbled\x00", "not well-formed"),
        (b'<?xml version="1.0" encoding="no-such-encoding"?><CONSOLIDATED_LIST/>', "not well-formed"),
        (b"<sdnList><sdnEntry/></sdnList>", "root element is <sdnList>"),
        (b"<CONSOLIDATED_LIST/>", "no INDIVIDUALS"),
        (b"<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>", "no INDIVIDUALS"),
        (BILLION_LAUGHS, "document type declaration"),
        (EXTERNAL_ENTITY, "document type declaration"),
        (_one_entry("<FIRST_NAME>NO ID</FIRST_NAME>"), "no DATAID"),
        (
            b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>7</DATAID><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL>"
            b"</INDIVIDUALS><ENTITIES><ENTITY><DATAID>7</DATAID><FIRST_NAME>B</FIRST_NAME></ENTITY></ENTITIES>"
            b"</CONSOLIDATED_LIST>",
            "entry 7 appears twice",
        ),
        (_one_entry("<DATAID>7</DATAID><FIRST_NAME/><SECOND_NAME> </SECOND_NAME>"), "DATAID 7) has no name"),
        (_one_entry("<DATAID>7</DATAID><FIRST_NAME>" + "A" * 1001 + "</FIRST_NAME>"), "longer than 1000"),
        (
            _one_entry("<DATAID>7</DATAID><FIRST_NAME>A</FIRST_NAME>" + "".join(
                f"<INDIVIDUAL_ALIAS><ALIAS_NAME>alias {i}</ALIAS_NAME></INDIVIDUAL_ALIAS>" for i in range(200)
            )),
            "more than 200 names",
        ),
    ],
)
def test_unusable_lists_are_refused_whole(data, words):
    with pytest.raises(SanctionsListError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_sanctions_xml(data)


def test_size_and_entry_limits():
    data = SAMPLE_FILE.read_bytes()
    with pytest.raises(SanctionsListError, match="larger than 1000 bytes"):
        parse_sanctions_xml(data, bytes_max=1000)
    with pytest.raises(SanctionsListError, match="larger than 1000 bytes"):
        load_sanctions_file(SAMPLE_FILE, bytes_max=1000)
    with pytest.raises(SanctionsListError, match="more than 16 entries"):
        parse_sanctions_xml(data, entries_max=16)
    assert len(parse_sanctions_xml(data, entries_max=17).entries) == 17


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SanctionsListError, match="cannot read"):
        load_sanctions_file(tmp_path / "nope.xml")


@settings(max_examples=300)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: ("<CONSOLIDATED_LIST>" + t).encode()))
def test_garbage_only_ever_raises_sanctions_list_error(data):
    try:
        parse_sanctions_xml(data)
    except SanctionsListError:
        pass
