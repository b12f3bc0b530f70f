-- Keys that signed report packages of this case (tantalio.signing): the case key made on first
-- use, and any unit key an analyst gave by path. The case export lists them so a partner can pin
-- the fingerprint it expects.
CREATE TABLE signing_key (
  fingerprint TEXT PRIMARY KEY,              -- sha256:<hex of the raw public key>
  algorithm   TEXT NOT NULL,                 -- Ed25519
  public_key  TEXT NOT NULL,                 -- PEM (SubjectPublicKeyInfo)
  kind        TEXT NOT NULL,                 -- case | unit
  first_used_at TEXT NOT NULL
);
