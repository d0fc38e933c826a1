"""The law table (data/laws.yaml): keys, names, Lovdata links, and recognising law names in text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

LOVDATA = "https://lovdata.no"


@dataclass(frozen=True)
class Law:
    key: str
    short: str
    title: str
    lovdata: str
    in_force: bool
    pattern: re.Pattern[str]
    era: tuple[int, int] | None

    @property
    def url(self) -> str:
        """The Lovdata page of the act or regulation."""
        return f"{LOVDATA}/{self._path()}"

    def paragraph_url(self, paragraph: str) -> str:
        """Deep link to one paragraph: https://lovdata.no/lov/2011-06-24-30/§3-2."""
        return f"{LOVDATA}/{self._path()}/§{paragraph}"

    def _path(self) -> str:
        kind, _, rest = self.lovdata.partition("-")
        return f"{'lov' if kind == 'LOV' else 'forskrift'}/{rest}"


@dataclass(frozen=True)
class LawMention:
    start: int
    end: int
    key: str


@lru_cache
def all_laws() -> dict[str, Law]:
    """Every law in the table, by key."""
    raw = yaml.safe_load(resources.files("veiviser").joinpath("data/laws.yaml").read_text(encoding="utf-8"))
    laws = {}
    for entry in raw["laws"]:
        pattern = re.compile("|".join(f"(?:{p})" for p in entry["patterns"]), re.IGNORECASE)
        era = tuple(entry["era"]) if entry.get("era") else None
        laws[entry["key"]] = Law(
            key=entry["key"],
            short=entry["short"],
            title=entry["title"],
            lovdata=entry["lovdata"],
            in_force=entry.get("in_force", True),
            pattern=pattern,
            era=era,  # type: ignore[arg-type]
        )
    return laws


def find_law_mentions(text: str, year: int | None = None) -> list[LawMention]:
    """Law names in `text`, longest match first where they overlap; `year` picks the era of
    ambiguous names (sosialtjenesteloven in a 2005 text is the 1991 act)."""
    found: list[LawMention] = []
    for law in all_laws().values():
        if law.era and year is not None and not (law.era[0] <= year <= law.era[1]):
            continue
        if law.era and year is None and law.era[1] < 2100:
            continue
        for m in law.pattern.finditer(text):
            found.append(LawMention(m.start(), m.end(), law.key))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    result: list[LawMention] = []
    for mention in found:
        if result and mention.start < result[-1].end:
            continue
        result.append(mention)
    return result


def law_of_ref(ref: str) -> Law | None:
    """The law a normalised reference (`hol § 3-2`, `hol kap. 10`, `hol`) belongs to."""
    return all_laws().get(ref.split(" ", 1)[0])


def ref_url(ref: str) -> str | None:
    """Lovdata link for a normalised reference: the paragraph where there is one, else the act."""
    law = law_of_ref(ref)
    if law is None:
        return None
    m = re.search(r"§ (\S+)", ref)
    return law.paragraph_url(m.group(1)) if m else law.url
