"""The sandbox's version-2 services read straight from the store: permits, points, moved_in_on."""

import json

import pytest

from ruxue.dataset.service import load_dataset, parse_dataset
from ruxue.sandbox.departments import SERVICES, NoRecord
from ruxue.sandbox.store import Store
from tests.support.dataset import EXAMPLE, NEW_CITIZENS, example_v2

FATHER, MOTHER, CHILD = NEW_CITIZENS


def test_version_2_store_serves_permits_points_and_moved_in_on() -> None:
    store = Store(parse_dataset(json.dumps(example_v2()).encode()))
    permits = SERVICES["police.residence_permits"](store, {"id_number": MOTHER})
    assert [p.permit_no for p in permits] == ["JZ320508-2025-000002"]
    assert SERVICES["points.points"](store, {"id_number": FATHER}).points == 132.5
    with pytest.raises(NoRecord):
        SERVICES["points.points"](store, {"id_number": MOTHER})
    hukou = SERVICES["police.hukou"](store, {"id_number": CHILD})
    assert [m.get("moved_in_on") for m in hukou["members"]] == [None, None, "2020-01-05"]
    assert hukou["members"][2]["name"] == "张乐"


def test_version_1_store_answers_as_before() -> None:
    store = Store(load_dataset(EXAMPLE))
    hukou = SERVICES["police.hukou"](store, {"id_number": "320508201910150213"})
    assert hukou["members"][0] == {
        "id_number": "320508198801010110",
        "relation": "户主",
        "name": "王建国",
    }
    assert SERVICES["police.residence_permits"](store, {"id_number": FATHER}) == []
