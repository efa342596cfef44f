"""A SHA-256 Merkle tree over manifest lines, with audit paths (proofs).

Hashing follows RFC 6962 (Certificate Transparency) so that a leaf can never be
passed off as an inner node, or the other way round:

    leaf = SHA-256(0x00 || line)            line: the UTF-8 bytes of one manifest line
    node = SHA-256(0x01 || left || right)

The tree is built level by level, pairing neighbours left to right; a lone last
node on a level is *promoted* unchanged to the next level (never duplicated, so two
different leaf lists cannot share a root, unlike Bitcoin's duplicate-the-last rule).
This gives exactly RFC 6962's Merkle Tree Hash.  The root of an empty tree is
SHA-256 of nothing.

A proof is the list of sibling hashes from the leaf up to the root, each saying on
which side the sibling sits, so checking it needs no tree size or index
(``verify_proof``); levels where the node was promoted contribute no step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

Side = Literal["left", "right"]


def leaf_hash(line: bytes | str) -> bytes:
    """The leaf hash of one manifest line (str is encoded as UTF-8, without newline)."""
    data = line.encode("utf-8") if isinstance(line, str) else bytes(line)
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


@dataclass(frozen=True, slots=True)
class ProofStep:
    """One sibling on the way up: ``side`` is where the *sibling* sits."""

    side: Side
    hash: bytes

    def to_dict(self) -> dict[str, str]:
        return {"side": self.side, "hash": self.hash.hex()}

    @classmethod
    def from_dict(cls, d: dict[str, str]) -> "ProofStep":
        side = d.get("side")
        if side not in ("left", "right"):
            raise ValueError(f"proof step side must be 'left' or 'right', not {side!r}")
        h = bytes.fromhex(d.get("hash") or "")
        if len(h) != HASH_SIZE:
            raise ValueError(f"proof step hash must be {HASH_SIZE} bytes of hex")
        return cls(side, h)


def root_from_proof(line: bytes | str, path: Iterable[ProofStep]) -> bytes:
    """The root that ``line`` and its audit ``path`` lead to."""
    h = leaf_hash(line)
    for step in path:
        h = node_hash(step.hash, h) if step.side == "left" else node_hash(h, step.hash)
    return h


def verify_proof(line: bytes | str, path: Iterable[ProofStep], root: bytes | str) -> bool:
    """True when ``line`` is a leaf of the tree with this ``root`` (bytes or hex)."""
    try:
        want = bytes.fromhex(root) if isinstance(root, str) else bytes(root)
    except ValueError:
        return False
    return root_from_proof(line, path) == want


class RootAccumulator:
    """The root of a tree fed one leaf hash at a time, in O(log n) memory.

    Keeps the roots of the complete subtrees seen so far (heights strictly
    decreasing); the final root folds them right to left, which is what promoting
    lone nodes level by level amounts to.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (height, hash)
        self.count = 0

    def add(self, leaf: bytes) -> None:
        height, h = 0, leaf
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            h = node_hash(left, h)
            height += 1
        self._stack.append((height, h))
        self.count += 1

    def add_line(self, line: bytes | str) -> None:
        self.add(leaf_hash(line))

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h


class MerkleTree:
    """Every level of the tree, kept as packed bytes (32 bytes per node), for proofs.

    251,287 leaves take about 16 MB (all levels together are < 2n nodes).
    """

    def __init__(self, leaves: Sequence[bytes] | Iterable[bytes]) -> None:
        level = bytearray()
        n = 0
        for leaf in leaves:
            if len(leaf) != HASH_SIZE:
                raise ValueError(f"leaf hashes are {HASH_SIZE} bytes, got {len(leaf)}")
            level += leaf
            n += 1
        self.size = n
        self._levels: list[bytes] = [bytes(level)]
        while len(self._levels[-1]) > HASH_SIZE:
            self._levels.append(self._next_level(self._levels[-1]))

    @staticmethod
    def _next_level(level: bytes) -> bytes:
        out = bytearray()
        n = len(level) // HASH_SIZE
        for i in range(0, n - 1, 2):
            a = level[i * HASH_SIZE : (i + 1) * HASH_SIZE]
            b = level[(i + 1) * HASH_SIZE : (i + 2) * HASH_SIZE]
            out += node_hash(a, b)
        if n % 2:  # a lone last node goes up unchanged
            out += level[(n - 1) * HASH_SIZE :]
        return bytes(out)

    @classmethod
    def from_lines(cls, lines: Iterable[bytes | str]) -> "MerkleTree":
        return cls(leaf_hash(line) for line in lines)

    @property
    def root(self) -> bytes:
        return self._levels[-1] if self.size else EMPTY_ROOT

    def leaf(self, index: int) -> bytes:
        self._check(index)
        return self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE]

    def proof(self, index: int) -> list[ProofStep]:
        """The audit path of leaf ``index``, from the leaf up."""
        self._check(index)
        path: list[ProofStep] = []
        i = index
        for level in self._levels[:-1]:
            n = len(level) // HASH_SIZE
            sibling = i ^ 1
            if sibling < n:  # else: promoted, no step at this level
                h = level[sibling * HASH_SIZE : (sibling + 1) * HASH_SIZE]
                path.append(ProofStep("left" if sibling < i else "right", h))
            i //= 2
        return path

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise IndexError(f"leaf {index} is outside a tree of {self.size} leaves")
