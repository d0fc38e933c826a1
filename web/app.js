// Veiviser search page: search as you type, filters in the URL, and the browse views (browse.js).
// Every string from the API is inserted as text (textContent / text nodes), never as HTML.
//
// Routes (path + query; no build step, no framework):
//   /?q=…&doc=&status=&kind=&pathway=&target_group=   search
//   /?vis=dokumenter                                   documents
//   /?vis=lover[&filter=…]                             law references, grouped by act
//   /?lov=hol § 3-2                                    passages citing one law reference
//   /?vis=forlop[&target_group=…&pathway=…&main_pathway=1-3]   patient pathways
//   /?vis=hjelp                                        help: strengths, badges, search, feedback, privacy
//   /dokumenter/{id}                                   a document's table of contents
//   /dokumenter/{id}#{anchor}[?passasje={passage id}]  section reader, the passage highlighted

import { resultCards } from "./answer.js";
import {
  documentView, documentsView, failed, helpView, lawView, lawsView, pathwaysView, sectionView,
} from "./browse.js";
import {
  $, VALUE_LABELS, DOC_NAMES, api, contextHref, el, errorMessage, rememberDocuments, rememberPathwayLabels,
} from "./dom.js";
import { feedbackBox } from "./feedback.js";

// the filter menus in the form; their options come from /api/filters (one definition, on the server)
const FILTERS = [...document.querySelectorAll("select[data-filter]")].map((select) => select.name);
const SEARCH_DELAY_MS = 350;
const SUGGEST_DELAY_MS = 150;
const MIN_AUTO_CHARS = 3;

const input = $("q");
const form = $("search-form");
const listbox = $("suggestions");
const results = $("results");
const statusLine = $("search-status");
const searchView = $("search-view");
const pageView = $("page-view");

// ---------- search ----------

function currentFilters() {
  const values = {};
  for (const name of FILTERS) values[name] = form.elements[name].value;
  return values;
}

function activeFilters(filters) {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value));
}

function updateFilterCount() {
  const n = FILTERS.filter((name) => form.elements[name].value).length;
  $("filter-count").textContent = n ? `(${n} valgt)` : "";
}

function searchUrl(q, filters) {
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  const query = params.toString();
  return query ? `/?${query}` : "/";
}

let searchSeq = 0;
let lastSearchKey = "";

async function runSearch({ push = false, force = false } = {}) {
  const q = input.value.trim();
  const filters = currentFilters();
  updateFilterCount();
  const url = searchUrl(q, filters);
  if (url !== location.pathname + location.search) {
    if (push) history.pushState({}, "", url); else history.replaceState({}, "", url);
  }
  const key = url;
  if (!force && key === lastSearchKey) return;
  lastSearchKey = key;
  const seq = ++searchSeq;
  if (!q) {
    results.replaceChildren();
    statusLine.textContent = "";
    document.title = "Veiviser – søk i veilederne";
    return;
  }
  results.setAttribute("aria-busy", "true");
  statusLine.textContent = "Søker …";
  try {
    const data = await api("/api/search", { q, k: 10, ...filters });
    if (seq !== searchSeq) return;
    document.title = `${q} – Veiviser`;
    if (data.abstained || !data.results.length) await renderAbstention(q, filters);
    else renderResults(data, q, filters);
  } catch (error) {
    if (seq !== searchSeq) return;
    results.replaceChildren(el("p", { class: "error", text: errorMessage(error) }));
    statusLine.textContent = errorMessage(error);
  } finally {
    if (seq === searchSeq) results.removeAttribute("aria-busy");
  }
}

function renderResults(data, q, filters) {
  const n = data.results.length;
  const docs = new Set(data.results.map((r) => r.citation.doc_id)).size;
  statusLine.textContent = `Beste treff først – ${n} avsnitt fra ${docs} ${docs === 1 ? "dokument" : "dokumenter"}.`;
  results.replaceChildren(resultCards(data.results, { query: q, filters: activeFilters(filters) }));
}

async function relatedSections(q) {
  const words = q.split(/\s+/).filter((w) => w.length > 3).sort((a, b) => b.length - a.length);
  const seen = new Set();
  const found = [];
  for (const term of [q, ...words.slice(0, 3)]) {
    try {
      const data = await api("/api/suggest", { q: term, limit: 5 });
      for (const s of data.suggestions) {
        if (s.kind !== "section" || !s.doc_id || seen.has(s.doc_id + s.anchor)) continue;
        seen.add(s.doc_id + s.anchor);
        found.push(s);
      }
    } catch { /* suggestions are optional */ }
    if (found.length >= 5) break;
  }
  return found.slice(0, 5);
}

async function renderAbstention(q, filters) {
  const box = el("div", { class: "abstain" },
    el("h2", { text: "Fant ingen relevante svar i veilederne" }),
    el("p", { text: "Ingen avsnitt i veilederne svarer godt nok på dette søket, så vi viser ingen treff. " +
      "Prøv andre ord, et fagbegrep eller en lovhenvisning (for eksempel «hol § 3-2»)." }),
    el("p", {}, el("a", { href: "/?vis=hjelp#avstaar", text: "Hvorfor viser Veiviser ingen treff?" })));
  if (Object.values(filters).some(Boolean)) {
    box.append(el("p", { text: "Søket er avgrenset med filtre. Prøv å fjerne filtrene." }));
  }
  const related = await relatedSections(q);
  if (related.length) {
    const list = el("ul");
    for (const s of related) {
      list.append(el("li", {}, el("a", { href: contextHref(s.doc_id, s.anchor) }, s.text),
        s.detail ? el("span", { class: "detail", text: ` – ${s.detail}` }) : null));
    }
    box.append(el("h3", { text: "Avsnitt med lignende titler" }), list);
  }
  box.append(el("h3", { text: "Bla etter tema" }), el("ul", {},
    el("li", {}, el("a", { href: "/?vis=forlop", text: "Pasientforløp: målgrupper og faser" })),
    el("li", {}, el("a", { href: "/?vis=dokumenter", text: "Dokumentene og innholdsfortegnelsene" })),
    el("li", {}, el("a", { href: "/?vis=lover", text: "Lovhenvisningene i veilederne" }))));
  box.append(feedbackBox("abstention", { query: q, filters: activeFilters(filters) }));
  results.replaceChildren(box);
  statusLine.textContent = "Fant ingen relevante svar i veilederne.";
}

// ---------- suggestions (ARIA combobox) ----------

let suggestions = [];
let active = -1;
let suggestSeq = 0;

function closeSuggestions() {
  listbox.hidden = true;
  listbox.replaceChildren();
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  suggestions = [];
  active = -1;
}

function setActive(index) {
  active = index;
  [...listbox.children].forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
  if (index >= 0) {
    input.setAttribute("aria-activedescendant", `suggestion-${index}`);
    listbox.children[index].scrollIntoView({ block: "nearest" });
  } else {
    input.removeAttribute("aria-activedescendant");
  }
}

function suggestionOption(s, i) {
  const li = el("li", { id: `suggestion-${i}`, role: "option", "aria-selected": "false", "data-kind": s.kind });
  if (s.kind === "question") {
    // a suggested search from the question bank: labelled, never presented as source text
    li.append(el("span", { class: "s-tag", text: s.detail || "Forslag til søk" }), " ",
      el("span", { class: "s-text", text: s.text }));
  } else {
    li.append(el("span", { class: "s-text", text: s.text }),
      s.detail ? el("span", { class: "s-detail", text: s.kind === "abbreviation" ? ` (${s.detail})` : ` – ${s.detail}` })
        : null);
  }
  li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
  return li;
}

async function loadSuggestions() {
  const q = input.value.trim();
  const seq = ++suggestSeq;
  if (q.length < 2) { closeSuggestions(); return; }
  let data;
  try { data = await api("/api/suggest", { q, limit: 8 }); } catch { return; }
  if (seq !== suggestSeq || document.activeElement !== input) return;
  suggestions = data.suggestions || [];
  if (!suggestions.length) { closeSuggestions(); return; }
  listbox.replaceChildren(...suggestions.map(suggestionOption));
  listbox.hidden = false;
  input.setAttribute("aria-expanded", "true");
  active = -1;
}

function choose(index) {
  const s = suggestions[index];
  if (!s) return;
  input.value = s.text;
  closeSuggestions();
  runSearch({ push: true, force: true });
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

const searchSoon = debounce(() => {
  if (input.value.trim().length >= MIN_AUTO_CHARS || !input.value.trim()) runSearch();
}, SEARCH_DELAY_MS);
const suggestSoon = debounce(loadSuggestions, SUGGEST_DELAY_MS);

input.addEventListener("input", () => { suggestSoon(); searchSoon(); });
input.addEventListener("keydown", (event) => {
  const open = !listbox.hidden && suggestions.length;
  if (event.key === "ArrowDown" && open) {
    event.preventDefault();
    setActive((active + 1) % suggestions.length);
  } else if (event.key === "ArrowUp" && open) {
    event.preventDefault();
    setActive(active <= 0 ? suggestions.length - 1 : active - 1);
  } else if (event.key === "Enter" && open && active >= 0) {
    event.preventDefault();
    choose(active);
  } else if (event.key === "Escape" && open) {
    event.preventDefault();
    closeSuggestions();
  }
});
input.addEventListener("blur", () => setTimeout(closeSuggestions, 100));

form.addEventListener("submit", (event) => {
  event.preventDefault();
  closeSuggestions();
  runSearch({ push: true, force: true });
});
for (const name of FILTERS) {
  form.elements[name].addEventListener("change", () => runSearch({ push: true }));
}
$("clear-filters").addEventListener("click", () => {
  for (const name of FILTERS) form.elements[name].value = "";
  runSearch({ push: true });
});

async function loadFilters() {
  try {
    const [{ filters }, { documents }, pathways] = await Promise.all([
      api("/api/filters"), api("/api/documents"), api("/api/pathways").catch(() => ({})),
    ]);
    rememberDocuments(documents);
    rememberPathwayLabels(pathways);
    const wanted = new URLSearchParams(location.search);
    for (const filter of filters) {
      const select = form.elements[filter.name];
      if (!select || !FILTERS.includes(filter.name)) continue;
      for (const value of filter.values) {
        const text = filter.name === "doc" ? DOC_NAMES[value] || value : VALUE_LABELS[filter.name]?.[value] || value;
        select.append(el("option", { value, text }));
      }
      select.value = wanted.get(filter.name) || "";
    }
  } catch { /* the filters still work from the URL */ }
}

// ---------- "/" focuses the search box (as on many sites), unless the user is typing ----------

function typing(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

document.addEventListener("keydown", async (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  event.preventDefault();
  if (searchView.hidden) await navigate("/");
  input.focus();
  input.select();
});

// ---------- routing ----------

function markNav(name) {
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function focusHeading() {
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  const heading = target && pageView.contains(target) ? target : pageView.querySelector("h1");
  if (!heading) return;
  heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: true });
  if (heading !== pageView.querySelector("h1")) heading.scrollIntoView({ block: "start" });
}

/** Go to a page address without reloading: a new history entry (or replace) and, unless told not to, render. */
async function navigate(url, { replace = false, render = true } = {}) {
  if (replace) history.replaceState({}, "", url); else history.pushState({}, "", url);
  if (render) await route();
}

let firstRoute = true;

async function route() {
  const params = new URLSearchParams(location.search);
  const docMatch = location.pathname.match(/^\/dokumenter\/([^/]+)\/?$/);
  const moveFocus = !firstRoute;
  firstRoute = false;
  const view = params.get("vis");
  const browse = {
    dokumenter: ["dokumenter", () => documentsView()],
    lover: ["lover", () => lawsView(navigate)],
    forlop: ["forlop", () => pathwaysView(navigate)],
    hjelp: ["hjelp", () => helpView()],
  };
  try {
    if (docMatch) {
      markNav("dokumenter");
      const docId = decodeURIComponent(docMatch[1]);
      const anchor = decodeURIComponent(location.hash.slice(1));
      if (anchor) {
        const target = await sectionView(docId, anchor, params.get("passasje"));
        if (target) {
          target.scrollIntoView({ block: "start" });
          target.focus({ preventScroll: true });
          return;
        }
        window.scrollTo(0, 0);
      } else {
        await documentView(docId);
      }
      focusHeading();
      return;
    }
    if (params.get("lov")) {
      markNav("lover");
      await lawView(params.get("lov"));
      focusHeading();
      return;
    }
    if (browse[view]) {
      const [nav, render] = browse[view];
      markNav(nav);
      await render();
      if (moveFocus || location.hash) focusHeading();
      return;
    }
  } catch (error) {
    failed(error);
    return;
  }
  markNav("sok");
  pageView.hidden = true;
  searchView.hidden = false;
  input.value = params.get("q") || "";
  for (const name of FILTERS) form.elements[name].value = params.get(name) || "";
  if (FILTERS.some((name) => params.get(name))) $("filters").open = true;
  document.title = "Veiviser – søk i veilederne";
  await runSearch({ force: true });
}

window.addEventListener("popstate", route);
window.addEventListener("hashchange", route);

await loadFilters();
await route();
document.documentElement.dataset.ready = "true";
