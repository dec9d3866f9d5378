"""What each department answers. A handler takes the store and the request body and returns data,
or raises ``NoRecord`` (HTTP 404: the department has nothing on this person)."""

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from ruxue.sandbox.store import Store

Handler = Callable[[Store, dict[str, Any]], Any]
T = TypeVar("T")


class NoRecord(Exception):
    pass


def _found(record: T | None) -> T:
    if record is None:
        raise NoRecord
    return record


def _person(store: Store, body: dict[str, Any]) -> Any:
    return _found(store.persons.get(body["id_number"]))


def _hukou(store: Store, body: dict[str, Any]) -> Any:
    booklet = store.booklets[_person(store, body).booklet_no]
    members = [
        msgspec.to_builtins(m) | {"name": store.persons[m.id_number].name} for m in booklet.members
    ]
    return {**msgspec.structs.asdict(booklet), "members": members}


def _permits(store: Store, body: dict[str, Any]) -> Any:
    """A person's residence permits (居住证), valid or not; none is an empty list."""
    return store.permits.get(body["id_number"], [])


def _points(store: Store, body: dict[str, Any]) -> Any:
    """A person's 流动人口积分 (the department ``points``); none is no record."""
    return _found(store.points.get(body["id_number"]))


def _residences(store: Store, body: dict[str, Any]) -> Any:
    return [store.properties[c] for c in store.owned.get(body["id_number"], [])]


def _certificate(store: Store, body: dict[str, Any]) -> Any:
    prop = store.properties.get(body.get("cert_no", ""))
    if prop is None or body["id_number"] not in {o.id_number for o in prop.owners}:
        raise NoRecord
    return prop


def _family_residences(store: Store, body: dict[str, Any]) -> list[str]:
    certs: dict[str, None] = {}
    for pid in body["id_numbers"]:
        for cert in store.owned.get(pid, []):
            if store.properties[cert].usage == "residential":
                certs[cert] = None
    return list(certs)


def _unique_housing(store: Store, body: dict[str, Any]) -> Any:
    certs = _family_residences(store, body)
    return {"residences": len(certs), "unique": len(certs) == 1, "cert_nos": certs}


def _no_housing(store: Store, body: dict[str, Any]) -> Any:
    certs = _family_residences(store, body)
    return {"residences": len(certs), "no_housing": not certs}


def _marriage(store: Store, body: dict[str, Any]) -> Any:
    return store.marriages.get(body["id_number"], [])


def _birth(store: Store, body: dict[str, Any]) -> Any:
    return _found(store.births.get(body["id_number"]))


def _insurance(store: Store, body: dict[str, Any]) -> Any:
    return _found(store.insurance.get(body["id_number"]))


def _student_status(store: Store, body: dict[str, Any]) -> Any:
    return store.student_status.get(body["id_number"], [])


def _elicences(store: Store, body: dict[str, Any]) -> Any:
    pid = body["id_number"]
    person = _person(store, body)
    licences = [{"type": "户口簿", "licence_no": person.booklet_no}]
    licences += [{"type": "不动产权证书", "licence_no": c} for c in store.owned.get(pid, [])]
    licences += [
        {"type": "结婚证", "licence_no": m.cert_no}
        for m in store.marriages.get(pid, [])
        if m.status == "married"
    ]
    if pid in store.births:
        licences.append({"type": "出生医学证明", "licence_no": store.births[pid].cert_no})
    return licences


def _parents(store: Store, pid: str) -> dict[str, Any]:
    p = store.persons[pid]
    return {
        "id_number": pid,
        "father_id_number": p.father_id_number,
        "mother_id_number": p.mother_id_number,
    }


def _cohort(store: Store, body: dict[str, Any]) -> Any:
    """Children born in a date range, with their parents (for the proactive precheck)."""
    start, end = dt.date.fromisoformat(body["born_from"]), dt.date.fromisoformat(body["born_to"])
    return [
        _parents(store, p.id_number) for p in store.data.persons if start <= p.birth_date <= end
    ]


def _graduates(store: Store, body: dict[str, Any]) -> Any:
    year = int(body["graduation_year"])
    return [_parents(store, s.id_number) for s in store.data.student_status
            if s.stage == "primary" and s.graduation_year == year and s.status == "enrolled"]  # fmt: skip


def _register(store: Store, body: dict[str, Any]) -> Any:
    """The issuer files a licence: number, holder, issuer, the PDF, its SM2 signature and the id
    of the issuer's published key that made it (the library keeps no key of its own)."""
    no = body["licence_no"]
    store.licences[no] = {
        "licence_no": no,
        "type": body["type"],
        "holder_id_number": body["holder_id_number"],
        "holder_name": body["holder_name"],
        "issuer": body["issuer"],
        "pdf_base64": body["pdf_base64"],
        "signature_hex": body["signature_hex"],
        "key_id": body["key_id"],
        "signed_at": body["signed_at"],
        "status": "valid",
        "revoked_reason": "",
    }
    return {"licence_no": no, "status": "valid"}


def _revoke(store: Store, body: dict[str, Any]) -> Any:
    licence = _found(store.licences.get(body["licence_no"]))
    licence.update(status="revoked", revoked_reason=body.get("reason", ""))
    return {"licence_no": licence["licence_no"], "status": "revoked"}


def _lookup(store: Store, body: dict[str, Any]) -> Any:
    return _found(store.licences.get(body["licence_no"]))


SERVICES: dict[str, Handler] = {
    "police.cohort": _cohort,
    "xueji.graduates": _graduates,
    "police.person": _person,
    "police.hukou": _hukou,
    "police.residence_permits": _permits,
    "points.points": _points,
    "property.residences": _residences,
    "property.certificate": _certificate,
    "property.unique_housing": _unique_housing,
    "property.no_housing": _no_housing,
    "civil.marriage": _marriage,
    "health.birth_certificate": _birth,
    "hrss.social_insurance": _insurance,
    "xueji.student_status": _student_status,
    "elicence.licences": _elicences,
    "elicence.register": _register,
    "elicence.revoke": _revoke,
    "elicence.lookup": _lookup,
}
