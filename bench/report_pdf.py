"""PDF dossiers: time per page with the reports' fixed table layout against the automatic layout
WeasyPrint otherwise computes (the same HTML, only ``table-layout`` switched), and the process
pool against one process. Ratios are measured in the same process on the same pages.

    python bench/report_pdf.py CASE [--persons 24] [--workers N]

CASE is any analysed case (e.g. the full demo: ``tantalio demo DIR`` then ``DIR/case``).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from tantalio.report.caseview import CaseView
from tantalio.report.dossier import build_dossier
from tantalio.report.html import render_dossier
from tantalio.report.pdf import html_to_pdf, render_pdfs
from tantalio.store import CaseStore


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", type=Path)
    ap.add_argument("--persons", type=int, default=24)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    with CaseStore.open(args.case) as store:
        view = CaseView(store)
        persons = sorted(view.persons.values(), key=lambda p: (-p.priority, p.person))[: args.persons]
        pages = {p.person: render_dossier(build_dossier(view, p.person)) for p in persons}
    html_to_pdf(next(iter(pages.values())))          # warm fonts and caches
    timings = {}
    for layout in ("fixed", "auto"):
        cpu = time.process_time()
        for html in pages.values():
            html_to_pdf(html if layout == "fixed" else html.replace("table-layout: fixed;", "table-layout: auto;"))
        timings[layout] = time.process_time() - cpu
    print(f"{len(pages)} dossiers, CPU s per PDF: fixed layout {timings['fixed'] / len(pages):.3f}, "
          f"automatic layout {timings['auto'] / len(pages):.3f} (auto/fixed = {timings['auto'] / timings['fixed']:.2f}x)")
    wall = time.perf_counter()
    for html in pages.values():
        html_to_pdf(html)
    one = time.perf_counter() - wall
    wall = time.perf_counter()
    list(render_pdfs(pages, args.workers))
    pooled = time.perf_counter() - wall
    print(f"wall s: one process {one:.1f}, pool of {args.workers} {pooled:.1f} (speed-up {one / pooled:.2f}x; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
