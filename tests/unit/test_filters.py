"""The filter definitions: validation with helpful messages, Haystack conditions and matching."""

from __future__ import annotations

import pytest

from veiviser.filters import FILTERS, FilterError, allowed_values, haystack_filters, matches

DOCS = ["sammen-om-mestring-2014", "pasientforlop-rop-2018"]
META = {"doc_id": "sammen-om-mestring-2014", "doc_status": "gjeldende", "kind": "recommendation",
        "legal_refs": ["hol § 3-2", "pbrl § 2-5"], "laws": ["hol", "pbrl"], "pathway": ["tvang"],
        "target_groups": ["ROP"]}


def test_every_filter_has_allowed_values() -> None:
    values = allowed_values(DOCS)
    assert [f.name for f in FILTERS] == list(values)
    assert values["doc"] == sorted(DOCS) and "gjeldende" in values["status"] and "hol" in values["law"]


@pytest.mark.parametrize("filters, expected", [
    ({"doc": "sammen-om-mestring-2014"}, True),
    ({"doc_id": "pasientforlop-rop-2018"}, False),
    ({"status": "gjeldende", "kind": "recommendation"}, True),
    ({"law": "hol"}, True),
    ({"law": "hol § 3-2"}, True),
    ({"law": "helse- og omsorgstjenesteloven § 3-2"}, True),
    ({"law": "hol § 7-1"}, False),
    ({"pathway": "tvang", "target_group": "ROP"}, True),
    ({"target_group": "eldre"}, False),
])
def test_conditions_select_what_they_say(filters, expected) -> None:
    assert matches(META, haystack_filters(filters, DOCS)) is expected


def test_no_filters_is_no_condition() -> None:
    assert haystack_filters({}, DOCS) is None and haystack_filters(None, DOCS) is None


@pytest.mark.parametrize("filters, message", [
    ({"fylke": "Oslo"}, "unknown filter 'fylke'; allowed filters: doc, kind, law, pathway, status, target_group"),
    ({"status": "utgått"}, "allowed: gjeldende, høringsutkast, historisk, lokal"),
    ({"doc": "finnes-ikke"}, "pasientforlop-rop-2018, sammen-om-mestring-2014"),
    ({"law": "grunnloven"}, "unknown law 'grunnloven'"),
])
def test_bad_filters_say_what_is_allowed(filters, message) -> None:
    with pytest.raises(FilterError) as info:
        haystack_filters(filters, DOCS)
    assert message in str(info.value)


def test_matching_rejects_conditions_it_cannot_evaluate() -> None:
    with pytest.raises(FilterError):
        matches(META, {"field": "meta.kind", "operator": "!=", "value": "faq"})
