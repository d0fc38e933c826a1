"""The search page in a real browser: search, cite, read in context, filter, laws, abstention, keyboard, axe."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import axe_violations, open_page

QUESTION = "individuell plan"
OUT_OF_SCOPE = "hvordan baker jeg brød"


def search(page, query: str):
    open_page(page, "/")
    page.fill("#q", query)  # no Enter: the page searches as you type
    page.wait_for_selector(".result, .abstain")
    return page


def test_typing_a_question_shows_cited_results(page):
    search(page, QUESTION)
    first = page.locator(".result").first
    assert page.locator(".result mark").count() > 0, "the answering sentences are highlighted"
    citation = first.locator("h2.citation").inner_text()
    assert re.search(r"\(\d{4}", citation), citation
    assert "q=individuell+plan" in page.url, "the search is in the URL"
    context = first.locator("a.context-link").first
    assert re.match(r"/dokumenter/[^?#]+\?passasje=.+#.+", context.get_attribute("href"))
    assert page.locator("#privacy-note").is_visible()
    assert "pasientopplysninger" in page.locator("#privacy-note").inner_text()


@pytest.mark.parametrize("query", [QUESTION, "bolig for personer med rusproblemer", "What is an individual plan?"])
def test_no_result_shows_null_undefined_or_nan(page, query):
    search(page, query)
    for text in page.locator(".result").all_inner_texts():
        for word in ("null", "undefined", "NaN", "[object Object]"):
            assert not re.search(rf"\b{re.escape(word)}\b", text), (word, text[:200])


def test_filter_menus_come_from_the_api(page):
    open_page(page, "/")
    page.locator("#filters summary").click()  # the options a person sees once the filters are open

    def options(select: str) -> list[str]:
        return page.locator(f"{select} option").all_inner_texts()

    assert options("#f-status") == ["Alle", "Gjeldende", "Høringsutkast", "Historisk", "Lokal plan"]
    labels = page.request.get("/api/pathways").json()  # phases and target groups: the server's labels
    assert options("#f-pathway") == ["Alle faser"] + [p["label"] for p in labels["phases"]]
    assert options("#f-target") == ["Alle målgrupper"] + [g["label"] for g in labels["target_groups"]]
    assert "Tvang" in options("#f-pathway")
    assert any(o.startswith("ROP") for o in options("#f-target"))
    assert "Sammen om mestring (2014)" in options("#f-doc")


def test_historical_documents_carry_a_badge(page):
    open_page(page, "/?q=individuell+plan&status=historisk")
    page.wait_for_selector(".result")
    assert page.locator(".result").count() == page.locator(".result .badge-historical").count() > 0
    assert page.locator(".badge-historical").first.inner_text() == "Historisk"


def test_read_in_context_highlights_the_passage(page):
    search(page, QUESTION)
    first = page.locator(".result .hit").first
    passage_id = first.get_attribute("data-passage")
    first.locator("a.context-link").click()
    target = page.locator(".section-passage.highlighted")
    target.wait_for()
    assert target.get_attribute("data-passage") == passage_id
    assert target.evaluate("el => el === document.activeElement"), "focus moves to the passage"
    assert target.is_visible() and target.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0 }")
    assert page.locator("nav.breadcrumbs").is_visible()
    assert page.locator(".section-passage").count() >= 1


def test_a_filter_is_reflected_in_the_url_and_kept_on_reload(page):
    search(page, QUESTION)
    page.keyboard.press("Escape")  # close the suggestions that typing opened
    page.locator("#filters summary").click()
    page.select_option("#f-status", "historisk")
    page.wait_for_url(re.compile(r"status=historisk"))
    page.wait_for_function("() => [...document.querySelectorAll('.result')].length > 0 && "
                           "[...document.querySelectorAll('.result')].every(r => r.querySelector('.badge-historical'))")
    shared = page.url
    open_page(page, shared)
    page.wait_for_selector(".result")
    assert page.input_value("#f-status") == "historisk"
    assert page.input_value("#q") == QUESTION
    assert parse_qs(urlsplit(shared).query) == {"q": [QUESTION], "status": ["historisk"]}


def test_law_references_link_to_lovdata_and_to_the_law_view(page):
    search(page, "helse- og omsorgstjenesteloven § 3-2")
    law = page.locator(".result a.law-link").first
    assert law.get_attribute("href").startswith("https://lovdata.no/")
    assert law.get_attribute("target") == "_blank" and "noopener" in law.get_attribute("rel")
    page.locator(".result a.law-more").first.click()  # the passages citing it, inside Veiviser
    page.wait_for_selector("a.lovdata-link")
    lovdata = page.locator("a.lovdata-link")
    assert lovdata.inner_text().startswith("Følg lenken til Lovdata")
    assert lovdata.get_attribute("href").startswith("https://lovdata.no/lov/")
    assert lovdata.get_attribute("target") == "_blank" and "noopener" in lovdata.get_attribute("rel")
    assert page.locator(".result").count() > 0


def test_out_of_scope_question_abstains(page):
    search(page, OUT_OF_SCOPE)
    page.wait_for_selector(".abstain")
    assert "Fant ingen relevante svar i veilederne" in page.locator(".abstain h2").inner_text()
    assert page.locator(".result").count() == 0, "no weak hits presented as answers"
    assert page.locator(".abstain a[href='/?vis=dokumenter']").count() == 1


def test_copy_citation(page):
    search(page, QUESTION)
    first = page.locator(".result").first
    first.locator("button.copy").first.click()
    page.wait_for_function("() => document.getElementById('copy-status').textContent.length > 0")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("«") and "/dokumenter/" in copied and "passasje=" in copied
    assert first.locator("h2.citation").inner_text().split(" (")[0] not in ("", None)


def test_keyboard_only(page):
    open_page(page, "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")  # skip to the main content
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("individuell")
    page.wait_for_selector("#suggestions li")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#q", "aria-activedescendant") == "suggestion-0"
    page.keyboard.press("Enter")
    page.wait_for_selector(".result")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('context-link')"):
            break
    else:
        pytest.fail("'Les i sammenheng' is not reachable with Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_selector(".section-passage.highlighted")


def test_documents_table_of_contents_and_section(page):
    open_page(page, "/?vis=dokumenter")
    assert page.locator(".doc-card").count() >= 3
    assert page.locator(".doc-card .badge-draft").count() >= 1
    page.locator(".doc-card h2 a").first.click()
    page.wait_for_selector(".toc a")
    page.locator(".toc a").first.click()
    page.wait_for_selector(".section-passage")
    assert page.locator("#page-view h1").inner_text()


def test_table_of_contents_shows_each_number_once_and_replacements_by_title(page):
    open_page(page, "/dokumenter/sammen-om-mestring-2014")
    page.wait_for_selector(".toc a")
    toc = page.locator(".toc").first.inner_text()
    assert "1 Brukeren som viktigste aktør" in toc and "1.4 Brukermedvirkning" in toc
    assert not re.search(r"^\s*\d+\.\s+\d", toc, re.M), "no list number before the section number"
    superseded = page.locator(".superseded").inner_text()
    assert superseded == "Dette dokumentet erstattes av Nasjonal veileder (høringsutkast 2024) når den er ferdig."
    assert "nasjonal-veileder-horing-2024" not in page.locator("#page-view").inner_text()


def test_status_line_says_what_is_shown(page):
    search(page, QUESTION)
    status = page.locator("#search-status").inner_text()
    assert re.fullmatch(r"Beste treff først – \d+ avsnitt fra \d+ dokument(er)?\.", status), status


def test_embedded_search_box_opens_results_in_veiviser(page):
    open_page_embed = page.goto("/embed.html")
    assert open_page_embed.ok
    box = page.locator("[data-veiviser-ready] form[role=search]")
    box.wait_for()
    assert box.locator("label").inner_text()
    box.locator("input[name=q]").fill("kriseplan")
    box.locator("input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"/\?q=kriseplan"))
    page.wait_for_selector(".result")


def test_phone_width_has_no_horizontal_scrolling(page):
    page.set_viewport_size({"width": 375, "height": 740})
    search(page, QUESTION)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    open_page(page, "/?vis=dokumenter")
    page.wait_for_selector(".doc-card")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violations(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    views = {
        "search": ("/?q=individuell+plan", ".result"),
        "abstain": ("/?q=hvordan+baker+jeg+br%C3%B8d", ".abstain"),
        "section": ("/dokumenter/pasientforlop-rop-2018?passasje=pasientforlop-rop-2018%2Findividuell-plan-og-"
                    "pasientforlopet%2F1#individuell-plan-og-pasientforlopet", ".highlighted"),
        "documents": ("/?vis=dokumenter", ".doc-card"),
        "document": ("/dokumenter/pasientforlop-rop-2018", ".toc"),
        "law": ("/?lov=hol%20%C2%A7%203-2", "a.lovdata-link"),
        "laws": ("/?vis=lover", ".law-index"),
        "embed": ("/embed.html", "[data-veiviser-ready] input"),
    }
    found = {}
    for name, (path, ready) in views.items():
        page.goto(path)
        page.wait_for_selector(ready)
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert not found, found
