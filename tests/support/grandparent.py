"""A grandparent's family for the guardian journeys (domain.md "A guardian who is not a parent"):
孙建华 (grandfather) raises his granddaughter 孙小雨, whose hukou is in his booklet at his flat on
平江路, co-owned with his wife 钱秀英 (who never consents to anything). The parents, 孙志强 and
周丽, are married, live in 昆山 and own a flat there. A sandbox and an app that know this family."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import msgspec

from ruxue.dataset.service import load_dataset
from ruxue.exchange.records import (
    BirthCertificate,
    Booklet,
    Marriage,
    Member,
    Owner,
    Person,
    Property,
)
from ruxue.person.rules import make_id_number
from ruxue.sandbox.app import create_sandbox_app
from ruxue.settings import Settings
from tests.support.dataset import EXAMPLE
from tests.support.helpers import ServerThread, free_port

GRANDPA = make_id_number("320508", dt.date(1958, 5, 5), 711)
GRANDMA = make_id_number("320508", dt.date(1960, 6, 6), 712)
FATHER = make_id_number("320583", dt.date(1985, 8, 8), 713)
MOTHER = make_id_number("320583", dt.date(1987, 9, 9), 714)
CHILD = make_id_number("320508", dt.date(2020, 3, 3), 716)
GRANDPA_BOOKLET, PARENTS_BOOKLET = "HK320508000101", "HK320583000102"
GRANDPA_FLAT = "苏(2010)苏州市不动产权第0000101号"
GRANDPA_OTHER_FLAT = "苏(2012)苏州市不动产权第0000103号"
PARENTS_FLAT = "苏(2018)昆山市不动产权第0000102号"
HOME = "苏州市姑苏区平江路9号"


def _person(id_number: str, name: str, booklet: str, **parents: str) -> Person:
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    gender = "M" if int(id_number[16]) % 2 else "F"
    return Person(
        id_number, name, gender, born, parents.get("father"), parents.get("mother"), booklet
    )


def _flat(
    cert: str, district: str, address: str, compound: str, area: float, *owners: str
) -> Property:
    share = [Owner(o, 1 / len(owners)) for o in owners]
    return Property(
        cert, district, address, compound, area, "residential", dt.date(2010, 1, 1), share
    )


def family_dataset() -> object:
    data = load_dataset(EXAMPLE)
    persons = [
        _person(GRANDPA, "孙建华", GRANDPA_BOOKLET),
        _person(GRANDMA, "钱秀英", GRANDPA_BOOKLET),
        _person(FATHER, "孙志强", PARENTS_BOOKLET),
        _person(MOTHER, "周丽", PARENTS_BOOKLET),
        _person(CHILD, "孙小雨", GRANDPA_BOOKLET, father=FATHER, mother=MOTHER),
    ]
    booklets = [
        Booklet(GRANDPA_BOOKLET, "320508", HOME, "GS-PJ-001",
                [Member(GRANDPA, "户主"), Member(GRANDMA, "配偶"), Member(CHILD, "孙女")]),
        Booklet(PARENTS_BOOKLET, "320583", "昆山市玉山镇前进路7号", "KS-YS-007",
                [Member(FATHER, "户主"), Member(MOTHER, "配偶")]),
    ]  # fmt: skip
    flats = [
        _flat(GRANDPA_FLAT, "320508", HOME, "GS-PJ-001", 80.0, GRANDPA, GRANDMA),
        _flat(GRANDPA_OTHER_FLAT, "320508", "苏州市姑苏区仓街30号", "GS-PJ-002", 120.0, GRANDPA),
        _flat(PARENTS_FLAT, "320583", "昆山市玉山镇前进路7号", "KS-YS-007", 90.0, FATHER, MOTHER),
    ]
    marriages = [
        Marriage("J320583-2014-000701", FATHER, MOTHER, dt.date(2014, 5, 1), "married"),
        Marriage("J320508-1983-000702", GRANDPA, GRANDMA, dt.date(1983, 5, 1), "married"),
    ]
    birth = BirthCertificate(
        "P320000716", CHILD, FATHER, MOTHER, dt.date(2020, 3, 3), "苏州市立医院"
    )
    return msgspec.structs.replace(
        data,
        persons=[*data.persons, *persons],
        hukou_booklets=[*data.hukou_booklets, *booklets],
        properties=[*data.properties, *flats],
        marriages=[*data.marriages, *marriages],
        birth_certificates=[*data.birth_certificates, birth],
    )


@contextmanager
def family_servers(settings: Settings) -> Iterator[tuple[ServerThread, ServerThread]]:
    """A sandbox that knows the family and an app (same database) that asks it: (web, sandbox)."""
    from ruxue.web.app import create_app

    sandbox_port, web_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    config = {
        "public_url": f"http://127.0.0.1:{web_port}",
        "exchange_url": f"{sandbox_url}/exchange",
        "idp_url": f"{sandbox_url}/idp",
        "sms_url": f"{sandbox_url}/_sandbox/sms",
    }
    ours = settings.model_copy(update=config)
    sandbox_app = create_sandbox_app(family_dataset(), ours, sandbox_url)  # type: ignore[arg-type]
    with (
        ServerThread(sandbox_app, sandbox_port) as sandbox,
        ServerThread(create_app(ours), web_port) as web,
    ):
        yield web, sandbox
