"""Per-country packages: one zip per country with the dossiers of its persons, a summary (CSV and
HTML, linking every dossier), ``manifest.json`` listing the SHA-256 of every other file, the
manifest's Ed25519 signature (``manifest.sig``) and the signer's public key (``public-key.pem``,
also inside the signed manifest with its fingerprint).

``verify_package`` checks a package received by a partner agency: a damaged archive, a missing,
altered or unexpected file, a manifest that does not match its signature, or (when the partner
pins it) a signer other than the expected fingerprint is an :class:`~tantalio.errors.IntegrityError`
with a one-line reason.

Zips are deterministic: entries sorted, fixed timestamps and permissions, so the same case, run
time and key give the same bytes (and the same package hash to quote in a transmission letter).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tantalio.errors import IntegrityError
from tantalio.report.caseview import SYNTHETIC_BANNER, CaseView, ReportContext
from tantalio.report.html import render
from tantalio.report.i18n import Translator
from tantalio.report.safe_csv import csv_text
from tantalio.report.wording import role_name
from tantalio.signing import (
    ALGORITHM,
    SigningKey,
    decode_signature,
    encode_signature,
    fingerprint,
    load_public_key,
    signature_valid,
)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public-key.pem"
PACKAGE_SCHEMA = "tantalio.package/2"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_ENTRIES = 100_000
MAX_BYTES = 8 << 30          # a package bigger than this unpacked is refused, not read


@dataclass(frozen=True, slots=True)
class PackageCheck:
    path: Path
    country: str | None
    files: int
    fingerprint: str


def countries_of(view: CaseView) -> dict[str, list[str]]:
    """Country code -> persons concerned: by phone-number country, or owning an exhibit seized there."""
    out: dict[str, set[str]] = {cc: set() for (cc,) in view.conn.execute(
        "SELECT DISTINCT country FROM exhibit WHERE country IS NOT NULL")}
    for label, person in view.persons.items():
        for cc in person.countries:
            out.setdefault(cc, set()).add(label)
    for pid, cc in view.conn.execute(
            "SELECT DISTINCT o.person_id, e.country FROM exhibit e JOIN exhibit_owner o ON o.exhibit_id = e.id "
            "WHERE e.country IS NOT NULL"):
        owner = view.person_label(pid)
        if owner is not None and owner in view.persons:
            out.setdefault(cc, set()).add(owner)
    return {cc: sorted(persons) for cc, persons in sorted(out.items())}


def safe_name(person: str) -> str:
    """A file name for a person id (ids are labels like P-001; anything odd becomes '_')."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in person).strip(".") or "person"


def summary_rows(view: CaseView, persons: list[str], formats: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One row per person; ``formats``: person -> extensions of the dossier files beside the summary."""
    rows: list[dict[str, Any]] = []
    for pid in persons:
        f = view.persons.get(pid)
        seized = [ex for (ex,) in view.conn.execute(
            "SELECT exhibit_id FROM exhibit_owner WHERE person_id = ? ORDER BY exhibit_id", (view.person_ids.get(pid),))]
        rows.append({"person": pid, "phones": list(f.phones) if f else [], "names": list(f.names) if f else [],
                     "countries": list(f.countries) if f else [], "roles": list(f.roles) if f else [],
                     "priority": f.priority if f else 0.0, "groups": list(f.groups) if f else [],
                     "messages": f.messages if f else 0, "media_posted": f.media_posted if f else 0,
                     "owner_of": seized,
                     "files": [f"dossiers/{safe_name(pid)}.{ext}" for ext in formats.get(pid, [])]})
    rows.sort(key=lambda r: (-r["priority"], r["person"]))
    return rows


def summary_csv(rows: list[dict[str, Any]], synthetic: bool, lang: str = "en") -> str:
    tr = Translator(lang)
    table: list[list[object]] = []
    if synthetic:
        table.append([f"# {SYNTHETIC_BANNER}"])
    table.append(["person", "phones", "names", "countries", "roles", "priority", "groups", "messages", "media_posted",
                  "exhibits_seized"])
    for r in rows:
        table.append([r["person"], " ".join(r["phones"]), "; ".join(r["names"]), " ".join(r["countries"]),
                      ", ".join(role_name(tr, x) for x in r["roles"]), f"{r['priority']:.4f}", " ".join(r["groups"]),
                      r["messages"], r["media_posted"], " ".join(r["owner_of"])])
    return csv_text(table)


def build_package(view: CaseView, country: str, persons: list[str], dossier_files: dict[str, dict[str, bytes]],
                  out: Path, key: SigningKey, context: ReportContext) -> bytes:
    """The package zip's bytes. ``dossier_files``: person -> {extension: bytes} already rendered."""
    tr = Translator(context.lang)
    rows = summary_rows(view, persons, {pid: sorted(files) for pid, files in dossier_files.items()})
    files: dict[str, bytes] = {
        "summary.csv": summary_csv(rows, view.synthetic, context.lang).encode("utf-8"),
        "summary.html": render("summary.html.j2", context.lang, title=tr("Country package %(country)s", country=country),
                               case=view.case_name, synthetic=view.synthetic, country=country, rows=rows,
                               meta=context, fingerprint=key.fingerprint).encode("utf-8"),
        PUBLIC_KEY: key.public_pem.encode("ascii"),
    }
    for pid in persons:
        for ext, body in sorted(dossier_files.get(pid, {}).items()):
            files[f"dossiers/{safe_name(pid)}.{ext}"] = body
    manifest: dict[str, Any] = {
        "schema": PACKAGE_SCHEMA, "case": view.case_name, "case_reference": context.case_reference,
        "country": country, "lang": context.lang, "generated": context.generated,
        "tool_version": context.tool_version, "analyst": context.analyst, "synthetic": view.synthetic,
        "persons": persons,
        "signer": {"algorithm": ALGORITHM, "fingerprint": key.fingerprint, "public_key": key.public_pem},
        "files": [{"path": name, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
                  for name, body in sorted(files.items())],
    }
    if view.synthetic:
        manifest["header"] = SYNTHETIC_BANNER
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
    files[SIGNATURE] = encode_signature(key.sign(files[MANIFEST]))
    return zip_bytes(files)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, files[name], compresslevel=6)
    return buf.getvalue()


def _read_entries(path: Path) -> dict[str, bytes]:
    """Every member of the zip, CRC-checked; any damage is an IntegrityError naming it."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_BYTES:
                raise IntegrityError(f"{path}: refused: more than {MAX_ENTRIES} entries or {MAX_BYTES >> 30} GiB unpacked")
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):
                raise IntegrityError(f"{path}: duplicate entries in the zip")
            contents: dict[str, bytes] = {}
            for info in infos:
                try:
                    contents[info.filename] = zf.read(info)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
                        NotImplementedError) as e:
                    raise IntegrityError(f"{path}: damaged archive: member {info.filename} cannot be read "
                                         f"({_one_line(e)})") from e
            return contents
    except FileNotFoundError as e:
        raise IntegrityError(f"{path}: no such package") from e
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError) as e:
        raise IntegrityError(f"{path}: damaged archive: not a readable zip ({_one_line(e)})") from e


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def verify_package(path: Path, expected_fingerprint: str | None = None) -> PackageCheck:
    """Check a package's archive, signature and every file; raise IntegrityError with the reason."""
    contents = _read_entries(Path(path))
    for needed in (MANIFEST, SIGNATURE):
        if needed not in contents:
            raise IntegrityError(f"{path}: no {needed}: the package is not signed")
    try:
        manifest = json.loads(contents[MANIFEST])
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        signer = manifest["signer"]
        key = load_public_key(signer["public_key"])
    except (ValueError, KeyError, TypeError) as e:
        raise IntegrityError(f"{path}: {MANIFEST} is damaged ({_one_line(e)})") from e
    except IntegrityError as e:
        raise IntegrityError(f"{path}: {e}") from e
    signed_by = fingerprint(key)
    if signer.get("fingerprint") != signed_by:
        raise IntegrityError(f"{path}: the manifest's signer fingerprint does not match its public key")
    try:
        signature = decode_signature(contents[SIGNATURE])
    except IntegrityError as e:
        raise IntegrityError(f"{path}: {e}") from e
    if not signature_valid(key, signature, contents[MANIFEST]):
        raise IntegrityError(f"{path}: the signature does not match {MANIFEST} (the manifest was altered, "
                             f"or signed by another key)")
    if expected_fingerprint is not None and expected_fingerprint.strip().lower() != signed_by:
        raise IntegrityError(f"{path}: signed by {signed_by}, not by the expected key {expected_fingerprint.strip()}")
    problems = []
    for name, digest in sorted(listed.items()):
        if name not in contents:
            problems.append(f"missing file {name}")
        elif hashlib.sha256(contents[name]).hexdigest() != digest:
            problems.append(f"altered file {name}")
    for name in sorted(set(contents) - set(listed) - {MANIFEST, SIGNATURE}):
        problems.append(f"unexpected file {name}")
    if PUBLIC_KEY in contents and contents[PUBLIC_KEY].decode("ascii", "replace").strip() != str(
            signer["public_key"]).strip():
        problems.append(f"{PUBLIC_KEY} is not the key named in the manifest")
    if problems:
        raise IntegrityError(f"{path}: " + "; ".join(problems))
    return PackageCheck(Path(path), manifest.get("country"), len(listed), signed_by)
