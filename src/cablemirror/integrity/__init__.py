"""Integrity: a manifest of every stored record version with a Merkle root, proofs
for single records, and ``verify`` (the store against itself, a manifest, or the
release files).  See docs/integrity.md.

    >>> from cablemirror.integrity import Manifest, verify_store
    >>> with open_store("mirror.db", readonly=True) as store:     # doctest: +SKIP
    ...     print(Manifest.from_store(store).root.hex())
    ...     report = verify_store(store, manifest="manifest.txt")
"""

from .manifest import Manifest, ManifestEntry, ManifestError, read_manifest
from .merkle import MerkleTree, ProofStep, RootAccumulator, leaf_hash, node_hash, verify_proof
from .verify import Finding, VerifyReport, verify_store

__all__ = [
    "Finding",
    "Manifest",
    "ManifestEntry",
    "ManifestError",
    "MerkleTree",
    "ProofStep",
    "RootAccumulator",
    "VerifyReport",
    "leaf_hash",
    "node_hash",
    "read_manifest",
    "verify_proof",
    "verify_store",
]
