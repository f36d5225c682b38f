"""A site's Ed25519 key pair, its public key file, and signatures in minisign's format.

The secret key lives beside the database (``<database>-site/site.key``, a folder only its owner
can enter, a file only its owner can read). The public key is written as a minisign public key
file and bundles are signed with minisign's prehashed (``ED``) signatures, so a bundle's manifest
can also be checked with the standalone tool: ``minisign -Vm manifest.json -p site.pub``.

A key's fingerprint covers the site id as well as the key, so comparing it over the phone
confirms both: a public key file whose comment was edited to claim another site shows another
fingerprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from plantrack import files
from plantrack.core.text import from_os
from plantrack.errors import PlantrackError

ALGORITHM = b"Ed"  # minisign: Ed25519 keys
PREHASHED = b"ED"  # minisign: a signature of the BLAKE2b-512 digest of the file
SITE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_NAME = 100


@dataclass(frozen=True)
class PublicKey:
    site: str
    key_id: str  # 16 hex digits, as minisign prints it
    key: bytes  # 32 bytes
    name: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.site, self.key)

    @property
    def b64(self) -> str:
        return base64.b64encode(self.key).decode("ascii")


def fingerprint(site: str, key: bytes) -> str:
    """Eight groups of four hex digits over the site id and the key: read it out, compare it."""
    digest = hashlib.sha256(b"plantrack site\0" + site.encode("utf-8") + b"\0" + key).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def check_name(name: str) -> str:
    name = from_os(name).strip()
    if not name or len(name) > MAX_NAME or any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in name):
        raise PlantrackError(
            f"{name[:40]!r} is not a usable site name",
            hint=f'give a short name on one line (at most {MAX_NAME} characters), e.g. --name "Shenzhen Park office"',
        )
    return name


def key_folder(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-site")


def secret_path(db_path: Path) -> Path:
    return key_folder(db_path) / "site.key"


def _key_id_hex(raw: bytes) -> str:
    return f"{int.from_bytes(raw, 'little'):016X}"


def _key_id_raw(key_id: str) -> bytes:
    return int(key_id, 16).to_bytes(8, "little")


# --- the secret key ----------------------------------------------------------------------------


def generate(db_path: Path, site: str) -> PublicKey:
    """A new key pair; the secret key written beside the database, owner-only. Returns the public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    secret = Ed25519PrivateKey.generate()
    key_id = _key_id_hex(os.urandom(8))
    pem = secret.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = secret.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    text = f"plantrack site key\nsite: {site}\nkey id: {key_id}\n".encode() + pem
    folder = key_folder(db_path)
    try:
        files.write_private(secret_path(db_path), text)
    except OSError as e:
        raise PlantrackError(
            f"cannot write the site's secret key in {str(folder)!r}: {e.strerror}",
            hint="the database's folder must be writable",
        ) from e
    return PublicKey(site, key_id, public)


@dataclass(frozen=True)
class Secret:
    key_id: str
    pem: bytes

    def sign(self, data: bytes) -> bytes:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = serialization.load_pem_private_key(self.pem, password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key.sign(data)


def load_secret(db_path: Path, key_id: str) -> Secret:
    path = secret_path(db_path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlantrackError(
            f"this site's secret key is missing ({str(path)!r} does not exist)",
            hint="copy the -site folder from where the database was made, or make a new key with"
            " 'plantrack site init --name NAME --new-key' (partners must then trust the new key)",
        ) from None
    except OSError as e:
        raise PlantrackError(f"cannot read the site's secret key {str(path)!r}: {e.strerror}") from e
    head, sep, pem = raw.partition(b"-----BEGIN")
    found = re.search(rb"key id: ([0-9A-F]{16})", head)
    if not sep or not found or found.group(1).decode() != key_id:
        raise PlantrackError(
            f"{str(path)!r} is not this site's secret key (key id {key_id} expected)",
            hint="restore the -site folder that belongs to this database",
        )
    return Secret(key_id, sep + pem)


# --- public key files --------------------------------------------------------------------------


def public_file(pk: PublicKey) -> str:
    """The public key as a minisign public key file, naming its site in the comment."""
    name = json.dumps(pk.name, ensure_ascii=True)
    blob = base64.b64encode(ALGORITHM + _key_id_raw(pk.key_id) + pk.key).decode("ascii")
    return f"untrusted comment: plantrack site {pk.site} {name} minisign public key {pk.key_id}\n{blob}\n"


def parse_public_file(text: str, where: str) -> PublicKey:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    bad = PlantrackError(
        f"{where} is not a plantrack site's public key file",
        hint="ask the other site for the file 'plantrack site show --out FILE.pub' writes",
    )
    if len(lines) != 2 or not lines[0].startswith("untrusted comment:"):
        raise bad
    m = re.match(r"untrusted comment: plantrack site (\S+) (\".*\") minisign public key", lines[0])
    if not m or not SITE_ID.fullmatch(m.group(1)):
        raise bad
    try:
        name = json.loads(m.group(2))
        raw = base64.b64decode(lines[1], validate=True)
    except ValueError:
        raise bad from None
    if not isinstance(name, str) or len(raw) != 42 or raw[:2] != ALGORITHM:
        raise bad
    return PublicKey(m.group(1), _key_id_hex(raw[2:10]), raw[10:], name)


# --- signatures ----------------------------------------------------------------------------------


def sign(secret: Secret, data: bytes, trusted_comment: str) -> str:
    """A minisign signature file for ``data`` (prehashed with BLAKE2b-512)."""
    digest = hashlib.blake2b(data, digest_size=64).digest()
    signature = secret.sign(digest)
    comment = trusted_comment.replace("\n", " ")
    global_sig = secret.sign(signature + comment.encode("utf-8"))
    line = base64.b64encode(PREHASHED + _key_id_raw(secret.key_id) + signature).decode("ascii")
    return (
        f"untrusted comment: signature from plantrack site key {secret.key_id}\n{line}\n"
        f"trusted comment: {comment}\n{base64.b64encode(global_sig).decode('ascii')}\n"
    )


@dataclass(frozen=True)
class Signature:
    key_id: str
    signature: bytes
    trusted_comment: str
    global_signature: bytes


class BadSignature(Exception):
    """The signature file is malformed or does not verify."""


def parse_signature(data: bytes) -> Signature:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadSignature("the signature is not text") from None
    lines = text.splitlines()
    if (
        len(lines) != 4
        or not lines[0].startswith("untrusted comment:")
        or not lines[2].startswith("trusted comment: ")
    ):
        raise BadSignature("the signature file is malformed")
    try:
        raw = base64.b64decode(lines[1].strip(), validate=True)
        global_sig = base64.b64decode(lines[3].strip(), validate=True)
    except ValueError:
        raise BadSignature("the signature is not base64") from None
    if len(raw) != 74 or raw[:2] != PREHASHED or len(global_sig) != 64:
        raise BadSignature("the signature is not a minisign Ed25519 signature")
    return Signature(_key_id_hex(raw[2:10]), raw[10:], lines[2][len("trusted comment: ") :], global_sig)


def verify(key: bytes, sig: Signature, data: bytes) -> None:
    """Raise BadSignature unless ``sig`` is a valid signature of ``data`` by ``key``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = Ed25519PublicKey.from_public_bytes(key)
    try:
        public.verify(sig.signature, hashlib.blake2b(data, digest_size=64).digest())
        public.verify(sig.global_signature, sig.signature + sig.trusted_comment.encode("utf-8"))
    except InvalidSignature:
        raise BadSignature("the signature does not match the manifest") from None
