"""`case verify`: the audit hash chain, then the custody hashes of the evidence still present."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tantalio.errors import EvidenceError
from tantalio.ingest.sources import EvidenceTree, TolerantReader
from tantalio.media.digests import digest_stream
from tantalio.store.sqlite import CaseStore


@dataclass(slots=True)
class VerifyResult:
    audit_rows: int = 0
    audit_ok: bool = True
    files_checked: int = 0
    files_missing: int = 0
    problems: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    """Files that were read only in part at intake: custody covers the readable part alone."""


def verify_case(store: CaseStore) -> VerifyResult:
    result = VerifyResult()
    result.audit_rows = int(store.conn.execute("SELECT count(*) FROM audit_event").fetchone()[0])
    problem = store.verify_audit()
    if problem is not None:
        result.audit_ok = False
        result.problems.append(problem.reason)
    recorded: dict[tuple[str, str], str] = {}
    damage: dict[tuple[str, str], tuple[int, int, str]] = {}
    for e, p, s, size, read, error in store.conn.execute(
            "SELECT exhibit_id, path, sha256, size, bytes_read, read_error FROM source_file"):
        recorded[(e, p)] = s
        if error is not None:
            damage[(e, p)] = (read or 0, size, error)
    seen: set[tuple[str, str]] = set()
    rows = store.conn.execute("SELECT exhibit_id, location, label FROM exhibit_source ORDER BY exhibit_id, location")
    for exhibit, location, label in rows.fetchall():
        if not Path(location).exists():
            continue
        try:
            tree = EvidenceTree([Path(location)], labels=[label])
            entries = list(tree.walk())
        except EvidenceError:
            continue
        for entry in entries:
            key = (exhibit, entry.path)
            expected = recorded.get(key)
            if expected is None or key in seen:
                continue
            seen.add(key)
            reader = TolerantReader(entry.opener)
            with reader:
                actual = digest_stream(reader.binary()).sha256
            where = f"{exhibit}:{entry.path}"
            if key in damage:
                read, size, error = damage[key]
                result.damaged.append(f"{where}: damaged at intake, only {read} of {size} bytes readable ({error})")
                if actual != expected or reader.error is None:
                    now = "reads whole now" if reader.error is None else f"now {reader.bytes_read} bytes ({reader.error})"
                    result.problems.append(f"{where}: damaged at intake and reads differently now ({now})")
                else:
                    result.files_checked += 1
                continue
            if reader.error is not None:
                result.problems.append(f"{where}: unreadable now ({reader.error} after {reader.bytes_read} bytes)")
                continue
            result.files_checked += 1
            if actual != expected:
                result.problems.append(f"{exhibit}:{entry.path}: evidence file altered (sha256 {actual}, recorded {expected})")
    result.files_missing = len(recorded) - len(seen)
    return result
