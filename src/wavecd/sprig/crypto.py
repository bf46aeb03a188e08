"""Sprig's crypto functions (crypto.go): passwords, AES, keys and certificates.

Keys and certificates need the `cryptography` package and bcrypt the `bcrypt` package; both are
imported on first use, because most renders never call them and start-up time matters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from functools import lru_cache
from typing import Any, ClassVar

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoStruct, go_type_name
from wavecd.sprig.encoding import CorruptInput, b64_decode
from wavecd.sprig.goval import from_go_bytes, go_bytes

_MASTER_PASSWORD_SEED = b"com.lyndir.masterpassword"
_PASSWORD_TEMPLATES = {
    "maximum": ("anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"),
    "long": (
        "CvcvnoCvcvCvcv",
        "CvcvCvcvnoCvcv",
        "CvcvCvcvCvcvno",
        "CvccnoCvcvCvcv",
        "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno",
        "CvcvnoCvccCvcv",
        "CvcvCvccnoCvcv",
        "CvcvCvccCvcvno",
        "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc",
        "CvcvCvcvCvccno",
        "CvccnoCvccCvcv",
        "CvccCvccnoCvcv",
        "CvccCvccCvcvno",
        "CvcvnoCvccCvcc",
        "CvcvCvccnoCvcc",
        "CvcvCvccCvccno",
        "CvccnoCvcvCvcc",
        "CvccCvcvnoCvcc",
        "CvccCvcvCvccno",
    ),
    "medium": ("CvcnoCvc", "CvcCvcno"),
    "short": ("Cvcn",),
    "basic": ("aaanaaan", "aannaaan", "aaannaaa"),
    "pin": ("nnnn",),
}
_TEMPLATE_CHARACTERS = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}
_AES_BLOCK = 16


class Certificate(GoStruct):
    """Sprig's `certificate` struct: PEM texts in `.Cert` and `.Key`."""

    go_type: ClassVar[str] = "sprig.certificate"
    go_fields: ClassVar[tuple[str, ...]] = ("Cert", "Key")

    def __init__(self, cert: str = "", key: str = ""):
        self.Cert = cert
        self.Key = key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and (self.Cert, self.Key) == (other.Cert, other.Key)

    def __hash__(self) -> int:
        return hash((self.Cert, self.Key))

    def to_go_json(self) -> dict[str, str]:
        """encoding/json of the struct: its exported fields by name."""
        return {"Cert": self.Cert, "Key": self.Key}


def bcrypt_hash(password: str) -> str:
    data = go_bytes(password)
    if len(data) > 72:
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
    import bcrypt

    return bcrypt.hashpw(data, bcrypt.gensalt(rounds=10, prefix=b"2a")).decode("ascii")


def htpasswd(username: str, password: str) -> str:
    if ":" in username:
        return f"invalid username: {username}"
    return f"{username}:{bcrypt_hash(password)}"


@lru_cache(maxsize=64)
def _scrypt_key(password: bytes, salt: bytes) -> bytes:
    """scrypt(N=32768, r=8, p=2): a deliberately slow step, cached because charts call it per render."""
    return hashlib.scrypt(password, salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=128 * 1024 * 1024)


def derive_password(counter: int, password_type: str, password: str, user: str, site: str) -> str:
    """Master Password (Lyndir) as Sprig implements it: scrypt, HMAC-SHA256, then a character template."""
    if not 0 <= counter <= 0xFFFFFFFF:
        raise GoFuncError(f"wrong type for value; expected uint32; got {go_type_name(counter)}")
    templates = _PASSWORD_TEMPLATES.get(password_type)
    if templates is None:
        return f"cannot find password template {password_type}"
    user_bytes = go_bytes(user)
    site_bytes = go_bytes(site)
    salt = _MASTER_PASSWORD_SEED + struct.pack(">I", len(user_bytes)) + user_bytes
    key = _scrypt_key(go_bytes(password), salt)
    message = _MASTER_PASSWORD_SEED + struct.pack(">I", len(site_bytes)) + site_bytes + struct.pack(">I", counter)
    seed = hmac.new(key, message, hashlib.sha256).digest()
    template = templates[seed[0] % len(templates)]
    out = []
    for i, element in enumerate(template):
        chars = _TEMPLATE_CHARACTERS[element]
        out.append(chars[seed[i + 1] % len(chars)])
    return "".join(out)


def _aes_key(password: str) -> bytes:
    """Sprig copies the password into a zeroed 32-byte key (AES-256), truncating longer ones."""
    return go_bytes(password)[:32].ljust(32, b"\0")


def encrypt_aes(password: str, plaintext: str) -> str:
    if plaintext == "":
        return ""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    content = go_bytes(plaintext)
    padding = _AES_BLOCK - len(content) % _AES_BLOCK
    content += bytes([padding]) * padding
    iv = os.urandom(_AES_BLOCK)  # what secrets.token_bytes returns
    encryptor = Cipher(algorithms.AES(_aes_key(password)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(content) + encryptor.finalize()).decode("ascii")


def decrypt_aes(password: str, crypt64: str) -> str:
    if crypt64 == "":
        return ""
    try:
        crypt = b64_decode(go_bytes(crypt64))
    except CorruptInput as err:
        raise GoFuncError(f"illegal base64 data at input byte {err.offset}") from None
    if len(crypt) < _AES_BLOCK:
        raise GoFuncError(f"runtime error: slice bounds out of range [:16] with length {len(crypt)}")
    iv, body = crypt[:_AES_BLOCK], crypt[_AES_BLOCK:]
    if len(body) % _AES_BLOCK:
        raise GoFuncError("crypto/cipher: input not full blocks")
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(_aes_key(password)), modes.CBC(iv)).decryptor()
    decrypted = decryptor.update(body) + decryptor.finalize()
    if not decrypted:
        raise GoFuncError("runtime error: index out of range [-1]")
    end = len(decrypted) - decrypted[-1]
    if end < 0:
        raise GoFuncError(f"runtime error: slice bounds out of range [:{end}]")
    return from_go_bytes(decrypted[:end])


def _cert_func(name: str, *params: str) -> GoFunc:
    """A certificate function whose implementation lives in `certs`, imported (with cryptography) on first call."""

    def call(*args: Any) -> Any:
        from wavecd.sprig import certs

        return certs.FUNCTIONS[name](*args)

    return GoFunc(name, call, params)


_LIST = "[]interface {}"
_CERT = "sprig.certificate"

FUNCS = [
    GoFunc("bcrypt", bcrypt_hash, ("string",)),
    GoFunc("htpasswd", htpasswd, ("string", "string")),
    GoFunc("derivePassword", derive_password, ("uint32", "string", "string", "string", "string")),
    GoFunc("encryptAES", encrypt_aes, ("string", "string")),
    GoFunc("decryptAES", decrypt_aes, ("string", "string")),
    _cert_func("genPrivateKey", "string"),
    _cert_func("buildCustomCert", "string", "string"),
    _cert_func("genCA", "string", "int"),
    _cert_func("genCAWithKey", "string", "int", "string"),
    _cert_func("genSelfSignedCert", "string", _LIST, _LIST, "int"),
    _cert_func("genSelfSignedCertWithKey", "string", _LIST, _LIST, "int", "string"),
    _cert_func("genSignedCert", "string", _LIST, _LIST, "int", _CERT),
    _cert_func("genSignedCertWithKey", "string", _LIST, _LIST, "int", _CERT, "string"),
]
