#!/usr/bin/env python3
"""Write the lab's TLS certificates into FOLDER, valid around the rewritten capture times.

usage: make-certificates.py FOLDER

The captures are rewritten to start on 2025-12-02, so the certificates carry
fixed validity dates around it rather than dates from the recording day:
- ca.pem/ca.key: the lab CA (2025-01-01 to 2027-12-31);
- server.pem/server.key: signed by the CA for the ordinary lab names;
- self.pem/self.key: self-signed, CN selfsigned.example.net;
- expired.pem/expired.key: signed by the CA, expired on 2025-06-01.
Needs python3-cryptography.
"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

FOLDER = sys.argv[1]
START = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2027, 12, 31, tzinfo=datetime.timezone.utc)


def write(name: str, key, certificate) -> None:
    open(f"{FOLDER}/{name}.key", "wb").write(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    open(f"{FOLDER}/{name}.pem", "wb").write(certificate.public_bytes(serialization.Encoding.PEM))


def build(common_name: str, names: list, issuer_name, issuer_key, key, not_before, not_after, is_ca=False):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


ca_key = ec.generate_private_key(ec.SECP256R1())
ca = build("Tideline Lab CA", [], None, None, ca_key, START, END, is_ca=True)
write("ca", ca_key, ca)

server_key = ec.generate_private_key(ec.SECP256R1())
names = ["www.example.com", "static.example-cdn.net", "img.example-cdn.net", "c2.example.net", "files.example.org"]
write("server", server_key, build("www.example.com", names, ca.subject, ca_key, server_key, START, END))

self_key = ec.generate_private_key(ec.SECP256R1())
write("self", self_key, build("selfsigned.example.net", ["selfsigned.example.net"], None, None, self_key, START, END))

expired_key = ec.generate_private_key(ec.SECP256R1())
expired_end = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)
write("expired", expired_key, build("expired.example.net", ["expired.example.net"], ca.subject, ca_key, expired_key, START, expired_end))
