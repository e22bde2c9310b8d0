"""Keys: the keyed BSN pseudonym, the master and signing keys, and the local development keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from adapters.settings import Settings, base64_32_bytes
from adapters.startcontrole import ProductieInstellingError, alleen_in_ontwikkeling


def pseudoniem_functie(sleutel: bytes) -> Callable[[str], str]:
    """A keyed, one-way pseudonym of a BSN: not reversible by enumerating BSNs without the key."""

    def pseudoniem(bsn: str) -> str:
        return hmac.new(sleutel, bsn.encode(), hashlib.sha256).hexdigest()

    return pseudoniem


def vingerafdruk_functie(sleutel: bytes) -> Callable[[str], str]:
    """A keyed fingerprint of a request, kept with an Idempotency-Key. Keyed, because a request may
    hold a BSN: an unkeyed hash of it could be reversed by trying every BSN."""
    afgeleid = hmac.new(sleutel, b"inburgering/idempotentie", hashlib.sha256).digest()  # not the pseudonym key itself

    def vingerafdruk(verzoek: str) -> str:
        return hmac.new(afgeleid, verzoek.encode(), hashlib.sha256).hexdigest()

    return vingerafdruk


def bsn_sleutel(settings: Settings) -> bytes:
    """The BSN key from settings; in development one is generated once under ./var."""
    if settings.bsn_sleutel is not None:
        return settings.bsn_sleutel.get_secret_value().encode()
    alleen_in_ontwikkeling(settings, "Een gegenereerde BSN-sleutel")
    return _lokaal_geheim(settings.bsn_sleutel_pad, lambda: secrets.token_hex(32)).encode()


def hoofdsleutel(settings: Settings) -> bytes:
    """The master key that wraps every data key; in development one is generated once under ./var."""
    return _sleutel_van_32_bytes(settings, settings.hoofdsleutel, settings.hoofdsleutel_pad, "HOOFDSLEUTEL")


def vorige_hoofdsleutels(settings: Settings) -> list[bytes]:
    """Earlier master keys, only to unwrap the data keys they wrapped until a rotation rewraps those."""
    if settings.vorige_hoofdsleutels is None:
        return []
    delen = [d.strip() for d in settings.vorige_hoofdsleutels.get_secret_value().split(",") if d.strip()]
    try:
        return [base64_32_bytes(deel) for deel in delen]  # Settings checks them too; a model_copy is not validated
    except ValueError as fout:
        raise ProductieInstellingError(f"INBURGERING_VORIGE_HOOFDSLEUTELS: elk {fout}.") from None


def hoofdsleutel_id(sleutel: bytes) -> str:
    """Names a master key in the key table (which one wrapped a data key) without revealing it: a keyed
    hash, one-way for a key of 32 random bytes."""
    return hmac.new(sleutel, b"inburgering/hoofdsleutel-id", hashlib.sha256).hexdigest()[:16]


def ondertekensleutel(settings: Settings) -> Ed25519PrivateKey:
    """The key that signs the checkpoints of the hash chains; in development one is generated under ./var."""
    geheim = _sleutel_van_32_bytes(settings, settings.ondertekensleutel, settings.ondertekensleutel_pad, "ONDERTEKENSLEUTEL")
    return Ed25519PrivateKey.from_private_bytes(geheim)


def _sleutel_van_32_bytes(settings: Settings, instelling: SecretStr | None, pad: Path, naam: str) -> bytes:
    """32 secret bytes, base64 in settings; required in production, made once under ./var in development."""
    if instelling is not None:
        geheim = instelling.get_secret_value()
    else:
        alleen_in_ontwikkeling(settings, f"Een gegenereerde INBURGERING_{naam}")
        geheim = _lokaal_geheim(pad, lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    try:
        return base64_32_bytes(geheim)  # Settings checks it too; a copied Settings (model_copy) is not validated
    except ValueError as fout:
        raise ProductieInstellingError(f"INBURGERING_{naam} {fout}.") from None


def _lokaal_geheim(pad: Path, maak: Callable[[], str]) -> str:
    """A development secret, made once. Several workers starting together all end up with the
    same one: it is written to a temporary file and linked into place, which only one can do."""
    if not pad.exists():
        pad.parent.mkdir(parents=True, exist_ok=True)
        tijdelijk = pad.with_name(f".{pad.name}.{secrets.token_hex(4)}")
        tijdelijk.touch(mode=0o600)
        tijdelijk.write_text(maak())
        try:
            os.link(tijdelijk, pad)
        except FileExistsError:
            pass  # another process was first; use its secret
        finally:
            tijdelijk.unlink()
    return pad.read_text()
