"""Ed25519 signing of what leaves the unit (country packages), with ``cryptography``.

Two kinds of key: the **case key**, made on first use and kept in the case folder
(``CASE/keys/case-signing-key.pem``, owner-only permissions), or a **unit key** the analyst gives by
path (PEM, PKCS#8; a passphrase is read from ``TANTALIO_SIGNING_KEY_PASSWORD``). Every key that
signed something for a case is recorded in the store (table ``signing_key``) with its public half,
so the case export lists the fingerprints a partner may pin.

A fingerprint is ``sha256:`` + the hex SHA-256 of the raw 32-byte public key. Ed25519 signatures
are deterministic (RFC 8032): the same manifest signed with the same key gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tantalio.errors import IntegrityError, UserError
from tantalio.store.sqlite import CaseStore, utcnow

ALGORITHM = "Ed25519"
CASE_KEY = Path("keys") / "case-signing-key.pem"
PASSWORD_ENV = "TANTALIO_SIGNING_KEY_PASSWORD"


@dataclass(frozen=True, slots=True)
class SigningKey:
    private: Ed25519PrivateKey
    kind: str                       # case | unit

    @property
    def public_pem(self) -> str:
        return public_pem(self.private.public_key())

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def describe(self) -> dict[str, Any]:
        return {"algorithm": ALGORITHM, "fingerprint": self.fingerprint, "public_key": self.public_pem,
                "kind": self.kind}


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    """A public key as a package carries it; anything else is an integrity failure."""
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii") if isinstance(pem, str) else pem)
    except (ValueError, TypeError, UnicodeError) as e:
        raise IntegrityError(f"the signer's public key is unreadable ({e})") from e
    if not isinstance(key, Ed25519PublicKey):
        raise IntegrityError(f"the signer's key is not an {ALGORITHM} key")
    return key


def signature_valid(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def encode_signature(signature: bytes) -> bytes:
    return base64.b64encode(signature) + b"\n"


def decode_signature(text: bytes) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError as e:
        raise IntegrityError("the signature file is not base64") from e
    if len(raw) != 64:
        raise IntegrityError(f"the signature is {len(raw)} bytes, not the 64 of an {ALGORITHM} signature")
    return raw


def load_unit_key(path: Path) -> SigningKey:
    """A unit key given by path (PEM, PKCS#8, Ed25519)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot read the signing key ({e.strerror or e})") from e
    password = os.environ.get(PASSWORD_ENV)
    try:
        key = serialization.load_pem_private_key(data, password.encode("utf-8") if password else None)
    except (ValueError, TypeError) as e:
        raise UserError(f"{path}: not a usable PEM private key ({e}); an encrypted key needs {PASSWORD_ENV}") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError(f"{path}: the signing key must be an {ALGORITHM} key")
    return SigningKey(key, "unit")


def case_key(store: CaseStore) -> SigningKey:
    """The case's own key, made (and audited) on first use."""
    path = store.folder / CASE_KEY
    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), None)
        except (OSError, ValueError, TypeError) as e:
            raise UserError(f"{path}: the case signing key is unreadable ({e})") from e
        if not isinstance(key, Ed25519PrivateKey):
            raise UserError(f"{path}: the case signing key is not an {ALGORITHM} key")
        signing = SigningKey(key, "case")
    else:
        signing = SigningKey(Ed25519PrivateKey.generate(), "case")
        pem = signing.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, path)
        store.audit("signing.case_key_created", {"algorithm": ALGORITHM, "fingerprint": signing.fingerprint,
                                                 "path": str(CASE_KEY)})
    record_key(store, signing)
    return signing


def record_key(store: CaseStore, key: SigningKey) -> None:
    """Remember a key that signed for this case (the case export lists them)."""
    with store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO signing_key(fingerprint, algorithm, public_key, kind, first_used_at) "
                     "VALUES (?,?,?,?,?)", (key.fingerprint, ALGORITHM, key.public_pem, key.kind, utcnow()))


def recorded_keys(store: CaseStore) -> list[dict[str, Any]]:
    """Every key that signed for this case (the case key first), as the case export lists them."""
    has = store.conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='signing_key'").fetchone()
    if not has:
        return []
    return [{"algorithm": a, "fingerprint": f, "public_key": p, "kind": k} for f, a, p, k in store.conn.execute(
        "SELECT fingerprint, algorithm, public_key, kind FROM signing_key ORDER BY kind, first_used_at, fingerprint")]
