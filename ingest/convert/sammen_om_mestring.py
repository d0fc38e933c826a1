"""000: Sammen om mestring (IS-2076, Helsedirektoratet 2014), PDF print layout."""

from __future__ import annotations

META = {
    "id": "sammen-om-mestring-2014",
    "title": "Sammen om mestring – Veileder i lokalt psykisk helsearbeid og rusarbeid for voksne. "
    "Et verktøy for kommuner og spesialisthelsetjenesten",
    "short_title": "Sammen om mestring",
    "publisher": "Helsedirektoratet",
    "year": 2014,
    "doc_number": "IS-2076",
    "kind": "veileder",
    "status": "gjeldende",
    "supersedes": [],
    "superseded_by": ["nasjonal-veileder-horing-2024"],
    "source_file": "000_6d9ac9aa221997ad.txt",
    "note": "Gjelder til revidert nasjonal veileder (høringsutkast 2024) er publisert.",
}


def convert(lines: list[str]) -> str:
    raise NotImplementedError("converter being written")
