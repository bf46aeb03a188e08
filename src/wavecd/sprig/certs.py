"""Private keys and X.509 certificates as Sprig's `genPrivateKey`, `genCA`, `genSelfSignedCert`, ... make them.

Built with the `cryptography` package to the template Sprig hands Go's x509.CreateCertificate: a
random 128-bit serial, CN-only subject, SANs only when given, key usage (critical) digital signature +
key encipherment (+ cert sign for a CA), extended usage server + client auth, critical basic
constraints, SHA-256 signatures; Go adds a subject key id to CAs and the issuer's key id to signed
certificates. PEM blocks use Go's types: `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC 1),
`DSA PRIVATE KEY`, else PKCS#8 `PRIVATE KEY`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import re
import secrets
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from wavecd.gotemplate.funcs import GoFuncError
from wavecd.gotemplate.gofmt import format_value
from wavecd.sprig.crypto import Certificate
from wavecd.sprig.encoding import CorruptInput, b64_decode
from wavecd.sprig.goval import from_go_bytes, go_bytes, require

_PEM_BLOCK = re.compile(rb"-----BEGIN ([^-\r\n]*)-----\r?\n(.*?)-----END \1-----", re.S)
_TRADITIONAL = serialization.PrivateFormat.TraditionalOpenSSL


def _pem_block(data: bytes) -> tuple[str, bytes] | None:
    """The first PEM block (type, DER bytes), like pem.Decode; None when there is none."""
    for match in _PEM_BLOCK.finditer(data):
        body = b"".join(line for line in match.group(2).split(b"\n") if b":" not in line)
        try:
            return match.group(1).decode("latin-1"), base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError):
            continue
    return None


def _key_pem(key: Any) -> str:
    if isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, dsa.DSAPrivateKey)):
        fmt = _TRADITIONAL
    else:
        fmt = serialization.PrivateFormat.PKCS8
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode("ascii")


def parse_private_key_pem(text: str) -> Any:
    """Sprig's parsePrivateKeyPEM, with its error texts (Go's own parser messages approximated)."""
    block = _pem_block(go_bytes(text))
    if block is None:
        raise GoFuncError("no PEM data in input")
    block_type, der = block
    if block_type != "PRIVATE KEY" and not block_type.endswith(" PRIVATE KEY"):
        raise GoFuncError(f"no private key data in PEM block of type {block_type}")
    kind = "PKCS#8" if block_type == "PRIVATE KEY" else block_type[:-12]
    prefixes = {
        "PKCS#8": "decoding PEM as PKCS#8",
        "RSA": "parsing RSA private key from PEM",
        "EC": "parsing EC private key from PEM",
        "DSA": "parsing DSA private key from PEM",
    }
    if kind not in prefixes:
        raise GoFuncError(f"invalid private key type {block_type}")
    try:
        return serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as err:
        raise GoFuncError(f"{prefixes[kind]}: {err}") from None


def gen_private_key(kind: str) -> str:
    if kind in ("", "rsa"):
        key: Any = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    elif kind == "dsa":
        key = dsa.generate_private_key(key_size=2048)
    elif kind == "ecdsa":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        return "Unknown type " + kind
    return _key_pem(key)


def _ip_addresses(ips: list[Any] | None) -> list[Any]:
    out = []
    for ip in ips or ():
        if not isinstance(ip, str):
            raise GoFuncError(f"error parsing ip: {format_value(ip)} is not a string")
        try:
            out.append(ipaddress.ip_address(ip))
        except ValueError:
            raise GoFuncError(f"error parsing ip: {ip}") from None
    return out


def _dns_names(names: list[Any] | None) -> list[str]:
    out = []
    for name in names or ():
        if not isinstance(name, str):
            raise GoFuncError(f"error processing alternate dns name: {format_value(name)} is not a string")
        out.append(name)
    return out


def _signature_hash(key: Any) -> hashes.HashAlgorithm | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def _build(
    cn: str,
    ips: list[Any] | None,
    dns: list[Any] | None,
    days: int,
    key: Any,
    is_ca: bool,
    issuer: tuple[x509.Name, Any, x509.Certificate | None] | None = None,
) -> Certificate:
    """Create, sign and PEM-encode one certificate; `issuer` is (name, signing key, issuer cert) or self."""
    addresses = _ip_addresses(ips)
    names = _dns_names(dns)
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]) if cn else x509.Name([])
    issuer_name, signing_key, issuer_cert = issuer if issuer else (subject, key, None)
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .serial_number(secrets.randbelow(1 << 128) or 1)
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if is_ca:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    if issuer_cert is not None:
        try:
            ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
            )
        except x509.ExtensionNotFound:
            pass
    if addresses or names:
        sans: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
        sans += [x509.IPAddress(a) for a in addresses]
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    try:
        cert = builder.sign(signing_key, _signature_hash(signing_key))
    except (ValueError, TypeError) as err:
        raise GoFuncError(f"error creating certificate: {err}") from None
    return Certificate(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"), _key_pem(key))


def _rsa_2048() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _with_key(pem: str) -> Any:
    try:
        return parse_private_key_pem(pem)
    except GoFuncError as err:
        raise GoFuncError(f"parsing private key: {err}") from None


def gen_ca(cn: str, days: int) -> Certificate:
    return _build(cn, None, None, days, _rsa_2048(), True)


def gen_ca_with_key(cn: str, days: int, key_pem: str) -> Certificate:
    return _build(cn, None, None, days, _with_key(key_pem), True)


def gen_self_signed(cn: str, ips: list[Any] | None, dns: list[Any] | None, days: int) -> Certificate:
    return _build(cn, ips, dns, days, _rsa_2048(), False)


def gen_self_signed_with_key(
    cn: str, ips: list[Any] | None, dns: list[Any] | None, days: int, key_pem: str
) -> Certificate:
    return _build(cn, ips, dns, days, _with_key(key_pem), False)


def _signer(ca: Certificate) -> tuple[x509.Name, Any, x509.Certificate]:
    require(ca, Certificate, "sprig.certificate")
    block = _pem_block(go_bytes(ca.Cert))
    if block is None:
        raise GoFuncError("unable to decode certificate")
    try:
        cert = x509.load_der_x509_certificate(block[1])
    except ValueError as err:
        raise GoFuncError(f"error parsing certificate: decodedSignerCert.Bytes: {err}") from None
    try:
        key = parse_private_key_pem(ca.Key)
    except GoFuncError as err:
        raise GoFuncError(f"error parsing private key: {err}") from None
    return cert.subject, key, cert


def gen_signed(cn: str, ips: list[Any] | None, dns: list[Any] | None, days: int, ca: Certificate) -> Certificate:
    return _build(cn, ips, dns, days, _rsa_2048(), False, _signer(ca))


def gen_signed_with_key(
    cn: str, ips: list[Any] | None, dns: list[Any] | None, days: int, ca: Certificate, key_pem: str
) -> Certificate:
    key = _with_key(key_pem)
    return _build(cn, ips, dns, days, key, False, _signer(ca))


def build_custom_cert(b64cert: str, b64key: str) -> Certificate:
    try:
        cert = b64_decode(go_bytes(b64cert))
    except CorruptInput:
        raise GoFuncError("unable to decode base64 certificate") from None
    try:
        key = b64_decode(go_bytes(b64key))
    except CorruptInput:
        raise GoFuncError("unable to decode base64 private key") from None
    block = _pem_block(cert)
    if block is None:
        raise GoFuncError("unable to decode certificate")
    try:
        x509.load_der_x509_certificate(block[1])
    except ValueError as err:
        raise GoFuncError(f"error parsing certificate: decodedCert.Bytes: {err}") from None
    key_text = from_go_bytes(key)
    try:
        parse_private_key_pem(key_text)
    except GoFuncError as err:
        raise GoFuncError(f"error parsing private key: {err}") from None
    return Certificate(from_go_bytes(cert), key_text)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "genPrivateKey": gen_private_key,
    "buildCustomCert": build_custom_cert,
    "genCA": gen_ca,
    "genCAWithKey": gen_ca_with_key,
    "genSelfSignedCert": gen_self_signed,
    "genSelfSignedCertWithKey": gen_self_signed_with_key,
    "genSignedCert": gen_signed,
    "genSignedCertWithKey": gen_signed_with_key,
}
