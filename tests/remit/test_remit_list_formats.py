"""OFAC SDN advanced and EU consolidated list files, the list's identity on decisions, and its age."""

from importlib import resources

import pytest

from inzira.remit.compliance.freshness import DAY_MS, ListFreshness, ListState, list_status, published_at_ms
from inzira.remit.compliance.list_formats import load_list_file, parse_list_xml
from inzira.remit.compliance.policy import CompliancePolicy
from inzira.remit.compliance.rules import Outcome, ReasonCode, decide
from inzira.remit.compliance.sanctions import NameKind, PartyType, SanctionsListError
from inzira.remit.compliance.screening import MatchStrength, SanctionsIndex
from inzira.money import Amount, currency

DATA = resources.files("inzira.remit.data")


def read(name: str) -> bytes:
    return DATA.joinpath(name).read_bytes()


def test_ofac_sdn_advanced():
    sanctions = parse_list_xml(read("ofac-sdn-advanced-sample.xml"))
    assert (sanctions.source, sanctions.generated_at, sanctions.version) == ("OFAC SDN", "2026-01-05", "2026-01-05")
    assert [e.reference_number for e in sanctions.entries] == ["OFAC-990001", "OFAC-990002", "OFAC-990003"]
    person, other, company = sanctions.entries
    assert person.party_type is PartyType.INDIVIDUAL and company.party_type is PartyType.ENTITY
    assert person.names[0].text == "Muhammad Yusuf QARZANITHI" and person.names[0].kind is NameKind.PRIMARY
    assert [(n.text, n.kind, n.quality) for n in person.names[1:]] == [
        ("محمد يوسف قرزانيثي", NameKind.ORIGINAL_SCRIPT, ""),
        ("Mohammed Youssef KARZANITHI", NameKind.ALIAS, "A.K.A."),
        ("ABU YUSUF", NameKind.ALIAS, "Low"),
    ]
    assert person.dates_of_birth == ("1971-03-14",) and person.nationalities == ("Examplia",)
    assert person.listed_on == "2019-05-02" and person.list_type == "SAMPLE"
    assert other.names[0].text == "Sergei Nikolaevich PRIMEROV"  # first, middle (patronymic), last
    assert other.dates_of_birth == ("1958 to 1960",) and other.nationalities == ("Nowhereland",)
    index = SanctionsIndex(sanctions)
    assert [m.entry.reference_number for m in index.screen("Mohamed Yousef Karzanithi").hits] == ["OFAC-990001"]
    assert [m.entry.reference_number for m in index.screen("EPTC").hits] == ["OFAC-990003"]
    assert index.screen("Sergey Primakov").matches == ()


def test_eu_consolidated():
    sanctions = parse_list_xml(read("eu-consolidated-sample.xml"))
    assert (sanctions.source, sanctions.version) == ("EU", "170123")
    assert sanctions.generated_at == "2026-01-05T18:00:13.434+01:00"
    person, second, company = sanctions.entries
    assert person.reference_number == "EU.9901.01" and company.party_type is PartyType.ENTITY
    assert [(n.kind, n.quality) for n in person.names] == [
        (NameKind.PRIMARY, ""), (NameKind.ORIGINAL_SCRIPT, ""), (NameKind.ALIAS, "Low")]
    assert person.dates_of_birth == ("1968-05-17",) and person.nationalities == ("NOWHERELAND",)
    assert second.dates_of_birth == ("approximately 1977",)
    index = SanctionsIndex(sanctions)
    assert [m.entry.reference_number for m in index.screen("Александр Фиктивников").hits] == ["EU.9901.01"]
    assert index.screen("Sasha").matches == ()  # a weak one-word alias is not screened
    match = index.screen("Jean-Baptiste Sampulu", date_of_birth="1978").matches[0]
    assert match.strength is MatchStrength.HIT and "agrees with the entry (approximately 1977)" in match.explanation


def test_the_reader_is_picked_by_the_root_element(tmp_path):
    for name, source in [("sanctions-sample.xml", "UN"), ("ofac-sdn-advanced-sample.xml", "OFAC SDN"),
                         ("eu-consolidated-sample.xml", "EU")]:
        path = tmp_path / name
        path.write_bytes(read(name))
        loaded = load_list_file(path)
        assert loaded.source == source and len(loaded.sha256) == 64
        assert loaded.label.startswith(f"{source} list") and loaded.sha256 in loaded.label
    with pytest.raises(SanctionsListError, match="not a UN consolidated list"):
        parse_list_xml(b"<?xml version='1.0'?><!-- a comment --><html><body/></html>")
    with pytest.raises(SanctionsListError, match="document type declaration"):
        parse_list_xml(b'<!DOCTYPE export [<!ENTITY a "aaaa">]><export/>')
    with pytest.raises(SanctionsListError, match="no entries"):
        parse_list_xml(b'<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-01-01"/>')
    with pytest.raises(SanctionsListError, match="no entries"):
        parse_list_xml(b"<Sanctions><DistinctParties/></Sanctions>")
    with pytest.raises(SanctionsListError, match="more than 2 entries"):
        parse_list_xml(read("eu-consolidated-sample.xml"), entries_max=2)
    with pytest.raises(SanctionsListError, match="more than 2 entries"):
        parse_list_xml(read("ofac-sdn-advanced-sample.xml"), entries_max=2)


def test_a_list_older_than_the_limits_alerts_then_holds():
    sanctions = parse_list_xml(read("ofac-sdn-advanced-sample.xml"))
    published = published_at_ms(sanctions)
    assert published is not None
    limits = ListFreshness(alert_age_ms=2 * DAY_MS, hold_age_ms=7 * DAY_MS)
    assert list_status(sanctions, published + DAY_MS, limits).state is ListState.FRESH
    assert list_status(sanctions, published + 3 * DAY_MS, limits).state is ListState.ALERT
    held = list_status(sanctions, published + 8 * DAY_MS, limits)
    assert held.state is ListState.HOLD and "8.0 days old" in held.message and sanctions.sha256 in held.message
    decision = decide(sender_name="Alice Mukamana", receiver_name="Jeanne Uwase",
                      amount=Amount(100_00, currency("EUR")), history=[], now_ms=published + 8 * DAY_MS,
                      policy=CompliancePolicy(), sanctions=SanctionsIndex(sanctions), list_status=held)
    assert decision.outcome is Outcome.HOLD and decision.codes == (ReasonCode.SANCTIONS_LIST_STALE,)
    with pytest.raises(ValueError):
        ListFreshness(alert_age_ms=5, hold_age_ms=4)


def test_a_list_without_a_readable_date_is_too_old():
    sanctions = parse_list_xml(b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
                               b"<FIRST_NAME>QUORLAV</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>")
    assert list_status(sanctions, 0, ListFreshness()).state is ListState.HOLD
