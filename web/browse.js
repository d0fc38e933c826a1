// The browse views: documents, a document's contents, the section reader, laws grouped by act, one
// law reference's passages, patient pathways and the help page. Each returns after rendering into
// #page-view; the router (app.js) moves focus.

import { answerQuote } from "./answer.js";
import {
  $, absolute, api, citationLine, contextHref, copyButton, docRefName, el, errorMessage, externalLink, lawHref,
  lawList, quotedText, srOnly, statusBadge, strengthBadge, uniqueId, versionNote, KIND_NAMES,
} from "./dom.js";

const pageView = $("page-view");
const searchView = $("search-view");

export function showPage(...children) {
  searchView.hidden = true;
  pageView.hidden = false;
  pageView.replaceChildren(...children.filter(Boolean));
}

function loading() {
  showPage(el("p", { role: "status", text: "Laster …" }));
}

export function failed(error) {
  showPage(el("h1", { text: "Kunne ikke vise siden" }), el("p", { class: "error", text: errorMessage(error) }),
    error.status === 422 && error.detail ? el("p", { class: "detail", text: error.detail }) : null,
    el("p", {}, el("a", { href: "/", text: "Til søket" })));
  document.title = "Feil – Veiviser";
}

function breadcrumbs(...items) {
  const list = el("ol");
  items.forEach(([text, href], i) => {
    const last = i === items.length - 1;
    list.append(el("li", {}, last ? el("span", { "aria-current": "page", text }) : el("a", { href, text })));
  });
  return el("nav", { "aria-label": "Brødsmulesti", class: "breadcrumbs" }, list);
}

function countText(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Dette dokumentet erstattes av …" and "Erstatter …" for a document (or a section of one). */
function versionNotes(d) {
  const draft = (d.replaced_by || []).some((v) => v.status === "høringsutkast");
  const replacedBy = versionNote("Dette dokumentet erstattes av", d.replaced_by, d.superseded_by, "");
  const replaces = versionNote("Erstatter", d.replaces, [], "");
  return [
    replacedBy ? el("p", { class: "superseded version-note" }, replacedBy, draft ? " når den er ferdig." : ".") : null,
    replaces ? el("p", { class: "replaces version-note" }, replaces, ".") : null,
  ];
}

// ---------- documents ----------

export async function documentsView() {
  loading();
  const data = await api("/api/documents");
  const list = el("ul", { class: "doc-list" });
  for (const d of data.documents) {
    list.append(el("li", { class: "doc-card" },
      el("h2", {}, el("a", { href: `/dokumenter/${encodeURIComponent(d.id)}` }, d.title)),
      el("p", { class: "meta" }, statusBadge(d.status_flag, d.status),
        el("span", { text: [d.publisher, d.year, d.doc_number].filter(Boolean).join(", ") }),
        el("span", { text: `${d.sections} avsnitt, ${d.chunks} tekstbolker` })),
      ...versionNotes(d)));
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

export async function documentView(docId) {
  loading();
  const d = await api(`/api/documents/${encodeURIComponent(docId)}`);
  showPage(
    breadcrumbs(["Dokumenter", "/?vis=dokumenter"], [d.short_title || d.title]),
    el("h1", { text: d.title }),
    el("p", { class: "meta" }, statusBadge(d.status_flag, d.status),
      el("span", { text: [d.publisher, d.year, d.doc_number, d.kind].filter(Boolean).join(", ") })),
    d.note ? el("p", { class: "note", text: d.note }) : null,
    ...versionNotes(d),
    el("h2", { text: "Innhold" }),
    tocList(d.toc, d.id));
  document.title = `${d.short_title || d.title} – Veiviser`;
}

export async function sectionView(docId, anchor, passageId) {
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
    const strength = p.kind === "recommendation" ? strengthBadge(p.strength) : null;
    if (strength) block.append(el("p", { class: "meta" }, el("span", { class: "kind", text: "Anbefaling" }), strength));
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
    ...versionNotes(s),
    el("h1", { text: s.heading || s.title }),
    passages, sub, pager);
  document.title = `${s.heading || s.title} – Veiviser`;
  return target;
}

// ---------- laws ----------

function lawGroupName(group) {
  return group.short || group.title || group.law;
}

function lawMatches(text, query) {
  return text.toLocaleLowerCase("nb").includes(query);
}

/** The law index: one block per act, its cited paragraphs in numeric order, filtered as you type. */
export async function lawsView(navigate) {
  loading();
  const data = await api("/api/laws");
  const groups = data.laws_grouped || [];
  const index = el("div", { class: "law-index" });
  const blocks = [];
  for (const group of groups) {
    const headingId = uniqueId("lov");
    const refs = el("ul", { class: "law-refs-list" });
    const items = [];
    for (const ref of group.refs || []) {
      const label = ref.label || ref.ref;
      const item = el("li", {}, el("a", { href: lawHref(ref.ref) }, label, srOnly(` i ${lawGroupName(group)}`)),
        el("span", { class: "detail", text: ` ${countText(ref.passages, "avsnitt", "avsnitt")}` }));
      refs.append(item);
      items.push({ item, text: `${ref.ref} ${label}`.toLocaleLowerCase("nb") });
    }
    const block = el("section", { class: "law-group", "aria-labelledby": headingId, "data-law": group.law },
      el("h2", { id: headingId }, lawGroupName(group),
        // the abbreviation a search understands ("hol"), not an id spelled out
        group.law && group.law !== group.short && group.law.length <= 8
          ? el("span", { class: "law-key", text: ` (${group.law})` }) : null,
        group.repealed || group.in_force === false ? " " : null,
        group.repealed || group.in_force === false ? el("span", { class: "badge badge-historical", text: "Opphevet" })
          : null),
      group.title ? el("p", { class: "law-title", text: group.title }) : null,
      el("p", { class: "meta" },
        group.url ? externalLink(group.url, "Loven på Lovdata", "lovdata-link") : null,
        el("span", { text: `${countText(group.passages, "avsnitt", "avsnitt")} i ` +
          `${countText(group.documents, "dokument", "dokumenter")}` })),
      refs);
    index.append(block);
    blocks.push({ block, items, text: `${group.law} ${group.short || ""} ${group.title || ""}`.toLocaleLowerCase("nb") });
  }
  const params = new URLSearchParams(location.search);
  const box = el("input", { type: "search", id: "law-filter", autocomplete: "off", spellcheck: "false",
    "aria-describedby": "law-filter-status" });
  box.value = params.get("filter") || "";
  const status = el("p", { id: "law-filter-status", class: "search-status", role: "status", "aria-live": "polite" });

  function apply() {
    const query = box.value.trim().toLocaleLowerCase("nb");
    let shownLaws = 0;
    let shownRefs = 0;
    for (const { block, items, text } of blocks) {
      const whole = !query || lawMatches(text, query);
      let visible = 0;
      for (const { item, text: refText } of items) {
        const show = whole || lawMatches(refText, query);
        item.hidden = !show;
        if (show) visible += 1;
      }
      block.hidden = visible === 0;
      if (visible) { shownLaws += 1; shownRefs += visible; }
    }
    status.textContent = query
      ? `${countText(shownLaws, "lov", "lover")} og ${countText(shownRefs, "henvisning", "henvisninger")} passer til «${box.value.trim()}».`
      : `${countText(blocks.length, "lov", "lover")}, ${countText(shownRefs, "henvisning", "henvisninger")}.`;
    const url = query ? `/?vis=lover&filter=${encodeURIComponent(box.value.trim())}` : "/?vis=lover";
    if (url !== location.pathname + location.search) navigate(url, { replace: true, render: false });
  }

  box.addEventListener("input", apply);
  showPage(
    el("h1", { text: "Lovhenvisninger" }),
    el("p", { text: "Lovene og paragrafene veilederne viser til, ordnet etter lov. Velg en paragraf for å se " +
      "avsnittene som viser til den, eller følg lenken til loven på Lovdata." }),
    el("div", { class: "law-filter" }, el("label", { for: "law-filter", class: "field-label",
      text: "Filtrer på lov eller paragraf" }), box),
    status, index);
  apply();
  document.title = "Lovhenvisninger – Veiviser";
}

/** The sentence that cites `label` ("§ 3-2", not "§ 3-20"), as a highlight; none when it is not quoted. */
function citingSentence(text, label) {
  if (!label || label.startsWith("Hele ")) return [];
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s*");
  const match = new RegExp(`${escaped}(?![\\d\\p{L}-])`, "u").exec(text);
  if (!match) return [];
  const before = text.slice(0, match.index);
  const start = Math.max(before.search(/[^.!?\n]*$/), 0);
  const rest = text.slice(match.index).search(/[.!?](\s|$)|\n/);
  const end = rest < 0 ? text.length : match.index + rest + 1;
  return [{ start: start + (text.slice(start).length - text.slice(start).trimStart().length), end }];
}

function browseQuote(p, label) {
  const text = p.text || p.excerpt;
  return answerQuote(text, citingSentence(text, label), absolute(p.citation.url));
}

export async function lawView(ref) {
  loading();
  const data = await api(`/api/laws/${encodeURIComponent(ref)}`);
  const law = data.law;
  const group = data.law_group || {};
  const repealed = group.repealed || law.in_force === false;
  const list = el("ol", { class: "result-list" });
  data.passages.forEach((p, i) => {
    const c = p.citation;
    const strength = p.kind === "recommendation" ? strengthBadge(p.strength) : null;
    list.append(el("li", {}, el("article", { class: "result", "aria-labelledby": `law-result-${i}`,
      "data-passage": p.id },
      el("h2", { class: "citation", id: `law-result-${i}` },
        el("a", { href: contextHref(c.doc_id, c.anchor) }, citationLine(c))),
      el("p", { class: "meta" }, statusBadge(c.status_flag, c.status),
        p.kind && p.kind !== "text" ? el("span", { class: "kind", text: KIND_NAMES[p.kind] || p.kind }) : null,
        strength, versionNote("Erstattes av", c.replaced_by, c.superseded_by, "superseded")),
      ...browseQuote(p, law.label),
      el("div", { class: "actions" },
        el("a", { href: contextHref(c.doc_id, c.anchor, p.id), class: "context-link" },
          "Les i sammenheng", srOnly(`: ${citationLine(c)}`)),
        copyButton(p.text || p.excerpt, c, p.id)))));
  });
  const lawName = [law.law_short || group.short, law.law_title || group.title].filter(Boolean);
  showPage(
    breadcrumbs(["Lovhenvisninger", "/?vis=lover"], [law.ref]),
    el("h1", { text: law.ref }),
    el("p", { text: lawName.length === 2 ? `${lawName[0]} – ${lawName[1]}` : lawName.join("") }),
    repealed ? el("p", {}, el("span", { class: "badge badge-historical", text: "Opphevet" }),
      " Loven er opphevet. Veiledere som viser til den, kan være utdatert på dette punktet.") : null,
    el("p", {}, externalLink(law.url, "Følg lenken til Lovdata", "lovdata-link")),
    el("h2", { text: `${countText(data.passages.length, "avsnitt", "avsnitt")} viser til ${law.ref}` }),
    data.passages.length > 1 ? el("p", { class: "detail", text: "Gjeldende veiledere først." }) : null,
    list);
  document.title = `${law.ref} – Veiviser`;
}

// ---------- patient pathways ----------

const PATHWAY_PARAMS = ["target_group", "pathway", "main_pathway"];
const OPEN_UP_TO = 15;  // "Andre avsnitt" lists this short are shown open; longer ones per document on demand

function pathwayUrl(values) {
  const params = new URLSearchParams({ vis: "forlop" });
  for (const name of PATHWAY_PARAMS) if (values[name]) params.set(name, values[name]);
  return `/?${params.toString()}`;
}

function choiceSelect(id, name, label, emptyText, options, selected) {
  const select = el("select", { id, name });
  select.append(el("option", { value: "", text: emptyText }));
  for (const o of options) {
    select.append(el("option", { value: o.value, text: `${o.label || o.value} (${o.passages})` }));
  }
  select.value = selected || "";
  return el("div", { class: "filter" }, el("label", { for: id, text: label }), select);
}

function browsePassage(p) {
  const c = p.citation;
  const strength = p.kind === "recommendation" ? strengthBadge(p.strength) : null;
  const kind = p.kind && p.kind !== "text" && p.kind !== "recommendation"
    ? el("span", { class: "kind", text: KIND_NAMES[p.kind] || p.kind }) : null;
  return el("li", { class: "browse-passage", "data-passage": p.id },
    strength || kind ? el("p", { class: "meta" }, strength, kind) : null,
    el("blockquote", { class: "passage", cite: absolute(c.url) },
      el("div", { class: "passage-text" }, el("p", { text: p.excerpt }))),
    lawList(p.legal_refs),
    el("div", { class: "actions" },
      el("a", { href: contextHref(c.doc_id, c.anchor, p.id), class: "context-link" },
        p.truncated ? "Les hele i sammenheng" : "Les i sammenheng", srOnly(`: ${citationLine(c)}`))));
}

function documentGroups(documents, open) {
  const box = el("div", { class: "doc-groups" });
  for (const d of documents) {
    const name = docRefName({ id: d.doc_id, title: d.title, short_title: d.short_title, year: d.year });
    const sections = el("div", { class: "section-groups" });
    for (const s of d.sections) {
      const heading = s.heading || [s.number, s.title].filter(Boolean).join(" ");
      sections.append(el("h4", { class: "section-group" },
        el("a", { href: s.url || contextHref(d.doc_id, s.anchor), text: heading }),
        el("span", { class: "count", text: ` (${countText(s.count, "avsnitt", "avsnitt")})` })),
        el("ul", { class: "browse-list" }, ...s.passages.map(browsePassage)));
    }
    const replaced = versionNote("Erstattes av", d.replaced_by, [], "superseded");
    const summaryText = `${name} – ${countText(d.count, "avsnitt", "avsnitt")}`;
    const details = el("details", { class: "doc-group", open: open ? true : null },
      el("summary", {}, el("span", { class: "doc-group-title", text: summaryText }), " ",
        statusBadge(d.status_flag, d.status)),
      replaced ? el("p", { class: "version-note" }, replaced) : null,
      el("p", {}, el("a", { href: d.url || contextHref(d.doc_id), text: `Innholdsfortegnelsen i ${name}` })),
      sections);
    box.append(details);
  }
  return box;
}

function mainPathways(list) {
  if (!list || !list.length) return null;
  const cards = el("ul", { class: "main-pathways" });
  for (const m of list) {
    const headingId = uniqueId("hovedforlop");
    cards.append(el("li", { class: "main-pathway", "aria-labelledby": headingId },
      el("h3", { id: headingId }, el("a", { href: pathwayUrl({ main_pathway: String(m.number) }) },
        `Hovedforløp ${m.number}: ${m.title}`)),
      m.description ? el("p", { text: m.description }) : null,
      el("p", { class: "meta" }, el("span", { text: `${countText(m.passages, "avsnitt", "avsnitt")}` }),
        el("a", { href: m.url, text: `Les ${m.section_number} i ${m.doc_title}` })),
      m.sections && m.sections.length ? el("ul", { class: "subsections" }, ...m.sections.map((s) => el("li", {},
        el("a", { href: s.url, text: [s.number, s.title].filter(Boolean).join(" ") })))) : null));
  }
  return el("section", { class: "entry", "aria-labelledby": "hovedforlop-heading" },
    el("h2", { id: "hovedforlop-heading", text: "Hovedforløpene i Sammen om mestring" }),
    el("p", { text: "Sammen om mestring beskriver tre hovedforløp etter hvor alvorlige og langvarige problemene er." }),
    cards);
}

async function pathwayResults(values) {
  const data = await api("/api/pathways/browse", values);
  const t = data.totals;
  const box = el("section", { class: "pathway-results", "aria-labelledby": "forlop-treff" },
    el("h2", { id: "forlop-treff", text: data.title }),
    el("p", { class: "search-status", text: `${countText(t.recommendations, "anbefaling", "anbefalinger")} og ` +
      `${countText(data.passages.count, "annet avsnitt", "andre avsnitt")} fra ` +
      `${countText(t.documents, "dokument", "dokumenter")}, under ${countText(t.sections, "overskrift", "overskrifter")}. ` +
      "Gjeldende veiledere først." }));
  if (!t.passages) {
    box.append(el("p", { text: "Ingen avsnitt passer til dette valget. Velg en annen målgruppe eller fase." }));
    return { box, title: data.title };
  }
  box.append(el("h3", { class: "list-heading", text: `Anbefalinger (${data.recommendations.count})` }));
  box.append(data.recommendations.count ? documentGroups(data.recommendations.documents, true)
    : el("p", { text: "Ingen anbefalinger for dette valget." }));
  box.append(el("h3", { class: "list-heading", text: `Andre avsnitt (${data.passages.count})` }));
  if (data.passages.count) box.append(documentGroups(data.passages.documents,
    data.passages.documents.length === 1 || data.passages.count <= OPEN_UP_TO));
  return { box, title: data.title };
}

/** Pasientforløp: choose a target group and/or a phase (or a main pathway); every choice has its URL. */
export async function pathwaysView(navigate) {
  loading();
  const params = new URLSearchParams(location.search);
  const values = Object.fromEntries(PATHWAY_PARAMS.map((name) => [name, params.get(name) || ""]));
  const chosen = PATHWAY_PARAMS.some((name) => values[name]);
  const [catalog, results] = await Promise.all([api("/api/pathways"), chosen ? pathwayResults(values) : null]);
  const form = el("form", { class: "pathway-form", action: "/", method: "get", "aria-label": "Velg pasientforløp" },
    el("input", { type: "hidden", name: "vis", value: "forlop" }),
    el("div", { class: "filter-grid" },
      choiceSelect("p-target", "target_group", "Målgruppe", "Alle målgrupper", catalog.target_groups,
        values.target_group),
      choiceSelect("p-phase", "pathway", "Fase i pasientforløpet", "Alle faser", catalog.phases, values.pathway),
      el("div", { class: "filter filter-reset" }, el("button", { type: "submit", class: "primary", text: "Vis avsnittene" }))));
  if (values.main_pathway) form.append(el("input", { type: "hidden", name: "main_pathway", value: values.main_pathway }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(pathwayUrl({ target_group: form.elements.target_group.value, pathway: form.elements.pathway.value,
      main_pathway: values.main_pathway }));
  });
  const crumbs = chosen ? breadcrumbs(["Pasientforløp", "/?vis=forlop"], [results.title]) : null;
  showPage(
    crumbs,
    el("h1", { text: "Pasientforløp" }),
    el("p", { text: "Velg en målgruppe og/eller en fase i pasientforløpet. Du ser anbefalingene først, deretter " +
      "de andre avsnittene, ordnet etter dokument og kapittel. Tallene sier hvor mange avsnitt som passer." }),
    form,
    values.main_pathway ? el("p", {}, el("a", { href: pathwayUrl({ ...values, main_pathway: "" }),
      text: "Fjern valget av hovedforløp" })) : null,
    chosen ? results.box : null,
    chosen ? null : mainPathways(catalog.main_pathways));
  document.title = chosen ? `${results.title} – Pasientforløp – Veiviser`
    : "Pasientforløp – Veiviser";
}

// ---------- help ----------

export function helpView() {
  const template = $("help-template");
  showPage(template.content.cloneNode(true));
  document.title = "Hjelp – Veiviser";
}
