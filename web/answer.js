// Answer first: each hit shows its highlighted sentence(s) with a short lead-in and lead-out, the whole
// passage behind "Vis hele avsnittet"; consecutive hits from one section share a card.

import {
  KIND_NAMES, VALUE_LABELS, appendMarked, absolute, citationLine, contextHref, copyButton, el, lawList,
  quotedText, sectionName, srOnly, statusBadge, strengthBadge, uniqueId, versionNote,
} from "./dom.js";
import { feedbackBox } from "./feedback.js";

const CONTEXT_WORDS = 25;  // words of lead-in and lead-out around the highlighted sentences
const OPENING_WORDS = 50;  // shown when the passage has no highlight
const MIN_HIDDEN_WORDS = 15;  // a shorter remainder is shown rather than hidden behind the disclosure

function wordStartsBefore(text, pos, n, floor) {
  const starts = [...text.slice(floor, pos).matchAll(/\S+/g)].map((m) => floor + m.index);
  return starts.length <= n ? floor : starts[starts.length - n];
}

function wordEndAfter(text, pos, n, ceiling) {
  const pattern = /\S+/g;
  const part = text.slice(pos, ceiling);
  let end = ceiling;
  let count = 0;
  for (const m of part.matchAll(pattern)) {
    count += 1;
    if (count === n) { end = pos + m.index + m[0].length; break; }
  }
  return count < n ? ceiling : end;
}

function countWords(text) {
  return (text.match(/\S+/g) || []).length;
}

/**
 * The parts of `text` to show: around each highlight up to CONTEXT_WORDS words each side, not crossing
 * a paragraph break; overlapping windows merge. Offsets are characters, as the API's highlights.
 */
export function excerptRanges(text, highlights) {
  const marks = [...highlights].filter((h) => h.end > h.start).sort((a, b) => a.start - b.start);
  if (!marks.length) return [{ start: 0, end: wordEndAfter(text, 0, OPENING_WORDS, text.length) }];
  const ranges = [];
  for (const { start, end } of marks) {
    const paraStart = text.lastIndexOf("\n\n", start);
    const floor = paraStart < 0 ? 0 : paraStart + 2;
    const paraEnd = text.indexOf("\n\n", end);
    const ceiling = paraEnd < 0 ? text.length : paraEnd;
    const range = {
      start: Math.min(start, wordStartsBefore(text, start, CONTEXT_WORDS, Math.min(floor, start))),
      end: Math.max(end, wordEndAfter(text, end, CONTEXT_WORDS, Math.max(ceiling, end))),
    };
    const last = ranges[ranges.length - 1];
    if (last && range.start <= last.end + 2) last.end = Math.max(last.end, range.end);
    else ranges.push(range);
  }
  return ranges;
}

function hiddenWords(text, ranges) {
  let shown = 0;
  for (const { start, end } of ranges) shown += countWords(text.slice(start, end));
  return countWords(text) - shown;
}

/** The excerpt as one paragraph: "… lead-in <mark>answer</mark> lead-out …". */
function excerptNode(text, highlights, ranges) {
  const marks = [...highlights].sort((a, b) => a.start - b.start);
  const p = el("p", { class: "excerpt" });
  ranges.forEach(({ start, end }, i) => {
    if (start > 0 || i > 0) p.append(i > 0 ? " … " : "… ");
    appendMarked(p, text, marks, start, end, true);
  });
  if (ranges[ranges.length - 1].end < text.trimEnd().length) p.append(" …");
  return el("div", { class: "passage-text" }, p);
}

/** The quoted passage: the excerpt and, when it leaves text out, the whole passage behind a disclosure. */
export function answerQuote(text, highlights, cite) {
  const ranges = excerptRanges(text, highlights);
  const quote = el("blockquote", { class: "passage", cite });
  if (hiddenWords(text, ranges) < MIN_HIDDEN_WORDS) {
    quote.append(quotedText(text, highlights));
    return [quote];
  }
  const excerpt = excerptNode(text, highlights, ranges);
  const fullId = uniqueId("hele");
  const full = el("div", { class: "full-passage", id: fullId, hidden: true }, quotedText(text, highlights));
  quote.append(excerpt, full);
  const toggle = el("button", { type: "button", class: "disclosure", "aria-expanded": "false",
    "aria-controls": fullId }, "Vis hele avsnittet");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Vis bare utdraget" : "Vis hele avsnittet";
    full.hidden = !open;
    excerpt.hidden = open;
  });
  return [quote, toggle];
}

/** Consecutive results from the same section, in rank order; rank is 1-based over all results. */
export function groupResults(results) {
  const groups = [];
  results.forEach((r, i) => {
    const last = groups[groups.length - 1];
    const key = `${r.citation.doc_id}#${r.citation.anchor}`;
    if (last && last.key === key) last.hits.push({ result: r, rank: i + 1 });
    else groups.push({ key, hits: [{ result: r, rank: i + 1 }] });
  });
  return groups;
}

function filterLink(context, name, value) {
  const params = new URLSearchParams();
  if (context.query) params.set("q", context.query);
  for (const [key, v] of Object.entries(context.filters || {})) if (v && key !== name) params.set(key, v);
  params.set(name, value);
  return `/?${params.toString()}`;
}

/** Pathway phase and target group chips: links that apply that filter to the search. */
export function tagChips(r, context) {
  const rows = [];
  const add = (name, values, label, what) => {
    if (!values || !values.length) return;
    const list = el("ul", { class: "chips" });
    for (const value of values) {
      const text = VALUE_LABELS[name]?.[value] || value;
      const active = context.filters && context.filters[name] === value;
      list.append(el("li", {}, active
        ? el("span", { class: "chip chip-active", text, title: "Filteret er valgt" })
        : el("a", { class: "chip", href: filterLink(context, name, value) }, text, srOnly(` – avgrens til ${what}`))));
    }
    rows.push(el("div", { class: "chip-row" }, el("span", { class: "label", text: `${label}: ` }), list));
  };
  add("pathway", r.pathway, "Fase", "denne fasen");
  add("target_group", r.target_groups, "Målgruppe", "denne målgruppen");
  return rows.length ? el("div", { class: "tags" }, ...rows) : null;
}

function hitBlock({ result: r, rank }, context, grouped) {
  const c = r.citation;
  const block = el("div", { class: "hit", "data-passage": r.id, "data-rank": rank });
  const kind = r.kind && r.kind !== "text" ? el("span", { class: "kind", text: KIND_NAMES[r.kind] || r.kind }) : null;
  const strength = r.kind === "recommendation" ? strengthBadge(r.strength) : null;
  if (kind || strength || grouped) {
    block.append(el("p", { class: "meta hit-meta" }, grouped ? el("span", { text: `Treff ${rank}` }) : null,
      kind, strength));
  }
  block.append(...answerQuote(r.text, r.highlights, absolute(c.url)));
  const laws = lawList(r.legal_refs);
  if (laws) block.append(laws);
  const chips = tagChips(r, context);
  if (chips) block.append(chips);
  block.append(el("div", { class: "actions" },
    el("a", { href: contextHref(c.doc_id, c.anchor, r.id), class: "context-link" },
      "Les i sammenheng", srOnly(`: ${citationLine(c)}`)),
    copyButton(r.text, c, r.id)));
  block.append(feedbackBox("result", { query: context.query, filters: context.filters, passageId: r.id, rank }));
  return block;
}

/** The result list: one card per section run, each hit answer first. */
export function resultCards(results, context) {
  const list = el("ol", { class: "result-list", "aria-label": "Treff" });
  groupResults(results).forEach((group, i) => {
    const c = group.hits[0].result.citation;
    const headingId = `result-${i}`;
    const grouped = group.hits.length > 1;
    const article = el("article", { class: grouped ? "result grouped" : "result", "aria-labelledby": headingId,
      "data-passage": group.hits[0].result.id });
    article.append(el("h2", { class: "citation", id: headingId },
      el("a", { href: contextHref(c.doc_id, c.anchor) }, citationLine(c))));
    const meta = el("p", { class: "meta" }, statusBadge(c.status_flag, c.status),
      c.chapter ? el("span", { text: `Kapittel: ${c.chapter}` }) : null,
      versionNote("Erstattes av", c.replaced_by, c.superseded_by, "superseded"));
    if (meta.childNodes.length) article.append(meta);
    if (grouped) {
      article.append(el("p", { class: "group-count", text: `${group.hits.length} avsnitt fra ${sectionName(c)}` }));
    }
    for (const hit of group.hits) article.append(hitBlock(hit, context, grouped));
    list.append(el("li", {}, article));
  });
  return list;
}
