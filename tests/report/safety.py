"""Checks shared by the report tests: parse HTML, find anything remote."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from tantalio.report.vid_queue import VICS_CONTEXT

REMOTE = re.compile(r"https?://|ftp://", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
# Links between the files of one report run or package (summary.html <-> dossiers): relative, no scheme.
SIBLING = re.compile(r"^(\.\./)?([A-Za-z0-9_.-]+/)?[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(html|pdf|json)$")


class Page(HTMLParser):
    """A parsed page: its elements (tag, attributes) in order, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == name]

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def off_document(html: str) -> list[str]:
    """Every attribute or CSS url() that would load or link outside the page itself."""
    page = Page(html)
    found = []
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            v = (value or "").strip()
            if name in ("src", "href", "xlink:href", "action", "poster", "background", "srcset", "data"):
                if not (v.startswith("#") or v.startswith("data:") or (tag == "a" and SIBLING.match(v))):
                    found.append(f"<{tag} {name}={v!r}>")
            if name == "style":
                found += [f"style url({u})" for u in CSS_URL.findall(v) if not u.startswith(("data:", "#"))]
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
    for css in page.styles:
        found += [f"css url({u})" for u in CSS_URL.findall(css) if not u.startswith(("data:", "#"))]
    return found


def remote_strings(text: str) -> list[str]:
    """Remote-looking URLs, apart from the VICS context id the Project VIC format requires
    (an identifier string in a JSON field, never fetched)."""
    return REMOTE.findall(text.replace(VICS_CONTEXT, ""))


def output_texts(out: Path) -> dict[str, str]:
    """Every text file under ``out``, zip members included (PDFs are checked through pdftotext)."""
    texts: dict[str, str] = {}
    for path in sorted(out.rglob("*")):
        if path.suffix in (".html", ".json", ".csv"):
            texts[str(path.relative_to(out))] = path.read_text(encoding="utf-8")
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    if not name.endswith((".pdf", ".sig", ".pem")):     # PDFs via pdftotext; keys are not documents
                        texts[f"{path.name}!/{name}"] = zf.read(name).decode("utf-8")
    return texts
