"""HTML to PDF with WeasyPrint, with every fetch refused except ``data:`` URIs.

Report HTML is self-contained, so a fetch can only come from something that should not be there
(a URL smuggled in through evidence text would be escaped, but the fetcher is the second lock).
"""

from __future__ import annotations

from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class RemoteFetchRefused(ValueError):
    """A report tried to load something that is not a ``data:`` URI."""


class DataOnlyFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves ``data:`` URIs and refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("data:"):
            self.refused.append(url[:200])
            raise RemoteFetchRefused(f"refused to fetch {url[:80]!r}: reports load nothing but data: URIs")
        return super().fetch(url, headers)


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of a self-contained report page (no base URL: relative links resolve to nothing)."""
    fetcher = DataOnlyFetcher()
    pdf = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    if pdf is None:  # write_pdf returns bytes when no target is given
        raise RuntimeError("WeasyPrint produced no PDF")
    return bytes(pdf)
