"""Virus scanning for 四性检测 GD-4-2: ClamAV's clamscan over a package's payload, with the
signature database of the installation (``/var/lib/clamav`` kept by freshclam) or a local one."""

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

Scanner = Callable[[Path], list[str]]


def clamav(database: Path) -> Scanner:
    """A scanner that reports ``relative/path: Signature`` for every infected file under a folder."""
    clamscan = shutil.which("clamscan")
    if clamscan is None:
        raise RuntimeError("clamscan is not installed (Debian package clamav)")

    def scan(folder: Path) -> list[str]:
        done = subprocess.run([clamscan, "--no-summary", "--infected", "-r", "-d", str(database), str(folder)],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        if done.returncode not in (0, 1):  # 2 = the scan itself failed
            raise RuntimeError(f"clamscan failed: {done.stderr.strip()[:200]}")
        found = []
        for line in done.stdout.splitlines():
            if line.endswith(" FOUND"):
                path, _, signature = line.rpartition(": ")
                found.append(
                    f"{Path(path).relative_to(folder)}: {signature.removesuffix(' FOUND')}"
                )
        return found

    return scan
