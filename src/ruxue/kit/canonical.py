"""RFC 8785 canonical JSON (JCS): orjson where its output is provably the same, ``rfc8785``
otherwise.

Every signed department call canonicalises its request and its answer, and every call-log and
ledger entry is hashed over its canonical form: the pure-Python ``rfc8785`` package took ~120 µs
for a request envelope with its consent, this ~10 µs (a type walk, then orjson with sorted keys).
orjson writes the same bytes as RFC 8785 when:

- every object key is a ``str`` whose characters are all below U+D800: RFC 8785 orders members
  by their UTF-16 code units, orjson by UTF-8 bytes; the two orders agree below the surrogate
  range (an astral character is a surrogate pair in UTF-16, which sorts before U+E000–U+FFFF);
- every ``int`` is within ±(2⁵³ − 1) (RFC 8785 refuses the others, orjson would write them);
- strings: both escape ``"``, ``\\`` and the control characters alike (``\\b \\t \\n \\f \\r``
  by name, the rest as lower-case ``\\u00xx``) and write everything else as UTF-8; both refuse a
  lone surrogate;
- a ``float`` is written by ``rfc8785`` itself (ECMAScript's number form: ``1.0`` → ``1``,
  ``1e21``) and handed to orjson as a ready fragment.

Anything else (a subclass, a non-string key, a big int, a NaN, a lone surrogate) goes to
``rfc8785`` whole, which writes it or raises its own error for it, as before. ``tests/kit/test_canonical.py`` checks the two
agree on arbitrary JSON documents (Hypothesis).
"""

from typing import Any

import orjson
import rfc8785

_INT_MAX = 2**53 - 1  # RFC 8785 § 3.2.2.3: the integers an IEEE 754 double holds exactly
_SORTED = orjson.OPT_SORT_KEYS


class _Slow(Exception):
    """The value holds something only ``rfc8785`` writes canonically."""


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(
            _with_float_fragments(value) if _has_float(value) else value, option=_SORTED
        )
    except (_Slow, orjson.JSONEncodeError, rfc8785.CanonicalizationError):
        return rfc8785.dumps(value)  # writes it, or raises what it raises for this value


def _has_float(value: Any) -> bool:
    """Whether a float is inside; raises ``_Slow`` for anything orjson might write otherwise.
    A loop over a stack of containers, not a call per value: this walk is most of the cost."""
    found = False
    containers: list[Any] = [[value]]
    while containers:
        container = containers.pop()
        if type(container) is dict:
            for key in container:
                if type(key) is not str or not (key.isascii() or max(key) < "\ud800"):
                    raise _Slow
            container = container.values()
        for item in container:
            kind = type(item)
            if kind is str or item is None or kind is bool:
                continue
            if kind is dict or kind is list or kind is tuple:
                containers.append(item)
            elif kind is int:
                if not -_INT_MAX <= item <= _INT_MAX:
                    raise _Slow
            elif kind is float:
                found = True
            else:
                raise _Slow
    return found


def _with_float_fragments(value: Any) -> Any:
    """A copy whose floats are their RFC 8785 form, ready for orjson (checked by ``_has_float``)."""
    kind = type(value)
    if kind is float:
        return orjson.Fragment(rfc8785.dumps(value))
    if kind is dict:
        return {key: _with_float_fragments(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_with_float_fragments(item) for item in value]
    return value
