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
from api.search.results import FLAGGED_STATUSES, cite, document_url, legal_refs
from veiviser.index_format import IndexUnavailable, version_folder
from veiviser.laws import all_laws, law_of_ref, ref_url
from veiviser.legal_refs import extract_legal_refs
from veiviser.settings import Settings

MAX_QUESTION_SUGGESTIONS = 4
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
            "status_flag": FLAGGED_STATUSES.get(doc["status"]),
            "source_url": doc.get("url"),
            "url": self.document_url(doc_id),
            "chunks": len(self.chunk_order.get(doc_id, [])),
            "sections": len(self.sections.get(doc_id, [])),
        }

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
        out = []
        for ref, ids in self.law_refs.items():
            law = law_of_ref(ref)
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
            })
        return sorted(out, key=lambda r: (r["law"], _ref_sort_key(r["ref"])))

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
        return items

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Completions: whole-text prefix matches first, then word-prefix matches, heavier first;
        then, once three letters are typed, bank questions containing every typed word (at most
        MAX_QUESTION_SUGGESTIONS, the shortest first), labelled as suggestions."""
        needle = re.sub(r"\s+", " ", prefix).strip().lower()
        if not needle:
            return []
        typed = [w for w in _SPLIT.split(needle) if w]
        scored = []
        for item in self.suggestions:
            if item.kind == "question":
                if len(needle) < 3 or not all(any(w.startswith(t) for w in _SPLIT.split(item.lowered)) for t in typed):
                    continue
                rank = 2
            elif item.lowered.startswith(needle):
                rank = 0
            elif any(word.startswith(needle) for word in _SPLIT.split(item.lowered)) or (
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


def _ref_sort_key(ref: str) -> tuple:
    """Paragraphs in legal order: `hol` < `hol § 2-1` < `hol § 3-2` < `hol § 10-2` < `hol kap. 3`."""
    parts = re.findall(r"\d+|[a-zæøå]+", ref.split(" ", 1)[1] if " " in ref else "")
    return (0 if "§" in ref else 1 if "kap" in ref else -1, [(int(p), "") if p.isdigit() else (0, p) for p in parts])
