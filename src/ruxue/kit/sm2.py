"""SM2 signatures (the electronic seal) through tongsuopy, Tongsuo's compiled build of
`cryptography`: ~0.7 ms a signature here, where pure-Python SM2 takes ~27 ms. Signatures use
SM3 with the user-id digest Z_A over the default id 1234567812345678, as GB/T 32918 and the
government seal platforms do. The key is configuration (a PEM file here; an HSM or the seal
platform behind the same two methods in production)."""

from pathlib import Path

from tongsuopy.crypto import hashes, serialization
from tongsuopy.crypto.asymciphers import ec

from ruxue.kit.crypto import sm3_hex

ALGORITHM = ec.ECDSA(hashes.SM3())


class SealKey:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        self.private_key = private_key

    @classmethod
    def generate(cls) -> "SealKey":
        return cls(ec.generate_private_key(ec.SM2()))

    @classmethod
    def load_or_create(cls, path: Path) -> "SealKey":
        """Load the PEM key; the first run of a demo creates one (0600)."""
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            return cls(key)
        key = cls.generate().private_key
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.touch(mode=0o600)
        path.write_bytes(pem)
        return cls(key)

    def sign(self, data: bytes) -> bytes:
        """DER-encoded (r, s)."""
        return self.private_key.sign(data, ALGORITHM)

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def key_id(self) -> str:
        return key_id(self.public_pem())


def key_id(public_pem: bytes) -> str:
    """A public key's id: the first 16 hex digits of SM3 over its DER SubjectPublicKeyInfo."""
    key = serialization.load_pem_public_key(public_pem)
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return sm3_hex(der)[:16]


def public_point(public_pem: bytes) -> bytes:
    """The uncompressed point (04 ‖ x ‖ y) of a public key."""
    key = serialization.load_pem_public_key(public_pem)
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def verify(public_pem: bytes, data: bytes, signature: bytes) -> bool:
    key = serialization.load_pem_public_key(public_pem)
    try:
        key.verify(signature, data, ALGORITHM)
    except Exception:  # tongsuopy raises InvalidSignature, or ValueError for a malformed DER
        return False
    return True
