"""003: Nasjonal veileder i lokalt psykisk helse- og rusarbeid for voksne, høringsutkast 2024, kap. 1."""

from __future__ import annotations

META = {
    "id": "nasjonal-veileder-horing-2024",
    "title": "Nasjonal veileder i lokalt psykisk helse- og rusarbeid for voksne – 1. Bakgrunn, metode og prosess",
    "short_title": "Nasjonal veileder (høringsutkast 2024)",
    "publisher": "Helsedirektoratet",
    "year": 2024,
    "doc_number": None,
    "kind": "høringsutkast",
    "status": "høringsutkast",
    "supersedes": ["sammen-om-mestring-2014"],
    "superseded_by": [],
    "source_file": "003_e330f7c84472fe4c.txt",
    "note": "Utkast på høring (høringsfrist 16. mai 2024); bare kapittel 1 foreligger. "
    "Erstatter Sammen om mestring når den publiseres.",
}


def convert(lines: list[str]) -> str:
    raise NotImplementedError("converter being written")
