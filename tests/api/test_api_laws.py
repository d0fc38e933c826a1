"""The law index as a lawyer lists it (/api/laws `laws_grouped`) and each reference's citing
passages, current documents first (/api/laws/{ref}), against the real corpus."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from api.catalog import STATUS_ORDER, _ref_sort_key


def _grouped(client):
    return {g["law"]: g for g in client.get("/api/laws").json()["laws_grouped"]}


def test_ref_sort_key_is_numeric():
    refs = ["hol kap. 10", "hol § 10-1", "hol § 2-2", "hol", "hol § 2-1a", "hol kap. 3", "hol § 2-1", "hol § 3-10",
            "hol § 3-9", "hol § 2", "hol § 4A-2", "hol § 4-3"]
    assert sorted(refs, key=_ref_sort_key) == [
        "hol", "hol § 2", "hol § 2-1", "hol § 2-1a", "hol § 2-2", "hol § 3-9", "hol § 3-10", "hol § 4-3", "hol § 4A-2",
        "hol § 10-1", "hol kap. 3", "hol kap. 10"]
    plain = ["hpl § 38a", "hpl § 4", "hpl § 10a", "hpl § 38", "hpl § 10", "hpl § 33"]
    assert sorted(plain, key=_ref_sort_key) == ["hpl § 4", "hpl § 10", "hpl § 10a", "hpl § 33", "hpl § 38", "hpl § 38a"]
    roman = ["fvl kap. V", "fvl kap. IV", "fvl kap. IX", "fvl kap. X"]
    assert sorted(roman, key=_ref_sort_key) == ["fvl kap. IV", "fvl kap. V", "fvl kap. IX", "fvl kap. X"]


def test_laws_grouped_by_law_with_paragraphs_in_numeric_order(client, chunks):
    body = client.get("/api/laws").json()
    groups = body["laws_grouped"]
    flat = [r["ref"] for g in groups for r in g["refs"]]
    assert sorted(flat) == sorted(r["ref"] for r in body["laws"]), "every reference exactly once"
    hol = _grouped(client)["hol"]
    labels = [r["label"] for r in hol["refs"]]
    assert labels[0] == "Hele loven" and hol["refs"][0]["kind"] == "act"
    assert labels.index("§ 2-1") < labels.index("§ 3-1") < labels.index("§ 3-9") < labels.index("§ 3-10") \
        < labels.index("§ 4-1") < labels.index("§ 10-2") < labels.index("§ 13-2") < labels.index("kap. 3")
    assert [r["kind"] for r in hol["refs"]][-5:] == ["chapter"] * 5
    pbrl = [r["label"] for r in _grouped(client)["pbrl"]["refs"]]
    assert pbrl.index("§ 2-1") + 1 == pbrl.index("§ 2-1a") and pbrl.index("§ 2-1c") + 1 == pbrl.index("§ 2-2")
    for group in groups:
        assert [r["ref"] for r in group["refs"]] == sorted((r["ref"] for r in group["refs"]), key=_ref_sort_key)
        ids = {c["id"] for c in chunks.values() if any(r == group["law"] or r.startswith(group["law"] + " ")
                                                       for r in c["legal_refs"])}
        assert group["passages"] == len(ids)
        assert group["documents"] == len({chunks[i]["doc_id"] for i in ids})
    assert hol["short"] == "helse- og omsorgstjenesteloven"
    assert hol["title"] == "Lov om kommunale helse- og omsorgstjenester m.m."
    assert hol["url"] == "https://lovdata.no/lov/2011-06-24-30" and hol["type"] == "lov"


def test_repealed_laws_are_marked_and_listed_last(client):
    groups = client.get("/api/laws").json()["laws_grouped"]
    repealed = [g["repealed"] for g in groups]
    assert repealed == sorted(repealed) and any(repealed), "laws in force first"
    khl = _grouped(client)["khl"]
    assert khl["in_force"] is False and khl["status_label"] == "opphevet"
    assert khl["short"] == "kommunehelsetjenesteloven"
    assert all(g["status_label"] is None for g in groups if not g["repealed"])
    in_force = [g for g in groups if not g["repealed"]]
    types = [g["type"] for g in in_force]
    assert types == sorted(types, key=lambda t: t != "lov"), "acts before regulations"
    forskrift = next(g for g in groups if g["type"] == "forskrift" and g["refs"][0]["kind"] == "act")
    assert forskrift["refs"][0]["label"] == "Hele forskriften"


def test_flat_law_list_is_compatible_and_in_legal_order(client, chunks):
    laws = client.get("/api/laws").json()["laws"]
    cited = Counter(ref for c in chunks.values() for ref in c["legal_refs"])
    assert {item["ref"]: item["passages"] for item in laws} == dict(cited)
    hol = [item["ref"] for item in laws if item["law"] == "hol"]
    assert hol.index("hol § 3-9") < hol.index("hol § 3-10") < hol.index("hol § 10-2")
    item = next(item for item in laws if item["ref"] == "hol § 3-2")
    assert item["kind"] == "paragraph" and item["label"] == "§ 3-2" and item["api"] == "/api/laws/hol § 3-2"


def test_law_detail_lists_current_documents_first(client, chunks):
    # `hol` (the whole act) is cited by current and local documents; the paragraphs by one status each
    for ref in ("hol § 3-2", "pbrl § 2-1a", "hol"):
        body = client.get(f"/api/laws/{quote(ref)}").json()
        expected = [cid for cid, c in chunks.items() if ref in c["legal_refs"]]
        passages = body["passages"]
        assert sorted(p["id"] for p in passages) == sorted(expected)
        ranks = [STATUS_ORDER.index(p["status"]) for p in passages]
        assert ranks == sorted(ranks), "gjeldende, then høringsutkast, historisk, lokal"
        order = list(chunks)
        for doc_id in {p["citation"]["doc_id"] for p in passages}:
            ids = [p["id"] for p in passages if p["citation"]["doc_id"] == doc_id]
            assert ids == sorted(ids, key=order.index)
        for p in passages:
            chunk = chunks[p["id"]]
            assert p["text"] == chunk["text"] and p["kind"] == chunk["kind"] and p["strength"] == chunk["strength"]
            assert p["status"] == chunk["doc_status"] and p["excerpt"] and len(p["excerpt"].split()) <= 41
            assert p["status_flag"] == {"høringsutkast": "draft", "historisk": "historical"}.get(p["status"])
        assert body["law_group"]["law"] == body["law"]["law"]
    statuses = {p["status"] for p in client.get(f"/api/laws/{quote('hol')}").json()["passages"]}
    assert len(statuses) > 1, "the whole-act reference spans documents of several statuses"


def test_law_detail_of_a_repealed_law(client):
    body = client.get(f"/api/laws/{quote('khl § 1-3')}").json()
    assert body["law"]["label"] == "§ 1-3" and body["law"]["in_force"] is False
    assert body["law_group"]["status_label"] == "opphevet" and body["law_group"]["repealed"] is True
    assert all(p["status"] == "historisk" for p in body["passages"])
    missing = client.get(f"/api/laws/{quote('hol § 99-9')}")
    assert missing.status_code == 404 and "no passage cites" in missing.json()["detail"]
