"""The question bank (`corpus/questions/<doc_id>.yaml`) -> validated questions mapped to their chunks.

The bank holds, for each passage, the questions a practitioner would ask that it answers, written
by people at development time (never generated at search time). Each entry quotes an evidence
snippet from one section; ingest maps its questions to the chunk(s) of that section whose text
holds the snippet. Format: docs/corpus-format.md ("Question bank").

A broken file stops the build with an error naming the file, the line and the problem, like a
broken Markdown file: the index already serving is not touched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.parse import CorpusError
from veiviser.schema import Chunk
from veiviser.text_analysis import letters

LANGS = ("nb", "nn", "en")
MAX_QUESTION_CHARS = 300
MIN_EVIDENCE_WORDS = 8
PART_LETTERS = 25  # a snippet cut by a passage boundary maps to each passage holding 25 letters of it
ANSWERABLE_KINDS = ("text", "faq", "recommendation", "definition")


@dataclass(frozen=True)
class BankQuestion:
    question: str
    lang: str
    doc_id: str
    anchor: str
    evidence: str
    chunk_ids: tuple[str, ...]
    path: Path
    line: int

    @property
    def key(self) -> str:
        return f"{self.doc_id}#{normalise(self.question)}"


def normalise(question: str) -> str:
    return re.sub(r"\s+", " ", question.casefold()).strip()


def bank_folder(corpus_dir: Path) -> Path:
    return corpus_dir / "questions"


def load_bank(corpus_dir: Path, chunks: list[Chunk]) -> list[BankQuestion]:
    """Every bank file's questions, validated against the chunks; [] when there is no bank."""
    folder = bank_folder(corpus_dir)
    if not folder.is_dir():
        return []
    sections: dict[tuple[str, str], list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        sections[(chunk.doc_id, chunk.anchor)].append(chunk)
    doc_ids = {c.doc_id for c in chunks}
    questions: list[BankQuestion] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.stem not in doc_ids:
            raise CorpusError(path, None, f"no document with id '{path.stem}' (a bank file is named <doc_id>.yaml)")
        questions += _load_file(path, path.stem, sections)
    return questions


def _load_file(path: Path, doc_id: str, sections: dict[tuple[str, str], list[Chunk]]) -> list[BankQuestion]:
    try:
        # libyaml's parser when PyYAML has it (its wheels do): five times faster, same nodes and marks
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CorpusError(path, mark.line + 1 if mark else None, f"not valid YAML: {exc}") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise CorpusError(path, root.start_mark.line + 1, "a bank file is a list of entries")
    out: list[BankQuestion] = []
    seen: dict[str, int] = {}
    for entry in root.value:
        line = entry.start_mark.line + 1
        if not isinstance(entry, yaml.MappingNode):
            raise CorpusError(path, line, "an entry is a mapping with section, evidence and nb/nn/en questions")
        fields = {key.value: value for key, value in entry.value}
        unknown = sorted(set(fields) - {"section", "evidence", *LANGS})
        if unknown:
            raise CorpusError(path, line, f"unknown key(s) {', '.join(unknown)}; allowed: section, evidence, "
                              f"{', '.join(LANGS)}")
        anchor = _scalar(path, fields.get("section"), line, "section")
        evidence = _scalar(path, fields.get("evidence"), line, "evidence")
        if (doc_id, anchor) not in sections:
            raise CorpusError(path, line, f"unknown section anchor '{anchor}' in document {doc_id}")
        if len(evidence.split()) < MIN_EVIDENCE_WORDS:
            raise CorpusError(path, line, f"evidence must be a verbatim snippet of at least {MIN_EVIDENCE_WORDS} words")
        chunk_ids = evidence_chunks(evidence, sections[(doc_id, anchor)])
        if not chunk_ids:
            raise CorpusError(path, fields["evidence"].start_mark.line + 1,
                              f"evidence not found in section '{anchor}': {evidence[:80]!r}")
        if not any(lang in fields for lang in LANGS):
            raise CorpusError(path, line, "an entry needs at least one question (nb, nn or en)")
        for lang in LANGS:
            if lang not in fields:
                continue
            node = fields[lang]
            if not isinstance(node, yaml.SequenceNode):
                raise CorpusError(path, node.start_mark.line + 1, f"'{lang}' must be a list of questions")
            for item in node.value:
                qline = item.start_mark.line + 1
                question = _scalar(path, item, qline, f"a question in '{lang}'").strip()
                if not question or len(question) > MAX_QUESTION_CHARS:
                    raise CorpusError(path, qline, f"a question must have 1 to {MAX_QUESTION_CHARS} characters")
                key = normalise(question)
                if key in seen:
                    raise CorpusError(path, qline, f"duplicate question (also on line {seen[key]}): {question!r}")
                seen[key] = qline
                out.append(BankQuestion(question, lang, doc_id, anchor, evidence, chunk_ids, path, qline))
    return out


def _scalar(path: Path, node: yaml.Node | None, line: int, what: str) -> str:
    if node is None:
        raise CorpusError(path, line, f"missing {what}")
    if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
        raise CorpusError(path, node.start_mark.line + 1, f"{what} must be a non-empty text")
    return node.value


def evidence_chunks(evidence: str, section_chunks: list[Chunk]) -> tuple[str, ...]:
    """The chunks whose text holds the snippet (compared by letters only, so case, whitespace,
    hyphenation and punctuation do not matter); where a passage boundary cuts it, each one holding
    a part of it. Empty when the section does not contain it."""
    needle = letters(evidence)
    texts = [(c.id, letters(c.text)) for c in section_chunks]
    whole = tuple(cid for cid, text in texts if needle in text)
    if whole:
        return whole
    if needle not in "".join(text for _, text in texts):
        return ()
    parts = [needle[i:i + PART_LETTERS] for i in range(0, max(1, len(needle) - PART_LETTERS + 1), 5)]
    return tuple(cid for cid, text in texts if any(part in text for part in parts))


def coverage(chunks: list[Chunk], questions: list[BankQuestion]) -> dict[str, tuple[int, int]]:
    """Per document: (answerable chunks with at least one question, answerable chunks)."""
    covered = {cid for q in questions for cid in q.chunk_ids}
    out: dict[str, tuple[int, int]] = {}
    for chunk in chunks:
        if chunk.kind not in ANSWERABLE_KINDS:
            continue
        have, total = out.get(chunk.doc_id, (0, 0))
        out[chunk.doc_id] = (have + (chunk.id in covered), total + 1)
    return out


def stats_lines(documents: list, chunks: list[Chunk], questions: list[BankQuestion]) -> list[str]:
    """`veiviser corpus stats`: questions per document and language, and the share of answerable
    chunks that have at least one."""
    covered = coverage(chunks, questions)
    langs = " ".join(f"{lang:>5}" for lang in LANGS)
    lines = [f"question bank (corpus/questions/): {len(questions)} questions",
             f"  {'document':45} {'questions':>9} {langs} {'chunks covered':>15}"]
    for doc in documents:
        mine = [q for q in questions if q.doc_id == doc.meta.id]
        have, total = covered.get(doc.meta.id, (0, 0))
        per_lang = " ".join(f"{sum(q.lang == lang for q in mine):>5}" for lang in LANGS)
        share = f"{have}/{total} ({have / total:.0%})" if total else "-"
        lines.append(f"  {doc.meta.id:45} {len(mine):>9} {per_lang} {share:>15}")
    return lines
