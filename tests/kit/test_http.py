"""Outgoing TLS trusts certifi's CAs plus the configured bundle (a government CA), over a real
TLS connection to a server whose certificate that CA issued."""

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ruxue.kit import http
from ruxue.kit.http import client


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    ca: bool,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    issuer_name, signer = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
    else:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(signer, hashes.SHA256())


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the identity platform's servers do

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _cert("测试政务根CA", ca_key, None, ca=True)
    leaf = _cert("127.0.0.1", key, ("测试政务根CA", ca_key), ca=False)
    bundle, chain, key_file = tmp_path / "gov-ca.pem", tmp_path / "leaf.pem", tmp_path / "leaf.key"
    bundle.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/", bundle
    server.shutdown()
    server.server_close()


async def test_extra_ca_bundle_is_trusted(https_server: tuple[str, Path]) -> None:
    url, bundle = https_server
    async with client(timeout=5) as plain:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await plain.get(url)
    async with client(bundle, timeout=5) as trusting:
        assert (await trusting.get(url)).text == "ok"


async def test_the_bundle_the_root_configured_is_every_clients(
    https_server: tuple[str, Path],
) -> None:
    url, bundle = https_server
    http.configure(bundle)  # what a composition root does with RUXUE_CA_BUNDLE
    async with client(timeout=5) as default:
        assert (await default.get(url)).text == "ok"


async def test_clients_share_the_process_connections(https_server: tuple[str, Path]) -> None:
    """A client per call (``async with client()``) reuses the connection the last one opened."""
    url, bundle = https_server
    opened = []
    for _ in range(3):
        async with client(bundle, timeout=5) as each:
            response = await each.get(url, extensions={"trace": _connects(opened)})
            assert response.text == "ok"
    assert len(opened) == 1


def _connects(opened: list[str]) -> object:
    async def trace(event: str, info: dict[str, object]) -> None:
        if event == "connection.connect_tcp.complete":
            opened.append(event)

    return trace
