"""`case verify`: the audit hash chain, then the custody hashes of the evidence still present."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tantalio.errors import EvidenceError
from tantalio.ingest.sources import EvidenceTree
from tantalio.media.digests import digest_stream
from tantalio.store.sqlite import CaseStore


@dataclass(slots=True)
class VerifyResult:
    audit_rows: int = 0
    audit_ok: bool = True
    files_checked: int = 0
    files_missing: int = 0
    problems: list[str] = field(default_factory=list)


def verify_case(store: CaseStore) -> VerifyResult:
    result = VerifyResult()
    result.audit_rows = int(store.conn.execute("SELECT count(*) FROM audit_event").fetchone()[0])
    problem = store.verify_audit()
    if problem is not None:
        result.audit_ok = False
        result.problems.append(problem.reason)
    recorded: dict[tuple[str, str], str] = {
        (e, p): s for e, p, s in store.conn.execute("SELECT exhibit_id, path, sha256 FROM source_file")
    }
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
            try:
                with entry.opener() as f:
                    actual = digest_stream(f).sha256
            except OSError as e:
                result.problems.append(f"{exhibit}:{entry.path}: unreadable now ({e.strerror})")
                continue
            result.files_checked += 1
            if actual != expected:
                result.problems.append(f"{exhibit}:{entry.path}: evidence file altered (sha256 {actual}, recorded {expected})")
    result.files_missing = len(recorded) - len(seen)
    return result
