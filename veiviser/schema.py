"""The data model shared by ingest and search: documents, sections and chunks."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DocStatus = Literal["gjeldende", "høringsutkast", "historisk", "lokal"]
DocKind = Literal["veileder", "høringsutkast", "kunnskapsoppsummering", "kommunal plan"]
ChunkKind = Literal["text", "faq", "recommendation", "definition", "list"]
Strength = Literal["skal", "bør", "kan"]


class DocumentMeta(BaseModel):
    """A corpus document's YAML front matter."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    doc_number: str | None = None
    kind: DocKind
    status: DocStatus
    supersedes: list[str] = Field(default_factory=list)
    superseded_by: list[str] = Field(default_factory=list)
    source_file: str | None = None
    url: str | None = None
    note: str | None = None


class Footnote(BaseModel):
    label: str
    text: str


class Chunk(BaseModel):
    """One retrievable passage: never crosses a section boundary, always knows its source."""

    id: str
    doc_id: str
    doc_title: str
    doc_status: DocStatus
    chapter: str
    section_number: str
    section_title: str
    section_path: list[str]
    anchor: str
    kind: ChunkKind
    text: str
    footnotes: list[Footnote] = Field(default_factory=list)
    legal_refs: list[str] = Field(default_factory=list)
    pathway: list[str] = Field(default_factory=list)
    target_groups: list[str] = Field(default_factory=list)
    strength: Strength | None = None
    source_lines: tuple[int, int] | None = None
