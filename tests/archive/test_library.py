"""School staff consult only their own applicants' archives; every consultation is logged and the
archivist sees who, when, which package and why."""

from pathlib import Path

from ruxue.kit.db import Database
from tests.helpers import ServerThread
from tests.staff.helpers import make_staff, staff_client


async def test_consultation_is_scoped_and_logged(
    package: Path, web: ServerThread, db: Database
) -> None:
    number = package.name
    own = await staff_client(
        web, "lib-pj", await make_staff(db, "lib-pj", "desk", school="3205080101")
    )
    other = await staff_client(
        web, "lib-dw", await make_staff(db, "lib-dw", "desk", school="3205060101")
    )
    wz_reviewer = await staff_client(
        web, "lib-wz", await make_staff(db, "lib-wz", "reviewer", district="320506")
    )
    archivist = await staff_client(web, "lib-arc", await make_staff(db, "lib-arc", "archivist"))

    assert (
        await own.get(f"/api/v1/archive/packages/{number}")
    ).status_code == 422  # a reason is required
    assert (
        await own.get(f"/api/v1/archive/packages/{number}", params={"why": " "})
    ).status_code == 400
    view = await own.get(f"/api/v1/archive/packages/{number}", params={"why": "新生报到核对"})
    assert view.status_code == 200
    body = view.json()
    assert (
        body["documents"] == ["content/001-公办地段学位告知书.pdf"] and body["checks"][0]["passed"]
    )
    assert any(e["action"] == "decide" for e in body["trace"])
    pdf = await own.get(
        f"/api/v1/archive/packages/{number}/files/001-公办地段学位告知书.pdf",
        params={"why": "打印"},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for client in (other, wz_reviewer):
        assert (
            await client.get(f"/api/v1/archive/packages/{number}", params={"why": "看看"})
        ).status_code == 404
        assert (await client.get(f"/api/v1/archive/packages/{number}/files/001-公办地段学位告知书.pdf",
                                 params={"why": "看看"})).status_code == 404  # fmt: skip
    assert (await own.get("/api/v1/archive/consultations")).status_code == 403
    log = (await archivist.get("/api/v1/archive/consultations")).json()
    assert [(r["username"], r["why"]) for r in log] == [
        ("lib-pj", "打印"),
        ("lib-pj", "新生报到核对"),
    ]
    for client in (own, other, wz_reviewer, archivist):
        await client.aclose()
