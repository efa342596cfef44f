"""The Merkle tree: hand-computed roots, RFC 6962 vectors, and proofs that fail when
anything is changed."""

from __future__ import annotations

import hashlib
import math

import pytest

from cablemirror.integrity.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofStep,
    RootAccumulator,
    leaf_hash,
    node_hash,
    verify_proof,
)


def H(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc6962_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, written as the RFC states it (split at the largest power
    of two below n), independently of the level-by-level construction under test."""
    n = len(leaves)
    if n == 0:
        return H(b"")
    if n == 1:
        return H(b"\x00" + leaves[0])
    k = 1 << (n - 1).bit_length() - 1
    return H(b"\x01" + rfc6962_mth(leaves[:k]) + rfc6962_mth(leaves[k:]))


def lines(n: int) -> list[bytes]:
    return [f"line {i}".encode() for i in range(n)]


def test_small_trees_by_hand() -> None:
    a, b, c, d, e = (H(b"\x00" + x) for x in (b"a", b"b", b"c", b"d", b"e"))
    assert leaf_hash("a") == a and leaf_hash(b"a") == a
    assert node_hash(a, b) == H(b"\x01" + a + b)
    assert MerkleTree([]).root == EMPTY_ROOT == H(b"")
    assert MerkleTree([a]).root == a
    assert MerkleTree([a, b]).root == H(b"\x01" + a + b)
    ab = H(b"\x01" + a + b)
    # Three leaves: c has no partner and goes up unchanged (not paired with itself).
    assert MerkleTree([a, b, c]).root == H(b"\x01" + ab + c)
    assert MerkleTree([a, b, c]).root != H(b"\x01" + ab + H(b"\x01" + c + c))
    cd = H(b"\x01" + c + d)
    assert MerkleTree([a, b, c, d]).root == H(b"\x01" + ab + cd)
    assert MerkleTree([a, b, c, d, e]).root == H(b"\x01" + H(b"\x01" + ab + cd) + e)


def test_rfc6962_reference_vectors() -> None:
    # The leaf inputs and roots used by Certificate Transparency's Merkle tree tests.
    inputs = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        bytes(range(0x50, 0x58)),
        bytes(range(0x60, 0x70)),
    ]
    roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    for n in range(1, 9):
        assert MerkleTree.from_lines(inputs[:n]).root.hex() == roots[n - 1], n
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("n", range(0, 70))
def test_levels_streaming_and_rfc_agree(n: int) -> None:
    data = lines(n)
    acc = RootAccumulator()
    for line in data:
        acc.add_line(line)
    assert acc.count == n
    assert MerkleTree.from_lines(data).root == acc.root() == rfc6962_mth(data)


@pytest.mark.parametrize("n", range(1, 34))
def test_every_leaf_proves_and_every_change_fails(n: int) -> None:
    data = lines(n)
    tree = MerkleTree.from_lines(data)
    root = tree.root
    for i, line in enumerate(data):
        path = tree.proof(i)
        assert len(path) <= math.ceil(math.log2(n)) if n > 1 else path == []
        assert verify_proof(line, path, root)
        assert verify_proof(line, path, root.hex())
        assert tree.leaf(i) == leaf_hash(line)
        # Another leaf's line, a changed line, a wrong root: all fail.
        assert not verify_proof(line + b"x", path, root)
        if n > 1:
            assert not verify_proof(data[(i + 1) % n], path, root)
        assert not verify_proof(line, path, bytes(32))
        assert not verify_proof(line, path, "not hex")
        for j, step in enumerate(path):
            flipped = bytearray(step.hash)
            flipped[0] ^= 1
            bad = path[:j] + [ProofStep(step.side, bytes(flipped))] + path[j + 1 :]
            assert not verify_proof(line, bad, root)
            other = "left" if step.side == "right" else "right"
            swapped = path[:j] + [ProofStep(other, step.hash)] + path[j + 1 :]
            assert not verify_proof(line, swapped, root)
        if path:
            assert not verify_proof(line, path[:-1], root)  # a step left out


def test_an_inner_node_cannot_pass_for_a_leaf() -> None:
    data = lines(4)
    tree = MerkleTree.from_lines(data)
    ab = node_hash(leaf_hash(data[0]), leaf_hash(data[1]))
    cd = tree.proof(0)[-1]
    assert cd.side == "right" and node_hash(ab, cd.hash) == tree.root
    # The attack: offer the inner node's children as if they were one line, with a
    # one-step path.  Without the 0x00/0x01 prefixes H(left || right) would be both
    # that "leaf" and the node, and the forged proof would pass.
    forged_line = leaf_hash(data[0]) + leaf_hash(data[1])
    assert not verify_proof(forged_line, [cd], tree.root)


def test_proof_steps_as_json_and_back() -> None:
    tree = MerkleTree.from_lines(lines(5))
    path = tree.proof(4)
    again = [ProofStep.from_dict(s.to_dict()) for s in path]
    assert again == path
    with pytest.raises(ValueError):
        ProofStep.from_dict({"side": "up", "hash": "00" * 32})
    with pytest.raises(ValueError):
        ProofStep.from_dict({"side": "left", "hash": "00"})


def test_bad_leaves_and_indices_are_errors() -> None:
    with pytest.raises(ValueError):
        MerkleTree([b"short"])
    tree = MerkleTree.from_lines(lines(3))
    with pytest.raises(IndexError):
        tree.proof(3)
    with pytest.raises(IndexError):
        tree.leaf(-1)
