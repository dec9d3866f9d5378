"""Key rotation keeps exactly the previous key published; the first key is created once."""

from pathlib import Path

import pytest

from ruxue.provider import keys

pytestmark = pytest.mark.slow


def test_rotation_publishes_current_and_previous(tmp_path: Path) -> None:
    first = keys.current(tmp_path).kid
    assert keys.current(tmp_path).kid == first  # created once, then read
    second = keys.rotate(tmp_path)
    assert [k["kid"] for k in keys.published(tmp_path)["keys"]] == [second, first]
    third = keys.rotate(tmp_path)
    assert [k["kid"] for k in keys.published(tmp_path)["keys"]] == [third, second]
    assert all("d" not in k for k in keys.published(tmp_path)["keys"])  # no private parts
