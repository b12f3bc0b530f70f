"""HTML to PDF with WeasyPrint, with every fetch refused except ``data:`` URIs, on every core.

Report HTML is self-contained, so a fetch can only come from something that should not be there
(a URL smuggled in through evidence text would be escaped, but the fetcher is the second lock).

Rendering is the slow part of a report run (tables are laid out with ``table-layout: fixed`` and
explicit column widths so WeasyPrint need not measure every cell). :func:`render_pdfs` spreads the
pages over a process pool. Workers are started with ``spawn`` (the parent may hold threads: a
progress spinner, SQLite) and ask the kernel to kill them when their parent dies
(``PR_SET_PDEATHSIG``), so a killed ``tantalio report`` leaves no renderer behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher

PR_SET_PDEATHSIG = 1


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


def _die_with_parent(parent: int) -> None:
    """Pool initializer: be killed when the parent process dies, whatever the way it dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:      # the parent died before prctl took effect
        os._exit(1)


def render_pdfs(pages: dict[str, str], workers: int | None = None,
                done: Callable[[str], None] | None = None) -> Iterator[tuple[str, bytes]]:
    """``(key, pdf)`` for each ``key -> html`` page, in completion order, over ``workers`` processes
    (default: every core). One page, or one worker, renders in this process."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(pages)))
    if workers == 1:
        for key, html in pages.items():
            yield key, html_to_pdf(html)
            if done:
                done(key)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        pending = iter(pages.items())
        running: dict[Future[bytes], str] = {}
        try:
            while True:
                while len(running) < 2 * workers:
                    item = next(pending, None)
                    if item is None:
                        break
                    running[pool.submit(html_to_pdf, item[1])] = item[0]
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: running[f]):
                    key = running.pop(future)
                    yield key, future.result()
                    if done:
                        done(key)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
