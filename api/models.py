"""Request and response models: the API's contract, with examples for the OpenAPI schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from api.search.engine import MAX_TOP_K
from api.search.query import MAX_QUERY_CHARS
from api.search.results import Citation, DocRef, Footnote, LegalRef, SearchResponse, SearchResult
from veiviser.feedback import MAX_QUERY_CHARS as FEEDBACK_QUERY_CHARS
from veiviser.feedback import Kind as FeedbackKind
from veiviser.feedback import Verdict as FeedbackVerdict
from veiviser.filters import FILTERS

__all__ = ["Citation", "DocRef", "Footnote", "LegalRef", "SearchResponse", "SearchResult"]

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
    replaced_by: list[DocRef] = Field(default_factory=list, description="Newer documents replacing this one (from "
                                      "`superseded_by` here or `supersedes` there), with title and year.")
    replaces: list[DocRef] = Field(default_factory=list, description="Older documents this one replaces.")
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
    replaced_by: list[DocRef] = Field(default_factory=list, description="Newer documents replacing this section's "
                                      "document.")
    replaces: list[DocRef] = Field(default_factory=list, description="Older documents its document replaces.")


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
    kind: Literal["act", "paragraph", "chapter"] = Field(description="A whole act, a paragraph or a chapter.")
    label: str = Field(description="How a lawyer lists it under its law: '§ 3-2', 'kap. 3', 'Hele loven'.",
                       examples=["§ 3-2"])


class LawGroupInfo(BaseModel):
    law: str = Field(examples=["hol"])
    short: str = Field(examples=["helse- og omsorgstjenesteloven"])
    title: str | None = Field(None, examples=["Lov om kommunale helse- og omsorgstjenester m.m."])
    type: Literal["lov", "forskrift"] | None = Field(None, description="An act (lov) or a regulation (forskrift).")
    in_force: bool | None = None
    repealed: bool = Field(description="True for a repealed act (cited by the historical guideline).")
    status_label: Literal["opphevet"] | None = None
    url: str | None = Field(None, description="Lovdata link to the act or regulation.")


class LawGroup(LawGroupInfo):
    passages: int = Field(description="Distinct passages citing the law or any of its paragraphs and chapters.")
    documents: int
    refs: list[LawSummary] = Field(description="The whole act first, then paragraphs in numeric order, then chapters.")


class LawList(BaseModel):
    laws: list[LawSummary] = Field(description="Every cited reference, by law key, in legal order.")
    laws_grouped: list[LawGroup] = Field(description="The same references grouped by law: in force before "
                                                     "repealed, acts before regulations, then by short name.")


class BrowsePassage(BaseModel):
    """A passage in a list: an excerpt (the whole text is at /api/passages/{id})."""

    id: str
    kind: str
    excerpt: str = Field(description="The first 40 words, cut at a word boundary, ending with ' …' when cut.")
    truncated: bool = Field(description="Whether `excerpt` was cut.")
    strength: Literal["skal", "bør", "kan"] | None = None
    legal_refs: list[LegalRef]
    pathway: list[str]
    target_groups: list[str]
    citation: Citation


class LawPassage(BrowsePassage):
    text: str = Field(description="The whole passage.")
    status: str = Field(description="Its document's status.")
    status_flag: Literal["draft", "historical"] | None = None


class LawDetail(BaseModel):
    law: LawSummary
    law_group: LawGroupInfo
    passages: list[LawPassage] = Field(description="Current documents first (gjeldende, høringsutkast, historisk, "
                                                   "lokal; newer first), then reading order.")


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


# -- browsing by patient pathway (api/routers/pathways.py) -------------------------------------------

class PathwayValue(BaseModel):
    value: str = Field(description="The filter value (the query parameter's value).", examples=["ROP"])
    label: str = Field(description="The Norwegian label to show.")
    recommendations: int = Field(description="Passages of kind 'recommendation' with this tag.")
    passages: int = Field(description="All passages with this tag, recommendations included.")


class MainPathwaySection(BaseModel):
    number: str | None = None
    title: str
    anchor: str
    url: str
    phases: list[str] = Field(description="The phase filter values the subsection's title names.")


class MainPathway(BaseModel):
    number: int = Field(examples=[1])
    title: str = Field(examples=["Milde og kortvarige problemer"])
    description: str = Field(description="The guideline's own one-line description (the section's first sentence).")
    doc_id: str
    doc_title: str
    section_number: str | None = None
    anchor: str
    url: str
    passages: int
    recommendations: int
    sections: list[MainPathwaySection]


class PathwayList(BaseModel):
    target_groups: list[PathwayValue]
    phases: list[PathwayValue]
    main_pathways: list[MainPathway] = Field(description="Hovedforløp 1-3 of Sammen om mestring, chapter 4.")


class BrowseSection(BaseModel):
    number: str | None = None
    title: str
    heading: str
    anchor: str
    url: str
    count: int
    passages: list[BrowsePassage]


class BrowseDocument(BaseModel):
    doc_id: str
    title: str
    short_title: str
    year: int | None = None
    status: str
    status_flag: Literal["draft", "historical"] | None = None
    url: str
    replaced_by: list[DocRef]
    count: int
    sections: list[BrowseSection]


class BrowseGroup(BaseModel):
    count: int
    documents: list[BrowseDocument] = Field(description="Current documents first; sections in reading order.")


class BrowseFilters(BaseModel):
    target_group: str | None = None
    pathway: str | None = None
    main_pathway: int | None = None
    doc: str | None = None
    status: str | None = None


class BrowseTotals(BaseModel):
    recommendations: int
    passages: int = Field(description="All matching passages, recommendations included.")
    documents: int
    sections: int


class BrowseResponse(BaseModel):
    filters: BrowseFilters
    title: str = Field(description="The chosen filters' labels joined by ' · '.")
    totals: BrowseTotals
    recommendations: BrowseGroup = Field(description="The matching passages of kind 'recommendation'.")
    passages: BrowseGroup = Field(description="The other matching passages.")


class FeedbackRequest(BaseModel):
    """A user's verdict: on a result ("Svarte dette på spørsmålet?") or on an abstention ("Burde Veiviser
    ha funnet noe?", where yes disputes it). The query is stored only when `share_query` is true, redacted."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "result", "verdict": "yes", "query": EXAMPLE_QUERY, "share_query": True,
         "passage_id": "sammen-om-mestring-2014/individuell-plan/1", "rank": 1, "filters": {"status": "gjeldende"}},
        {"kind": "abstention", "verdict": "yes", "query": "Hva gjør jeg med en pasient som …", "share_query": False},
    ]})

    kind: FeedbackKind = Field(description="`result`: a verdict on one result; `abstention`: on a search that "
                                           "found nothing.")
    verdict: FeedbackVerdict = Field(description="`yes` / `no`; for an abstention `yes` means Veiviser should "
                                                 "have found something.")
    query: str = Field(min_length=1, max_length=FEEDBACK_QUERY_CHARS,
                       description="The search text: hashed always, stored (redacted) only when shared.")
    share_query: bool = Field(False, description="\"Del spørsmålet (uten pasientopplysninger)\" was ticked.")
    passage_id: str | None = Field(None, max_length=300, description="The result's `id`; required for a result, "
                                                                      "absent for an abstention.")
    rank: int | None = Field(None, ge=1, le=MAX_TOP_K, description="1-based rank of the result shown; required "
                                                                    "for a result, absent for an abstention.")
    filters: dict[str, str | None] | None = Field(None, description="The active search filters (names as in "
                                                                    "/api/search), stored for context.")


class FeedbackReceipt(BaseModel):
    id: int
    stored_query: bool = Field(description="Whether the (redacted) query text was kept.")
    message: str = Field(examples=["Takk for tilbakemeldingen."])
