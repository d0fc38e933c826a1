"""001: Psykisk helsearbeid for voksne i kommunene (Sosial- og helsedirektoratet 2005)."""

from __future__ import annotations

META = {
    "id": "psykisk-helsearbeid-voksne-2005",
    "title": "Psykisk helsearbeid for voksne i kommunene",
    "short_title": "Psykisk helsearbeid for voksne i kommunene",
    "publisher": "Sosial- og helsedirektoratet",
    "year": 2005,
    "doc_number": None,
    "kind": "veileder",
    "status": "historisk",
    "supersedes": [],
    "superseded_by": ["sammen-om-mestring-2014"],
    "source_file": "001_b5cd17b7da0f0584.txt",
    "note": "Historisk: viser til lover som ble opphevet i 2012 (kommunehelsetjenesteloven, "
    "sosialtjenesteloven 1991). Dokumentnummer (trolig IS-1332) står ikke i teksten.",
}


def convert(lines: list[str]) -> str:
    raise NotImplementedError("converter being written")
