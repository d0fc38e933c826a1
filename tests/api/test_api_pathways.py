"""Browsing by patient pathway (/api/pathways), and versions (replaced by / replaces) on documents,
sections, passages and search results, against the real corpus."""

from __future__ import annotations

from collections import Counter

import pytest

from api.catalog import STATUS_ORDER, excerpt

SOM = "sammen-om-mestring-2014"
DRAFT = "nasjonal-veileder-horing-2024"
OLD = "psykisk-helsearbeid-voksne-2005"


def _passages(group):
    return [p for d in group["documents"] for s in d["sections"] for p in s["passages"]]


def _doc_key(doc):
    return STATUS_ORDER.index(doc["status"]), -doc["year"], doc["doc_id"]


def test_pathways_lists_every_filter_value_with_labels_and_counts(client, chunks):
    body = client.get("/api/pathways").json()
    filters = {f["name"]: f["values"] for f in client.get("/api/filters").json()["filters"]}
    for key, facet, name in (("target_groups", "target_groups", "target_group"), ("phases", "pathway", "pathway")):
        values = body[key]
        assert [v["value"] for v in values] == filters[name]
        tagged = Counter(t for c in chunks.values() for t in c[facet])
        recommended = Counter(t for c in chunks.values() if c["kind"] == "recommendation" for t in c[facet])
        for v in values:
            assert v["passages"] == tagged[v["value"]] and v["recommendations"] == recommended[v["value"]]
            assert v["label"] and v["label"][0].isupper()
    labels = {v["value"]: v["label"] for v in body["target_groups"] + body["phases"]}
    assert labels["ROP"] == "ROP – samtidig rusmiddelproblem og psykisk lidelse"
    assert labels["barn som pårørende"] == "Barn som pårørende"
    assert labels["kartlegging og utredning"] == "Kartlegging og utredning"


def test_main_pathways_are_the_three_of_sammen_om_mestring(client):
    mains = client.get("/api/pathways").json()["main_pathways"]
    assert [m["number"] for m in mains] == [1, 2, 3]
    assert [m["section_number"] for m in mains] == ["4.1", "4.2", "4.3"]
    assert mains[0]["title"] == "Milde og kortvarige problemer"
    assert mains[2]["title"] == "Alvorlige og langvarige problemer/lidelser"
    assert mains[0]["description"] == ("Dette bruker- og pasientforløpet omfatter rusmiddelproblemer og psykiske "
                                       "helseproblemer som forventes å være milde og kortvarige.")
    for main in mains:
        assert main["doc_id"] == SOM and main["url"] == f"/dokumenter/{SOM}#{main['anchor']}"
        assert main["description"].startswith("Dette bruker- og pasientforløpet omfatter")
        section = client.get(f"/api/sections/{main['anchor']}", params={"doc": SOM})
        assert section.status_code == 200 and section.json()["number"] == main["section_number"]
        assert [s["number"] for s in main["sections"]] == [s["number"] for s in section.json()["subsections"]]
        phases = {s["title"]: s["phases"] for s in main["sections"]}
        assert phases["Forebygging"] == ["forebygging"]
        assert phases["Kartlegging og utredning"] == ["kartlegging og utredning"]
    last = {s["number"]: s["phases"] for s in mains[2]["sections"]}
    assert set(last["4.3.3"]) == {"behandling og oppfølging", "rehabilitering"}  # "Behandling, oppfølging og rehab…"
    assert last["4.3.6"] == []  # Voldsrisikovurderinger names no phase


def test_browse_puts_recommendations_first_grouped_by_document_and_section(client, chunks):
    body = client.get("/api/pathways/browse", params={"target_group": "pårørende"}).json()
    expected = [c for c in chunks.values() if "pårørende" in c["target_groups"]]
    recommendations, others = _passages(body["recommendations"]), _passages(body["passages"])
    assert {p["id"] for p in recommendations} == {c["id"] for c in expected if c["kind"] == "recommendation"}
    assert {p["id"] for p in others} == {c["id"] for c in expected if c["kind"] != "recommendation"}
    assert recommendations and all(p["kind"] == "recommendation" and p["strength"] for p in recommendations)
    assert body["totals"] == {
        "recommendations": len(recommendations), "passages": len(expected),
        "documents": len({c["doc_id"] for c in expected}),
        "sections": len({(c["doc_id"], c["anchor"]) for c in expected}),
    }
    assert body["recommendations"]["count"] + body["passages"]["count"] == len(expected)
    assert body["title"] == "Pårørende"
    order = list(chunks)
    for group in (body["recommendations"], body["passages"]):
        docs = group["documents"]
        assert docs == sorted(docs, key=_doc_key), "current documents first, newer first"
        for doc in docs:
            assert doc["count"] == sum(s["count"] for s in doc["sections"])
            ids = [p["id"] for s in doc["sections"] for p in s["passages"]]
            assert ids == sorted(ids, key=order.index), "reading order within a document"
            for section in doc["sections"]:
                assert section["count"] == len(section["passages"])
                assert section["url"] == f"/dokumenter/{doc['doc_id']}#{section['anchor']}"
                assert all(p["citation"]["anchor"] == section["anchor"] for p in section["passages"])
    for p in recommendations + others:
        chunk = chunks[p["id"]]
        assert p["strength"] == chunk["strength"] and p["target_groups"] == chunk["target_groups"]
        assert [r["ref"] for r in p["legal_refs"]] == chunk["legal_refs"]
        assert p["citation"]["doc_id"] == chunk["doc_id"]
        assert p["excerpt"] == excerpt(chunk["text"])[0] and p["truncated"] == excerpt(chunk["text"])[1]


def test_browse_combines_filters(client, chunks):
    params = {"target_group": "ROP", "pathway": "behandling og oppfølging", "status": "gjeldende"}
    body = client.get("/api/pathways/browse", params=params).json()
    expected = {c["id"] for c in chunks.values() if "ROP" in c["target_groups"]
                and "behandling og oppfølging" in c["pathway"] and c["doc_status"] == "gjeldende"}
    assert expected and {p["id"] for p in _passages(body["recommendations"]) + _passages(body["passages"])} == expected
    assert body["filters"] == {**params, "main_pathway": None, "doc": None}
    assert body["title"] == "ROP – samtidig rusmiddelproblem og psykisk lidelse · Behandling og oppfølging"
    only_som = client.get("/api/pathways/browse", params={"pathway": "forebygging", "doc": SOM}).json()
    assert {d["doc_id"] for d in only_som["passages"]["documents"] + only_som["recommendations"]["documents"]} == {SOM}


def test_browse_a_main_pathway_lists_its_sections(client, chunks):
    body = client.get("/api/pathways/browse", params={"main_pathway": 1}).json()
    assert body["title"] == "Hovedforløp 1: Milde og kortvarige problemer"
    [doc] = body["passages"]["documents"]
    assert doc["doc_id"] == SOM
    assert [s["number"] for s in doc["sections"]] == ["4.1", "4.1.1", "4.1.2", "4.1.3"]
    expected = [cid for cid, c in chunks.items() if c["doc_id"] == SOM and c["section_number"].startswith("4.1")]
    assert [p["id"] for p in _passages(body["passages"])] == expected
    assert body["totals"]["passages"] == len(expected) == client.get("/api/pathways").json()["main_pathways"][0][
        "passages"]
    narrowed = client.get("/api/pathways/browse", params={"main_pathway": 1, "pathway": "forebygging"}).json()
    ids = {p["id"] for p in _passages(narrowed["passages"])}
    assert ids and ids <= set(expected) and all("forebygging" in chunks[i]["pathway"] for i in ids)


@pytest.mark.parametrize(("params", "message"), [
    ({}, "choose target_group, pathway or main_pathway"),
    ({"target_group": ""}, "choose target_group, pathway or main_pathway"),
    ({"target_group": "rop"}, "unknown value 'rop' for filter 'target_group'; allowed: ROP, pårørende"),
    ({"pathway": "behandling"}, "unknown value 'behandling' for filter 'pathway'; allowed: forebygging"),
    ({"pathway": "tvang", "status": "utkast"}, "allowed: gjeldende, høringsutkast, historisk, lokal"),
    ({"pathway": "tvang", "doc": "finnes-ikke"}, "unknown value 'finnes-ikke' for filter 'doc'"),
    ({"main_pathway": 4}, "main_pathway"),
    ({"main_pathway": "en"}, "main_pathway"),
])
def test_browse_rejects_bad_input_with_a_message(client, params, message):
    response = client.get("/api/pathways/browse", params=params)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str) and message in response.json()["detail"]


def test_excerpt_cuts_at_a_word_boundary():
    text = "Kommunen skal " + " ".join(f"ord{i}" for i in range(60))
    short, cut = excerpt(text)
    assert cut and short.endswith(" …") and len(short[:-2].split()) == 40 and text.startswith(short[:-2])
    assert excerpt("Kort tekst.\n\nMed to avsnitt.") == ("Kort tekst. Med to avsnitt.", False)
    assert excerpt("- Kommunen bør a.\n- Kommunen kan b.") == ("• Kommunen bør a. • Kommunen kan b.", False)
    assert excerpt(" ".join(["ord"] * 39) + " slutt,  " + "mer " * 5)[0].endswith("slutt …")


def _names(refs):
    return [(r["id"], r["year"]) for r in refs]


def test_documents_say_what_replaces_them_with_title_and_year(client):
    docs = {d["id"]: d for d in client.get("/api/documents").json()["documents"]}
    assert _names(docs[SOM]["replaced_by"]) == [(DRAFT, 2024)]
    assert docs[SOM]["replaced_by"][0]["title"].startswith("Nasjonal veileder i lokalt psykisk helse- og rusarbeid")
    assert docs[SOM]["replaced_by"][0]["url"] == f"/dokumenter/{DRAFT}"
    assert _names(docs[SOM]["replaces"]) == [(OLD, 2005)]  # stated only on the 2005 document's side
    assert _names(docs[DRAFT]["replaces"]) == [(SOM, 2014)] and docs[DRAFT]["replaced_by"] == []
    assert _names(docs[OLD]["replaced_by"]) == [(SOM, 2014)]
    assert docs["pasientforlop-rop-2018"]["replaced_by"] == docs["pasientforlop-rop-2018"]["replaces"] == []
    assert docs[SOM]["superseded_by"] == [DRAFT], "the id lists stay for compatibility"
    detail = client.get(f"/api/documents/{SOM}").json()
    assert detail["replaced_by"] == docs[SOM]["replaced_by"] and detail["replaces"] == docs[SOM]["replaces"]


def test_sections_passages_and_search_results_of_a_replaced_document_say_so(client, chunks):
    som_chunk = next(c for c in chunks.values() if c["doc_id"] == SOM)
    section = client.get(f"/api/sections/{som_chunk['anchor']}", params={"doc": SOM}).json()
    assert _names(section["replaced_by"]) == [(DRAFT, 2024)] and _names(section["replaces"]) == [(OLD, 2005)]
    passage = client.get(f"/api/passages/{som_chunk['id']}").json()
    assert _names(passage["citation"]["replaced_by"]) == [(DRAFT, 2024)]
    results = client.get("/api/search", params={"q": "individuell plan", "k": 10}).json()["results"]
    som_results = [r for r in results if r["citation"]["doc_id"] == SOM]
    assert som_results
    for r in som_results:
        assert r["citation"]["superseded_by"] == [DRAFT]
        assert r["citation"]["replaced_by"][0]["title"].startswith("Nasjonal veileder")
        assert r["citation"]["replaced_by"][0]["year"] == 2024
    draft_chunk = next(c for c in chunks.values() if c["doc_id"] == DRAFT)
    draft_section = client.get(f"/api/sections/{draft_chunk['anchor']}", params={"doc": DRAFT}).json()
    assert draft_section["replaced_by"] == [] and _names(draft_section["replaces"]) == [(SOM, 2014)]
