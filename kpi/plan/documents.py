"""The text of a plan from a file: .txt (UTF-8 or GBK), .docx (python-docx), .pdf with a text layer (pypdf).

``read_document(data, name)`` gives the text and the problems (a file it cannot read, a scanned PDF with no
text): the same text, whichever of the three the plan came as, so its draft is the same.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from kpi.plan.outline import unwrap
from kpi.problems import Problem

DOCUMENT_TYPES = (".txt", ".docx", ".pdf")


def _problem(key: str, **params: object) -> Problem:
    return Problem(None, None, None, key, params)


def read_document(data: bytes, name: str) -> tuple[str, list[Problem]]:
    """The plan's text in a file, and what went wrong reading it (nothing read then)."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        return "", [_problem("draft.file_type", file=PurePath(name).name)]
    try:
        text = {".txt": _txt, ".docx": _docx, ".pdf": _pdf}[suffix](data)
    except Exception as exc:  # noqa: BLE001 - any reader's failure is the file's: say so, in the user's words
        reason = str(exc).strip() or type(exc).__name__
        return "", [_problem("draft.unreadable", file=PurePath(name).name, reason=reason[:200])]
    if not text.strip():
        return "", [_problem("draft.no_text")]
    return text, []


def _txt(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("neither UTF-8 nor GBK")


def _docx(data: bytes) -> str:
    """Paragraphs and table cells in the order they stand in the document."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(io.BytesIO(data))
    lines = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, doc).text)
        elif tag == "tbl":
            for row in Table(block, doc).rows:
                lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def _pdf(data: bytes) -> str:
    """The text layer of every page, its lines joined where the page broke a paragraph."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    pages = [(page.extract_text() or "").rstrip("\n") for page in reader.pages]
    return unwrap("\n".join(pages))
