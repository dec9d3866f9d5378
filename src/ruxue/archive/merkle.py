"""The append-only log of case events as a Merkle tree (RFC 6962/9162 structure, SM3 hashing):
tree heads, inclusion proofs and their verification. Pure functions.

Written here rather than taken from a library: the RFC algorithms are a few lines, and the
maintained Python transparency-log libraries hard-wire SHA-256."""

from collections.abc import Sequence

from ruxue.kit.crypto import sm3


def leaf_hash(entry: bytes) -> bytes:
    return sm3(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sm3(b"\x01" + left + right)


def _split(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """Merkle tree hash of leaf hashes (MTH of RFC 6962)."""
    if not leaves:
        return sm3(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962: the sibling hashes from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise IndexError(index)
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), root(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), root(leaves[:k])]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def append(
    frontier: Sequence[bytes], size: int, leaf: bytes
) -> tuple[list[bytes], list[bytes], bytes]:
    """Append one leaf to a log of ``size`` leaves known only by its compact range ``frontier``
    (the roots of its perfect subtrees, largest first: one per set bit of ``size``). Returns the
    new frontier, the new leaf's inclusion proof and the new root — O(log n), so filing a package
    does not read the whole log. For the last leaf, PATH is the frontier read right to left."""
    if len(frontier) != size.bit_count():
        raise ValueError("frontier does not match size")
    proof = list(reversed(frontier))
    new_root = leaf
    for node in proof:
        new_root = node_hash(node, new_root)
    grown, carry, n = list(frontier), leaf, size
    while n & 1:
        carry, n = node_hash(grown.pop(), carry), n >> 1
    grown.append(carry)
    return grown, proof, new_root
