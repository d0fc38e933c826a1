"""Query understanding: validation, abbreviations, law references, language and typos."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml
from haystack import component

from veiviser.legal_refs import extract_legal_refs

MAX_QUERY_CHARS = 1000
_TOKEN = re.compile(r"[A-Za-zÆØÅæøåÄÖäö]+")
_ENGLISH = frozenset(
    "the what which who when where why how does do is are can should must of for with to a an in on "
    "patient patients municipality municipal treatment doctor rights right duty care services".split()
)
_NORWEGIAN = frozenset(
    "og i er som på med til av for det en et ikke har kan skal hva hvem hvordan når hvilke kommunen "
    "kva korleis kven kor kommunen sin ein eit ikkje".split()
)


class QueryError(ValueError):
    """A query or its options that cannot be searched; the message says what is allowed."""


@lru_cache
def abbreviations() -> dict[str, str]:
    raw = resources.files("veiviser").joinpath("data/abbreviations.yaml").read_text(encoding="utf-8")
    return {k.upper(): v for k, v in yaml.safe_load(raw).items()}


@dataclass
class AnalyzedQuery:
    text: str  # the query as typed, whitespace-normalised
    dense_text: str  # with abbreviation expansions, for the embedding
    lexical_text: str  # with abbreviation expansions, for BM25
    legal_refs: list[str] = field(default_factory=list)
    language: str = "no"
    expansions: dict[str, str] = field(default_factory=dict)


def validate_query(query: str) -> str:
    if query is None or not query.strip():
        raise QueryError("the query is empty: type a question or some search words")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query)} characters long; at most {MAX_QUERY_CHARS} are allowed")
    return re.sub(r"\s+", " ", query).strip()


def detect_language(text: str) -> str:
    """'en' when English function words clearly outnumber Norwegian ones, else 'no'."""
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    english = sum(t in _ENGLISH for t in tokens)
    norwegian = sum(t in _NORWEGIAN for t in tokens)
    return "en" if english >= 2 and english > norwegian else "no"


def expand_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations in the query and their expansions. Two-letter ones must be typed in capitals
    (IP, MI, SE), longer ones in any case (rop, tsb, lar)."""
    found: dict[str, str] = {}
    table = abbreviations()
    for token in re.findall(r"[A-Za-zÆØÅæøå]+", text):
        key = token.upper()
        if key in table and (token.isupper() or len(token) >= 3) and key not in found:
            found[key] = table[key]
    return found


def analyze(query: str, use_abbreviations: bool = True) -> AnalyzedQuery:
    text = validate_query(query)
    expansions = expand_abbreviations(text) if use_abbreviations else {}
    extra = " ".join(f"({v})" for v in expansions.values())
    expanded = f"{text} {extra}".strip()
    return AnalyzedQuery(
        text=text,
        dense_text=expanded,
        lexical_text=expanded,
        legal_refs=extract_legal_refs(text),
        language=detect_language(text),
        expansions=expansions,
    )


@component
class QueryAnalyzer:
    """Haystack component: the query as typed -> texts for the dense and lexical sides."""

    def __init__(self, use_abbreviations: bool = True):
        self.use_abbreviations = use_abbreviations

    @component.output_types(dense_text=str, lexical_text=str, analyzed=AnalyzedQuery)
    def run(self, query: str) -> dict:
        analyzed = analyze(query, self.use_abbreviations)
        return {"dense_text": analyzed.dense_text, "lexical_text": analyzed.lexical_text, "analyzed": analyzed}
