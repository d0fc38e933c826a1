"""A broken corpus stops ingest with an error naming the file, the line and the problem, and a
failed `veiviser index build` leaves the index that was current untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.parse import CorpusError, load_corpus, parse_document
from veiviser.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"
SOM = "sammen-om-mestring-2014.md"


def broken_copy(tmp_path: Path, name: str, edit: Callable[[str], str]) -> Path:
    """A copy of the real corpus with one file edited."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text, "the edit did not change the file"
    path.write_text(changed, encoding="utf-8")
    return folder


def replace_line(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        lines = text.split("\n")
        assert lines.count(old) == 1, f"expected exactly one line {old!r}"
        lines[lines.index(old)] = new
        return "\n".join(lines)

    return edit


def line_of(folder: Path, name: str, line: str) -> int:
    return (folder / name).read_text(encoding="utf-8").split("\n").index(line) + 1


def expect_error(folder: Path) -> CorpusError:
    with pytest.raises(CorpusError) as info:
        load_corpus(folder)
    return info.value


def test_the_real_corpus_parses() -> None:
    documents = load_corpus(CORPUS)
    assert len(documents) == 5
    assert len({d.meta.id for d in documents}) == 5


def test_missing_front_matter(tmp_path: Path) -> None:
    def drop_front_matter(text: str) -> str:
        return text.split("\n---\n", 1)[1]

    folder = broken_copy(tmp_path, SOM, drop_front_matter)
    error = expect_error(folder)
    assert error.path.name == SOM and error.line == 1
    assert "missing YAML front matter" in error.problem
    assert str(error).startswith(f"{folder / SOM}:1: ")


def test_invalid_yaml(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, SOM, replace_line("supersedes: []", "supersedes: [nasjonal-veileder"))
    error = expect_error(folder)
    assert error.path.name == SOM
    assert "not valid YAML" in error.problem
    assert error.line is not None and abs(error.line - line_of(folder, SOM, "supersedes: [nasjonal-veileder")) <= 1


def test_unknown_status(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, SOM, replace_line("status: gjeldende", "status: utgått"))
    error = expect_error(folder)
    assert error.path.name == SOM
    assert error.line == line_of(folder, SOM, "status: utgått") == 9
    assert "'status'" in error.problem and "gjeldende" in error.problem  # names the allowed values


def test_missing_title(tmp_path: Path) -> None:
    def drop_title(text: str) -> str:
        return "\n".join(line for line in text.split("\n") if not line.startswith("title:"))

    folder = broken_copy(tmp_path, SOM, drop_title)
    error = expect_error(folder)
    assert error.path.name == SOM and error.line == 1
    assert "'title'" in error.problem and "required" in error.problem.lower()


def test_duplicate_id_across_two_files(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    original = (folder / "pasientforlop-rop-2018.md").read_text(encoding="utf-8")
    copy = original.replace("---\nid:", "---\n# en kopi\nid:", 1)
    (folder / "zz-kopi.md").write_text(copy, encoding="utf-8")
    error = expect_error(folder)
    assert error.path.name == "zz-kopi.md"
    assert error.line == 3  # the id line
    assert "duplicate id 'pasientforlop-rop-2018'" in error.problem
    assert "pasientforlop-rop-2018.md" in error.problem  # names the other file


def test_skipped_heading_level(tmp_path: Path) -> None:
    bad = "### Lokalt rus- og psykisk helsearbeid"
    folder = broken_copy(tmp_path, SOM, replace_line("## Lokalt rus- og psykisk helsearbeid", bad))
    error = expect_error(folder)
    assert error.path.name == SOM
    assert error.line == line_of(folder, SOM, bad)
    assert "level 3 follows level 1" in error.problem and "skipped" in error.problem


def test_section_number_out_of_order(tmp_path: Path) -> None:
    bad = "## 1.1 Barn som pårørende"
    folder = broken_copy(tmp_path, SOM, replace_line("## 1.3 Barn som pårørende", bad))
    error = expect_error(folder)
    assert error.path.name == SOM
    assert error.line == line_of(folder, SOM, bad)
    assert "section 1.1 comes after 1.2" in error.problem


def test_number_depth_must_match_heading_level(tmp_path: Path) -> None:
    bad = "### 1.3 Barn som pårørende"
    folder = broken_copy(tmp_path, SOM, replace_line("## 1.3 Barn som pårørende", bad))
    error = expect_error(folder)
    assert error.line == line_of(folder, SOM, bad)
    assert "1.3 has 2 number part(s) but heading level 3" in error.problem


def test_footnote_reference_without_definition(tmp_path: Path) -> None:
    definition = "[^1-15]: Pasient- og brukerrettighetsloven § 4-1 første ledd"

    def drop_definition(text: str) -> str:
        return text.replace(definition + "\n", "")

    folder = broken_copy(tmp_path, SOM, drop_definition)
    error = expect_error(folder)
    assert error.path.name == SOM
    lines = (folder / SOM).read_text(encoding="utf-8").split("\n")
    assert "[^1-15]" in lines[error.line - 1]
    assert "[^1-15]" in error.problem and "never defined" in error.problem


def test_text_before_first_heading(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, SOM, replace_line("# Forord", "Løs tekst før første overskrift.\n\n# Forord"))
    error = expect_error(folder)
    assert error.line == line_of(folder, SOM, "Løs tekst før første overskrift.")
    assert "before the first heading" in error.problem


def test_single_document_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "hand-written.md"
    path.write_text("---\nid: Ugyldig Id\n---\n\n# Tittel\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        parse_document(path)
    assert info.value.path == path and info.value.line == 2
    assert "'id'" in info.value.problem


def test_failed_index_build_keeps_the_current_index(tmp_path: Path, settings, index) -> None:
    """`veiviser index build` on a broken corpus exits non-zero and leaves CURRENT and every
    built version as they were."""
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    current = (data / "CURRENT").read_text()
    versions = sorted(p.name for p in (data / "indexes").iterdir())
    folder = broken_copy(tmp_path, SOM, replace_line("status: gjeldende", "status: utgått"))
    env = {
        **os.environ,
        "VEIVISER_CORPUS_DIR": str(folder),
        "VEIVISER_DATA_DIR": str(data),
        "VEIVISER_CACHE_DIR": str(settings.cache_dir),
        "VEIVISER_MODEL_DIR": str(settings.model_dir),
        "HF_HUB_OFFLINE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "veiviser.cli", "index", "build", "--quiet"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0
    assert f"{SOM}:9" in result.stderr and "status" in result.stderr
    assert (data / "CURRENT").read_text() == current == index.version
    assert sorted(p.name for p in (data / "indexes").iterdir()) == versions
