"""The case-event log under concurrent filing: consecutive indexes, and every proof verifies
against the signed head it came with and against the final log."""

import asyncio
import base64

from sqlalchemy import select

from ruxue.archive.build import _log_proof
from ruxue.archive.merkle import inclusion_proof, leaf_hash, root, verify_inclusion
from ruxue.archive.models import LogHead, LogLeaf
from ruxue.kit.crypto import canonical_json
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey, verify


async def test_concurrent_appends_get_consecutive_leaves_and_valid_proofs(db: Database) -> None:
    seal = SealKey.generate()
    traces = {f"DA2026320508{i:010X}": f"trace of case {i}\n".encode() for i in range(24)}
    proofs = await asyncio.gather(*(_log_proof(db, n, t, seal) for n, t in traces.items()))
    async with db.read_session() as session:
        leaves = (await session.scalars(select(LogLeaf).order_by(LogLeaf.index))).all()
        head = await session.get(LogHead, 1)
    assert [leaf.index for leaf in leaves] == list(range(24))
    assert head is not None and head.size == 24
    hashes = [bytes.fromhex(leaf.leaf_hash) for leaf in leaves]
    assert head.root == root(hashes).hex()
    for trace, proof in zip(traces.values(), proofs, strict=True):
        tree = proof["tree_head"]
        assert isinstance(tree, dict)
        signed = {k: tree[k] for k in ("size", "root", "at")}
        assert verify(
            tree["public_key"].encode(), canonical_json(signed), base64.b64decode(tree["signature"])
        )
        index = proof["leaf_index"]
        assert isinstance(index, int)
        path = [bytes.fromhex(h) for h in proof["proof"]]  # type: ignore[attr-defined]
        assert verify_inclusion(
            leaf_hash(trace), index, tree["size"], path, bytes.fromhex(tree["root"])
        )
        assert inclusion_proof(index, hashes[: tree["size"]]) == path

    number = next(iter(traces))
    again = await _log_proof(db, number, traces[number], seal)
    assert again["leaf_index"] == proofs[0]["leaf_index"]  # a rebuilt package keeps its place
    assert again["tree_head"]["size"] == 24  # type: ignore[index]
