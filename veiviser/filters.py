"""The search filters: one definition from which the engine, the CLI, the API's parameters and
`/api/filters` (which the search page reads) are all derived.

A filter is a name a user types (`status=gjeldende`), the payload field it tests in the index
(`doc_status`), and its allowed values. The indexing pipeline copies `INDEXED_FIELDS` onto every
point (passages, sentences, questions), so the same filter works on every collection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from veiviser.laws import all_laws
from veiviser.legal_refs import extract_legal_refs
from veiviser.schema import ChunkKind, DocStatus
from veiviser.tags import tag_values


class FilterError(ValueError):
    """An unknown filter or value; the message lists what is allowed (the API answers 422)."""


@dataclass(frozen=True)
class Filter:
    name: str  # as typed: --filter status=gjeldende, ?status=gjeldende
    field: str  # the payload field of the indexed points
    description: str
    example: str


FILTERS: tuple[Filter, ...] = (
    Filter("doc", "doc_id", "Only this document (id, see /api/documents).", "sammen-om-mestring-2014"),
    Filter("status", "doc_status", "Only documents with this status.", "gjeldende"),
    Filter("kind", "kind", "Only passages of this kind.", "recommendation"),
    Filter("law", "legal_refs", "Only passages citing this law or paragraph, e.g. 'hol § 3-2'.", "hol § 3-2"),
    Filter("pathway", "pathway", "Only passages tagged with this step of the patient pathway.",
           "behandling og oppfølging"),
    Filter("target_group", "target_groups", "Only passages tagged with this target group.", "ROP"),
)
BY_NAME = {f.name: f for f in FILTERS}
ALIASES = {"doc_id": "doc"}
LAW_KEY_FIELD = "laws"  # `law=hol` (a whole act) tests the law keys, `law=hol § 3-2` the paragraphs
INDEXED_FIELDS = tuple(dict.fromkeys([*(f.field for f in FILTERS), LAW_KEY_FIELD]))


def allowed_values(doc_ids: Iterable[str]) -> dict[str, list[str]]:
    """Each filter's allowed values; `law` takes a law key or a paragraph."""
    return {
        "doc": sorted(doc_ids),
        "status": list(DocStatus.__args__),  # type: ignore[attr-defined]
        "kind": list(ChunkKind.__args__),  # type: ignore[attr-defined]
        "law": sorted(all_laws()),
        "pathway": tag_values("pathway"),
        "target_group": tag_values("target_groups"),
    }


def haystack_filters(filters: dict[str, str] | None, doc_ids: Iterable[str]) -> dict | None:
    """Validated filters as a Haystack filter (`==` conditions joined by AND), or None for none."""
    if not filters:
        return None
    allowed = allowed_values(doc_ids)
    conditions = []
    for raw_name, raw_value in filters.items():
        name = ALIASES.get(raw_name, raw_name)
        if name not in BY_NAME:
            raise FilterError(f"unknown filter '{raw_name}'; allowed filters: {', '.join(sorted(BY_NAME))}")
        value = (raw_value or "").strip()
        field = BY_NAME[name].field
        if name == "law":
            value, field = _law_condition(value)
        elif value not in allowed[name]:
            raise FilterError(f"unknown value '{value}' for filter '{raw_name}'; allowed: {', '.join(allowed[name])}")
        conditions.append({"field": f"meta.{field}", "operator": "==", "value": value})
    return conditions[0] if len(conditions) == 1 else {"operator": "AND", "conditions": conditions}


def _law_condition(value: str) -> tuple[str, str]:
    refs = extract_legal_refs(value) if "§" in value or "kap" in value else []
    if refs and " " in refs[0]:
        return refs[0], BY_NAME["law"].field
    if value.lower() in all_laws():
        return value.lower(), LAW_KEY_FIELD
    raise FilterError(
        f"unknown law '{value}'; use a law key ({', '.join(sorted(all_laws())[:8])}, …) "
        "or a paragraph such as 'hol § 3-2'"
    )


def matches(meta: dict, condition: dict) -> bool:
    """Does a point's payload meet a filter built by `haystack_filters`? (For in-memory retrieval,
    which must select exactly what Qdrant's own filter would.)"""
    if condition.get("operator") == "AND":
        return all(matches(meta, c) for c in condition["conditions"])
    if condition.get("operator") != "==" or not str(condition.get("field", "")).startswith("meta."):
        raise FilterError(f"unsupported filter: {condition}")
    value = meta.get(condition["field"][5:])
    return condition["value"] in value if isinstance(value, list) else value == condition["value"]
