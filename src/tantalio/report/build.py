"""``tantalio report CASE OUT``: every report of a case, written under one output folder.

    OUT/overview.html
    OUT/vid-queue.html, vid-queue.csv, vid-queue-vics.json
    OUT/dossiers/<person>.html, .json, .pdf
    OUT/packages/<CC>.zip

``person`` limits the run to that person's dossier; ``country`` to that country's package (both
together: that person's dossier and that country's package). Reads the store only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tantalio.errors import UserError
from tantalio.report.caseview import CaseView
from tantalio.report.dossier import build_dossier
from tantalio.report.html import render, render_dossier
from tantalio.report.overview import build_overview, render_overview
from tantalio.report.packages import build_package, countries_of, safe_name
from tantalio.report.pdf import html_to_pdf
from tantalio.report.thumbnails import Thumbnail, ThumbnailMaker
from tantalio.report.vid_queue import build_queue, queue_csv, vics_export
from tantalio.store.sqlite import CaseStore


@dataclass
class ReportRun:
    out: Path
    written: list[Path] = field(default_factory=list)
    dossiers: int = 0
    packages: int = 0


def write_reports(store: CaseStore, out: Path, country: str | None = None, person: str | None = None,
                  thumbnails: bool = False, pdf: bool = True,
                  progress: Callable[[str], None] | None = None) -> ReportRun:
    view = CaseView(store)
    run = ReportRun(Path(out))
    out.mkdir(parents=True, exist_ok=True)
    tell = progress or (lambda _msg: None)
    maker = ThumbnailMaker(view) if thumbnails else None
    by_country = countries_of(view)
    if person is not None and person not in view.persons:
        raise UserError(f"no person {person!r} in this case (persons are listed by `tantalio export`)")
    if country is not None:
        country = country.upper()
        if country not in by_country:
            raise UserError(f"no person or exhibit of country {country!r} in this case "
                            f"(countries: {', '.join(by_country) or 'none'})")
    rendered: dict[str, dict[str, bytes]] = {}

    def dossier_files(pid: str) -> dict[str, bytes]:
        if pid not in rendered:
            tell(f"dossier {pid}")
            d = build_dossier(view, pid)
            thumbs = _thumbs(maker, [s for c in d.cameras for s in c.media] + [p.sha256 for p in d.posts if p.sha256])
            html = render_dossier(d, thumbs)
            files = {"html": html.encode("utf-8"), "json": d.to_json().encode("utf-8")}
            if pdf:
                files["pdf"] = html_to_pdf(html)
            rendered[pid] = files
        return rendered[pid]

    everything = person is None and country is None
    if person is not None or everything:
        for pid in [person] if person is not None else sorted(view.persons):
            for ext, body in dossier_files(pid).items():
                run.written.append(_write(out / "dossiers" / f"{safe_name(pid)}.{ext}", body))
            run.dossiers += 1
    if everything:
        tell("overview")
        run.written.append(_write(out / "overview.html", render_overview(build_overview(view)).encode("utf-8")))
        tell("victim-identification queue")
        queue = build_queue(view)
        thumbs = _thumbs(maker, [q.sha256 for q in queue.items])
        page = render("vid_queue.html.j2", title="Victim-identification queue", case=view.case_name,
                      synthetic=view.synthetic, queue=queue, thumbs=thumbs)
        run.written.append(_write(out / "vid-queue.html", page.encode("utf-8")))
        run.written.append(_write(out / "vid-queue.csv", queue_csv(queue).encode("utf-8")))
        run.written.append(_write(out / "vid-queue-vics.json", vics_export(view, queue).encode("utf-8")))
    if country is not None or everything:
        for cc in [country] if country is not None else list(by_country):
            tell(f"package {cc}")
            persons = by_country[cc]
            files = {pid: dossier_files(pid) for pid in persons}
            run.written.append(build_package(view, cc, persons, files, out / "packages" / f"{safe_name(cc)}.zip"))
            run.packages += 1
    return run


def _thumbs(maker: ThumbnailMaker | None, shas: list[str]) -> dict[str, Thumbnail] | None:
    if maker is None:
        return None
    return {s: maker.get(s) for s in sorted(set(shas))}


def _write(path: Path, body: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def build_reports(store: CaseStore, out: Path, **options: object) -> dict[str, Path]:
    """Every report of a case (the demo runner's entry point): relative name -> file written."""
    run = write_reports(store, Path(out), **options)  # type: ignore[arg-type]
    return {str(p.relative_to(out)): p for p in run.written}
