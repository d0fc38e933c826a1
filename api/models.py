"""Request and response models: the API's contract, with examples for the OpenAPI schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from api.search.engine import MAX_TOP_K
from api.search.query import MAX_QUERY_CHARS
from api.search.results import Citation, Footnote, LegalRef, SearchResponse, SearchResult
from veiviser.filters import FILTERS

__all__ = ["Citation", "Footnote", "LegalRef", "SearchResponse", "SearchResult"]

EXAMPLE_QUERY = "Hvem har rett på individuell plan?"


class ErrorResponse(BaseModel):
    """Every error: one human-readable message, never a stack trace."""

    detail: str = Field(examples=["unknown value 'utkast' for filter 'status'; allowed: gjeldende, høringsutkast, "
                                  "historisk, lokal"])


def _filter_fields() -> dict[str, Any]:
    return {f.name: (str | None, Field(None, description=f.description, examples=[f.example])) for f in FILTERS}


class _SearchFields(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"q": EXAMPLE_QUERY, "k": 5, "status": "gjeldende"}]})

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The question or search words.",
                   examples=[EXAMPLE_QUERY])
    k: int = Field(10, ge=1, le=MAX_TOP_K, description="Number of passages to return.")


# the filter fields come from their one definition (veiviser/filters.py)
SearchRequest = create_model(
    "SearchRequest",
    __base__=_SearchFields,
    __doc__="A search: the GET query parameters or the POST JSON body.",
    **_filter_fields(),
)


def request_filters(request: BaseModel) -> dict[str, str]:
    return {f.name: getattr(request, f.name) for f in FILTERS if getattr(request, f.name) is not None}


class FilterInfo(BaseModel):
    name: str = Field(examples=["status"])
    description: str
    values: list[str] = Field(description="Allowed values; `law` also takes a paragraph such as 'hol § 3-2'.")


class FilterList(BaseModel):
    filters: list[FilterInfo]


class DocumentSummary(BaseModel):
    id: str = Field(examples=["sammen-om-mestring-2014"])
    title: str
    short_title: str
    publisher: str
    year: int
    doc_number: str | None = None
    kind: str
    status: str
    status_flag: Literal["draft", "historical"] | None = None
    supersedes: list[str] = Field(default_factory=list)
    superseded_by: list[str] = Field(default_factory=list)
    source_file: str | None = None
    source_url: str | None = Field(None, description="Where the publisher offers the document.")
    note: str | None = None
    url: str = Field(description="The search page's view of the document.")
    chunks: int = Field(description="Number of passages.")
    sections: int = Field(description="Number of sections.")


class DocumentList(BaseModel):
    version: str = Field(description="The index version these documents come from.")
    documents: list[DocumentSummary]
    status_counts: dict[str, int]


class TocNode(BaseModel):
    anchor: str
    number: str | None = None
    title: str
    heading: str
    level: int
    url: str
    chunk_count: int
    children: list[TocNode] = Field(default_factory=list)


class DocumentDetail(DocumentSummary):
    toc: list[TocNode] = Field(description="Table of contents as a tree; anchors open /api/sections/{anchor}.")


class SectionRef(BaseModel):
    doc_id: str
    anchor: str
    number: str | None = None
    title: str
    heading: str
    url: str


class Breadcrumb(BaseModel):
    title: str
    doc_id: str
    anchor: str | None = None
    url: str


class PassageText(BaseModel):
    id: str
    kind: str
    text: str
    legal_refs: list[LegalRef] = Field(default_factory=list)
    strength: str | None = None
    source_lines: tuple[int, int] | None = None


class SectionResponse(BaseModel):
    doc_id: str
    doc_title: str
    status: str
    status_flag: Literal["draft", "historical"] | None = None
    anchor: str
    number: str | None = None
    title: str
    heading: str
    level: int
    path: list[str]
    url: str
    text: str = Field(description="The whole section's text, its passages in reading order joined by blank lines.")
    chunk_ids: list[str]
    passages: list[PassageText]
    subsections: list[SectionRef]
    previous: SectionRef | None = None
    next: SectionRef | None = None
    breadcrumbs: list[Breadcrumb]


class PassageResponse(BaseModel):
    passage: PassageText
    citation: Citation
    pathway: list[str]
    target_groups: list[str]
    footnotes: list[Footnote] = Field(default_factory=list)
    before: list[PassageText] = Field(description="The passages just before, nearest last (same document).")
    after: list[PassageText] = Field(description="The passages just after, nearest first (same document).")


class LawSummary(BaseModel):
    ref: str = Field(examples=["hol § 3-2"])
    law: str = Field(examples=["hol"])
    law_title: str | None = None
    law_short: str | None = None
    in_force: bool | None = None
    url: str | None = Field(None, description="Lovdata link.")
    passages: int
    documents: int
    api: str = Field(description="This API's list of passages citing it.")


class LawList(BaseModel):
    laws: list[LawSummary]


class LawPassage(BaseModel):
    id: str
    text: str
    citation: Citation
    legal_refs: list[LegalRef]


class LawDetail(BaseModel):
    law: LawSummary
    passages: list[LawPassage]


class Suggestion(BaseModel):
    text: str = Field(examples=["Individuell plan"])
    kind: Literal["section", "abbreviation", "law", "question"]
    detail: str | None = Field(None, description="The document, the abbreviation's expansion, the law, or for a "
                                                 "question-bank question the label 'Forslag til søk' (a suggested "
                                                 "search, not source text).")
    doc_id: str | None = None
    anchor: str | None = None


class SuggestResponse(BaseModel):
    suggestions: list[Suggestion]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    version: str = Field(description="The index version being served.")
    current_version: str | None = Field(None, description="The version CURRENT points at; differs from `version` "
                                                           "after a rebuild until the server restarts.")
    chunks: int
    documents: int
    model: str
    built_at: str


TocNode.model_rebuild()
