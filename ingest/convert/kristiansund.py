"""004: Psykisk helse og rusarbeid i Kristiansund kommune – delutredning (ca. 2021)."""

from __future__ import annotations

META = {
    "id": "kristiansund-psykisk-helse-rus-2021",
    "title": "Psykisk helse og rusarbeid i Kristiansund kommune – delutredning",
    "short_title": "Kristiansund kommune – delutredning psykisk helse og rus",
    "publisher": "Kristiansund kommune",
    "year": 2021,
    "doc_number": None,
    "kind": "kommunal plan",
    "status": "lokal",
    "supersedes": [],
    "superseded_by": [],
    "source_file": "004_e5a6a74cc7c5b5e5.txt",
    "note": "Årstall utledet: tabellene går til 2021 og teksten viser til Folkehelseprofil 2021.",
}


def convert(lines: list[str]) -> str:
    raise NotImplementedError("converter being written")
