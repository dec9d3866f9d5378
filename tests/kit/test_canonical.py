"""Canonical JSON: the orjson fast path writes what ``rfc8785`` writes, or ``rfc8785`` is used."""

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ruxue.kit import canonical

# every code point, lone surrogates included (the default alphabet leaves them out)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
KEYS = st.one_of(
    ANY_TEXT,
    st.text(st.sampled_from("aZ_é中\ud7ff\ue000\uffff😀\U00010000\U0010ffff"), max_size=4),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.integers(),  # beyond ±(2^53 - 1): refused by RFC 8785, written by orjson
    st.floats(),  # NaN and infinities included
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from([0.0, -0.0, 1.0, 1e21, 1e-7, 1e16, 123456789012345680.0, 5e-324]),
    ANY_TEXT,
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(KEYS, inner, max_size=6),
    ),
    max_leaves=30,
)


def outcome(dump: Any, value: Any) -> tuple[str, Any]:
    try:
        return "written", dump(value)
    except Exception as exc:  # the same refusal is what is compared
        return "refused", type(exc)


@pytest.mark.slow  # ~10 s: a thousand documents through both
@settings(max_examples=1000)
@given(DOCUMENTS)
def test_same_as_rfc8785(value: Any) -> None:
    assert outcome(canonical.dumps, value) == outcome(rfc8785.dumps, value)


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [1.5, 2.0, {"\ue000": 0, "😀": 1}]},  # UTF-16 order: the astral key first
        {"a": 2**53, "b": 0.5},
        {1: "a"},
        {"a": "\ud800"},
        {"a": "\ud800", "b": float("nan")},
        {"a": True, "z": None, "m": '\x00\x1f\x7f\u2028"\\'},
        [1e21, 1e-7, -0.0, 100.0, 0.1 + 0.2],
    ],
)
def test_edges(value: Any) -> None:
    assert outcome(canonical.dumps, value) == outcome(rfc8785.dumps, value)


def test_the_fast_path_is_taken_for_what_we_send() -> None:
    """An envelope-like document (ASCII keys, safe ints, strings, a float) never reaches
    rfc8785 whole: only its float does."""
    calls: list[Any] = []
    real = rfc8785.dumps

    def spy(value: Any) -> bytes:
        calls.append(value)
        return real(value)

    document = {"header": {"id": "x", "n": 3, "consents": [{"s": ["一", "b"]}]}, "area": 89.5}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rfc8785, "dumps", spy)
        assert canonical.dumps(document) == real(document)
    assert calls == [89.5]
