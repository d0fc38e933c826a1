"""Browsing by patient pathway: the target groups and phases a passage is tagged with (the search
filters' values), the three main pathways of Sammen om mestring, and the passages of a choice,
recommendations first, grouped by document and section."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from api.catalog import Catalog
from api.dependencies import get_catalog
from api.models import BrowseResponse, ErrorResponse, PathwayList
from veiviser.filters import BY_NAME, haystack_filters, matches
from veiviser.tags import tag_values

router = APIRouter(prefix="/api/pathways", tags=["pathways"])

# labels where the value is not simply the label with a capital first letter
LABELS = {"ROP": "ROP – samtidig rusmiddelproblem og psykisk lidelse"}


def label(value: str) -> str:
    return LABELS.get(value, value[:1].upper() + value[1:])


def _counts(catalog: Catalog, facet: str) -> list[dict[str, Any]]:
    tagged = Counter(t for c in catalog.chunks.values() for t in c.get(facet, []))
    recommended = Counter(t for c in catalog.chunks.values() if c["kind"] == "recommendation" for t in c.get(facet, []))
    return [{"value": v, "label": label(v), "recommendations": recommended[v], "passages": tagged[v]}
            for v in tag_values(facet)]


@router.get("", response_model=PathwayList, summary="Target groups, phases and main pathways to browse by")
def list_pathways(catalog: Annotated[Catalog, Depends(get_catalog)]) -> dict[str, Any]:
    """Every target group and phase (the values of the `target_group` and `pathway` filters, in the
    order of /api/filters, with Norwegian labels and passage counts), and hovedforløp 1-3 of Sammen om
    mestring with their sections as entry points."""
    return {"target_groups": _counts(catalog, BY_NAME["target_group"].field),
            "phases": _counts(catalog, BY_NAME["pathway"].field),
            "main_pathways": catalog.main_pathways()}


@router.get("/browse", response_model=BrowseResponse,
            responses={422: {"model": ErrorResponse, "description": "No pathway chosen, or an unknown value."}},
            summary="The passages of a target group, phase or main pathway")
def browse(
    catalog: Annotated[Catalog, Depends(get_catalog)],
    target_group: Annotated[str | None, Query(description=BY_NAME["target_group"].description,
                                              examples=["ROP"])] = None,
    pathway: Annotated[str | None, Query(description=BY_NAME["pathway"].description,
                                         examples=["forebygging"])] = None,
    main_pathway: Annotated[int | None, Query(ge=1, le=3, description="Hovedforløp 1-3 of Sammen om mestring: "
                                                                      "the passages of its sections.")] = None,
    doc: Annotated[str | None, Query(description=BY_NAME["doc"].description)] = None,
    status: Annotated[str | None, Query(description=BY_NAME["status"].description, examples=["gjeldende"])] = None,
) -> dict[str, Any]:
    """Recommendations first, then the other passages, each grouped by document (current documents
    first) and section (reading order), with counts. Choose at least one of `target_group`,
    `pathway` and `main_pathway`; `doc` and `status` narrow further. Empty values count as not given;
    unknown values are rejected with the allowed ones."""
    given = {"target_group": target_group, "pathway": pathway, "doc": doc, "status": status}
    chosen = {name: (value or "").strip() or None for name, value in given.items()}
    if not (chosen["target_group"] or chosen["pathway"] or main_pathway):
        raise HTTPException(422, "choose target_group, pathway or main_pathway; see /api/pathways for the values")
    condition = haystack_filters({k: v for k, v in chosen.items() if v}, catalog.documents)  # FilterError: 422
    candidates = catalog.main_pathway_chunks(main_pathway) if main_pathway else list(catalog.chunks)
    selected = [cid for cid in candidates if condition is None or matches(catalog.chunks[cid], condition)]
    recommendations = [cid for cid in selected if catalog.chunks[cid]["kind"] == "recommendation"]
    others = [cid for cid in selected if catalog.chunks[cid]["kind"] != "recommendation"]
    titles = [label(v) for v in (chosen["target_group"], chosen["pathway"]) if v]
    if main_pathway:
        main = next((m for m in catalog.main_pathways() if m["number"] == main_pathway), None)
        titles.insert(0, f"Hovedforløp {main_pathway}" + (f": {main['title']}" if main else ""))
    return {
        "filters": {**chosen, "main_pathway": main_pathway},
        "title": " · ".join(titles),
        "totals": {"recommendations": len(recommendations), "passages": len(selected),
                   "documents": len({catalog.chunks[c]["doc_id"] for c in selected}),
                   "sections": len({(catalog.chunks[c]["doc_id"], catalog.chunks[c]["anchor"]) for c in selected})},
        "recommendations": catalog.grouped_passages(recommendations),
        "passages": catalog.grouped_passages(others),
    }
