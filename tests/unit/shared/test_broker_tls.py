"""The local CA and broker certificate: made once, kept, renewed when they no longer fit."""

import ssl
import stat

from cryptography import x509

from organising_shared.devstack.tls import ensure_broker_tls


def test_made_once_then_kept(tmp_path):
    first = ensure_broker_tls(tmp_path)
    kept = first.keystore_path.read_bytes()
    assert ensure_broker_tls(tmp_path).keystore_path.read_bytes() == kept
    assert stat.S_IMODE(first.keystore_path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "ca-key.pem").stat().st_mode) == 0o600


def test_the_broker_certificate_is_signed_by_the_ca_and_names_loopback(tmp_path):
    tls = ensure_broker_tls(tmp_path)
    broker = x509.load_pem_x509_certificates(tls.keystore_path.read_bytes())[0]
    ca = x509.load_pem_x509_certificate(tls.ca_path.read_bytes())
    broker.verify_directly_issued_by(ca)
    names = broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    ssl.create_default_context(cafile=str(tls.ca_path))  # a client can load the CA as is


def test_a_new_host_gets_a_new_certificate_from_the_same_ca(tmp_path):
    first = ensure_broker_tls(tmp_path)
    ca = first.ca_path.read_bytes()
    second = ensure_broker_tls(tmp_path, hosts=("kafka.example.org", "127.0.0.1"))
    assert second.ca_path.read_bytes() == ca
    broker = x509.load_pem_x509_certificates(second.keystore_path.read_bytes())[0]
    assert "kafka.example.org" in broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    )
