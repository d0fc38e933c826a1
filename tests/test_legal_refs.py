"""Legal references as the sources write them (STRUCTURE.md §6) -> normalised keys and Lovdata links."""

from __future__ import annotations

import pytest

from veiviser.laws import all_laws, find_law_mentions, law_of_ref, ref_url
from veiviser.legal_refs import extract_legal_refs, normalise_paragraph


@pytest.mark.parametrize(
    "text, year, expected",
    [
        # genitive law name before the §
        ("Helsepersonellovens § 33", 2014, ["hpl § 33"]),
        ("pasientrettighetslovens § 3.1", 2005, ["pbrl § 3-1"]),
        ("Sosialtjenestelovens § 4–2", 2005, ["sosialtjenesteloven-1991 § 4-2"]),
        # dash, dot and spacing variants
        ("jf. helse- og omsorgstjenesteloven § 3–4", 2014, ["hol § 3-4"]),
        ("Helse- og omsorgstjenesteloven § 3.2", 2014, ["hol § 3-2"]),
        ("Helse- og omsorgstjenesteloven §2.1", 2021, ["hol § 2-1"]),
        ("Spesialisthelsetjenestelovens § 2 -1, pasient- og brukerrettighetsloven § 2-1b", 2014,
         ["sthjl § 2-1", "pbrl § 2-1b"]),
        ("helse- og omsorgstjenesteloven § 1- 3, c", 2014, ["hol § 1-3"]),
        ("Helse- og omsorgstjenesteloven § § 10-4 og 10-3", 2014, ["hol § 10-4", "hol § 10-3"]),
        # pipe for § (an OCR slip) right after a law name
        ("Psykisk helsevernloven | 3-5 tredje ledd", 2014, ["phvl § 3-5"]),
        # several paragraphs
        ("helse- og omsorgstjenesteloven §§ 3-1, 3-2 og 4-1", 2014, ["hol § 3-1", "hol § 3-2", "hol § 4-1"]),
        ("fastlegeforskriften §§ 18 og 19", 2014, ["fastlegeforskriften § 18", "fastlegeforskriften § 19"]),
        # letter suffixes, with and without a space
        ("Helsepersonelloven § 10 a", 2021, ["hpl § 10a"]),
        ("Spesialisthelsetjenesteloven § 2-5a", 2014, ["sthjl § 2-5a"]),
        ("helse- og omsorgstjenesteloven § 2-1 a", 2014, ["hol § 2-1a"]),
        ("§11 a i helse- og omsorgstjenesteloven", 2021, ["hol § 11a"]),
        # a chapter letter belongs before the dash: opplæringslova chapter 4A
        ("etter Opplæringslovens § 4 A–2 rett til spesialundervisning", 2005, ["opplaeringsloven § 4A-2"]),
        # law after the expression
        ("kapittel 3 i pasient- og brukerrettighetsloven", 2014, ["pbrl kap. 3"]),
        ("kapittel 3 i pasient- og bruker-rettighetsloven", 2014, ["pbrl kap. 3"]),
        ("jf. § 4.1 i psykisk helsevernloven", 2005, ["phvl § 4-1"]),
        ("Forvaltningsloven kapittel IV og V om forberedelse", 2014,
         ["forvaltningsloven kap. IV", "forvaltningsloven kap. V"]),
        # a § that names no law takes the law of the previous reference in the sentence
        ("helse- og omsorgstjenesteloven § 3-8, jf. § 3-2 første ledd nr. 6 b", 2014, ["hol § 3-8", "hol § 3-2"]),
        # full statutory title, stray spaces from PDF extraction
        ("Lov 24. juni 2011 nr. 30 om kommunale helse- og omsorgstjenester m.m (helse- og omsorgstjenesteloven)"
         " § 3-2, pkt 4", 2014, ["hol § 3-2"]),
        ("helsepersonell loven § 25", 2014, ["hpl § 25"]),
        ("spesialist - helse tjeneste loven § 2-1", 2014, ["sthjl § 2-1"]),
        ("Lov om sosiale tjenester § 3–4", 2005, ["sosialtjenesteloven-1991 § 3-4"]),
        ("journalforskriften § 6, bokstav g", 2024, ["journalforskriften § 6"]),
        # the same name means different acts before and after 2010
        ("sosialtjenesteloven", 2005, ["sosialtjenesteloven-1991"]),
        ("sosialtjenesteloven", 2014, ["sosialtjenesteloven"]),
        ("lov om sosiale tjenester i NAV", 2014, ["sosialtjenesteloven"]),
        # a law named without a paragraph
        ("etter psykisk helsevernloven", 2014, ["phvl"]),
        # internal cross-references are not legal references
        ("Se kap. 4.3.6", 2014, []),
        ("Se Kap. 4.3.6 Voldsrisikovurderinger.", 2014, []),
        ("Se også kapittel 5 Samhandling og kapittel 6 Tjenester", 2014, []),
        # a § with no law to attribute it to is left out, not guessed
        ("Etter § 8 skal virksomheter ha behandlingsrettede helseregistre.", 2018, []),
        ("§§ 4–2, a–d", 2005, []),
    ],
)
def test_real_forms(text: str, year: int, expected: list[str]) -> None:
    assert extract_legal_refs(text, year) == expected


def test_heading_law_gives_a_bare_paragraph_its_law() -> None:
    text = "Etter § 8 skal virksomheter som yter helsehjelp, sørge for å ha behandlingsrettete helseregistre."
    assert extract_legal_refs(text, 2018, context_law="pasientjournalloven") == ["pasientjournalloven § 8"]
    # a law named in the text wins over the heading's law
    assert extract_legal_refs("jf. helsepersonelloven § 39", 2018, context_law="pasientjournalloven") == ["hpl § 39"]


@pytest.mark.parametrize(
    "raw, expected",
    [("3–4", "3-4"), ("3.2", "3-2"), ("2 -1", "2-1"), ("1- 3", "1-3"), ("2-1 a", "2-1a"), ("10 a", "10a"),
     ("38a", "38a"), ("4 A–2", "4A-2"), ("33", "33")],
)
def test_normalise_paragraph(raw: str, expected: str) -> None:
    assert normalise_paragraph(raw) == expected


def test_query_forms_are_read_like_document_forms() -> None:
    # no year: the current acts
    assert extract_legal_refs("hol § 3-2") == ["hol § 3-2"]
    assert extract_legal_refs("sosialtjenesteloven § 27") == ["sosialtjenesteloven § 27"]


def test_lovdata_urls() -> None:
    assert ref_url("hol § 3-2") == "https://lovdata.no/lov/2011-06-24-30/§3-2"
    assert ref_url("hpl § 10a") == "https://lovdata.no/lov/1999-07-02-64/§10a"
    assert ref_url("pbrl kap. 3") == "https://lovdata.no/lov/1999-07-02-63"
    assert ref_url("phvl") == "https://lovdata.no/lov/1999-07-02-62"
    assert ref_url("sosialtjenesteloven-1991 § 4-2") == "https://lovdata.no/lov/1991-12-13-81/§4-2"
    assert ref_url("fastlegeforskriften § 19") == "https://lovdata.no/forskrift/2012-08-29-842/§19"
    assert ref_url("ukjent § 1") is None
    assert law_of_ref("hol kap. 10").short == "helse- og omsorgstjenesteloven"


def test_law_table_is_consistent() -> None:
    laws = all_laws()
    assert {"hol", "pbrl", "sthjl", "hpl", "phvl", "sosialtjenesteloven", "sosialtjenesteloven-1991"} <= set(laws)
    for law in laws.values():
        assert law.lovdata.startswith(("LOV-", "FOR-")), law.key
        assert law.url.startswith("https://lovdata.no/lov/") or law.url.startswith("https://lovdata.no/forskrift/")
        assert law.key == law.key.lower() and " " not in law.key
    assert not laws["khl"].in_force and laws["hol"].in_force


def test_law_mentions_prefer_the_longest_name() -> None:
    text = "lov om sosiale tjenester i arbeids- og velferdsforvaltningen"
    mentions = find_law_mentions(text, 2014)
    assert [m.key for m in mentions] == ["sosialtjenesteloven"]
    assert mentions[0].start == 0 and mentions[0].end == len(text)
