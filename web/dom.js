// Shared building blocks of the page: DOM helpers, API calls, labels, citations, badges.
// Every string from the API is inserted as text (textContent / text nodes), never as HTML.

// filter value -> label; the pathway phases and target groups take the server's labels (/api/pathways)
export const VALUE_LABELS = {
  status: { gjeldende: "Gjeldende", "høringsutkast": "Høringsutkast", historisk: "Historisk", lokal: "Lokal plan" },
  kind: { text: "Løpende tekst", recommendation: "Anbefaling", faq: "Spørsmål og svar", definition: "Definisjon",
          list: "Liste" },
  target_group: {},
  pathway: {},
};

export function rememberPathwayLabels({ target_groups: groups = [], phases = [] }) {
  for (const g of groups) VALUE_LABELS.target_group[g.value] = g.label;
  for (const p of phases) VALUE_LABELS.pathway[p.value] = p.label;
}
export const KIND_NAMES = VALUE_LABELS.kind;
const STATUS_BADGES = { draft: "Høringsutkast", historical: "Historisk" };

// Helsedirektoratet's meaning of the normative verbs in its guidelines (one home for the wording)
export const STRENGTHS = {
  skal: { label: "Skal", meaning: "Krav fastsatt i lov eller forskrift, eller så godt faglig forankret at det " +
    "sjelden er forsvarlig å avvike." },
  "bør": { label: "Bør", meaning: "Sterk anbefaling." },
  kan: { label: "Kan", meaning: "Svak anbefaling." },
};

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
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

export function srOnly(text) {
  return el("span", { class: "sr-only", text });
}

export function externalLink(href, text, extraClass = "") {
  return el("a", { href, target: "_blank", rel: "noopener noreferrer", class: extraClass },
    text, srOnly(" (åpnes i ny fane)"));
}

let uid = 0;
/** A page-unique id for aria-controls / aria-describedby pairs. */
export function uniqueId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

async function answer(response) {
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) {
    const error = new Error((body && typeof body.detail === "string" && body.detail) || `HTTP ${response.status}`);
    error.status = response.status;
    error.detail = body && typeof body.detail === "string" ? body.detail : "";
    throw error;
  }
  return body;
}

export async function api(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined) url.searchParams.set(key, value);
  }
  return answer(await fetch(url, { headers: { Accept: "application/json" } }));
}

export async function postJson(path, body) {
  return answer(await fetch(new URL(path, location.origin), {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }));
}

export function errorMessage(error) {
  if (error.status === 429) return "For mange søk på kort tid. Vent litt og prøv igjen.";
  if (error.status === 503) return "Søket er ikke klart ennå (indeksen lastes). Prøv igjen om litt.";
  if (error.status === 404) return "Fant ikke det du ba om.";
  if (error.status === 422) return "Adressen har et valg Veiviser ikke kjenner.";
  return "Noe gikk galt. Prøv igjen.";
}

/** Text with the marked spans in <mark>, appended to `node`; offsets are characters in `text`. */
export function appendMarked(node, text, marks, from = 0, to = text.length, squeeze = false) {
  const clean = (s) => (squeeze ? s.replace(/\s+/g, " ") : s);
  let pos = from;
  for (const { start: hs, end: he } of marks) {
    const s = Math.max(hs, pos);
    const e = Math.min(he, to);
    if (e <= s) continue;
    if (s > pos) node.append(clean(text.slice(pos, s)));
    node.append(el("mark", { text: clean(text.slice(s, e)) }));
    pos = e;
  }
  if (pos < to) node.append(clean(text.slice(pos, to)));
  return node;
}

/** The passage text as paragraphs, with the answering sentences in <mark>. */
export function quotedText(text, highlights = []) {
  const marks = [...highlights].sort((a, b) => a.start - b.start);
  const box = el("div", { class: "passage-text" });
  let start = 0;
  for (const part of text.split(/\n{2,}/)) {
    const at = text.indexOf(part, start);
    start = at + part.length;
    box.append(appendMarked(el("p"), text, marks, at, at + part.length));
  }
  return box;
}

export function statusBadge(flag, status) {
  if (flag && STATUS_BADGES[flag]) return el("span", { class: `badge badge-${flag}`, text: STATUS_BADGES[flag] });
  if (status === "lokal") return el("span", { class: "badge badge-local", text: "Lokal plan" });
  return null;
}

/** "Skal" / "Bør" / "Kan" as a focusable badge whose meaning shows on hover and keyboard focus. */
export function strengthBadge(strength) {
  const info = STRENGTHS[strength];
  if (!info) return null;
  const tipId = uniqueId("styrke");
  const tip = el("span", { class: "tooltip", role: "tooltip", id: tipId },
    el("strong", { text: `${info.label}: ` }), info.meaning);
  const button = el("button", { type: "button", class: `strength strength-${strength === "bør" ? "bor" : strength}`,
    "aria-describedby": tipId }, srOnly("Anbefalingsstyrke: "), info.label);
  const wrap = el("span", { class: "strength-wrap" }, button, tip);
  // a tap (phones have no hover) pins the explanation; Escape hides it (WCAG 1.4.13)
  button.addEventListener("click", () => {
    wrap.classList.toggle("open");
    wrap.classList.remove("dismissed");
  });
  wrap.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      wrap.classList.add("dismissed");
      wrap.classList.remove("open");
    }
  });
  wrap.addEventListener("mouseleave", () => wrap.classList.remove("dismissed"));
  button.addEventListener("blur", () => wrap.classList.remove("dismissed"));
  return wrap;
}

export function citationLine(c) {
  const section = [c.section_number, c.section_title].filter(Boolean).join(" ");
  const doc = `${c.doc_short_title || c.doc_title} (${[c.year, c.doc_number].filter(Boolean).join(", ")})`;
  return section ? `${doc}, ${section}` : doc;
}

export function sectionName(c) {
  return [c.section_number, c.section_title].filter(Boolean).join(" ");
}

export function contextHref(docId, anchor, passageId) {
  const query = passageId ? `?passasje=${encodeURIComponent(passageId)}` : "";
  return `/dokumenter/${encodeURIComponent(docId)}${query}${anchor ? "#" + encodeURIComponent(anchor) : ""}`;
}

export function lawHref(ref) {
  return `/?lov=${encodeURIComponent(ref)}`;
}

export function lawList(refs) {
  if (!refs || !refs.length) return null;
  const list = el("ul", { class: "laws" });
  for (const ref of refs) {
    list.append(el("li", {},
      ref.url ? externalLink(ref.url, ref.ref, "law-link") : el("span", { text: ref.ref }),
      " ",
      el("a", { href: lawHref(ref.ref), class: "law-more" }, "Flere avsnitt", srOnly(` som viser til ${ref.ref}`))));
  }
  return el("div", { class: "law-refs" }, el("span", { class: "label", text: "Lovhenvisninger: " }), list);
}

// ---------- document names and versions ----------

// document id -> "Short title (year)", for filter menus and versions; filled by loadDocumentNames
export const DOC_NAMES = {};

export function rememberDocuments(documents) {
  for (const d of documents) {
    const name = d.short_title || d.title;
    DOC_NAMES[d.id] = name.includes(String(d.year)) ? name : `${name} (${d.year})`;
  }
}

function versionRefs(objects, ids) {
  if (objects && objects.length) return objects.filter((v) => v && v.id);
  return (ids || []).map((id) => ({ id, title: DOC_NAMES[id] || "", year: null }));
}

/** A related document's name as a person reads it: "Short title (year)", never its id. */
export function docRefName(v) {
  const title = v.short_title || v.title || DOC_NAMES[v.id] || "en annen utgave";
  return v.year && !title.includes(String(v.year)) ? `${title} (${v.year})` : title;
}

function versionLink(v) {
  return el("a", { href: v.url || contextHref(v.id), text: docRefName(v) });
}

/** "Erstattes av <title> (<year>)" / "Erstatter …", linked; null when there is nothing to say. */
export function versionNote(prefix, objects, ids, extraClass) {
  const refs = versionRefs(objects, ids);
  if (!refs.length) return null;
  const note = el("span", { class: extraClass }, `${prefix} `);
  refs.forEach((v, i) => {
    if (i) note.append(", ");
    note.append(versionLink(v));
  });
  return note;
}

// ---------- copying a citation ----------

export function absolute(url) {
  return new URL(url, location.origin).href;
}

function citationText(text, c, passageId) {
  const section = sectionName(c);
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

export function copyButton(text, citation, passageId) {
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
