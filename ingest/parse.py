"""Corpus Markdown -> a validated document with a section tree (markdown-it-py).

This is where a document enters. Anything malformed stops here with a `CorpusError`
that names the file, the line and the problem, before anything is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from pydantic import ValidationError

from veiviser.schema import DocumentMeta

SECTION_NUMBER = re.compile(r"^(?P<number>\d+(?:\.\d+)*)\s+(?P<title>\S.*)$")
STRUCTURE_MARKS = {"faq", "recommendations", "definitions"}


class CorpusError(ValueError):
    """A corpus file that cannot be ingested: which file, which line, what is wrong."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = Path(path), line, problem
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {problem}")


@dataclass
class Block:
    """A paragraph, list, quote box or table under a heading, as display text."""

    type: str  # paragraph | list | quote | table
    text: str
    footnote_labels: list[str]
    items: list[str] = field(default_factory=list)  # list items (for lists)


@dataclass
class Section:
    level: int
    number: str | None
    title: str
    heading: str  # as written, number included
    anchor: str
    line: int
    marks: set[str] = field(default_factory=set)
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    parent: Section | None = field(default=None, repr=False)

    @property
    def path(self) -> list[str]:
        """Headings from the chapter down to this section."""
        node: Section | None = self
        out: list[str] = []
        while node is not None:
            out.append(node.heading)
            node = node.parent
        return out[::-1]

    @property
    def effective_number(self) -> str:
        """The section number of this section or, when unnumbered, of its nearest numbered ancestor."""
        node: Section | None = self
        while node is not None:
            if node.number:
                return node.number
            node = node.parent
        return ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class ParsedDocument:
    path: Path
    meta: DocumentMeta
    sections: list[Section]  # top-level sections (level 1)
    footnotes: dict[str, str]

    def walk(self):
        for section in self.sections:
            yield from section.walk()


def markdown_parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark")
        .use(front_matter_plugin)
        .use(footnote_plugin)
        .use(attrs_block_plugin)
        .enable("table")
    )


def slugify(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "seksjon"


def inline_text(token: Token) -> tuple[str, list[str]]:
    """Plain text of an inline token and the footnote labels it references."""
    parts: list[str] = []
    labels: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "footnote_ref":
            labels.append(child.meta["label"])
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip(), labels


_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")


def undefined_references(tokens: list[Token]) -> list[tuple[str, int]]:
    """(label, line) of footnote references with no definition: markdown-it leaves those as
    literal `[^label]` text instead of a footnote_ref token."""
    found: list[tuple[str, int]] = []
    line = 1
    for tok in tokens:
        if tok.map:
            line = tok.map[0] + 1
        if tok.type != "inline":
            continue
        for child in tok.children or []:
            if child.type == "text":
                found += [(m.group(1), line) for m in _FOOTNOTE_REF.finditer(child.content)]
    return found


def parse_front_matter(path: Path, tokens: list[Token]) -> DocumentMeta:
    if not tokens or tokens[0].type != "front_matter":
        raise CorpusError(path, 1, "missing YAML front matter (a block between '---' lines at the top)")
    try:
        raw = yaml.safe_load(tokens[0].content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise CorpusError(path, line, f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise CorpusError(path, 1, "front matter must be a YAML mapping of fields")
    try:
        meta = DocumentMeta.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"])
        line = _front_matter_line(tokens[0].content, field_name)
        raise CorpusError(path, line, f"front matter field '{field_name}': {first['msg']}") from exc
    return meta


def _front_matter_line(front: str, field_name: str) -> int:
    for i, line in enumerate(front.splitlines()):
        if line.startswith(f"{field_name.split('.')[0]}:"):
            return i + 2
    return 1


def parse_document(path: Path) -> ParsedDocument:
    """Parse and validate one corpus file."""
    text = path.read_text(encoding="utf-8")
    tokens = markdown_parser().parse(text)
    meta = parse_front_matter(path, tokens)

    roots: list[Section] = []
    stack: list[Section] = []
    anchors: set[str] = set()
    footnotes: dict[str, str] = {}
    referenced: dict[str, int] = {}
    last_number: tuple[int, ...] | None = None

    i = 0
    list_depth = 0
    quote_depth = 0
    current_list: Block | None = None
    current_quote: list[str] = []
    quote_labels: list[str] = []
    in_footnote: str | None = None

    def attach(block: Block, line: int) -> None:
        if not stack:
            raise CorpusError(path, line, "text before the first heading; start the body with a '#' heading")
        stack[-1].blocks.append(block)

    while i < len(tokens):
        tok = tokens[i]
        line = (tok.map[0] + 1) if tok.map else 0
        if tok.type == "footnote_open":
            in_footnote = tok.meta["label"]
        elif tok.type == "footnote_close":
            in_footnote = None
        elif in_footnote is not None:
            if tok.type == "inline":
                body, _ = inline_text(tok)
                footnotes[in_footnote] = (footnotes.get(in_footnote, "") + " " + body).strip()
        elif tok.type == "heading_open":
            level = int(tok.tag[1:])
            heading_text, _ = inline_text(tokens[i + 1])
            number_match = SECTION_NUMBER.match(heading_text)
            number = number_match.group("number") if number_match else None
            title = number_match.group("title") if number_match else heading_text
            if not heading_text:
                raise CorpusError(path, line, "empty heading")
            if stack and level > stack[-1].level + 1:
                raise CorpusError(
                    path, line, f"heading level {level} follows level {stack[-1].level}: a level is skipped"
                )
            if not stack and level != 1:
                raise CorpusError(path, line, f"the first heading must be level 1 ('#'), found level {level}")
            if number:
                depth = len(number.split("."))
                if depth != level:
                    raise CorpusError(
                        path, line, f"section {number} has {depth} number part(s) but heading level {level}"
                    )
                key = tuple(int(p) for p in number.split("."))
                if last_number is not None and key <= last_number:
                    raise CorpusError(path, line, f"section {number} comes after {'.'.join(map(str, last_number))}")
                last_number = key
            marks = set((tok.attrs or {}).get("class", "").split()) & STRUCTURE_MARKS
            anchor = slugify(heading_text)
            base, n = anchor, 2
            while anchor in anchors:
                anchor, n = f"{base}-{n}", n + 1
            anchors.add(anchor)
            section = Section(level, number, title, heading_text, anchor, line, marks)
            while stack and stack[-1].level >= level:
                stack.pop()
            if stack:
                section.parent = stack[-1]
                stack[-1].children.append(section)
            else:
                roots.append(section)
            stack.append(section)
            i += 3
            continue
        elif tok.type == "blockquote_open":
            quote_depth += 1
            if quote_depth == 1:
                current_quote, quote_labels = [], []
        elif tok.type == "blockquote_close":
            quote_depth -= 1
            if quote_depth == 0:
                attach(Block("quote", "\n".join(current_quote), quote_labels), line)
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
            if list_depth == 1 and quote_depth == 0:
                current_list = Block("list", "", [])
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            if list_depth == 0 and current_list is not None:
                current_list.text = "\n".join(
                    f"{item[: len(item) - len(item.lstrip())]}- {item.strip()}" for item in current_list.items
                )
                attach(current_list, line)
                current_list = None
        elif tok.type == "list_item_open" and current_list is not None:
            current_list.items.append("  " * (list_depth - 1))
        elif tok.type == "table_open":
            rows: list[str] = []
            labels: list[str] = []
            j = i + 1
            row: list[str] = []
            while tokens[j].type != "table_close":
                if tokens[j].type == "inline":
                    cell, cell_labels = inline_text(tokens[j])
                    row.append(cell)
                    labels += cell_labels
                elif tokens[j].type == "tr_close":
                    rows.append(" | ".join(row))
                    row = []
                j += 1
            attach(Block("table", "\n".join(rows), labels), line)
            i = j + 1
            continue
        elif tok.type == "inline":
            body, labels = inline_text(tok)
            for label in labels:
                referenced.setdefault(label, line)
            if quote_depth:
                current_quote.append(body)
                quote_labels.extend(labels)
            elif current_list is not None:
                item = current_list.items[-1]
                current_list.items[-1] = f"{item} {body}" if item.strip() else item + body
                current_list.footnote_labels.extend(labels)
            else:
                attach(Block("paragraph", body, labels), line)
        i += 1

    undefined = undefined_references(tokens)
    if undefined:
        label, line = undefined[0]
        raise CorpusError(path, line, f"footnote [^{label}] is referenced but never defined")
    for label, line in referenced.items():
        if label not in footnotes:
            raise CorpusError(path, line, f"footnote [^{label}] is referenced but never defined")
    if not roots:
        raise CorpusError(path, 1, "no headings: a document needs at least one '#' heading")
    return ParsedDocument(path, meta, roots, footnotes)


def load_corpus(corpus_dir: Path) -> list[ParsedDocument]:
    """Every document in the corpus folder, validated; duplicate ids stop the load."""
    files = sorted(corpus_dir.glob("*.md"))
    if not files:
        raise CorpusError(corpus_dir, None, "no Markdown documents found")
    documents = [parse_document(path) for path in files]
    seen: dict[str, Path] = {}
    for doc in documents:
        if doc.meta.id in seen:
            line = _front_matter_line(doc.path.read_text(encoding="utf-8").split("\n", 1)[-1], "id")
            raise CorpusError(doc.path, line, f"duplicate id '{doc.meta.id}' (also in {seen[doc.meta.id].name})")
        seen[doc.meta.id] = doc.path
    return documents
