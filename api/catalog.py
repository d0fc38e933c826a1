"""What the browse endpoints read: documents, section trees, chunks and the law index of one
index version, loaded once from its folder (documents.json, sections.json, chunks.jsonl).

The catalog is read from the same version folder as the engine that serves search, so that
a section or passage linked from a search result always exists, even after a rebuild has
switched CURRENT to a newer version.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.search.query import abbreviations
from api.search.results import FLAGGED_STATUSES, cite, document_url, legal_refs, replaced_by, replaces
from veiviser.index_format import IndexUnavailable, version_folder
from veiviser.laws import all_laws, law_of_ref, ref_url
from veiviser.legal_refs import extract_legal_refs
from veiviser.sentences import sentence_spans
from veiviser.settings import Settings
from veiviser.tags import tags_for

MAX_QUESTION_SUGGESTIONS = 4
EXCERPT_WORDS = 40
# lists of passages show the valid guidance first: current, then the draft, then historical and local documents
STATUS_ORDER = ("gjeldende", "høringsutkast", "historisk", "lokal")
MAIN_PATHWAY_DOC = "sammen-om-mestring-2014"  # chapter 4 describes the three main pathways (hovedforløp 1-3)
_MAIN_PATHWAY = re.compile(r"Hovedforløp (\d+):\s*(.+)")
_SPLIT = re.compile(r"[\s\-–/(),?.!:;«»\"]+")


@dataclass
class Suggestion:
    text: str
    kind: str  # section | abbreviation | law | question (a search suggestion from the question bank)
    detail: str | None = None
    doc_id: str | None = None
    anchor: str | None = None
    weight: int = 0
    lowered: str = field(default="", repr=False)
    # " " + the words of `lowered`, so that "a word starts with t" is the C-speed `" " + t in words`
    words: str = field(default="", repr=False)


class Catalog:
    """Documents, sections, chunks and laws of one index version, with lookups for the API."""

    def __init__(self, settings: Settings, version: str, folder: Path | None = None):
        self.settings = settings
        self.version = version
        folder = folder or version_folder(settings, version)
        missing = [n for n in ("documents.json", "sections.json", "chunks.jsonl") if not (folder / n).exists()]
        if missing:
            raise IndexUnavailable(
                f"index version {version} lacks {', '.join(missing)} (built by an older version): "
                "run `veiviser index build`"
            )
        self.documents: dict[str, dict[str, Any]] = _read_json(folder / "documents.json")
        self.sections: dict[str, list[dict[str, Any]]] = _read_json(folder / "sections.json")
        self.chunks: dict[str, dict[str, Any]] = {}
        self.chunk_order: dict[str, list[str]] = defaultdict(list)  # doc id -> chunk ids in reading order
        with (folder / "chunks.jsonl").open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    chunk = json.loads(line)
                    self.chunks[chunk["id"]] = chunk
                    self.chunk_order[chunk["doc_id"]].append(chunk["id"])
        self.chunk_position = {cid: (doc, n) for doc, ids in self.chunk_order.items() for n, cid in enumerate(ids)}
        self.section_index: dict[tuple[str, str], int] = {
            (doc_id, s["anchor"]): n for doc_id, secs in self.sections.items() for n, s in enumerate(secs)
        }
        self.anchor_docs: dict[str, list[str]] = defaultdict(list)
        for doc_id, anchor in self.section_index:
            self.anchor_docs[anchor].append(doc_id)
        self.law_refs: dict[str, list[str]] = defaultdict(list)  # ref -> chunk ids, reading order
        for cid, chunk in self.chunks.items():
            for ref in chunk.get("legal_refs", []):
                self.law_refs[ref].append(cid)
        # the question bank's questions: offered as search suggestions, never as source text
        self.questions: list[dict[str, Any]] = []
        if (folder / "questions.jsonl").exists():
            with (folder / "questions.jsonl").open(encoding="utf-8") as f:
                self.questions = [json.loads(line) for line in f if line.strip()]
        self.suggestions = self._suggestions()

    # -- documents and sections ------------------------------------------------------------------

    def document_url(self, doc_id: str, anchor: str | None = None) -> str:
        return document_url(self.settings.public_base_url, doc_id, anchor)

    def citation(self, item: dict[str, Any]) -> dict[str, Any]:
        """The citation block of a chunk: the same as a search result's."""
        return cite(item, self.documents, self.settings.public_base_url).model_dump()

    @staticmethod
    def legal_refs(refs: list[str]) -> list[dict[str, Any]]:
        return [ref.model_dump() for ref in legal_refs(refs)]

    def passage_text(self, chunk: dict[str, Any]) -> dict[str, Any]:
        lines = chunk.get("source_lines")
        return {"id": chunk["id"], "kind": chunk["kind"], "text": chunk["text"],
                "legal_refs": self.legal_refs(chunk.get("legal_refs", [])), "strength": chunk.get("strength"),
                "source_lines": tuple(lines) if lines else None}

    def document_summary(self, doc_id: str) -> dict[str, Any]:
        doc = self.documents[doc_id]
        return {
            **{k: doc.get(k) for k in ("id", "title", "short_title", "publisher", "year", "doc_number", "kind",
                                        "status", "source_file", "note")},
            "supersedes": doc.get("supersedes", []),
            "superseded_by": doc.get("superseded_by", []),
            **self.versions(doc_id),
            "status_flag": FLAGGED_STATUSES.get(doc["status"]),
            "source_url": doc.get("url"),
            "url": self.document_url(doc_id),
            "chunks": len(self.chunk_order.get(doc_id, [])),
            "sections": len(self.sections.get(doc_id, [])),
        }

    def versions(self, doc_id: str) -> dict[str, list[dict[str, Any]]]:
        """`replaced_by` and `replaces`: the related documents with title and year, for "replaced by …"."""
        base = self.settings.public_base_url
        return {"replaced_by": [r.model_dump() for r in replaced_by(doc_id, self.documents, base)],
                "replaces": [r.model_dump() for r in replaces(doc_id, self.documents, base)]}

    def document_order(self, doc_id: str) -> tuple[int, int, str]:
        """Sort key putting current documents first, then newer before older."""
        doc = self.documents[doc_id]
        status = doc.get("status", "")
        rank = STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)
        return rank, -(doc.get("year") or 0), doc_id

    def passage_order(self, chunk_id: str) -> tuple[int, int, str, int]:
        """Sort key for passages of several documents: `document_order`, then reading order."""
        doc_id, position = self.chunk_position[chunk_id]
        return (*self.document_order(doc_id), position)

    def browse_passage(self, chunk: dict[str, Any]) -> dict[str, Any]:
        """A passage in a list: a short excerpt instead of the whole text, with what binds and where from."""
        short, truncated = excerpt(chunk["text"])
        return {"id": chunk["id"], "kind": chunk["kind"], "excerpt": short, "truncated": truncated,
                "strength": chunk.get("strength"), "legal_refs": self.legal_refs(chunk.get("legal_refs", [])),
                "pathway": chunk.get("pathway", []), "target_groups": chunk.get("target_groups", []),
                "citation": self.citation(chunk)}

    def grouped_passages(self, chunk_ids: list[str]) -> dict[str, Any]:
        """Passages grouped by document (current first) and section (reading order), with counts."""
        by_doc: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for cid in sorted(chunk_ids, key=self.passage_order):
            by_doc[self.chunks[cid]["doc_id"]][self.chunks[cid]["anchor"]].append(cid)
        documents = []
        for doc_id, sections in by_doc.items():
            doc = self.documents[doc_id]
            groups = []
            for anchor, ids in sections.items():
                ref = self.section_ref(doc_id, self.section_index[(doc_id, anchor)])
                assert ref is not None  # every chunk's anchor is a section of its document
                groups.append({"number": ref["number"], "title": ref["title"], "heading": ref["heading"],
                               "anchor": anchor, "url": ref["url"], "count": len(ids),
                               "passages": [self.browse_passage(self.chunks[c]) for c in ids]})
            documents.append({"doc_id": doc_id, "title": doc["title"], "short_title": doc["short_title"],
                              "year": doc.get("year"), "status": doc["status"],
                              "status_flag": FLAGGED_STATUSES.get(doc["status"]), "url": self.document_url(doc_id),
                              "replaced_by": self.versions(doc_id)["replaced_by"],
                              "count": sum(g["count"] for g in groups), "sections": groups})
        return {"count": len(chunk_ids), "documents": documents}

    # -- pathways --------------------------------------------------------------------------------

    def main_pathways(self) -> list[dict[str, Any]]:
        """Hovedforløp 1-3 of Sammen om mestring (chapter 4): title, the guideline's own one-line
        description (the first sentence of the section), and its subsections with their phases."""
        secs = self.sections.get(MAIN_PATHWAY_DOC, [])
        out = []
        for s in secs:
            m = _MAIN_PATHWAY.fullmatch(s["title"])
            if not m:
                continue
            text = next((self.chunks[c]["text"] for c in s["chunk_ids"] if c in self.chunks), "")
            spans = sentence_spans(text)
            subsections = [self.section_ref(MAIN_PATHWAY_DOC, k) for k, sub in enumerate(secs)
                           if sub["parent"] == s["anchor"]]
            ids = self.main_pathway_chunks(int(m.group(1)))
            out.append({
                "number": int(m.group(1)),
                "title": m.group(2).strip(),
                "description": text[spans[0][0]:spans[0][1]] if spans else "",
                "doc_id": MAIN_PATHWAY_DOC,
                "doc_title": self.documents[MAIN_PATHWAY_DOC]["short_title"],
                "section_number": s["number"],
                "anchor": s["anchor"],
                "url": self.document_url(MAIN_PATHWAY_DOC, s["anchor"]),
                "passages": len(ids),
                "recommendations": sum(self.chunks[c]["kind"] == "recommendation" for c in ids),
                "sections": [{"number": sub["number"], "title": sub["title"], "anchor": sub["anchor"],
                              "url": sub["url"], "phases": tags_for("pathway", [sub["title"]], "")}
                             for sub in subsections if sub is not None],
            })
        return out

    def main_pathway_chunks(self, number: int) -> list[str]:
        """The passages of hovedforløp `number`: its section and every section below it."""
        secs = self.sections.get(MAIN_PATHWAY_DOC, [])
        root = next((s["anchor"] for s in secs
                     if (m := _MAIN_PATHWAY.fullmatch(s["title"])) and int(m.group(1)) == number), None)
        if root is None:
            return []
        inside = {root}
        for s in secs:  # reading order: a parent comes before its children
            if s["parent"] in inside:
                inside.add(s["anchor"])
        return [c for s in secs if s["anchor"] in inside for c in s["chunk_ids"] if c in self.chunks]

    def toc(self, doc_id: str) -> list[dict[str, Any]]:
        """The document's sections as a tree (children under their parent), in reading order."""
        nodes: dict[str, dict[str, Any]] = {}
        roots: list[dict[str, Any]] = []
        for s in self.sections.get(doc_id, []):
            node = {
                "anchor": s["anchor"],
                "number": s["number"],
                "title": s["title"],
                "heading": s["heading"],
                "level": s["level"],
                "url": self.document_url(doc_id, s["anchor"]),
                "chunk_count": len(s["chunk_ids"]),
                "children": [],
            }
            nodes[s["anchor"]] = node
            parent = nodes.get(s["parent"]) if s["parent"] else None
            (parent["children"] if parent else roots).append(node)
        return roots

    def find_section(self, anchor: str, doc_id: str | None = None) -> tuple[str, int]:
        """(doc id, position) of a section; KeyError when unknown, ValueError when the anchor is in
        several documents and no document was named."""
        if doc_id is not None:
            if (doc_id, anchor) not in self.section_index:
                raise KeyError(anchor)
            return doc_id, self.section_index[(doc_id, anchor)]
        docs = self.anchor_docs.get(anchor, [])
        if not docs:
            raise KeyError(anchor)
        if len(docs) > 1:
            raise ValueError(
                f"section '{anchor}' occurs in several documents ({', '.join(sorted(docs))}): add ?doc=<document id>"
            )
        return docs[0], self.section_index[(docs[0], anchor)]

    def section_ref(self, doc_id: str, position: int) -> dict[str, Any] | None:
        secs = self.sections.get(doc_id, [])
        if not 0 <= position < len(secs):
            return None
        s = secs[position]
        return {"doc_id": doc_id, "anchor": s["anchor"], "number": s["number"], "title": s["title"],
                "heading": s["heading"], "url": self.document_url(doc_id, s["anchor"])}

    def breadcrumbs(self, doc_id: str, position: int) -> list[dict[str, Any]]:
        """The document, then each enclosing section down to this one."""
        secs = self.sections[doc_id]
        chain = []
        current: dict[str, Any] | None = secs[position]
        while current is not None:
            chain.append(current)
            parent = current["parent"]
            current = secs[self.section_index[(doc_id, parent)]] if parent else None
        crumbs = [{"title": self.documents[doc_id]["short_title"], "doc_id": doc_id, "anchor": None,
                   "url": self.document_url(doc_id)}]
        for s in reversed(chain):
            crumbs.append({"title": s["heading"], "doc_id": doc_id, "anchor": s["anchor"],
                           "url": self.document_url(doc_id, s["anchor"])})
        return crumbs

    # -- laws ------------------------------------------------------------------------------------

    def normalise_ref(self, raw: str) -> str | None:
        """`hol § 3-2`, `HOL §3-2`, `helse- og omsorgstjenesteloven § 3-2`, `hol` -> a key of law_refs."""
        text = re.sub(r"\s+", " ", raw).strip()
        if text in self.law_refs:
            return text
        if text.lower() in self.law_refs:
            return text.lower()
        m = re.fullmatch(r"([a-zæøå0-9-]+)\s*(§|kap\.?)\s*(.+)", text, re.IGNORECASE)
        if m and m.group(1).lower() in all_laws():
            law, mark, rest = m.group(1).lower(), m.group(2).lower(), re.sub(r"\s+", "", m.group(3)).lower()
            candidate = f"{law} § {rest}" if mark == "§" else f"{law} kap. {rest}"
            if candidate in self.law_refs:
                return candidate
        refs = extract_legal_refs(text)
        return refs[0] if refs and refs[0] in self.law_refs else None

    def laws(self) -> list[dict[str, Any]]:
        """Every cited reference, by law key, each law's references in legal order (`_ref_sort_key`)."""
        out = []
        for ref, ids in self.law_refs.items():
            law = law_of_ref(ref)
            kind, label = _ref_kind_label(ref)
            out.append({
                "ref": ref,
                "law": law.key if law else ref.split(" ", 1)[0],
                "law_title": law.title if law else None,
                "law_short": law.short if law else None,
                "in_force": law.in_force if law else None,
                "url": ref_url(ref),
                "passages": len(ids),
                "documents": len({self.chunks[c]["doc_id"] for c in ids}),
                "api": f"/api/laws/{ref}",
                "kind": kind,
                "label": label,
            })
        return sorted(out, key=lambda r: (r["law"], _ref_sort_key(r["ref"])))

    def laws_grouped(self) -> list[dict[str, Any]]:
        """The references grouped by law as a lawyer lists them: in force before repealed, acts before
        regulations, then by short name (Norwegian alphabet); within a law the whole act, its
        paragraphs in numeric order, then its chapters."""
        by_law: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in self.laws():
            by_law[item["law"]].append(item)
        groups = []
        for key, refs in by_law.items():
            ids = {c for r in refs for c in self.law_refs[r["ref"]]}
            groups.append({**self.law_group(key), "passages": len(ids),
                           "documents": len({self.chunks[c]["doc_id"] for c in ids}), "refs": refs})
        return sorted(groups, key=lambda g: (g["repealed"], g["type"] != "lov", _norwegian(g["short"]), g["law"]))

    @staticmethod
    def law_group(key: str) -> dict[str, Any]:
        """A law's names and Lovdata link; a repealed law is labelled "opphevet"."""
        law = all_laws().get(key)
        repealed = law is not None and not law.in_force
        return {"law": key, "short": law.short if law else key, "title": law.title if law else None,
                "type": ("forskrift" if law.lovdata.startswith("FOR") else "lov") if law else None,
                "in_force": law.in_force if law else None, "repealed": repealed,
                "status_label": "opphevet" if repealed else None, "url": law.url if law else None}

    def law_passages(self, key: str) -> list[dict[str, Any]]:
        """The passages citing a reference, current documents first, then reading order."""
        out = []
        for cid in sorted(self.law_refs[key], key=self.passage_order):
            chunk = self.chunks[cid]
            status = self.documents[chunk["doc_id"]]["status"]
            out.append({**self.browse_passage(chunk), "text": chunk["text"], "status": status,
                        "status_flag": FLAGGED_STATUSES.get(status)})
        return out

    # -- suggestions -----------------------------------------------------------------------------

    def _suggestions(self) -> list[Suggestion]:
        items: list[Suggestion] = []
        seen: set[str] = set()
        for doc_id, secs in self.sections.items():
            for s in secs:
                key = s["title"].lower()
                if key in seen:
                    continue
                seen.add(key)
                items.append(Suggestion(s["title"], "section", self.documents[doc_id]["short_title"], doc_id,
                                        s["anchor"], weight=len(s["chunk_ids"])))
        for abbr, expansion in abbreviations().items():
            items.append(Suggestion(abbr, "abbreviation", expansion, weight=5))
            items.append(Suggestion(expansion, "abbreviation", abbr, weight=4))
        for ref, ids in self.law_refs.items():
            law = law_of_ref(ref)
            items.append(Suggestion(ref, "law", law.short if law else None, weight=10 + len(ids)))
        for law in all_laws().values():
            if law.key in self.law_refs:
                items.append(Suggestion(law.short, "law", law.key, weight=10 + len(self.law_refs[law.key])))
        for q in self.questions:
            items.append(Suggestion(q["question"], "question", "Forslag til søk", weight=0))
        for item in items:
            item.lowered = item.text.lower()
            item.words = " " + " ".join(w for w in _SPLIT.split(item.lowered) if w)
        return items

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Completions: whole-text prefix matches first, then word-prefix matches, heavier first;
        then, once three letters are typed, bank questions containing every typed word (at most
        MAX_QUESTION_SUGGESTIONS, the shortest first), labelled as suggestions."""
        needle = re.sub(r"\s+", " ", prefix).strip().lower()
        if not needle:
            return []
        typed = [" " + w for w in _SPLIT.split(needle) if w]
        one_word = len(typed) == 1 and typed[0] == " " + needle
        scored = []
        for item in self.suggestions:
            if item.kind == "question":
                if len(needle) < 3 or not all(t in item.words for t in typed):
                    continue
                rank = 2
            elif item.lowered.startswith(needle):
                rank = 0
            elif (one_word and typed[0] in item.words) or (
                len(needle) >= 4 and needle in item.lowered
            ):
                rank = 1
            else:
                continue
            scored.append((rank, -item.weight, len(item.text), item.text, item))
        scored.sort(key=lambda t: t[:4])
        out, seen, questions = [], set(), 0
        for rank, *_, item in scored:
            if (item.kind, item.lowered) in seen or (rank == 2 and questions == MAX_QUESTION_SUGGESTIONS):
                continue
            seen.add((item.kind, item.lowered))
            questions += rank == 2
            out.append(item)
            if len(out) == limit:
                break
        return out


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def _norwegian(text: str) -> str:
    """A sort key in Norwegian alphabetical order (æ, ø, å after z)."""
    return text.lower().translate(_NORWEGIAN)


_NORWEGIAN = str.maketrans({"æ": "z\x01", "ø": "z\x02", "å": "z\x03"})


_BULLET = re.compile(r"^[ \t]*[-*][ \t]+", re.MULTILINE)


def excerpt(text: str, limit: int = EXCERPT_WORDS) -> tuple[str, bool]:
    """The first `limit` words on one line (list items marked "•"), cut at a word boundary and
    ending with " …" when cut; and whether it was cut."""
    words = _BULLET.sub("• ", text).split()
    if len(words) <= limit:
        return " ".join(words), False
    return " ".join(words[:limit]).rstrip(",;:–-") + " …", True


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
_NUMBER = re.compile(r"(\d+|[IVXL]+)([A-Z]?)(?:-(\d+))?([a-z]?)")


def _number_key(number: str) -> tuple[int, str, int, str]:
    """`2-1a` -> (2, "", 1, "a"); `4A-2` -> (4, "A", 2, ""); `10a` -> (10, "", -1, "a"); `IV` -> (4, "", -1, "")."""
    m = _NUMBER.fullmatch(number)
    if not m:
        return (10**6, number, -1, "")
    head = m.group(1)
    if head.isdigit():
        value = int(head)
    else:  # a roman chapter number
        digits = [_ROMAN[c] for c in head]
        value = sum(-d if i + 1 < len(digits) and d < digits[i + 1] else d for i, d in enumerate(digits))
    return value, m.group(2), int(m.group(3)) if m.group(3) else -1, m.group(4)


def _ref_sort_key(ref: str) -> tuple[int, tuple[int, str, int, str]]:
    """References in legal order: the whole act, its paragraphs numerically (`§ 2-1` < `§ 2-1a` <
    `§ 2-2` < `§ 10-1`; `§ 3` < `§ 10` < `§ 10a`), then its chapters (`kap. 3` < `kap. 10`)."""
    _, _, rest = ref.partition(" ")
    if rest.startswith("§"):
        return 1, _number_key(rest[1:].strip())
    if rest.startswith("kap."):
        return 2, _number_key(rest[4:].strip())
    return 0, (0, "", -1, "")


def _ref_kind_label(ref: str) -> tuple[str, str]:
    """("act", "Hele loven" / "Hele forskriften"), ("paragraph", "§ 3-2") or ("chapter", "kap. 3")."""
    _, _, rest = ref.partition(" ")
    if rest.startswith("§"):
        return "paragraph", rest
    if rest.startswith("kap."):
        return "chapter", rest
    law = law_of_ref(ref)
    return "act", "Hele forskriften" if law and law.lovdata.startswith("FOR") else "Hele loven"
