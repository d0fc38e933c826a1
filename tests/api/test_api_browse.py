"""Documents, sections, passages, laws, suggestions, health and metrics against the real corpus."""

from __future__ import annotations

from collections import Counter


def test_documents_list_with_status_and_counts(client, engine, chunks):
    body = client.get("/api/documents").json()
    assert body["version"] == engine.version
    docs = {d["id"]: d for d in body["documents"]}
    assert set(docs) == set(engine.documents)
    assert body["status_counts"] == dict(Counter(d["status"] for d in engine.documents.values()))
    assert sum(d["chunks"] for d in docs.values()) == len(chunks) == engine.manifest.chunks
    assert docs["nasjonal-veileder-horing-2024"]["status_flag"] == "draft"
    assert docs["psykisk-helsearbeid-voksne-2005"]["status_flag"] == "historical"
    assert docs["sammen-om-mestring-2014"]["status_flag"] is None
    assert docs["sammen-om-mestring-2014"]["url"] == "/dokumenter/sammen-om-mestring-2014"


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node["children"])


def test_document_toc_is_a_tree_of_anchors(client, chunks):
    doc = client.get("/api/documents/pasientforlop-rop-2018").json()
    assert doc["title"].startswith("Pasientforløp")
    nodes = list(_walk(doc["toc"]))
    assert len(nodes) == doc["sections"]
    assert all(node["level"] == 1 for node in doc["toc"])
    nested = [n for n in doc["toc"] if n["children"]]
    assert nested and all(c["level"] == n["level"] + 1 for n in nested for c in n["children"])
    anchors = {c["anchor"] for c in chunks.values() if c["doc_id"] == "pasientforlop-rop-2018"}
    assert anchors <= {n["anchor"] for n in nodes}
    assert all(n["url"] == f"/dokumenter/pasientforlop-rop-2018#{n['anchor']}" for n in nodes)


def test_section_reads_whole_text_with_neighbours_and_breadcrumbs(client, chunks):
    doc = client.get("/api/documents/pasientforlop-rop-2018").json()
    parent = next(n for n in doc["toc"] if n["children"])
    child = parent["children"][0]
    section = client.get(f"/api/sections/{child['anchor']}", params={"doc": "pasientforlop-rop-2018"}).json()
    mine = [c for c in chunks.values() if c["doc_id"] == "pasientforlop-rop-2018" and c["anchor"] == child["anchor"]]
    assert section["chunk_ids"] == [c["id"] for c in mine]
    assert section["text"] == "\n\n".join(c["text"] for c in mine)
    assert [b["anchor"] for b in section["breadcrumbs"]] == [None, parent["anchor"], child["anchor"]]
    assert section["previous"]["anchor"] == parent["anchor"]
    assert section["next"] is not None
    following = client.get(f"/api/sections/{section['next']['anchor']}", params={"doc": "pasientforlop-rop-2018"})
    assert following.json()["previous"]["anchor"] == child["anchor"]


def test_section_of_a_search_hit_opens_without_doc_when_unique(client):
    hit = client.get("/api/search", params={"q": "individuell plan", "k": 1}).json()["results"][0]
    anchor, doc = hit["citation"]["anchor"], hit["citation"]["doc_id"]
    response = client.get(f"/api/sections/{anchor}", params={"doc": doc})
    assert response.status_code == 200
    assert hit["id"] in response.json()["chunk_ids"]


def test_passage_with_neighbours(client, chunks):
    ids = [cid for cid, c in chunks.items() if c["doc_id"] == "sammen-om-mestring-2014"]
    middle = ids[10]
    body = client.get(f"/api/passages/{middle}", params={"window": 2}).json()
    assert body["passage"]["id"] == middle and body["passage"]["text"] == chunks[middle]["text"]
    assert [p["id"] for p in body["before"]] == ids[8:10]
    assert [p["id"] for p in body["after"]] == ids[11:13]
    assert body["citation"]["url"] == f"/dokumenter/sammen-om-mestring-2014#{chunks[middle]['anchor']}"
    first = client.get(f"/api/passages/{ids[0]}").json()
    assert first["before"] == [] and [p["id"] for p in first["after"]] == ids[1:2]


def test_laws_list_counts_and_links(client, chunks):
    laws = {item["ref"]: item for item in client.get("/api/laws").json()["laws"]}
    cited = Counter(ref for c in chunks.values() for ref in c["legal_refs"])
    assert {ref: item["passages"] for ref, item in laws.items()} == dict(cited)
    assert laws["hol § 3-2"]["url"] == "https://lovdata.no/lov/2011-06-24-30/§3-2"
    assert laws["hol § 3-2"]["law_short"] == "helse- og omsorgstjenesteloven"


def test_law_detail_lists_the_citing_passages(client, chunks):
    body = client.get("/api/laws/hol%20%C2%A7%203-2").json()
    assert body["law"]["ref"] == "hol § 3-2"
    expected = [cid for cid, c in chunks.items() if "hol § 3-2" in c["legal_refs"]]
    assert [p["id"] for p in body["passages"]] == expected
    assert all(p["citation"]["url"].startswith("/dokumenter/") for p in body["passages"])
    for spelling in ("HOL §3-2", "helse- og omsorgstjenesteloven § 3-2"):
        assert client.get(f"/api/laws/{spelling}").json()["law"]["ref"] == "hol § 3-2"


def test_suggest_completes_titles_abbreviations_and_laws(client):
    def suggest(q):
        response = client.get("/api/suggest", params={"q": q})
        assert response.status_code == 200
        return response.json()["suggestions"]

    assert any(s["kind"] == "section" and s["text"].lower().startswith("individuell plan") for s in suggest("indiv"))
    assert any(s["kind"] == "abbreviation" and s["text"] == "ROP" for s in suggest("ro"))
    assert any(s["kind"] == "law" and s["text"].startswith("hol §") for s in suggest("hol §"))
    assert suggest("") == [] and suggest("zzzqqq") == []
    assert len(client.get("/api/suggest", params={"q": "e", "limit": 3}).json()["suggestions"]) <= 3


def test_health_readiness_and_metrics(client, engine):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["version"] == engine.version
    assert ready["chunks"] == engine.manifest.chunks and ready["documents"] == len(engine.documents)
    client.get("/api/search", params={"q": "metrikkprøve"})
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert 'handler="/api/search"' in metrics.text and "http_request_duration_seconds" in metrics.text
    assert "metrikkprøve" not in metrics.text


def test_root_points_to_docs_or_serves_the_page(client):
    from api.app import WEB_DIR

    response = client.get("/")
    assert response.status_code == 200
    if (WEB_DIR / "index.html").exists():
        assert "text/html" in response.headers["content-type"]
    else:
        assert response.json()["docs"] == "/docs"


def test_openapi_documents_every_endpoint_with_examples(client):
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/search", "/api/documents", "/api/documents/{doc_id}", "/api/sections/{anchor}",
            "/api/passages/{passage_id}", "/api/laws", "/api/laws/{ref}", "/api/suggest", "/healthz",
            "/readyz"} <= paths
    q = next(p for p in schema["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "q")
    assert q.get("examples") or q["schema"].get("examples")
    assert schema["components"]["schemas"]["SearchRequest"]["examples"][0]["q"]


def test_suggest_offers_bank_questions_labelled_as_suggestions(client, engine):
    suggestions = client.get("/api/suggest", params={"q": "individuell plan", "limit": 25}).json()["suggestions"]
    questions = [s for s in suggestions if s["kind"] == "question"]
    assert questions and len(questions) <= 4
    for s in questions:
        assert s["detail"] == "Forslag til søk" and s["doc_id"] is None and s["anchor"] is None
        assert all(word in s["text"].lower() for word in ("individuell", "plan")), s["text"]
    titles = [s for s in suggestions if s["kind"] != "question"]
    assert suggestions[: len(titles)] == titles, "titles, abbreviations and laws come before questions"
    assert not [s for s in client.get("/api/suggest", params={"q": "in"}).json()["suggestions"]
                if s["kind"] == "question"], "no questions before three letters are typed"


def test_bank_questions_never_appear_as_result_text(client):
    bank_question = client.get("/api/suggest", params={"q": "individuell plan", "limit": 25}).json()["suggestions"]
    [text] = [s["text"] for s in bank_question if s["kind"] == "question"][:1]
    body = client.get("/api/search", params={"q": text}).json()
    for result in body["results"]:
        assert text not in result["text"]
        assert result["evidence"]["question"] is None or 0 < result["evidence"]["question"] <= 1


def test_filters_lists_every_filter_with_its_values(client, engine):
    body = client.get("/api/filters").json()
    by_name = {f["name"]: f for f in body["filters"]}
    assert list(by_name) == ["doc", "status", "kind", "law", "pathway", "target_group"]
    assert set(by_name["doc"]["values"]) == set(engine.documents)
    assert "gjeldende" in by_name["status"]["values"] and "hol" in by_name["law"]["values"]
    assert all(f["description"] for f in body["filters"])
