"""The Sprig FuncMap as a whole, and the functions helm cannot record: random, time-dependent, env, network.

Signatures come from the Sprig v3.3.0 sources (data/sprig_signatures.json, by
record_sprig_signatures.py); the other expectations follow Go's documented behaviour, checked as
properties where the output is random.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import string
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gofmt import format_value
from wavecd.gotemplate.gotypes import GoStringList, Int64
from wavecd.sprig import sprig_functions
from wavecd.sprig.gotime import GoTime

SIGNATURES = json.loads((Path(__file__).parent / "data" / "sprig_signatures.json").read_text())
F = sprig_functions()


def call(name: str, *args: object) -> object:
    return F[name].fn(*args)


def test_sprig_map_has_exactly_sprigs_functions_with_go_signatures() -> None:
    assert set(F) == set(SIGNATURES)
    for name, sig in SIGNATURES.items():
        fn = F[name]
        assert isinstance(fn, GoFunc) and fn.name == name
        assert (list(fn.params), fn.variadic) == (sig["params"], sig["variadic"]), name


def test_sprig_functions_returns_a_fresh_map() -> None:
    first = sprig_functions()
    del first["env"]
    assert "env" in sprig_functions()


def test_sprig_semver_release_follows_go_version() -> None:
    with pytest.raises(GoFuncError, match=r"^Invalid Semantic Version$"):
        sprig_functions(go_version=(1, 23))["semver"].fn("bad")
    with pytest.raises(GoFuncError, match=r"^invalid semantic version$"):
        sprig_functions()["semver"].fn("bad")


def test_sprig_from_json_swallows_errors_and_keeps_any_json_type() -> None:
    # Sprig's own fromJson (Helm replaces it): json.Unmarshal into interface{}, errors ignored.
    assert call("fromJson", "bad") is None
    assert call("fromJson", "12") == 12.0
    assert call("fromJson", '[1, "a"]') == [1.0, "a"]
    with pytest.raises(GoFuncError, match=r"^invalid character 'b' looking for beginning of value$"):
        call("mustFromJson", "bad")


def test_sprig_fail_returns_its_message_as_error() -> None:
    with pytest.raises(GoFuncError, match=r"^boom$"):
        call("fail", "boom")


def test_sprig_env_and_expandenv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAVECD_X", "xv")
    monkeypatch.delenv("WAVECD_MISSING", raising=False)
    assert call("env", "WAVECD_X") == "xv"
    assert call("env", "WAVECD_MISSING") == ""
    # os.ExpandEnv: $NAME and ${NAME}; a `$` before a non-name stays; a bad `${` is eaten.
    assert call("expandenv", "a $WAVECD_X ${WAVECD_X}b $WAVECD_MISSING.") == "a xv xvb ."
    assert call("expandenv", "cost: 5$ and $-") == "cost: 5$ and "
    assert call("expandenv", "${}x ${WAVECD_X") == "x WAVECD_X"
    assert call("expandenv", "no vars") == "no vars"


def test_sprig_get_host_by_name_resolves_localhost() -> None:
    assert call("getHostByName", "localhost") in ("127.0.0.1", "::1")


@pytest.mark.parametrize(
    ("name", "alphabet"),
    [
        ("randAlphaNum", string.ascii_letters + string.digits),
        ("randAlpha", string.ascii_letters),
        ("randNumeric", string.digits),
        ("randAscii", "".join(chr(c) for c in range(32, 127))),
    ],
)
def test_sprig_random_strings_have_length_and_alphabet(name: str, alphabet: str) -> None:
    value = call(name, 200)
    assert len(value) == 200 and set(value) <= set(alphabet)
    assert call(name, 0) == "" and call(name, -3) == ""


def test_sprig_rand_bytes_uuid_rand_int_shuffle() -> None:
    assert len(base64.b64decode(call("randBytes", 24))) == 24
    with pytest.raises(GoFuncError, match="makeslice: len out of range"):
        call("randBytes", -1)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", call("uuidv4"))
    values = {call("randInt", 3, 6) for _ in range(200)}
    assert values <= {3, 4, 5} and all(type(v) is int for v in values)
    assert sorted(call("shuffle", "héllo wörld")) == sorted("héllo wörld")


def test_sprig_now_date_and_ago(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    current = call("now")
    assert isinstance(current, GoTime)
    today = datetime.datetime.now(datetime.UTC)
    assert abs(int(current.Unix()) - today.timestamp()) < 120
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \+0000 UTC m=\+\d+\.\d{9}", format_value(current))
    assert call("htmlDate", current) == current.Format("2006-01-02")
    # A value that is not a time.Time, int or int64 formats *now* (as Helm shows for strings).
    years = {str(datetime.datetime.now(datetime.UTC).year)}
    printed = call("date", "2006", "2020-01-01")
    years.add(str(datetime.datetime.now(datetime.UTC).year))
    assert printed in years
    assert call("ago", current) == "0s"
    assert call("ago", Int64(int(current.Unix()) - 3700)) in ("1h1m40s", "1h1m41s")
    assert call("durationRound", call("toDate", "2006-01-02", "2001-01-01")).endswith("y")


def test_sprig_date_uses_local_zone_from_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert call("date", "2006-01-02 15:04 MST", 0) == "1970-01-01 05:30 IST"
    assert format_value(call("toDate", "2006-01-02", "2024-02-03")) == "2024-02-03 00:00:00 +0530 IST"
    monkeypatch.setenv("TZ", "")
    assert call("date", "15:04 MST", 0) == "00:00 UTC"


def test_sprig_bcrypt_and_htpasswd() -> None:
    import bcrypt

    hashed = call("bcrypt", "secret")
    assert re.fullmatch(r"\$2a\$10\$[./A-Za-z0-9]{53}", hashed)
    assert bcrypt.checkpw(b"secret", hashed.encode())
    user, _, pw_hash = call("htpasswd", "admin", "pw").partition(":")
    assert user == "admin" and bcrypt.checkpw(b"pw", pw_hash.encode())
    assert call("bcrypt", "x" * 73) == "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"


def test_sprig_aes_round_trip() -> None:
    secret = call("encryptAES", "key", "some text é")
    raw = base64.b64decode(secret)
    assert len(raw) == 16 + 16
    assert call("decryptAES", "key", secret) == "some text é"
    assert call("encryptAES", "key", "some text é") != secret


def _cert(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def test_sprig_gen_ca_and_signed_cert_chain() -> None:
    ca = call("genCA", "my-ca", 365)
    assert format_value(ca).startswith("{-----BEGIN CERTIFICATE-----\n")
    assert ca.Key.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    ca_cert = _cert(ca.Cert)
    assert ca_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "my-ca"
    assert ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert ca_cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    days = (ca_cert.not_valid_after_utc - ca_cert.not_valid_before_utc).days
    assert days == 365

    leaf = call("genSignedCert", "svc", ["10.0.0.1"], ["svc.local"], 30, ca)
    cert = _cert(leaf.Cert)
    assert cert.issuer == ca_cert.subject
    ca_cert.public_key().verify(cert.signature, cert.tbs_certificate_bytes, *_rsa_verify_args(cert))
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["svc.local"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["10.0.0.1"]
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    key = serialization.load_pem_private_key(leaf.Key.encode(), None)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()


def _rsa_verify_args(cert: x509.Certificate) -> tuple[object, object]:
    from cryptography.hazmat.primitives.asymmetric import padding

    return padding.PKCS1v15(), cert.signature_hash_algorithm


def test_sprig_self_signed_and_custom_cert() -> None:
    pair = call("genSelfSignedCert", "host", None, ["a.example"], 1)
    cert = _cert(pair.Cert)
    assert cert.issuer == cert.subject
    rebuilt = call("buildCustomCert", base64.b64encode(pair.Cert.encode()).decode(),
                   base64.b64encode(pair.Key.encode()).decode())  # fmt: skip
    assert (rebuilt.Cert, rebuilt.Key) == (pair.Cert, pair.Key)


@pytest.mark.parametrize(
    ("kind", "header", "key_type"),
    [
        ("ecdsa", "-----BEGIN EC PRIVATE KEY-----", ec.EllipticCurvePrivateKey),
        ("ed25519", "-----BEGIN PRIVATE KEY-----", ed25519.Ed25519PrivateKey),
        ("dsa", "-----BEGIN DSA PRIVATE KEY-----", dsa.DSAPrivateKey),
    ],
)
def test_sprig_gen_private_key_types_and_with_key_variants(kind: str, header: str, key_type: type) -> None:
    pem = call("genPrivateKey", kind)
    assert pem.startswith(header + "\n") and pem.endswith("-----\n")
    assert isinstance(serialization.load_pem_private_key(pem.encode(), None), key_type)
    if kind == "dsa":
        return
    ca = call("genCAWithKey", "ca", 2, pem)
    assert ca.Key == pem
    leaf = call("genSignedCertWithKey", "leaf", None, None, 2, ca, pem)
    assert _cert(leaf.Cert).issuer == _cert(ca.Cert).subject
    assert call("genSelfSignedCertWithKey", "s", None, None, 2, pem).Key == pem


def test_sprig_gen_private_key_rsa_is_4096_pkcs1() -> None:
    pem = call("genPrivateKey", "rsa")
    assert pem.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    key = serialization.load_pem_private_key(pem.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 4096


def test_sprig_keys_and_values_list_every_entry() -> None:
    # Go's map order is random; any order is what Helm could print, so compare sorted.
    d = {"b": 1, "a": 2}
    assert isinstance(call("keys", d), GoStringList)
    assert sorted(call("keys", d, {"c": 3})) == ["a", "b", "c"]
    assert sorted(call("values", d)) == [1, 2]


def test_sprig_mutating_functions_change_their_argument() -> None:
    d = {"a": 1}
    assert call("set", d, "b", 2) is d and d == {"a": 1, "b": 2}
    assert call("unset", d, "a") is d and d == {"b": 2}
    src = {"m": {"x": 1}}
    dst: dict = {}
    assert call("merge", dst, src) is dst
    assert dst["m"] is src["m"], "mergo copies a missing map by reference, as Go does"
