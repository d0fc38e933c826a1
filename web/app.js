// Veiviser search page: search as you type, filters in the URL, and browse views.
// Every string from the API is inserted as text (textContent / text nodes), never as HTML.
//
// Routes (path + query; no build step, no framework):
//   /?q=…&doc=&status=&kind=&pathway=&target_group=   search
//   /?vis=dokumenter                                   documents
//   /?vis=lover                                        law references
//   /?lov=hol § 3-2                                    passages citing one law reference
//   /dokumenter/{id}                                   a document's table of contents
//   /dokumenter/{id}#{anchor}[?passasje={passage id}]  section reader, the passage highlighted

// the filter menus in the form; their options come from /api/filters (one definition, on the server)
const FILTERS = [...document.querySelectorAll("select[data-filter]")].map((select) => select.name);
const VALUE_LABELS = {
  status: { gjeldende: "Gjeldende", "høringsutkast": "Høringsutkast", historisk: "Historisk", lokal: "Lokal plan" },
  kind: { text: "Løpende tekst", recommendation: "Anbefaling", faq: "Spørsmål og svar", definition: "Definisjon",
          list: "Liste" },
  target_group: { ROP: "ROP (samtidig rus og psykisk lidelse)" },
};
const STATUS_BADGES = {
  draft: "Høringsutkast",
  historical: "Historisk",
};
const KIND_NAMES = {
  text: "Løpende tekst", faq: "Spørsmål og svar", recommendation: "Anbefaling",
  definition: "Definisjon", list: "Liste",
};
const SEARCH_DELAY_MS = 350;
const SUGGEST_DELAY_MS = 150;
const MIN_AUTO_CHARS = 3;

const $ = (id) => document.getElementById(id);
const input = $("q");
const form = $("search-form");
const listbox = $("suggestions");
const results = $("results");
const statusLine = $("search-status");
const searchView = $("search-view");
const pageView = $("page-view");

// ---------- small DOM helpers ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function srOnly(text) {
  return el("span", { class: "sr-only", text });
}

function externalLink(href, text, extraClass = "") {
  return el("a", { href, target: "_blank", rel: "noopener noreferrer", class: extraClass },
    text, srOnly(" (åpnes i ny fane)"));
}

async function api(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined) url.searchParams.set(key, value);
  }
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) {
    const error = new Error((body && body.detail) || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function errorMessage(error) {
  if (error.status === 429) return "For mange søk på kort tid. Vent litt og prøv igjen.";
  if (error.status === 503) return "Søket er ikke klart ennå (indeksen lastes). Prøv igjen om litt.";
  if (error.status === 404) return "Fant ikke det du ba om.";
  return "Noe gikk galt. Prøv igjen.";
}

/** The passage text as paragraphs, with the answering sentences in <mark>; offsets are in characters. */
function quotedText(text, highlights = []) {
  const marks = [...highlights].sort((a, b) => a.start - b.start);
  const box = el("div", { class: "passage-text" });
  const paragraphs = [];
  let start = 0;
  for (const part of text.split(/\n{2,}/)) {
    const at = text.indexOf(part, start);
    paragraphs.push([at, at + part.length]);
    start = at + part.length;
  }
  for (const [ps, pe] of paragraphs) {
    const p = el("p");
    let pos = ps;
    for (const { start: hs, end: he } of marks) {
      const s = Math.max(hs, pos);
      const e = Math.min(he, pe);
      if (e <= s) continue;
      if (s > pos) p.append(text.slice(pos, s));
      p.append(el("mark", { text: text.slice(s, e) }));
      pos = e;
    }
    if (pos < pe) p.append(text.slice(pos, pe));
    box.append(p);
  }
  return box;
}

function statusBadge(flag, status) {
  if (flag && STATUS_BADGES[flag]) return el("span", { class: `badge badge-${flag}`, text: STATUS_BADGES[flag] });
  if (status === "lokal") return el("span", { class: "badge badge-local", text: "Lokal plan" });
  return null;
}

function citationLine(c) {
  const section = [c.section_number, c.section_title].filter(Boolean).join(" ");
  const doc = `${c.doc_short_title || c.doc_title} (${[c.year, c.doc_number].filter(Boolean).join(", ")})`;
  return section ? `${doc}, ${section}` : doc;
}

function contextHref(docId, anchor, passageId) {
  const query = passageId ? `?passasje=${encodeURIComponent(passageId)}` : "";
  return `/dokumenter/${encodeURIComponent(docId)}${query}${anchor ? "#" + encodeURIComponent(anchor) : ""}`;
}

function lawHref(ref) {
  return `/?lov=${encodeURIComponent(ref)}`;
}

function lawList(refs) {
  if (!refs || !refs.length) return null;
  const list = el("ul", { class: "laws" });
  for (const ref of refs) {
    list.append(el("li", {},
      externalLink(ref.url, ref.ref, "law-link"),
      " ",
      el("a", { href: lawHref(ref.ref), class: "law-more" }, "Flere avsnitt", srOnly(` som viser til ${ref.ref}`))));
  }
  return el("div", { class: "law-refs" }, el("span", { class: "label", text: "Lovhenvisninger: " }), list);
}

// ---------- copying a citation ----------

function absolute(url) {
  return new URL(url, location.origin).href;
}

function citationText(text, c, passageId) {
  const section = [c.section_number, c.section_title].filter(Boolean).join(" ");
  const doc = [c.doc_title, c.publisher, c.year, c.doc_number].filter(Boolean).join(", ");
  const status = c.status && c.status !== "gjeldende" ? ` Status: ${c.status}.` : "";
  return `«${text.trim()}»\n${doc}. ${section ? "Avsnitt " + section + "." : ""}${status}\n` +
    absolute(contextHref(c.doc_id, c.anchor, passageId));
}

async function copyText(value) {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    const area = el("textarea", { class: "sr-only", "aria-hidden": "true", tabindex: "-1" });
    area.value = value;
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch { ok = false; }
    area.remove();
    return ok;
  }
}

function copyButton(text, citation, passageId) {
  const button = el("button", { type: "button", class: "secondary copy" }, "Kopier kilde",
    srOnly(`: ${citationLine(citation)}`));
  button.addEventListener("click", async () => {
    const ok = await copyText(citationText(text, citation, passageId));
    const message = ok ? "Kilden er kopiert." : "Kunne ikke kopiere. Merk teksten og kopier den selv.";
    $("copy-status").textContent = message;
    button.dataset.copied = ok ? "true" : "false";
    const visible = button.parentElement.querySelector(".copy-done") || el("span", { class: "copy-done" });
    visible.textContent = message;
    visible.setAttribute("aria-hidden", "true");
    button.after(visible);
  });
  return button;
}

// ---------- search ----------

function currentFilters() {
  const values = {};
  for (const name of FILTERS) values[name] = form.elements[name].value;
  return values;
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
    else renderResults(data);
  } catch (error) {
    if (seq !== searchSeq) return;
    results.replaceChildren(el("p", { class: "error", text: errorMessage(error) }));
    statusLine.textContent = errorMessage(error);
  } finally {
    if (seq === searchSeq) results.removeAttribute("aria-busy");
  }
}

function renderResults(data) {
  const n = data.results.length;
  const docs = new Set(data.results.map((r) => r.citation.doc_id)).size;
  statusLine.textContent = `Beste treff først – ${n} avsnitt fra ${docs} ${docs === 1 ? "dokument" : "dokumenter"}.`;
  const list = el("ol", { class: "result-list", "aria-label": "Treff" });
  data.results.forEach((r, i) => {
    const c = r.citation;
    const headingId = `result-${i}`;
    const article = el("article", { class: "result", "aria-labelledby": headingId, "data-passage": r.id });
    const heading = el("h2", { class: "citation", id: headingId },
      el("a", { href: contextHref(c.doc_id, c.anchor) }, citationLine(c)));
    const meta = el("p", { class: "meta" }, statusBadge(c.status_flag, c.status),
      c.chapter ? el("span", { text: `Kapittel: ${c.chapter}` }) : null,
      r.kind && r.kind !== "text" ? el("span", { class: "kind", text: KIND_NAMES[r.kind] || r.kind }) : null);
    if (c.superseded_by && c.superseded_by.length) {
      meta.append(el("span", { class: "superseded", text: `Erstattes av: ${docNames(c.superseded_by)}` }));
    }
    const quote = el("blockquote", { class: "passage", cite: absolute(c.url) }, quotedText(r.text, r.highlights));
    const actions = el("div", { class: "actions" },
      el("a", { href: contextHref(c.doc_id, c.anchor, r.id), class: "context-link" },
        "Les i sammenheng", srOnly(`: ${citationLine(c)}`)),
      copyButton(r.text, c, r.id));
    article.append(...[heading, meta, quote, lawList(r.legal_refs), actions].filter(Boolean));
    list.append(el("li", {}, article));
  });
  results.replaceChildren(list);
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
      "Prøv andre ord, et fagbegrep eller en lovhenvisning (for eksempel «hol § 3-2»)." }));
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
    el("li", {}, el("a", { href: "/?vis=dokumenter", text: "Dokumentene og innholdsfortegnelsene" })),
    el("li", {}, el("a", { href: "/?vis=lover", text: "Lovhenvisningene i veilederne" }))));
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
  if (index >= 0) input.setAttribute("aria-activedescendant", `suggestion-${index}`);
  else input.removeAttribute("aria-activedescendant");
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
  listbox.replaceChildren(...suggestions.map((s, i) => {
    const li = el("li", { id: `suggestion-${i}`, role: "option", "aria-selected": "false" },
      el("span", { class: "s-text", text: s.text }),
      s.detail ? el("span", { class: "s-detail", text: s.kind === "abbreviation" ? ` (${s.detail})` : ` – ${s.detail}` })
        : null);
    li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
    return li;
  }));
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

// document id -> "Short title (year)", for filter menus and "Erstattes av"; filled by loadFilters
const DOC_NAMES = {};

function docNames(ids) {
  return ids.map((id) => DOC_NAMES[id] || "en nyere utgave").join(", ");
}

async function loadFilters() {
  try {
    const [{ filters }, { documents }] = await Promise.all([api("/api/filters"), api("/api/documents")]);
    for (const d of documents) {
      const name = d.short_title || d.title;
      DOC_NAMES[d.id] = name.includes(String(d.year)) ? name : `${name} (${d.year})`;
    }
    const titles = DOC_NAMES;
    const wanted = new URLSearchParams(location.search);
    for (const filter of filters) {
      const select = form.elements[filter.name];
      if (!select || !FILTERS.includes(filter.name)) continue;
      for (const value of filter.values) {
        const text = filter.name === "doc" ? titles[value] || value : VALUE_LABELS[filter.name]?.[value] || value;
        select.append(el("option", { value, text }));
      }
      select.value = wanted.get(filter.name) || "";
    }
  } catch { /* the filters still work from the URL */ }
}

// ---------- browse views ----------

function showPage(...children) {
  searchView.hidden = true;
  pageView.hidden = false;
  pageView.replaceChildren(...children);
}

function focusHeading() {
  const heading = pageView.querySelector("h1");
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
}

function loading() {
  showPage(el("p", { role: "status", text: "Laster …" }));
}

function failed(error) {
  showPage(el("h1", { text: "Kunne ikke vise siden" }), el("p", { class: "error", text: errorMessage(error) }),
    el("p", {}, el("a", { href: "/", text: "Til søket" })));
  document.title = "Feil – Veiviser";
}

async function documentsView() {
  loading();
  const data = await api("/api/documents");
  const list = el("ul", { class: "doc-list" });
  for (const d of data.documents) {
    list.append(el("li", { class: "doc-card" },
      el("h2", {}, el("a", { href: `/dokumenter/${encodeURIComponent(d.id)}` }, d.title)),
      el("p", { class: "meta" }, statusBadge(d.status_flag, d.status),
        el("span", { text: [d.publisher, d.year, d.doc_number].filter(Boolean).join(", ") }),
        el("span", { text: `${d.sections} avsnitt, ${d.chunks} tekstbolker` })),
      d.superseded_by.length ? el("p", { class: "superseded", text: `Erstattes av: ${docNames(d.superseded_by)}` })
        : null));
  }
  showPage(el("h1", { text: "Dokumenter" }),
    el("p", { text: "Veiviser søker i disse veilederne og planene. Velg et dokument for å se innholdsfortegnelsen." }),
    list);
  document.title = "Dokumenter – Veiviser";
}

function tocList(items, docId) {
  const list = el("ul", { class: "toc" });  // headings carry their own numbers
  for (const item of items) {
    const label = item.heading || [item.number, item.title].filter(Boolean).join(" ");
    list.append(el("li", {}, el("a", { href: contextHref(docId, item.anchor) }, label),
      item.children && item.children.length ? tocList(item.children, docId) : null));
  }
  return list;
}

async function documentView(docId) {
  loading();
  const d = await api(`/api/documents/${encodeURIComponent(docId)}`);
  showPage(
    el("nav", { "aria-label": "Brødsmulesti", class: "breadcrumbs" }, el("ol", {},
      el("li", {}, el("a", { href: "/?vis=dokumenter", text: "Dokumenter" })),
      el("li", {}, el("span", { "aria-current": "page", text: d.short_title || d.title })))),
    el("h1", { text: d.title }),
    el("p", { class: "meta" }, statusBadge(d.status_flag, d.status),
      el("span", { text: [d.publisher, d.year, d.doc_number, d.kind].filter(Boolean).join(", ") })),
    d.note ? el("p", { class: "note", text: d.note }) : null,
    d.superseded_by.length ? el("p", { class: "superseded", text: `Erstattes av: ${docNames(d.superseded_by)}` })
      : null,
    el("h2", { text: "Innhold" }),
    tocList(d.toc, d.id));
  document.title = `${d.short_title || d.title} – Veiviser`;
}

async function sectionView(docId, anchor, passageId) {
  loading();
  const s = await api(`/api/sections/${encodeURIComponent(anchor)}`, { doc: docId });
  const crumbs = el("ol");
  crumbs.append(el("li", {}, el("a", { href: "/?vis=dokumenter", text: "Dokumenter" })));
  s.breadcrumbs.forEach((b, i) => {
    const last = i === s.breadcrumbs.length - 1;
    crumbs.append(el("li", {}, last ? el("span", { "aria-current": "page", text: b.title })
      : el("a", { href: contextHref(b.doc_id, b.anchor), text: b.title })));
  });
  const passages = el("div", { class: "section-text" });
  let target = null;
  s.passages.forEach((p, i) => {
    const isTarget = p.id === passageId;
    const block = el("div", { class: isTarget ? "section-passage highlighted" : "section-passage",
      id: `passasje-${i + 1}`, "data-passage": p.id, tabindex: isTarget ? "-1" : null });
    if (isTarget) block.append(el("p", { class: "here", text: "Avsnittet fra søket ditt:" }));
    block.append(quotedText(p.text, []));
    const refs = lawList(p.legal_refs);
    if (refs) block.append(refs);
    const citation = {
      doc_id: s.doc_id, doc_title: s.doc_title, status: s.status, anchor: s.anchor,
      section_number: s.number, section_title: s.title,
    };
    block.append(el("div", { class: "actions" }, copyButton(p.text, citation, p.id)));
    passages.append(block);
    if (isTarget) target = block;
  });
  const sub = s.subsections.length ? el("div", {}, el("h2", { text: "Underavsnitt" }),
    el("ul", {}, ...s.subsections.map((x) => el("li", {},
      el("a", { href: contextHref(s.doc_id, x.anchor) }, x.heading || x.title))))) : null;
  const pager = el("nav", { "aria-label": "Forrige og neste avsnitt", class: "pager" },
    s.previous ? el("a", { href: contextHref(s.previous.doc_id, s.previous.anchor), rel: "prev" },
      "Forrige: ", s.previous.heading || s.previous.title) : null,
    s.next ? el("a", { href: contextHref(s.next.doc_id, s.next.anchor), rel: "next" },
      "Neste: ", s.next.heading || s.next.title) : null);
  showPage(
    el("nav", { "aria-label": "Brødsmulesti", class: "breadcrumbs" }, crumbs),
    el("p", { class: "doc-title" }, el("a", { href: contextHref(s.doc_id) }, s.doc_title), " ",
      statusBadge(s.status_flag, s.status)),
    el("h1", { text: s.heading || s.title }),
    passages, sub, pager);
  document.title = `${s.heading || s.title} – Veiviser`;
  return target;
}

async function lawsView() {
  loading();
  const data = await api("/api/laws");
  const list = el("ul", { class: "law-index" });
  for (const law of data.laws) {
    list.append(el("li", {}, el("a", { href: lawHref(law.ref), text: law.ref }),
      el("span", { class: "detail", text: ` – ${law.law_short || law.law}, ${law.passages} avsnitt` })));
  }
  showPage(el("h1", { text: "Lovhenvisninger" }),
    el("p", { text: "Lover og paragrafer som veilederne viser til. Velg en for å se avsnittene som viser til den." }),
    list);
  document.title = "Lovhenvisninger – Veiviser";
}

async function lawView(ref) {
  loading();
  const data = await api(`/api/laws/${encodeURIComponent(ref)}`);
  const law = data.law;
  const list = el("ol", { class: "result-list" });
  data.passages.forEach((p, i) => {
    const c = p.citation;
    list.append(el("li", {}, el("article", { class: "result", "aria-labelledby": `law-result-${i}` },
      el("h2", { class: "citation", id: `law-result-${i}` },
        el("a", { href: contextHref(c.doc_id, c.anchor) }, citationLine(c))),
      el("p", { class: "meta" }, statusBadge(c.status_flag, c.status)),
      el("blockquote", { class: "passage" }, quotedText(p.text, [])),
      el("div", { class: "actions" },
        el("a", { href: contextHref(c.doc_id, c.anchor, p.id), class: "context-link" },
          "Les i sammenheng", srOnly(`: ${citationLine(c)}`)),
        copyButton(p.text, c, p.id)))));
  });
  showPage(
    el("nav", { "aria-label": "Brødsmulesti", class: "breadcrumbs" }, el("ol", {},
      el("li", {}, el("a", { href: "/?vis=lover", text: "Lovhenvisninger" })),
      el("li", {}, el("span", { "aria-current": "page", text: law.ref })))),
    el("h1", { text: law.ref }),
    el("p", { text: [law.law_title, law.law_short ? `(${law.law_short})` : ""].filter(Boolean).join(" ") }),
    law.in_force === false ? el("p", { class: "badge badge-historical", text: "Loven er opphevet" }) : null,
    el("p", {}, externalLink(law.url, "Følg lenken til Lovdata", "lovdata-link")),
    el("h2", { text: `${data.passages.length} avsnitt viser til ${law.ref}` }),
    list);
  document.title = `${law.ref} – Veiviser`;
}

// ---------- routing ----------

function markNav(name) {
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

let firstRoute = true;

async function route() {
  const params = new URLSearchParams(location.search);
  const docMatch = location.pathname.match(/^\/dokumenter\/([^/]+)\/?$/);
  const moveFocus = !firstRoute;
  firstRoute = false;
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
    if (params.get("vis") === "dokumenter") {
      markNav("dokumenter");
      await documentsView();
      if (moveFocus) focusHeading();
      return;
    }
    if (params.get("vis") === "lover") {
      markNav("lover");
      await lawsView();
      if (moveFocus) focusHeading();
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
  await runSearch({ force: true });
}

window.addEventListener("popstate", route);
window.addEventListener("hashchange", route);

await loadFilters();
await route();
document.documentElement.dataset.ready = "true";
