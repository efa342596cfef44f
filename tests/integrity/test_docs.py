"""docs/integrity.md: the worked example and the verification snippet are right."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cablemirror.integrity.manifest import Manifest, ManifestEntry, read_manifest
from cablemirror.integrity.merkle import leaf_hash, node_hash

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrity.md"
# The example records' bytes, as the worked example describes them.
EXAMPLE = [b"first example record\n", b"second example record\n", b"third example record\n"]


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_example_manifest_reads_back_with_its_root(tmp_path: Path) -> None:
    (text,) = [b for b in blocks("text") if b.startswith("# cablemirror manifest")]
    path = tmp_path / "example.txt"
    path.write_text(text, encoding="utf-8")
    mf = read_manifest(path)
    assert mf.problems == [] and mf.claimed_root == mf.computed_root and mf.lines == 3
    assert Manifest.from_entries(mf.entries).text() == text  # exactly what the code writes
    import hashlib

    assert [e.sha256 for e in mf.entries] == [hashlib.sha256(b).hexdigest() for b in EXAMPLE]


def test_the_worked_numbers_and_the_proof(tmp_path: Path) -> None:
    doc = DOC.read_text(encoding="utf-8")
    (text,) = [b for b in blocks("text") if b.startswith("# cablemirror manifest")]
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    leaves = [leaf_hash(line) for line in lines]
    for leaf in leaves:
        assert leaf.hex() in doc
    n01 = node_hash(leaves[0], leaves[1])
    root = node_hash(n01, leaves[2])
    assert f"n01  = SHA-256(0x01 || leaf0 || leaf1) = {n01.hex()}" in doc
    assert f"root = SHA-256(0x01 || n01 || leaf2)   = {root.hex()}" in doc
    (proof_text,) = blocks("json")
    proof = json.loads(proof_text)
    assert proof == Manifest.from_entries(ManifestEntry.from_line(x) for x in lines).proof(2)

    # The snippet readers are told to use, run as written.
    (snippet,) = blocks("python")
    scope: dict[str, object] = {}
    exec(snippet, scope)  # noqa: S102  (our own documentation)
    check = scope["check"]
    assert check(proof, EXAMPLE[2], root.hex())  # type: ignore[operator]
    assert not check(proof, EXAMPLE[1], root.hex())  # type: ignore[operator]
    assert not check(proof, EXAMPLE[2], "00" * 32)  # type: ignore[operator]


def test_the_javascript_snippet_agrees(tmp_path: Path) -> None:
    import shutil
    import subprocess

    import pytest

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript snippet is not run")
    (snippet,) = blocks("js")
    (proof_text,) = blocks("json")
    proof = json.loads(proof_text)
    script = tmp_path / "check.js"
    script.write_text(
        snippet
        + f"\nconst proof = {json.dumps(proof)};\n"
        + f"console.log(check(proof, Buffer.from({json.dumps(EXAMPLE[2].decode())}), {json.dumps(proof['root'])}));\n"
        + f"console.log(check(proof, Buffer.from({json.dumps(EXAMPLE[1].decode())}), {json.dumps(proof['root'])}));\n"
    )
    out = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["true", "false"]
