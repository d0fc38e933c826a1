"""Query understanding: validation, abbreviations, law references, language and typos."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml
from haystack import component

from api.search.config import QueryUnderstanding
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
def nynorsk_forms() -> dict[str, str]:
    raw = resources.files("veiviser").joinpath("data/nynorsk.yaml").read_text(encoding="utf-8")
    return {str(k).lower(): str(v) for k, v in yaml.safe_load(raw).items() if str(k).lower() != str(v).lower()}


def bokmal_forms(text: str) -> str:
    """Nynorsk words listed in nynorsk.yaml rewritten to Bokmål (the corpus language)."""
    table = nynorsk_forms()

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        replacement = table.get(word.lower())
        if replacement is None:
            return word
        return replacement.capitalize() if word[0].isupper() else replacement

    return _TOKEN.sub(swap, text)


@lru_cache
def english_terms() -> list[tuple[re.Pattern[str], str]]:
    raw = resources.files("veiviser").joinpath("data/english.yaml").read_text(encoding="utf-8")
    table = yaml.safe_load(raw)
    phrases = sorted(table, key=len, reverse=True)
    return [(re.compile(rf"\b{re.escape(str(p))}\b", re.IGNORECASE), str(table[p])) for p in phrases]


def norwegian_terms(text: str) -> list[str]:
    """Norwegian equivalents of the English domain phrases in `text` (longest phrases first)."""
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for pattern, norwegian in english_terms():
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            if norwegian not in found:
                found.append(norwegian)
    return found


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


def analyze(query: str, use_abbreviations: bool = True, use_nynorsk: bool = True,
            use_english: bool = True) -> AnalyzedQuery:
    text = validate_query(query)
    language = detect_language(text)
    expansions = expand_abbreviations(text) if use_abbreviations else {}
    extra = " ".join(f"({v})" for v in expansions.values())
    if language == "en" and use_english:
        terms = norwegian_terms(text)
        if terms:
            extra = f"{extra} ({', '.join(terms)})".strip()
    base = bokmal_forms(text) if use_nynorsk else text
    expanded = f"{base} {extra}".strip()
    return AnalyzedQuery(
        text=text,
        dense_text=expanded,
        lexical_text=expanded,
        legal_refs=extract_legal_refs(text),
        language=language,
        expansions=expansions,
    )


@component
class QueryAnalyzer:
    """Haystack component: the query as typed -> its analysis (texts for the dense and lexical sides,
    language, law references), done once per search."""

    def __init__(self, understanding: QueryUnderstanding):
        self.understanding = understanding

    @component.output_types(analyzed=AnalyzedQuery)
    def run(self, query: str) -> dict[str, AnalyzedQuery]:
        u = self.understanding
        return {"analyzed": analyze(query, u.abbreviations, u.nynorsk, u.english)}
