"""Per-country packages: one zip per country with the dossiers of its persons, a summary (CSV and
HTML) and ``manifest.json`` listing the SHA-256 of every other file. ``verify_package`` checks a
package received by a partner agency: any missing, altered or unexpected file is an
:class:`~tantalio.errors.IntegrityError`.

Zips are deterministic: entries sorted, fixed timestamps and permissions, so the same case gives
the same bytes (and the same package hash to quote in a transmission letter).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tantalio.errors import IntegrityError
from tantalio.report.caseview import SYNTHETIC_BANNER, CaseView
from tantalio.report.html import render

MANIFEST = "manifest.json"
PACKAGE_SCHEMA = "tantalio.package/1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class PackageCheck:
    path: Path
    country: str | None
    files: int


def countries_of(view: CaseView) -> dict[str, list[str]]:
    """Country code -> persons concerned: by phone-number country, or owning an exhibit seized there."""
    exhibit_country = dict(view.conn.execute("SELECT id, country FROM exhibit WHERE country IS NOT NULL").fetchall())
    out: dict[str, set[str]] = {}
    for p in view.doc["persons"]:
        ccs = set(p.get("countries") or ()) | {exhibit_country[e] for e in p.get("owner_of") or ()
                                                if e in exhibit_country}
        for cc in ccs:
            out.setdefault(cc, set()).add(p["id"])
    for cc in exhibit_country.values():
        out.setdefault(cc, set())
    return {cc: sorted(persons) for cc, persons in sorted(out.items())}


def safe_name(person: str) -> str:
    """A file name for a person id (ids are labels like P-001; anything odd becomes '_')."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in person).strip(".") or "person"


def summary_rows(view: CaseView, persons: list[str], formats: tuple[str, ...]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for pid in persons:
        p = view.persons.get(pid, {"id": pid})
        rows.append({"person": pid, "phones": p.get("phones") or [], "names": p.get("names") or [],
                     "countries": p.get("countries") or [], "roles": p.get("roles") or [],
                     "priority": float(p.get("priority") or 0.0), "groups": p.get("groups") or [],
                     "owner_of": p.get("owner_of") or [],
                     "files": [f"dossiers/{safe_name(pid)}.{ext}" for ext in formats]})
    rows.sort(key=lambda r: (-r["priority"], r["person"]))
    return rows


def summary_csv(rows: list[dict[str, Any]], synthetic: bool) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if synthetic:
        w.writerow([f"# {SYNTHETIC_BANNER}"])
    w.writerow(["person", "phones", "names", "countries", "roles", "priority", "groups", "exhibits_seized"])
    for r in rows:
        w.writerow([r["person"], " ".join(r["phones"]), "; ".join(r["names"]), " ".join(r["countries"]),
                    " ".join(r["roles"]), f"{r['priority']:.4f}", " ".join(r["groups"]), " ".join(r["owner_of"])])
    return buf.getvalue()


def build_package(view: CaseView, country: str, persons: list[str], dossier_files: dict[str, dict[str, bytes]],
                  out: Path) -> Path:
    """Write ``out`` (a zip). ``dossier_files``: person -> {extension: bytes} already rendered."""
    formats = tuple(sorted({ext for files in dossier_files.values() for ext in files}))
    rows = summary_rows(view, persons, formats)
    files: dict[str, bytes] = {
        "summary.csv": summary_csv(rows, view.synthetic).encode("utf-8"),
        "summary.html": render("summary.html.j2", title=f"Country package {country}", case=view.case_name,
                               synthetic=view.synthetic, country=country, rows=rows).encode("utf-8"),
    }
    for pid in persons:
        for ext, body in sorted(dossier_files.get(pid, {}).items()):
            files[f"dossiers/{safe_name(pid)}.{ext}"] = body
    manifest: dict[str, Any] = {
        "schema": PACKAGE_SCHEMA, "case": view.case_name, "country": country, "synthetic": view.synthetic,
        "persons": persons,
        "files": [{"path": name, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
                  for name, body in sorted(files.items())],
    }
    if view.synthetic:
        manifest["header"] = SYNTHETIC_BANNER
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
    write_zip(out, files)
    return out


def write_zip(out: Path, files: dict[str, bytes]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, files[name], compresslevel=6)


def verify_package(path: Path) -> PackageCheck:
    """Check every file of a package against its manifest; raise IntegrityError naming each
    missing, altered or unexpected file."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
            contents = {n: zf.read(n) for n in names}
    except (OSError, zipfile.BadZipFile) as e:
        raise IntegrityError(f"{path}: not a readable package zip ({e})") from e
    if len(set(names)) != len(names):
        raise IntegrityError(f"{path}: duplicate entries in the zip")
    if MANIFEST not in contents:
        raise IntegrityError(f"{path}: no {MANIFEST}")
    try:
        manifest = json.loads(contents[MANIFEST])
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as e:
        raise IntegrityError(f"{path}: {MANIFEST} is damaged ({e})") from e
    problems = []
    for name, digest in sorted(listed.items()):
        if name not in contents:
            problems.append(f"missing file {name}")
        elif hashlib.sha256(contents[name]).hexdigest() != digest:
            problems.append(f"altered file {name}")
    for name in sorted(set(contents) - set(listed) - {MANIFEST}):
        problems.append(f"unexpected file {name}")
    if problems:
        raise IntegrityError(f"{path}: " + "; ".join(problems))
    return PackageCheck(Path(path), manifest.get("country"), len(listed))
