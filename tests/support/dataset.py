"""Shared test support moved from tests/conftest.py (imported by other test modules)."""

import json
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "ruxue" / "sandbox" / "example-dataset.json"


# the 新市民 family of ``example_v2``: father, mother, child (hukou in 武汉, renting in 姑苏区)
NEW_CITIZENS = ("420102198805050519", "420102199006060627", "420102201912120134")


def example_v2() -> dict[str, Any]:
    """The example city as a version-2 file: moved_in_on dates, a 新市民 family (hukou outside
    the city, renting) with residence permits and points, seat history, priority children, a
    second primary school of 姑苏区 and the overflow between the two, a school code on the
    student status."""
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    data["version"] = 2
    data["hukou_booklets"][0]["members"][2]["moved_in_on"] = "2019-11-02"
    data["hukou_booklets"][1]["members"][1]["moved_in_on"] = "2026-03-15"
    father, mother, child = NEW_CITIZENS
    data["persons"] += [
        _person(father, "张军", "M", "1988-05-05", None, None),
        _person(mother, "黄丽", "F", "1990-06-06", None, None),
        _person(child, "张乐", "M", "2019-12-12", father, mother),
    ]
    data["hukou_booklets"].append(
        {
            "booklet_no": "HK420102000008",
            "district_code": "420102",
            "address": "湖北省武汉市江岸区沿江大道8号",
            "compound_code": "WH-JA-008",
            "members": [
                {"id_number": father, "relation": "户主"},
                {"id_number": mother, "relation": "配偶"},
                {"id_number": child, "relation": "子", "moved_in_on": "2020-01-05"},
            ],
        }
    )
    data["residence_permits"] = [
        {
            "permit_no": "JZ320508-2024-000001",
            "id_number": father,
            "district_code": "320508",
            "address": "苏州市姑苏区平江路2号",
            "compound_code": "GS-PJ-002",
            "valid_from": "2024-03-01",
            "valid_to": "2027-02-28",
        },
        {
            "permit_no": "JZ320508-2025-000002",
            "id_number": mother,
            "district_code": "320508",
            "address": "苏州市姑苏区平江路2号",
            "compound_code": "GS-PJ-002",
            "valid_from": "2025-01-10",
            "valid_to": "2028-01-09",
        },
    ]
    data["points"] = [{"id_number": father, "points": 132.5, "as_of": "2026-04-30"}]
    data["social_insurance"].append(
        {"id_number": father, "city_code": "320500", "months_paid": 30, "since": "2023-11"}
    )
    data["student_status"][0]["school_code"] = "3205080101"
    data["schools"].append(
        {
            "code": "3205080102",
            "name": "苏州市平江路小学",
            "district_code": "320508",
            "segment": "primary",
            "capacity": 45,
            "compound_codes": ["GS-PJ-003"],
            "overflow_to": ["3205080101"],
        }
    )
    data["schools"][0]["overflow_to"] = ["3205080102"]
    data["seat_history"] = [
        {
            "cert_no": "苏(2020)苏州市不动产权第0000001号",
            "child_id_number": "320508201610150211",
            "year": 2022,
            "segment": "primary",
            "school_code": "3205080101",
        },
        {
            "cert_no": "苏(2019)苏州市不动产权第0000066号",
            "child_id_number": "32050820130601037X",
            "year": 2019,
            "segment": "primary",
            "school_code": "3205080101",
        },
    ]
    data["priority_children"] = [
        {"child_id_number": "320508202002020311", "group": "military", "district_code": "320508"},
        {"child_id_number": child, "group": "talent", "district_code": "320508"},
    ]
    return data


def _person(
    id_number: str, name: str, gender: str, born: str, father: str | None, mother: str | None
) -> dict[str, Any]:
    return {
        "id_number": id_number,
        "name": name,
        "gender": gender,
        "birth_date": born,
        "father_id_number": father,
        "mother_id_number": mother,
        "booklet_no": "HK420102000008",
    }
