"""The search result: one typed shape that the engine returns and the CLI, the API and the
evaluation serialise as they are. Also the citation of a passage (shared with the browse
endpoints) and the highlights (the passage's own best-matching sentences, never bank questions).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.search.fusion import Candidate
from api.search.stages import StageTimer
from veiviser.laws import law_of_ref, ref_url
from veiviser.sentences import sentence_spans
from veiviser.text_analysis import words

# statuses shown with a warning: not (or no longer) the valid guidance
FLAGGED_STATUSES: dict[str, Literal["draft", "historical"]] = {"høringsutkast": "draft", "historisk": "historical"}
HIGHLIGHT_MARGIN = 0.02  # a second sentence is highlighted when it matches nearly as well as the best


class Highlight(BaseModel):
    start: int = Field(description="Offset of the first character in `text`.")
    end: int = Field(description="Offset after the last character.")


class LegalRef(BaseModel):
    ref: str = Field(examples=["hol § 3-2"])
    law: str | None = Field(None, examples=["hol"])
    url: str | None = Field(None, description="Lovdata link to the paragraph (or the act).",
                            examples=["https://lovdata.no/lov/2011-06-24-30/§3-2"])


class DocRef(BaseModel):
    """A related document (one that replaces or is replaced by another), named as a reader names it."""

    id: str = Field(examples=["nasjonal-veileder-horing-2024"])
    title: str
    short_title: str | None = None
    year: int | None = Field(None, examples=[2024])
    status: str | None = Field(None, examples=["høringsutkast"])
    url: str = Field(description="The search page's view of the document.",
                     examples=["/dokumenter/nasjonal-veileder-horing-2024"])


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
    replaced_by: list[DocRef] = Field(default_factory=list, description="Newer documents that replace (or, "
                                      "for a draft, will replace) this one.")
    replaces: list[DocRef] = Field(default_factory=list, description="Older documents this one replaces.")
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
    question: float | None = Field(default=None, description="Best match of a question-bank question this passage "
                                                             "answers (the question itself is not source text).")
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
    query: str = Field(description="The query as searched (whitespace normalised).",
                       examples=["Hvem har rett på individuell plan?"])
    abstained: bool = Field(description="True when no passage answers well enough: show 'no answer' rather "
                                        "than weak results.")
    results: list[SearchResult]
    took_ms: float
    # for the evaluation and the CLI's --json, not part of the API's answer
    confidence: float | None = Field(None, exclude=True)
    signals: dict[str, float] = Field(default_factory=dict, exclude=True)
    stages_ms: dict[str, float] = Field(default_factory=dict, exclude=True)  # api/search/stages.py


# -- citations -------------------------------------------------------------------------------------

def document_url(base_url: str, doc_id: str, anchor: str | None = None) -> str:
    """The search page's deep link: /dokumenter/{doc}#{anchor}, under the public base URL."""
    return f"{base_url.rstrip('/')}/dokumenter/{doc_id}" + (f"#{anchor}" if anchor else "")


def cite(item: dict[str, Any], documents: dict[str, dict[str, Any]], base_url: str) -> Citation:
    """The citation block of a chunk (or a passage's payload): document front matter plus the section."""
    doc = documents.get(item["doc_id"], {})
    status = item.get("doc_status") or doc.get("status", "")
    lines = item.get("source_lines")
    return Citation(
        doc_id=item["doc_id"],
        doc_title=item.get("doc_title") or doc.get("title", ""),
        doc_short_title=doc.get("short_title"),
        publisher=doc.get("publisher"),
        year=doc.get("year"),
        doc_number=doc.get("doc_number"),
        status=status,
        status_flag=FLAGGED_STATUSES.get(status),
        superseded_by=doc.get("superseded_by", []),
        replaced_by=replaced_by(item["doc_id"], documents, base_url),
        replaces=replaces(item["doc_id"], documents, base_url),
        chapter=item.get("chapter", ""),
        section_number=item.get("section_number", ""),
        section_title=item.get("section_title", ""),
        section_path=item.get("section_path", []),
        anchor=item["anchor"],
        url=document_url(base_url, item["doc_id"], item["anchor"]),
        source_file=doc.get("source_file"),
        source_lines=tuple(lines) if lines else None,
    )


def doc_ref(doc_id: str, documents: dict[str, dict[str, Any]], base_url: str) -> DocRef:
    doc = documents.get(doc_id, {})
    return DocRef(id=doc_id, title=doc.get("title") or doc_id, short_title=doc.get("short_title"),
                  year=doc.get("year"), status=doc.get("status"), url=document_url(base_url, doc_id))


def replaced_by(doc_id: str, documents: dict[str, dict[str, Any]], base_url: str) -> list[DocRef]:
    """The documents replacing this one: its own `superseded_by`, and those whose `supersedes` names
    it (the front matter may state the link on one side only)."""
    ids = [*documents.get(doc_id, {}).get("superseded_by", []),
           *(other for other, doc in documents.items() if doc_id in doc.get("supersedes", []))]
    return [doc_ref(i, documents, base_url) for i in dict.fromkeys(ids) if i in documents]


def replaces(doc_id: str, documents: dict[str, dict[str, Any]], base_url: str) -> list[DocRef]:
    """The documents this one replaces, from either side's front matter (see `replaced_by`)."""
    ids = [*documents.get(doc_id, {}).get("supersedes", []),
           *(other for other, doc in documents.items() if doc_id in doc.get("superseded_by", []))]
    return [doc_ref(i, documents, base_url) for i in dict.fromkeys(ids) if i in documents]


def legal_refs(refs: list[str] | None) -> list[LegalRef]:
    out = []
    for ref in refs or []:
        law = law_of_ref(ref)
        out.append(LegalRef(ref=ref, law=law.key if law else None, url=ref_url(ref)))
    return out


# -- shaping a ranked candidate ----------------------------------------------------------------------

def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def shape_result(cand: Candidate, query_text: str, documents: dict[str, dict[str, Any]],
                 base_url: str, timer: StageTimer | None = None) -> SearchResult:
    timer = timer or StageTimer()
    doc = cand.document
    assert doc is not None
    text = doc.content or ""
    meta = doc.meta
    with timer.stage("highlights"):
        marked = highlights(cand, text, query_text)
    with timer.stage("shaping"):
        return SearchResult(
            id=meta["chunk_id"],
            score=round(cand.score, 4),
            text=text,
            highlights=marked,
            citation=cite(meta, documents, base_url),
            legal_refs=legal_refs(meta.get("legal_refs")),
            pathway=meta.get("pathway") or [],
            target_groups=meta.get("target_groups") or [],
            kind=meta["kind"],
            strength=meta.get("strength"),
            footnotes=meta.get("footnotes") or [],
            evidence=Evidence(passage=_round(cand.passage), sentence=_round(cand.sentence),
                              window=_round(cand.window), question=_round(cand.question),
                              lexical=_round(cand.lexical), law=cand.law),
        )


def highlights(cand: Candidate, text: str, query_text: str) -> list[Highlight]:
    """The sentence(s) that best answer: the best-matching sentence or two-sentence window, and a
    second one that matches nearly as well; by word overlap when no sentence was retrieved."""
    hits = sorted(cand.sentence_hits + cand.window_hits, key=lambda h: -h[0])
    chosen: list[tuple[int, int]] = []
    if hits:
        best = hits[0][0]
        for score, start, end in hits:
            if score < best - HIGHLIGHT_MARGIN or len(chosen) == 2:
                break
            if not any(start < e and s < end for s, e in chosen):  # a window overlaps its sentences
                chosen.append((start, end))
    else:
        query_words = {w[:5] for w in words(query_text) if len(w) > 2}
        best_overlap = 0
        for start, end in sentence_spans(text):
            overlap = len(query_words & {w[:5] for w in words(text[start:end])})
            if overlap > best_overlap:
                best_overlap, chosen = overlap, [(start, end)]
    return [Highlight(start=s, end=e) for s, e in sorted(chosen)]
