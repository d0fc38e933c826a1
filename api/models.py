"""Request and response models: the API's contract, with examples for the OpenAPI schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.search.engine import MAX_TOP_K
from api.search.query import MAX_QUERY_CHARS

EXAMPLE_QUERY = "Hvem har rett på individuell plan?"


class ErrorResponse(BaseModel):
    """Every error: one human-readable message, never a stack trace."""

    detail: str = Field(examples=["unknown value 'utkast' for filter 'status'; allowed: gjeldende, høringsutkast, "
                                  "historisk, lokal"])


class SearchRequest(BaseModel):
    """The JSON body of POST /api/search: the same fields as the GET query parameters."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"q": EXAMPLE_QUERY, "k": 5, "status": "gjeldende"}]},
    )

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The question or search words.")
    k: int = Field(10, ge=1, le=MAX_TOP_K, description="Number of passages to return.")
    doc: str | None = Field(None, description="Only this document (id, see /api/documents).")
    status: str | None = Field(None, description="Only documents with this status.")
    kind: str | None = Field(None, description="Only passages of this kind.")
    law: str | None = Field(None, description="Only passages citing this law or paragraph, e.g. 'hol § 3-2'.")
    pathway: str | None = Field(None, description="Only passages tagged with this step of the patient pathway.")
    target_group: str | None = Field(None, description="Only passages tagged with this target group.")

    def filters(self) -> dict[str, str]:
        names = ("doc", "status", "kind", "law", "pathway", "target_group")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


class Highlight(BaseModel):
    start: int = Field(description="Offset of the first character in `text`.")
    end: int = Field(description="Offset after the last character.")


class LegalRef(BaseModel):
    ref: str = Field(examples=["hol § 3-2"])
    law: str | None = Field(None, examples=["hol"])
    url: str | None = Field(None, description="Lovdata link to the paragraph (or the act).",
                            examples=["https://lovdata.no/lov/2011-06-24-30/§3-2"])


class Citation(BaseModel):
    """Where the passage comes from, complete enough to quote it."""

    doc_id: str = Field(examples=["sammen-om-mestring-2014"])
    doc_title: str
    doc_short_title: str | None = None
    publisher: str | None = Field(None, examples=["Helsedirektoratet"])
    year: int | None = Field(None, examples=[2014])
    doc_number: str | None = Field(None, examples=["IS-2076"])
    status: str = Field(examples=["gjeldende"])
    status_flag: Literal["draft", "historical"] | None = Field(
        None, description="Set when the document is a consultation draft or historical: not the valid guidance."
    )
    superseded_by: list[str] = Field(default_factory=list)
    chapter: str
    section_number: str
    section_title: str
    section_path: list[str]
    anchor: str
    url: str = Field(description="The search page's deep link to the passage.",
                     examples=["/dokumenter/sammen-om-mestring-2014#individuell-plan"])
    source_file: str | None = None
    source_lines: tuple[int, int] | None = Field(None, description="First and last line in the source file.")


class Footnote(BaseModel):
    label: str
    text: str


class Evidence(BaseModel):
    """Why the passage ranked where it did (scores of each retriever)."""

    passage: float | None = None
    sentence: float | None = None
    window: float | None = Field(default=None, description="Best match of one or two neighbouring sentences.")
    lexical: float | None = None
    law: float | None = None


class SearchResult(BaseModel):
    id: str = Field(examples=["sammen-om-mestring-2014/individuell-plan/1"])
    score: float
    text: str = Field(description="The passage, quoted verbatim from the guideline.")
    highlights: list[Highlight]
    citation: Citation
    legal_refs: list[LegalRef]
    pathway: list[str]
    target_groups: list[str]
    kind: str
    strength: str | None = Field(None, description="skal / bør / kan when the passage is a recommendation.")
    footnotes: list[Footnote] = Field(default_factory=list)
    evidence: Evidence | None = None


class SearchResponse(BaseModel):
    query: str = Field(description="The query as searched (whitespace normalised).", examples=[EXAMPLE_QUERY])
    abstained: bool = Field(description="True when no passage answers well enough: show 'no answer' rather "
                                        "than weak results.")
    results: list[SearchResult]
    took_ms: float


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
    kind: Literal["section", "abbreviation", "law"]
    detail: str | None = Field(None, description="The document, the abbreviation's expansion, or the law.")
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
