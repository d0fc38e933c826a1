"""The guideline navigator in a real browser: answer-first results, strength badges, chips, feedback,
the pathway, law and help views, versions, OpenSearch and the "/" shortcut, at desktop and phone widths."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import axe_violations, open_page

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
BOLIG = "bør kommunen tilby bolig"  # long passages and a recommendation
QUESTION = "individuell plan"
OUT_OF_SCOPE = "hvordan baker jeg brød"
LAW = "hol § 3-2"


def search(page, query: str):
    open_page(page, "/?q=" + quote(query))
    page.wait_for_selector(".result, .abstain")
    return page


def api(page, path: str) -> dict:
    response = page.request.get(path)
    assert response.ok, (path, response.status)
    return response.json()


def visible_words(text: str) -> int:
    return len(text.replace("…", " ").split())


# ---------- answer first ----------

def test_each_hit_shows_its_answer_with_a_short_lead_in_and_the_whole_passage_on_demand(page):
    search(page, BOLIG)
    data = api(page, "/api/search?q=" + quote(BOLIG) + "&k=10")
    long_hits = [r for r in data["results"] if len(r["text"].split()) > 150]
    assert long_hits, "the query has long passages"
    r = long_hits[0]
    hit = page.locator(f".hit[data-passage='{r['id']}']")
    excerpt = hit.locator(".excerpt")
    marked = sum(len(r["text"][h["start"]:h["end"]].split()) for h in r["highlights"])
    assert excerpt.locator("mark").count() >= 1
    assert visible_words(excerpt.inner_text()) <= marked + 2 * 25 * len(r["highlights"]) + 2
    assert "…" in excerpt.inner_text()
    toggle = hit.locator("button.disclosure")
    assert toggle.inner_text().endswith("Vis hele avsnittet")
    assert toggle.get_attribute("aria-expanded") == "false"
    full = page.locator("#" + toggle.get_attribute("aria-controls"))
    assert not full.is_visible()
    toggle.focus()
    page.keyboard.press("Enter")  # a native button: keyboard works
    assert toggle.get_attribute("aria-expanded") == "true"
    assert full.is_visible() and not excerpt.is_visible()
    assert visible_words(full.inner_text()) == len(r["text"].split())
    assert full.locator("mark").count() >= 1
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "false" and excerpt.is_visible()


def _section_runs(results: list[dict]) -> list[list[dict]]:
    runs: list[list[dict]] = []
    for r in results:
        key = (r["citation"]["doc_id"], r["citation"]["anchor"])
        if runs and (runs[-1][0]["citation"]["doc_id"], runs[-1][0]["citation"]["anchor"]) == key:
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


# queries whose top ten have held two hits in a row from one section; the first that still does is
# used, so that a ranking change does not silently turn this into a test of nothing
GROUPING_QUERIES = ["oppsøkende behandling ACT", "bolig", "pårørende", "ROP-lidelser", "boligsosialt arbeid"]


def test_consecutive_hits_from_one_section_share_a_card(page):
    chosen = None
    for query in GROUPING_QUERIES:
        results = api(page, "/api/search?q=" + quote(query) + "&k=10")["results"]
        runs = _section_runs(results)
        if any(len(run) > 1 for run in runs):
            chosen = query
            break
    assert chosen is not None, "none of GROUPING_QUERIES has two hits in a row from one section any more"
    search(page, chosen)
    cards = page.locator(".result")
    assert cards.count() == len(runs)
    assert page.locator(".result .hit").count() == len(results)
    for i, run in enumerate(runs):
        card = cards.nth(i)
        if len(run) > 1:
            c = run[0]["citation"]
            assert card.locator(".group-count").inner_text() == \
                f"{len(run)} avsnitt fra {c['section_number']} {c['section_title']}"
        else:
            assert card.locator(".group-count").count() == 0
    docs = len({r["citation"]["doc_id"] for r in results})
    status = page.locator("#search-status").inner_text()
    noun = "dokument" if docs == 1 else "dokumenter"
    assert status == f"Beste treff først – {len(results)} avsnitt fra {docs} {noun}."


# ---------- what binds ----------

def test_a_recommendation_shows_its_strength_explained_on_focus_and_hover(page):
    search(page, BOLIG)
    results = api(page, "/api/search?q=" + quote(BOLIG) + "&k=10")["results"]
    rec = next(r for r in results if r["kind"] == "recommendation" and r["strength"])
    label = {"skal": "Skal", "bør": "Bør", "kan": "Kan"}[rec["strength"]]
    badge = page.locator(f".hit[data-passage='{rec['id']}'] button.strength")
    assert badge.evaluate("b => b.textContent") == f"Anbefalingsstyrke: {label}"
    tip = page.locator("#" + badge.get_attribute("aria-describedby"))
    assert tip.get_attribute("role") == "tooltip"
    assert tip.is_hidden()
    meaning = {"skal": "Krav fastsatt i lov eller forskrift", "bør": "Sterk anbefaling", "kan": "Svak anbefaling"}
    badge.focus()
    assert tip.is_visible() and meaning[rec["strength"]] in tip.inner_text()
    page.keyboard.press("Escape")  # dismissible without moving focus (WCAG 1.4.13)
    assert tip.is_hidden()
    badge.blur()
    page.mouse.move(0, 0)
    badge.hover()
    assert tip.is_visible()
    # passages that are not recommendations carry no badge
    plain = next(r for r in results if r["kind"] != "recommendation")
    assert page.locator(f".hit[data-passage='{plain['id']}'] .strength").count() == 0


def test_pathway_and_target_group_chips_apply_that_filter(page):
    search(page, BOLIG)
    chip = page.locator(".hit a.chip").first
    chip.wait_for()
    href = chip.get_attribute("href")
    wanted = parse_qs(urlsplit(href).query)
    name = "target_group" if "target_group" in wanted else "pathway"
    chip.click()
    page.wait_for_selector("html[data-ready='true']")
    page.wait_for_selector(".result, .abstain")
    assert parse_qs(urlsplit(page.url).query)["q"] == [BOLIG]
    select = "#f-target" if name == "target_group" else "#f-pathway"
    assert page.input_value(select) == wanted[name][0]
    if page.locator(".result").count():
        assert page.locator(".hit .chip-active").count() >= 1, "the chosen filter's chips are marked, not links"


def test_help_page_explains_strengths_badges_search_and_privacy(page):
    open_page(page, "/?vis=hjelp")
    view = page.locator("#page-view")
    assert page.locator("#page-view h1").inner_text() == "Hjelp"
    text = view.inner_text()
    for needed in ("Krav fastsatt i lov eller forskrift", "Sterk anbefaling", "Svak anbefaling", "Høringsutkast",
                   "Historisk", "Lokal plan", "Fant ingen", "Del spørsmålet (uten pasientopplysninger)",
                   "Ikke skriv pasientopplysninger"):
        assert needed.split(" (")[0] in text, needed
    assert page.locator("[data-nav='hjelp']").get_attribute("aria-current") == "page"
    page.locator(".help-toc a[href='#personvern']").focus()
    page.keyboard.press("Enter")  # keyboard only: the section's heading gets focus
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'personvern'")


def test_law_references_beside_a_result_link_to_lovdata_and_to_the_law_view(page):
    search(page, "helse- og omsorgstjenesteloven § 3-2")
    refs = page.locator(".hit .law-refs").first
    assert refs.locator("a.law-link").first.get_attribute("href").startswith("https://lovdata.no/")
    assert refs.locator("a.law-more").first.get_attribute("href").startswith("/?lov=")


# ---------- feedback ----------

def test_feedback_on_a_result_is_recorded_and_exported_as_a_question(page, settings, engine):
    from api.catalog import Catalog
    from evaluation.questions import parse_line
    from veiviser.feedback import FeedbackStore

    store = FeedbackStore.for_settings(settings)
    before = {p.passage_id: p.yes for p in store.stats().passages}
    search(page, QUESTION)
    hit = page.locator(".hit").first
    passage_id = hit.get_attribute("data-passage")
    box = hit.locator(".feedback")
    assert box.locator(".feedback-question").inner_text() == "Svarte dette på spørsmålet?"
    share = box.locator("input.share-query")
    assert not share.is_checked(), "sharing the query is opt-in"
    assert box.locator("label").inner_text().strip() == "Del spørsmålet (uten pasientopplysninger)"
    share.focus()
    page.keyboard.press("Space")  # keyboard only: tick, then Tab to "Ja" and press Enter
    assert share.is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.verdict") == "yes"
    page.keyboard.press("Enter")
    status = box.locator(".feedback-status")
    page.wait_for_function("el => el.textContent === 'Takk for tilbakemeldingen.'", arg=status.element_handle())
    assert status.get_attribute("role") == "status"
    assert box.locator("button[data-verdict='yes']").get_attribute("aria-pressed") == "true"

    after = {p.passage_id: p.yes for p in store.stats().passages}
    assert after.get(passage_id, 0) == before.get(passage_id, 0) + 1
    row = store.all()[-1]
    assert (row.kind, row.verdict, row.passage_id, row.rank, row.query) == ("result", "yes", passage_id, 1, QUESTION)

    lines, _ = store.export_questions(Catalog(settings, engine.version).chunks)
    mine = [line for line in lines if line["question"] == QUESTION]
    assert mine, lines
    question = parse_line(settings.data_dir / "feedback.jsonl", 1, json.dumps(mine[0], ensure_ascii=False))
    assert question.question == QUESTION


def test_feedback_without_sharing_stores_no_query_text(page, settings):
    from veiviser.feedback import FeedbackStore

    search(page, QUESTION)
    hit = page.locator(".hit").nth(1)
    hit.locator("button[data-verdict='no']").click()
    page.wait_for_function("el => el.textContent === 'Takk for tilbakemeldingen.'",
                           arg=hit.locator(".feedback-status").element_handle())
    row = FeedbackStore.for_settings(settings).all()[-1]
    assert (row.verdict, row.passage_id, row.rank, row.query) == ("no", hit.get_attribute("data-passage"), 2, None)
    assert row.query_hash


def test_feedback_on_an_abstention(page, settings):
    from veiviser.feedback import FeedbackStore

    store = FeedbackStore.for_settings(settings)
    disputed = store.stats().disputed_abstentions
    search(page, OUT_OF_SCOPE)
    box = page.locator(".abstain .feedback")
    assert box.locator(".feedback-question").inner_text() == "Burde Veiviser ha funnet noe?"
    box.locator("button[data-verdict='yes']").click()
    page.wait_for_function("el => el.textContent === 'Takk for tilbakemeldingen.'",
                           arg=box.locator(".feedback-status").element_handle())
    assert store.stats().disputed_abstentions == disputed + 1
    assert store.all()[-1].passage_id is None


def expected_http_errors(page):
    """The browser logs a 4xx answer as a console error; these tests ask for one on purpose."""
    page.problems[:] = [p for p in page.problems if "responded with a status of 4" not in p]


def test_feedback_failure_shows_the_api_message(page):
    search(page, QUESTION)
    page.route("**/api/feedback", lambda route: route.fulfill(
        status=429, headers={"Retry-After": "30"}, content_type="application/json",
        body=json.dumps({"detail": "too many feedback submissions: try again in 30 s"})))
    box = page.locator(".hit .feedback").first
    box.locator("button[data-verdict='yes']").click()
    status = box.locator(".feedback-status")
    page.wait_for_function("el => el.textContent.startsWith('Kunne ikke')", arg=status.element_handle())
    assert "try again in 30 s" in status.inner_text() and "for mange" in status.inner_text()
    assert box.locator("button[data-verdict='yes']").get_attribute("aria-pressed") == "false", "can try again"
    page.unroute("**/api/feedback")
    page.route("**/api/feedback", lambda route: route.fulfill(
        status=422, content_type="application/json",
        body=json.dumps({"detail": "unknown passage id 'x': not a passage of the current index"})))
    box.locator("button[data-verdict='no']").click()
    page.wait_for_function("el => el.textContent.includes('unknown passage id')", arg=status.element_handle())
    expected_http_errors(page)


# ---------- where GPs already type ----------

def test_opensearch_description_is_linked_and_absolute(page, web_server):
    open_page(page, "/")
    link = page.locator("link[rel='search']")
    assert link.get_attribute("type") == "application/opensearchdescription+xml"
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("application/opensearchdescription+xml")
    xml = response.text()
    assert "<ShortName>Veiviser</ShortName>" in xml
    template = re.search(r'template="([^"]+)"', xml).group(1)
    assert template == f"{web_server}/?q={{searchTerms}}"


def test_slash_focuses_the_search_box_but_not_while_typing(page):
    open_page(page, "/?vis=lover")
    page.locator("#law-filter").focus()
    page.keyboard.type("§ 3/")
    assert page.input_value("#law-filter") == "§ 3/", "'/' is typed where the user types"
    page.locator("#page-view h1").click()
    page.keyboard.press("/")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'q'")
    assert not page.locator("#search-view").is_hidden()
    open_page(page, "/?q=" + quote(QUESTION))
    page.wait_for_selector(".result")
    page.locator("h1").first.click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_question_suggestions_are_labelled_and_run_that_search(page):
    open_page(page, "/")
    page.locator("#q").focus()
    page.keyboard.type("kriseplan")
    option = page.locator("#suggestions li[data-kind='question']").first
    option.wait_for()
    assert option.locator(".s-tag").inner_text() == "Forslag til søk"
    assert option.locator(".s-tag").is_visible()
    text = option.locator(".s-text").inner_text()
    option.click()
    page.wait_for_function("t => new URLSearchParams(location.search).get('q') === t", arg=text)
    page.wait_for_selector(".result, .abstain")
    assert page.input_value("#q") == text


# ---------- pasientforløp ----------

@WIDTHS
def test_pathway_view_entry_points_and_choice(page, size):
    page.set_viewport_size(size)
    open_page(page, "/?vis=forlop")
    assert page.locator("#page-view h1").inner_text() == "Pasientforløp"
    assert page.locator("[data-nav='forlop']").get_attribute("aria-current") == "page"
    cards = page.locator(".main-pathway h3")
    assert cards.count() == 3
    assert [t.split(":")[0] for t in cards.all_inner_texts()] == ["Hovedforløp 1", "Hovedforløp 2", "Hovedforløp 3"]
    options = page.locator("#p-target option").all_inner_texts()
    assert options[0] == "Alle målgrupper" and any(o.startswith("ROP") for o in options)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.select_option("#p-target", "pårørende")
    page.locator(".pathway-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"vis=forlop&target_group=p%C3%A5r%C3%B8rende$"))
    page.wait_for_selector(".pathway-results")
    data = api(page, "/api/pathways/browse?target_group=" + quote("pårørende"))
    headings = page.locator(".pathway-results .list-heading").all_inner_texts()
    assert headings == [f"Anbefalinger ({data['recommendations']['count']})",
                        f"Andre avsnitt ({data['passages']['count']})"]
    assert page.locator(".browse-passage").count() == data["totals"]["passages"]
    assert page.locator(".pathway-results h2").inner_text() == data["title"]
    first_rec = data["recommendations"]["documents"][0]["sections"][0]["passages"][0]
    assert page.locator(".browse-passage").first.get_attribute("data-passage") == first_rec["id"], \
        "recommendations first"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    shared = page.url
    page.go_back()
    page.wait_for_selector(".main-pathway")
    open_page(page, shared)  # the state is its URL
    page.wait_for_selector(".pathway-results")
    assert page.input_value("#p-target") == "pårørende"


def test_pathway_view_phase_and_target_group_together_and_a_main_pathway(page):
    open_page(page, "/?vis=forlop&target_group=ROP&pathway=behandling+og+oppf%C3%B8lging")
    page.wait_for_selector(".pathway-results")
    assert page.input_value("#p-target") == "ROP" and page.input_value("#p-phase") == "behandling og oppfølging"
    summary = page.locator(".pathway-results .search-status").inner_text()
    assert re.match(r"\d+ anbefaling(er)? og \d+ (annet avsnitt|andre avsnitt) fra \d+ dokument(er)?", summary)
    open_page(page, "/?vis=forlop")
    page.locator(".main-pathway h3 a").first.click()
    page.wait_for_selector(".pathway-results")
    assert "main_pathway=1" in page.url
    assert page.locator(".pathway-results h2").inner_text().startswith("Hovedforløp 1")


def test_pathway_view_by_keyboard_only(page):
    open_page(page, "/?vis=forlop")
    page.locator("#p-phase").focus()
    page.keyboard.press("ArrowDown")  # the first phase
    chosen = page.input_value("#p-phase")
    assert chosen
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_selector(".pathway-results")
    assert parse_qs(urlsplit(page.url).query)["pathway"] == [chosen]
    assert page.evaluate("document.activeElement.tagName") == "H1", "focus moves to the new view"
    closed = page.evaluate("[...document.querySelectorAll('.doc-group')].findIndex(d => !d.open)")
    if closed >= 0:
        details = page.locator(".doc-group").nth(closed)
        details.locator("summary").focus()
        page.keyboard.press("Enter")
        assert details.get_attribute("open") is not None
    page.locator("#page-view h1").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('context-link')"):
            break
    else:
        pytest.fail("no passage link reachable by Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".section-passage.highlighted")


def test_pathway_view_unknown_value_says_what_is_wrong(page):
    open_page(page, "/?vis=forlop&target_group=rop")
    assert page.locator("#page-view h1").inner_text() == "Kunne ikke vise siden"
    assert "Adressen har et valg Veiviser ikke kjenner." in page.locator("#page-view .error").inner_text()
    assert "ROP" in page.locator("#page-view .detail").inner_text(), "the API's message lists the allowed values"
    expected_http_errors(page)


# ---------- laws ----------

def natural_key(label: str) -> tuple:
    match = re.match(r"§ (\d+)(?:-(\d+))?([a-zA-Z]?)", label)
    if not match:
        return (0,)
    return (1, int(match.group(1)), int(match.group(2) or 0), match.group(3))


@WIDTHS
def test_laws_grouped_by_act_in_numeric_order_with_a_filter(page, size):
    page.set_viewport_size(size)
    open_page(page, "/?vis=lover")
    groups = page.locator(".law-group")
    assert groups.count() > 5
    hol = page.locator(".law-group[data-law='hol']")
    assert "helse- og omsorgstjenesteloven" in hol.locator("h2").inner_text()
    assert hol.locator(".law-title").inner_text() == "Lov om kommunale helse- og omsorgstjenester m.m."
    assert hol.locator("a.lovdata-link").get_attribute("href").startswith("https://lovdata.no/lov/")
    labels = [t.split("\n")[0].strip() for t in hol.locator(".law-refs-list li a").all_inner_texts()]
    paragraphs = [t.split(" i ")[0] for t in labels if t.startswith("§")]
    assert paragraphs == sorted(paragraphs, key=natural_key), paragraphs
    grouped = api(page, "/api/laws")["laws_grouped"]
    repealed = [g for g in grouped if g["repealed"]]
    if repealed:
        block = page.locator(f".law-group[data-law='{repealed[0]['law']}']")
        assert block.locator(".badge").inner_text() == "Opphevet"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.fill("#law-filter", "3-2")
    page.wait_for_url(re.compile(r"filter=3-2"))
    visible = [g for g in page.locator(".law-group").all() if g.is_visible()]
    assert 0 < len(visible) < groups.count()
    for g in visible:
        for item in g.locator(".law-refs-list li").all():
            assert not item.is_visible() or "3-2" in item.inner_text()
    assert "passer til «3-2»" in page.locator("#law-filter-status").inner_text()
    page.fill("#law-filter", "omsorgstjenesteloven")
    refs = hol.locator(".law-refs-list li")
    assert hol.is_visible() and refs.evaluate_all("els => els.filter(e => !e.hidden).length") == refs.count()
    open_page(page, "/?vis=lover&filter=3-2")
    assert page.input_value("#law-filter") == "3-2"


def test_laws_view_by_keyboard_only(page):
    open_page(page, "/?vis=lover")
    page.locator("#law-filter").focus()
    page.keyboard.type("hol")
    page.keyboard.press("Tab")
    for _ in range(10):
        if page.evaluate("document.activeElement.closest('.law-refs-list') !== null"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("no paragraph link reachable by Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("a.lovdata-link")
    assert "lov=" in page.url
    assert page.evaluate("document.activeElement.tagName") == "H1"


def test_a_paragraph_page_lists_every_citing_passage_current_documents_first(page):
    open_page(page, "/?lov=" + quote(LAW))
    page.wait_for_selector(".result")
    data = api(page, "/api/laws/" + quote(LAW))
    ids = [a.get_attribute("data-passage") for a in page.locator(".result").all()]
    assert ids == [p["id"] for p in data["passages"]]
    order = {"gjeldende": 0, "høringsutkast": 1, "historisk": 2, "lokal": 3}
    ranks = [order.get(p["status"], 4) for p in data["passages"]]
    assert ranks == sorted(ranks)
    assert page.locator("#page-view h2").first.inner_text() == f"{len(ids)} avsnitt viser til {LAW}"
    assert page.locator(".result mark").count() > 0, "the sentence citing the paragraph is marked"


# ---------- versions ----------

def test_versions_are_named_and_linked_both_ways(page):
    open_page(page, "/dokumenter/sammen-om-mestring-2014")
    replaced = page.locator("#page-view p.superseded")
    assert replaced.inner_text() == \
        "Dette dokumentet erstattes av Nasjonal veileder (høringsutkast 2024) når den er ferdig."
    assert replaced.locator("a").get_attribute("href") == "/dokumenter/nasjonal-veileder-horing-2024"
    replaces = page.locator("#page-view p.replaces").inner_text()
    assert replaces.startswith("Erstatter ") and "(2005)" in replaces
    replaced.locator("a").click()
    page.wait_for_selector(".toc")
    assert page.locator("#page-view p.replaces").inner_text() == "Erstatter Sammen om mestring (2014)."
    search(page, "kommunens ansvar for bolig")
    note = page.locator(".result .superseded").first
    assert re.fullmatch(r"Erstattes av .+\d{4}\)", note.inner_text())
    assert note.locator("a").get_attribute("href").startswith("/dokumenter/")


# ---------- nothing unreadable, anywhere ----------

VIEWS = {
    "search": ("/?q=" + quote(BOLIG), ".result"),
    "search-filtered": ("/?q=" + quote(QUESTION) + "&target_group=ROP", ".result, .abstain"),
    "abstain": ("/?q=" + quote(OUT_OF_SCOPE), ".abstain .feedback"),
    "pathways": ("/?vis=forlop", ".main-pathway"),
    "pathway": ("/?vis=forlop&target_group=ROP", ".pathway-results"),
    "main-pathway": ("/?vis=forlop&main_pathway=3", ".pathway-results"),
    "laws": ("/?vis=lover", ".law-group"),
    "law": ("/?lov=" + quote(LAW), "a.lovdata-link"),
    "help": ("/?vis=hjelp", "#styrke"),
    "documents": ("/?vis=dokumenter", ".doc-card"),
    "document": ("/dokumenter/sammen-om-mestring-2014", ".toc"),
    "section": ("/dokumenter/sammen-om-mestring-2014#3-4-2-bolig", ".section-passage"),
}


@WIDTHS
def test_no_view_shows_null_undefined_nan_or_a_document_id(page, size):
    page.set_viewport_size(size)
    open_page(page, "/")
    doc_ids = [d["id"] for d in api(page, "/api/documents")["documents"]]
    for name, (path, ready) in VIEWS.items():
        open_page(page, path)
        page.wait_for_selector(ready)
        for toggle in page.locator("button.disclosure").all()[:3]:
            toggle.click()
        text = page.locator("main").inner_text()
        for word in ("null", "undefined", "NaN", "[object Object]"):
            assert not re.search(rf"\b{re.escape(word)}\b", text), (name, word)
        for doc_id in doc_ids:
            assert doc_id not in text, (name, doc_id)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (name, "horizontal scrolling")


@WIDTHS
def test_axe_finds_no_serious_violations_on_the_new_views(page, size):
    page.set_viewport_size(size)
    found = {}
    for name, (path, ready) in VIEWS.items():
        open_page(page, path)
        page.wait_for_selector(ready)
        if name == "search":
            page.locator("button.strength").first.focus()  # the tooltip shown
            page.locator("button.disclosure").first.click()
        if violations := axe_violations(page):
            found[name] = violations
    assert not found, found
