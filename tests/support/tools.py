"""Independent tools run on real output: qpdf and pdftotext (Debian's poppler-utils)."""

import subprocess
import tempfile
from pathlib import Path


def checked_pdf_text(pdf: bytes) -> str:
    """``qpdf --check`` must pass; returns the text pdftotext extracts."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        return subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
