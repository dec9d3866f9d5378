import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruxue.archive.merkle import (
    append,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_inclusion,
)

entries = st.lists(st.binary(min_size=0, max_size=40), min_size=1, max_size=70)


def test_small_trees_by_hand() -> None:
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert root([a]) == a
    assert root([a, b]) == node_hash(a, b)
    assert root([a, b, c]) == node_hash(node_hash(a, b), c)
    assert inclusion_proof(2, [a, b, c]) == [node_hash(a, b)]
    assert inclusion_proof(0, [a, b, c]) == [b, c]


@given(entries, st.data())
def test_every_inclusion_proof_verifies(raw: list[bytes], data: st.DataObject) -> None:
    leaves = [leaf_hash(e) for e in raw]
    head = root(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = inclusion_proof(index, leaves)
    assert verify_inclusion(leaves[index], index, len(leaves), proof, head)


@given(entries, st.data())
def test_a_changed_entry_or_proof_fails(raw: list[bytes], data: st.DataObject) -> None:
    leaves = [leaf_hash(e) for e in raw]
    head = root(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = inclusion_proof(index, leaves)
    assert not verify_inclusion(leaf_hash(raw[index] + b"x"), index, len(leaves), proof, head)
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof[:k], bytes(32), *proof[k + 1 :]]
        assert not verify_inclusion(leaves[index], index, len(leaves), bad, head)
    if len(leaves) > 1:
        other = (index + 1) % len(leaves)
        assert (
            not verify_inclusion(leaves[index], other, len(leaves), proof, head)
            or leaves[index] == leaves[other]
        )


@given(entries)
def test_appending_to_the_compact_range_matches_the_whole_tree(raw: list[bytes]) -> None:
    """Grow a log one leaf at a time from its frontier only; after every append the root and the
    new leaf's proof equal what the full-tree functions compute from all the leaves."""
    leaves = [leaf_hash(e) for e in raw]
    frontier: list[bytes] = []
    for size, leaf in enumerate(leaves):
        frontier, proof, head = append(frontier, size, leaf)
        assert head == root(leaves[: size + 1])
        assert proof == inclusion_proof(size, leaves[: size + 1])
        assert len(frontier) == (size + 1).bit_count()


def test_a_frontier_of_the_wrong_size_is_refused() -> None:
    a = leaf_hash(b"a")
    with pytest.raises(ValueError):
        append([a], 3, a)  # three leaves are two perfect subtrees (2 + 1), not one
