"""Section tree -> chunks: retrievable passages that never cross a section boundary.

Sizing: body text is packed into passages of at most MAX_WORDS words (a long paragraph is cut
at sentence ends), and a short remainder is merged into the passage before it. One FAQ
question with its answer is one passage; recommendation bullets are grouped under their
heading; each definition is its own passage; a side box ("For mer informasjon") stands alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.parse import Block, ParsedDocument, Section
from ingest.source_map import PROBE, SourceMap
from veiviser.laws import find_law_mentions
from veiviser.legal_refs import extract_legal_refs
from veiviser.schema import Chunk, Footnote
from veiviser.sentences import sentence_spans
from veiviser.tags import recommendation_strength, tags_for
from veiviser.text_analysis import letters

MAX_WORDS = 300
MIN_WORDS = 80
RECOMMENDATION_GROUP_WORDS = 180


def words(text: str) -> int:
    return len(text.split())


@dataclass
class Draft:
    """A passage being assembled: its blocks' texts, footnote labels and kind."""

    kind: str
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    list_words: int = 0

    @property
    def text(self) -> str:
        return "\n\n".join(self.texts)

    @property
    def size(self) -> int:
        return words(self.text)

    def add(self, text: str, labels: list[str], is_list: bool = False) -> None:
        self.texts.append(text)
        self.labels.extend(labels)
        if is_list:
            self.list_words += words(text)


def split_sentences(text: str, limit: int) -> list[str]:
    """Cut an over-long paragraph at sentence ends into pieces of at most `limit` words."""
    pieces: list[str] = []
    current = ""
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        candidate = f"{current} {sentence}".strip()
        if current and words(candidate) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _is_more_info(block: Block) -> bool:
    return block.type == "quote" and block.text.lower().startswith("for mer informasjon")


def pack_body(blocks: list[Block], kind: str) -> list[Draft]:
    """Pack a section's own blocks into passages of at most MAX_WORDS words."""
    drafts: list[Draft] = []
    current = Draft(kind)

    def flush() -> None:
        nonlocal current
        if current.texts:
            drafts.append(current)
        current = Draft(kind)

    for block in blocks:
        if block.type == "quote":
            flush()
            box = Draft("list" if _is_more_info(block) else kind)
            box.add(block.text, block.footnote_labels, is_list=_is_more_info(block))
            drafts.append(box)
            continue
        pieces = [block.text]
        if block.type == "list" and words(block.text) > MAX_WORDS:
            pieces = _group_items(block.items, MAX_WORDS)
        elif words(block.text) > MAX_WORDS:
            pieces = split_sentences(block.text, MAX_WORDS)
        for piece in pieces:
            if current.texts and current.size + words(piece) > MAX_WORDS:
                flush()
            current.add(piece, block.footnote_labels, is_list=block.type == "list")
    flush()
    return _merge_short_tail(drafts)


def _group_items(items: list[str], limit: int) -> list[str]:
    groups: list[str] = []
    current: list[str] = []
    for item in items:
        line = f"{item[: len(item) - len(item.lstrip())]}- {item.strip()}"
        if current and words("\n".join(current + [line])) > limit:
            groups.append("\n".join(current))
            current = []
        current.append(line)
    if current:
        groups.append("\n".join(current))
    return groups


def _merge_short_tail(drafts: list[Draft]) -> list[Draft]:
    merged: list[Draft] = []
    for draft in drafts:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and draft.size < MIN_WORDS
            and prev.kind == draft.kind
            and prev.size + draft.size <= MAX_WORDS + 50
            and prev.list_words == 0 == draft.list_words
        ):
            prev.texts.extend(draft.texts)
            prev.labels.extend(draft.labels)
        else:
            merged.append(draft)
    return merged


def plan_section(section: Section) -> list[Draft]:
    """The passages made from one section's own blocks (children are planned separately)."""
    marks = _inherited_marks(section)
    if "recommendations" in marks:
        # in reading order: runs of paragraphs are packed, bullets grouped, and a lead-in
        # paragraph ending in ':' ("Hovedmål for psykisk helse- og rusarbeid:") opens its list
        drafts: list[Draft] = []
        run: list[Block] = []
        for block in section.blocks:
            if block.type != "list":
                run.append(block)
                continue
            lead = run.pop() if run and run[-1].type == "paragraph" and run[-1].text.endswith(":") else None
            if run:
                drafts += pack_body(run, "recommendation")
                run = []
            for n, group in enumerate(_group_items(block.items, RECOMMENDATION_GROUP_WORDS)):
                draft = Draft("recommendation")
                if lead is not None and n == 0:
                    draft.add(lead.text, lead.footnote_labels)
                draft.add(group, block.footnote_labels)
                drafts.append(draft)
        if run:
            drafts += pack_body(run, "recommendation")
        return drafts
    if "definitions" in section.marks:
        drafts = []
        for block in section.blocks:
            entries = block.items if block.type == "list" else [block.text]
            for entry in entries:
                draft = Draft("definition")
                draft.add(entry.strip(), block.footnote_labels)
                drafts.append(draft)
        return drafts
    return pack_body(section.blocks, "text")


def _inherited_marks(section: Section) -> set[str]:
    marks: set[str] = set()
    node: Section | None = section
    while node is not None:
        marks |= node.marks
        node = node.parent
    return marks


def _faq_draft(question: Section) -> Draft:
    draft = Draft("faq")
    draft.add(question.title, [])
    for node in question.walk():
        for block in node.blocks:
            draft.add(block.text, block.footnote_labels, is_list=block.type == "list")
    return draft


def iter_drafts(doc: ParsedDocument) -> Iterator[tuple[Section, list[Draft]]]:
    """(section, passages) in document order; FAQ questions become one passage each."""
    for section in doc.walk():
        parent = section.parent
        if any("faq" in a.marks for a in _ancestors(section)):
            if parent is not None and "faq" in parent.marks:
                yield section, [_faq_draft(section)]
            continue
        yield section, plan_section(section)


def _ancestors(section: Section) -> Iterator[Section]:
    node = section.parent
    while node is not None:
        yield node
        node = node.parent


def _context_law(section: Section, year: int) -> str | None:
    """The law a section's heading names (002 lists one law per entry), deepest heading first."""
    node: Section | None = section
    while node is not None:
        mentions = find_law_mentions(node.heading, year)
        if mentions:
            return mentions[0].key
        node = node.parent
    return None


def chunk_document(doc: ParsedDocument, source_map: SourceMap | None = None) -> list[Chunk]:
    """All chunks of one parsed document, with citations, tags and source lines."""
    meta = doc.meta
    chunks: list[Chunk] = []
    cursor = 0
    for section, drafts in iter_drafts(doc):
        context_law = _context_law(section, meta.year)
        for seq, draft in enumerate(drafts, start=1):
            text = draft.text.strip()
            if not text:
                continue
            labels = list(dict.fromkeys(draft.labels))
            footnotes = [Footnote(label=label, text=doc.footnotes[label]) for label in labels]
            refs = extract_legal_refs(text, meta.year, context_law)
            for note in footnotes:
                refs += extract_legal_refs(note.text, meta.year)
            refs = _drop_bare_duplicates(list(dict.fromkeys(refs)))
            tag_text = text + "\n" + "\n".join(n.text for n in footnotes)
            lines = None
            if source_map is not None:
                lines, cursor = _source_lines(source_map, draft.texts, cursor)
            chunks.append(
                Chunk(
                    id=f"{meta.id}/{section.anchor}/{seq}",
                    doc_id=meta.id,
                    doc_title=meta.title,
                    doc_status=meta.status,
                    chapter=section.path[0],
                    section_number=section.effective_number,
                    section_title=section.title,
                    section_path=section.path,
                    anchor=section.anchor,
                    kind=_final_kind(draft),  # type: ignore[arg-type]
                    text=text,
                    footnotes=footnotes,
                    legal_refs=refs,
                    pathway=tags_for("pathway", section.path, tag_text),
                    target_groups=tags_for("target_groups", section.path, tag_text),
                    strength=recommendation_strength(text, section.path) if draft.kind == "recommendation" else None,  # type: ignore[arg-type]
                    source_lines=lines,
                )
            )
    return chunks


def _final_kind(draft: Draft) -> str:
    if draft.kind == "text" and draft.list_words * 2 >= draft.size:
        return "list"
    return draft.kind


def _drop_bare_duplicates(refs: list[str]) -> list[str]:
    """`hol` alone adds nothing when `hol § 3-2` is also there."""
    specific = {r.split(" ", 1)[0] for r in refs if " " in r}
    return [r for r in refs if " " in r or r not in specific]


def _source_lines(source_map: SourceMap, texts: list[str], cursor: int) -> tuple[tuple[int, int] | None, int]:
    """The source lines a passage's texts come from, and the reading position after them.

    Short lines (a box title such as "For mer informasjon", a run-in heading) occur many times
    in a source, so when the passage has longer lines they are placed next to those: just
    before the line that follows them, or else after the one before them."""
    parts = [part for text in texts for part in text.split("\n") if letters(part)]
    start = cursor
    short = [len(letters(part)) < PROBE for part in parts]
    found: list[tuple[int, int, int] | None] = [None] * len(parts)
    for i, part in enumerate(parts):
        if short[i] and not all(short):
            continue
        found[i] = source_map.locate(part, cursor)
        if found[i] is not None:
            cursor = found[i][2]  # type: ignore[index]
    for i, part in enumerate(parts):
        if found[i] is not None or not short[i] or all(short):
            continue
        following = next((f for f in found[i + 1 :] if f is not None), None)
        preceding = next((f for f in reversed(found[:i]) if f is not None), None)
        if following is not None:
            found[i] = source_map.locate(part, preceding[2] if preceding else start,
                                         before=source_map.line_start(following[0] + 1))
        elif preceding is not None:
            found[i] = source_map.locate(part, preceding[2])
    located = [f for f in found if f is not None]
    if not located:
        return None, cursor
    return (min(f[0] for f in located), max(f[1] for f in located)), cursor


def chunk_corpus(documents: list[ParsedDocument], sources_dir: Path | None) -> list[Chunk]:
    """Chunks of every document; source lines where the raw source file is available."""
    chunks: list[Chunk] = []
    for doc in documents:
        source_map = None
        if sources_dir is not None and doc.meta.source_file:
            path = sources_dir / doc.meta.source_file
            if path.exists():
                source_map = SourceMap(path)
        chunks.extend(chunk_document(doc, source_map))
    return chunks


def section_tables(documents: list[ParsedDocument], chunks: list[Chunk]) -> dict[str, list[dict]]:
    """Each document's sections in reading order, for tables of contents and the section reader."""
    by_section: dict[tuple[str, str], list[str]] = {}
    for chunk in chunks:
        by_section.setdefault((chunk.doc_id, chunk.anchor), []).append(chunk.id)
    tables: dict[str, list[dict]] = {}
    for doc in documents:
        tables[doc.meta.id] = [
            {
                "anchor": s.anchor,
                "number": s.number,
                "title": s.title,
                "heading": s.heading,
                "level": s.level,
                "parent": s.parent.anchor if s.parent else None,
                "path": s.path,
                "chunk_ids": by_section.get((doc.meta.id, s.anchor), []),
            }
            for s in doc.walk()
        ]
    return tables
