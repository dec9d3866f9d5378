"""GD-4-2 with ClamAV from Debian and a local signature database: an EICAR file in the materials
is caught and named; a clean package passes."""

import os
import shutil
from pathlib import Path

import pytest

from ruxue.archive.check import check_package
from ruxue.archive.scanner import clamav

SIGNATURES = Path(__file__).parent / "data" / "eicar.ndb"  # the EICAR test signature, nothing else
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

pytestmark = pytest.mark.skipif(
    shutil.which("clamscan") is None and os.environ.get("CI") != "true",
    reason="Debian clamav is not installed",
)


def test_eicar_in_the_materials_is_caught(package: Path, tmp_path: Path) -> None:
    scanner = clamav(SIGNATURES)
    clean = {i.code: i for i in check_package(package, scanner=scanner)}
    assert clean["GD-4-2"].passed
    copy = tmp_path / package.name
    shutil.copytree(package, copy)
    # a "PNG" upload that carries the test virus, as an attacker would disguise it
    (copy / "data" / "content" / "002-出生医学证明.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + b"\0" * 16 + EICAR
    )
    result = {i.code: i for i in check_package(copy, scanner=scanner)}
    assert not result["GD-4-2"].passed
    assert "content/002-出生医学证明.png: Eicar-Test-Body" in result["GD-4-2"].why
