"""A local certificate authority and the broker's TLS certificate for the federation listener.

Made on first start and kept in the broker's data folder: `ca.pem` is what a federation's client
trusts (it is public), `broker.pem` holds the broker's private key and certificate chain as one
PEM keystore, which Kafka reads itself (`ssl.keystore.type=PEM`), so no Java keytool step is
needed. The CA's key stays beside them to re-issue the broker certificate when it nears its end
or must name another host. Production replaces all of this with certificates from its own CA.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
BROKER_DAYS = 397  # what public CAs may issue at most; renewed on a start within RENEW_BEFORE of its end
RENEW_BEFORE = datetime.timedelta(days=30)
DEFAULT_HOSTS = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class BrokerTls:
    ca_path: Path  # give this to clients
    keystore_path: Path  # private key + certificate chain, PEM, readable by the broker only


def ensure_broker_tls(folder: Path, *, hosts: tuple[str, ...] = DEFAULT_HOSTS) -> BrokerTls:
    """The CA and a broker certificate for `hosts` in `folder`, made or renewed when needed."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key_path, ca_path, keystore_path = folder / "ca-key.pem", folder / "ca.pem", folder / "broker.pem"
    if ca_key_path.exists() and ca_path.exists():
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
    else:
        ca_key, ca_cert = _new_ca()
        _write_private(ca_key_path, _pem_key(ca_key))
        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    if not _broker_current(keystore_path, ca_cert, hosts):
        key, cert = _new_broker_cert(ca_key, ca_cert, hosts)
        chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
        _write_private(keystore_path, _pem_key(key) + chain)
    return BrokerTls(ca_path=ca_path, keystore_path=keystore_path)


def _new_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())  # P-256: quick to make, read by every client
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "KSPI organising (local)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "organising local CA"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _new_broker_cert(ca_key, ca_cert: x509.Certificate, hosts: tuple[str, ...]) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=BROKER_DAYS))
        .add_extension(x509.SubjectAlternativeName([_general_name(host) for host in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _broker_current(keystore_path: Path, ca_cert: x509.Certificate, hosts: tuple[str, ...]) -> bool:
    """The kept certificate is signed by this CA, names every host and is not near its end."""
    if not keystore_path.exists():
        return False
    certs = x509.load_pem_x509_certificates(keystore_path.read_bytes())
    cert = certs[0]
    if cert.issuer != ca_cert.subject or cert.not_valid_after_utc - RENEW_BEFORE < _now():
        return False
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    named = {str(v) for v in names.get_values_for_type(x509.DNSName)} | {str(v) for v in names.get_values_for_type(x509.IPAddress)}
    return set(hosts) <= named


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _pem_key(key) -> bytes:
    # PKCS#8, the only private-key form Kafka's PEM keystore reads.
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _write_private(path: Path, data: bytes) -> None:
    """Written readable by this user only, and replaced whole, so no reader sees half a key."""
    partial = path.with_suffix(path.suffix + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.replace(partial, path)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
