"""A minimal tagged-PDF structure for the notice: reportlab cannot write a structure tree, so the
canvas wraps what it draws in marked content (``BDC``/``EMC`` with an MCID each, through its public
``addLiteral``) and pikepdf then adds the tree that points at them: Document → H1, P …, Figure
(with its alternative text). Everything on the page is inside one of these, so a screen reader
gets all of the notice's text in reading order and a description of the seal and the QR code."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pikepdf
from reportlab.pdfgen.canvas import Canvas


@dataclass
class Tags:
    """The structure elements drawn so far, in reading order; an element's MCID is its index."""

    canvas: Canvas
    elements: list[tuple[str, str | None]] = field(default_factory=list)

    @contextmanager
    def element(self, kind: str, alt: str | None = None) -> Iterator[None]:
        self.canvas.addLiteral(f"/{kind} <</MCID {len(self.elements)}>> BDC")
        yield
        self.canvas.addLiteral("EMC")
        self.elements.append((kind, alt))


def add_structure(doc: pikepdf.Pdf, elements: list[tuple[str, str | None]]) -> None:
    """The structure tree of the one-page notice, its parent tree, and the tagged-PDF marks."""
    page = doc.pages[0].obj
    root = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document = doc.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root)
    )
    kids = [
        _element(doc, document, page, kind, alt, mcid) for mcid, (kind, alt) in enumerate(elements)
    ]
    document.K = pikepdf.Array(kids)
    root.K = document
    root.ParentTree = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Array(kids)]))
    root.ParentTreeNextKey = 1
    page.StructParents = 0
    page.Tabs = pikepdf.Name.S
    doc.Root.StructTreeRoot = root
    doc.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


def _element(
    doc: pikepdf.Pdf,
    parent: pikepdf.Object,
    page: pikepdf.Object,
    kind: str,
    alt: str | None,
    mcid: int,
) -> pikepdf.Object:
    element = pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + kind), P=parent, Pg=page, K=mcid
    )
    if alt:
        element.Alt = pikepdf.String(alt)
    return doc.make_indirect(element)
