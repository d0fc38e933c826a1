"""The search filters and their allowed values, from their one definition (veiviser/filters.py):
the search page builds its filter menus from this instead of a list of its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.dependencies import get_engine
from api.models import FilterInfo, FilterList
from api.search.engine import SearchEngine
from veiviser.filters import FILTERS, allowed_values

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/filters", response_model=FilterList, summary="The search filters and their allowed values")
def list_filters(engine: Annotated[SearchEngine, Depends(get_engine)]) -> FilterList:
    """Each filter's name (the query parameter of /api/search), what it does and its allowed values;
    the documents are those of the index being served."""
    values = allowed_values(engine.documents)
    return FilterList(filters=[FilterInfo(name=f.name, description=f.description, values=values[f.name])
                               for f in FILTERS])
