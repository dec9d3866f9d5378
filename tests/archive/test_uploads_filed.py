"""An uploaded scan, stored encrypted, is filed in the package in clear; the package's job is
queued by the approving request's commit, and only by a final decision."""

from pathlib import Path

from huey import Huey
from sqlalchemy import select

from ruxue.archive.build import build_package
from ruxue.archive.storage import LocalLibrary
from ruxue.cases.models import Case
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.materials.models import Material
from ruxue.materials.service import read_upload
from ruxue.settings import Settings
from tests.support.helpers import ServerThread
from tests.support.materials import PNG, _at_materials_step
from tests.support.personas import CHEN
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client


def _jobs(queue: Huey) -> list[tuple[str, tuple[object, ...]]]:
    return [(task.name, task.args) for task in queue.pending()]


async def test_an_approved_upload_is_filed_in_clear(
    settings: Settings,
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    test_queue: Huey,
    tmp_path: Path,
) -> None:
    guardian = await logged_in(web, sandbox, CHEN)
    no = await _at_materials_step(guardian)
    await guardian.post(
        f"/api/v1/cases/{no}/materials/upload",
        data={"kind": "BIRTH_CERTIFICATE"},
        files={"file": ("c.png", PNG, "image/png")},
    )
    await guardian.post(f"/api/v1/cases/{no}/materials/done")
    test_queue.flush()
    assert (await guardian.post(f"/api/v1/cases/{no}/submit")).json()["outcome"] == "manual_review"
    assert _jobs(test_queue) == [("deliver", (None,))]  # the SMS; review is not final: no package
    reviewer = await staff_client(
        web, "rev-up", await make_staff(db, "rev-up", "reviewer", district="320506")
    )
    body = {"school_code": "3205060101", "category": "A", "note": "已核验"}
    assert (await reviewer.post(f"/api/v1/review/cases/{no}/approve", json=body)).status_code == 200
    assert ("build", (no,)) in _jobs(test_queue)
    test_queue.flush()
    for client in (guardian, reviewer):
        await client.aclose()

    async with db.read_session() as session:
        case = (await session.scalars(select(Case).where(Case.case_no == no))).one()
        material = (await session.scalars(select(Material))).one()
    built = await build_package(
        db,
        LocalLibrary(tmp_path / "library"),
        tmp_path,
        SealKey.generate(),
        case.id,
        "http://127.0.0.1:8000",
    )
    _check_filed(Path(built.location) / "data" / "content" / "002-出生医学证明.png", material)


def _check_filed(filed: Path, material: Material) -> None:
    assert filed.read_bytes() == read_upload(material)
    assert filed.read_bytes().startswith(b"\x89PNG")
    assert not Path(material.path).read_bytes().startswith(b"\x89PNG")
