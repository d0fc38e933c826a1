"""Pathway phases, target groups and recommendation strength, by documented rules.

The rules are data (veiviser/data/tags.yaml): a tag applies when a heading on the passage's
section path matches it, or the passage's own text matches it often enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class TagRule:
    name: str
    pattern: re.Pattern[str]
    min_hits: int


@lru_cache
def tag_rules() -> dict[str, list[TagRule]]:
    """{'pathway': [...], 'target_groups': [...]} from tags.yaml."""
    raw = yaml.safe_load(resources.files("veiviser").joinpath("data/tags.yaml").read_text(encoding="utf-8"))
    rules: dict[str, list[TagRule]] = {}
    for facet, tags in raw.items():
        rules[facet] = [
            TagRule(name, re.compile("|".join(spec["patterns"]), re.IGNORECASE), spec.get("min_hits", 2))
            for name, spec in tags.items()
        ]
    return rules


def tag_values(facet: str) -> list[str]:
    """The allowed values of a facet ('pathway' or 'target_groups')."""
    return [rule.name for rule in tag_rules()[facet]]


def tags_for(facet: str, headings: list[str], text: str) -> list[str]:
    """The facet's tags for a passage with these section headings and this text."""
    found = []
    for rule in tag_rules()[facet]:
        if any(rule.pattern.search(h) for h in headings) or len(rule.pattern.findall(text)) >= rule.min_hits:
            found.append(rule.name)
    return found


_STRENGTH = [
    ("skal", re.compile(r"\b(skal|må|plikt\w*)\b", re.IGNORECASE)),
    ("bør", re.compile(r"\b(bør|anbefale[rs]?|anbefalt)\b", re.IGNORECASE)),
    ("kan", re.compile(r"\b(kan|foreslår|foreslås)\b", re.IGNORECASE)),
]


_RECOMMENDATION_HEADING = re.compile(r"\banbefal\w*|\bgode råd\b", re.IGNORECASE)


def recommendation_strength(text: str, headings: list[str] | tuple[str, ...] = ()) -> str | None:
    """The strongest normative verb in a recommendation, on the scale the 2024 draft defines:
    «skal» (required by law), «bør»/«anbefaler» (strong), «kan»/«foreslår» (weak).

    A recommendation with no such verb of its own (an imperative bullet such as "Prioritere
    brukere med …" under "Arbeidsgruppens anbefaling") takes the verb of the nearest heading
    that has one ("… bør det vektlegges:"), and «bør» under a heading that calls it a
    recommendation or advice (Anbefalinger, Gode råd). Descriptive summary points stay None."""
    for name, pattern in _STRENGTH:
        if pattern.search(text):
            return name
    for heading in reversed(headings):
        for name, pattern in _STRENGTH:
            if pattern.search(heading):
                return name
        if _RECOMMENDATION_HEADING.search(heading):
            return "bør"
    return None
