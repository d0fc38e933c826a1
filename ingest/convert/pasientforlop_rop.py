"""002: Pasientforløp for personer med samtidig rusmiddellidelse og psykisk lidelse (ca. 2018)."""

from __future__ import annotations

META = {
    "id": "pasientforlop-rop-2018",
    "title": "Pasientforløp for personer med samtidig rusmiddellidelse og psykisk lidelse – kunnskapsoppsummering",
    "short_title": "Pasientforløp ROP – kunnskapsoppsummering",
    "publisher": "Omsorgsbiblioteket / Senter for omsorgsforskning, sør",
    "year": 2018,
    "doc_number": None,
    "kind": "kunnskapsoppsummering",
    "status": "gjeldende",
    "supersedes": [],
    "superseded_by": [],
    "source_file": "002_e0435eb9d0208db3.txt",
    "note": "Årstall utledet: litteratursøket ble avsluttet 2. januar 2018.",
}


def convert(lines: list[str]) -> str:
    raise NotImplementedError("converter being written")
