"""``tantalio report CASE OUT``: every report of a case, written under one output folder.

    OUT/summary.html                    every dossier of the run, linked
    OUT/overview.html
    OUT/vid-queue.html, vid-queue.csv, vid-queue-vics.json
    OUT/recovered-deleted.csv           deleted message rows carved from message stores, apart
    OUT/dossiers/<person>.html, .json (.pdf: see below)
    OUT/packages/<CC>.zip               signed, in the country's language, a PDF of every dossier

PDFs (the slow part) are made where they leave the unit: in every package, in its language. The
unit's own dossiers get a PDF with ``unit_pdfs`` (``--unit-pdfs``), in runs that make no package
(``--person`` alone), or when a package already needed that dossier in the unit's language.

``person`` limits the run to that person's dossier; ``country`` to that country's package (both
together: that person's dossier and that country's package). Reports read the store; the run
itself is recorded in the audit log (options, the signing key, every package's SHA-256).

Interrupted runs: while a run writes, ``OUT/REPORT-INCOMPLETE.txt`` says so; every file is
written under a temporary name and renamed when complete, so no file is ever half-written, and
the marker is removed only when the whole run has finished. Running the command again after a kill
gives the same files as one clean run (``generated`` aside: set ``SOURCE_DATE_EPOCH`` to fix it,
and then the signatures are the same bytes too).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tantalio.errors import UserError
from tantalio.report.caseview import CaseView, ReportContext, report_context
from tantalio.report.dossier import Dossier, build_dossier
from tantalio.report.html import render, render_dossier
from tantalio.report.i18n import Translator, check_language, language_for
from tantalio.report.overview import build_overview, render_overview
from tantalio.report.packages import build_package, countries_of, safe_name, summary_rows
from tantalio.report.pdf import render_pdfs
from tantalio.report.thumbnails import Thumbnail, ThumbnailMaker
from tantalio.report.vid_queue import build_queue, queue_csv, vics_export
from tantalio.signing import SigningKey, case_key, load_unit_key, record_key
from tantalio.store.sqlite import CaseStore

MARKER = "REPORT-INCOMPLETE.txt"
PARTIAL = ".partial"


@dataclass
class ReportRun:
    out: Path
    written: list[Path] = field(default_factory=list)
    dossiers: int = 0
    packages: dict[str, str] = field(default_factory=dict)     # country -> SHA-256 of its zip
    fingerprint: str | None = None
    pdfs: int = 0


def write_reports(store: CaseStore, out: Path, country: str | None = None, person: str | None = None,
                  thumbnails: bool = False, pdf: bool = True, lang: str | None = None,
                  signing_key: Path | None = None, analyst: str | None = None, generated: datetime | None = None,
                  workers: int | None = None, unit_pdfs: bool = False,
                  progress: Callable[[str], None] | None = None) -> ReportRun:
    out = Path(out)
    tell = progress or (lambda _msg: None)
    lang = check_language(lang) if lang else None
    base = report_context(store, lang or "en", analyst, generated)
    view = CaseView(store, base)
    by_country = countries_of(view)
    if person is not None and person not in view.persons:
        raise UserError(f"no person {person!r} in this case (persons are listed by `tantalio export`)")
    if country is not None:
        country = country.upper()
        if country not in by_country:
            raise UserError(f"no person or exhibit of country {country!r} in this case "
                            f"(countries: {', '.join(by_country) or 'none'})")
    everything = person is None and country is None
    own = ([person] if person is not None else sorted(view.persons)) if person is not None or everything else []
    packages = {cc: by_country[cc] for cc in ([country] if country is not None else list(by_country))} \
        if country is not None or everything else {}
    key = _signing_key(store, signing_key) if packages else None

    run = ReportRun(out, fingerprint=key.fingerprint if key else None)
    _begin(store, out, base, country, person, lang)
    maker = ThumbnailMaker(view) if thumbnails else None
    contexts = {base.lang: base}
    for cc in packages:
        code = lang or language_for(cc)
        contexts.setdefault(code, ReportContext(code, base.generated, base.tool_version, base.analyst,
                                                base.case_reference))
    wanted = [(pid, base.lang) for pid in own] + [(pid, lang or language_for(cc)) for cc, ps in packages.items()
                                                  for pid in ps]
    dossiers: dict[tuple[str, str], Dossier] = {}
    thumbs: dict[str, dict[str, Thumbnail] | None] = {}
    for pid, code in wanted:
        if (pid, code) not in dossiers:
            tell(f"dossier {pid} ({code})")
            dossiers[(pid, code)] = build_dossier(view, pid, contexts[code])
            if pid not in thumbs:
                d = dossiers[(pid, code)]
                thumbs[pid] = _thumbs(maker, [s for c in d.cameras for s in c.media] +
                                      [p.sha256 for p in d.posts if p.sha256])
    pdfs: dict[tuple[str, str], bytes] = {}
    # PDFs are what leaves the unit: every package gets one per dossier, in its language. The
    # unit's own dossiers get theirs when asked (unit_pdfs), when the run makes no package, or for
    # free when a package already needed that person in the unit's language.
    want_pdf = {(pid, lang or language_for(cc)) for cc, ps in packages.items() for pid in ps}
    if unit_pdfs or not packages:
        want_pdf |= {(pid, base.lang) for pid in own}
    if pdf and want_pdf:
        pages = {f"{pid}\t{code}": render_dossier(dossiers[(pid, code)], thumbs[pid]) for pid, code in sorted(want_pdf)}
        for k, body in render_pdfs(pages, workers, done=lambda k: tell(f"PDF {k.replace(chr(9), ' ')}")):
            pid, code = k.split("\t")
            pdfs[(pid, code)] = body
        run.pdfs = len(pdfs)

    def files_of(pid: str, code: str, linked: frozenset[str]) -> dict[str, bytes]:
        d = dossiers[(pid, code)]
        files = {"html": render_dossier(d, thumbs[pid], linked, "../summary.html").encode("utf-8"),
                 "json": d.to_json().encode("utf-8")}
        if (pid, code) in pdfs:
            files["pdf"] = pdfs[(pid, code)]
        return files

    linked = frozenset(own)
    for pid in own:
        for ext, body in files_of(pid, base.lang, linked).items():
            run.written.append(_write(out / "dossiers" / f"{safe_name(pid)}.{ext}", body))
        run.dossiers += 1
    if everything:
        tr = Translator(base.lang)
        tell("overview")
        run.written.append(_write(out / "overview.html",
                                  render_overview(build_overview(view, tr), base.lang, base).encode("utf-8")))
        run.written.append(_write(out / "summary.html", render(
            "summary.html.j2", base.lang, title=tr("Dossiers"), case=view.case_name, synthetic=view.synthetic,
            country=None, rows=summary_rows(view, own, {pid: ["html", "json"] + (["pdf"] if (pid, base.lang) in pdfs else [])
                                          for pid in own}),
            meta=base, fingerprint=None).encode("utf-8")))
        tell("victim-identification queue")
        queue = build_queue(view, tr)
        page = render("vid_queue.html.j2", base.lang, title=tr("Victim-identification queue"), case=view.case_name,
                      synthetic=view.synthetic, queue=queue, meta=base,
                      thumbs=_thumbs(maker, [q.sha256 for q in queue.items]))
        run.written.append(_write(out / "vid-queue.html", page.encode("utf-8")))
        run.written.append(_write(out / "vid-queue.csv", queue_csv(queue).encode("utf-8")))
        run.written.append(_write(out / "vid-queue-vics.json", vics_export(view, queue).encode("utf-8")))
        run.written.append(_write(out / "recovered-deleted.csv", view.recovered.csv(view.synthetic).encode("utf-8")))
    for cc, persons in packages.items():
        assert key is not None
        tell(f"package {cc}")
        code = lang or language_for(cc)
        members = frozenset(persons)
        body = build_package(view, cc, persons, {pid: files_of(pid, code, members) for pid in persons},
                             out / "packages" / f"{safe_name(cc)}.zip", key, contexts[code])
        run.written.append(_write(out / "packages" / f"{safe_name(cc)}.zip", body))
        run.packages[cc] = hashlib.sha256(body).hexdigest()
    _finish(store, run, base, country, person, lang)
    return run


def _signing_key(store: CaseStore, path: Path | None) -> SigningKey:
    if path is None:
        return case_key(store)
    key = load_unit_key(path)
    record_key(store, key)
    return key


def _begin(store: CaseStore, out: Path, context: ReportContext, country: str | None, person: str | None,
           lang: str | None) -> None:
    """Mark the folder incomplete and clear what an interrupted run left half-written."""
    out.mkdir(parents=True, exist_ok=True)
    for leftover in sorted(out.rglob(f".*{PARTIAL}")):
        leftover.unlink(missing_ok=True)
    _write(out / MARKER, (
        "This report folder is being written, or its writing was interrupted.\n"
        f"Run started {context.generated} by {context.analyst} (tantalio {context.tool_version}).\n"
        "While this file is here the reports in this folder are INCOMPLETE: run the same\n"
        "`tantalio report` command again; this file is removed when a run completes.\n").encode())
    store.audit("report.started", {"out": str(out.resolve()), "country": country, "person": person, "lang": lang,
                                   "generated": context.generated}, actor=context.analyst)


def _finish(store: CaseStore, run: ReportRun, context: ReportContext, country: str | None, person: str | None,
            lang: str | None) -> None:
    store.audit("report.run", {
        "out": str(run.out.resolve()), "country": country, "person": person, "lang": lang,
        "generated": context.generated, "tool_version": context.tool_version, "dossiers": run.dossiers,
        "pdfs": run.pdfs, "files": len(run.written), "signing_key": run.fingerprint,
        "packages": {cc: {"file": f"packages/{safe_name(cc)}.zip", "sha256": sha} for cc, sha in run.packages.items()},
    }, actor=context.analyst)
    (run.out / MARKER).unlink(missing_ok=True)


def _thumbs(maker: ThumbnailMaker | None, shas: list[str]) -> dict[str, Thumbnail] | None:
    if maker is None:
        return None
    return {s: maker.get(s) for s in sorted(set(shas))}


def _write(path: Path, body: bytes) -> Path:
    """Write a whole file or nothing: a temporary name in the same folder, renamed when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}{PARTIAL}")
    with open(partial, "wb") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)
    return path


def build_reports(store: CaseStore, out: Path, **options: object) -> dict[str, Path]:
    """Every report of a case (the demo runner's entry point): relative name -> file written."""
    run = write_reports(store, Path(out), **options)  # type: ignore[arg-type]
    return {str(p.relative_to(out)): p for p in run.written}
