"""Converters from the raw source texts in shared/sources to the corpus Markdown.

Each source has one module with `META` (its front matter) and `convert(lines) -> str`
(the Markdown body). `build_corpus` runs them all; the output is committed in `corpus/`
and a test rebuilds it and compares.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import yaml

from ingest.convert import (
    horingsutkast_2024,
    kristiansund,
    pasientforlop_rop,
    psykisk_helsearbeid_2005,
    sammen_om_mestring,
)
from ingest.convert.cleaning import read_lines

CONVERTERS: list[ModuleType] = [
    sammen_om_mestring,
    psykisk_helsearbeid_2005,
    pasientforlop_rop,
    horingsutkast_2024,
    kristiansund,
]


def front_matter(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"


def convert_source(module: ModuleType, sources_dir: Path) -> tuple[str, str]:
    """(file name, Markdown text) for one source."""
    meta = module.META
    lines = read_lines(sources_dir / meta["source_file"])
    return f"{meta['id']}.md", front_matter(meta) + module.convert(lines)


def build_corpus(sources_dir: Path, corpus_dir: Path) -> list[Path]:
    """Convert every source and write it to corpus_dir; returns the files written."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for module in CONVERTERS:
        name, text = convert_source(module, sources_dir)
        path = corpus_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
