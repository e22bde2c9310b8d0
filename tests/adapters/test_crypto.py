"""The keyed BSN pseudonym and the keyed request fingerprint."""

import hashlib

from adapters.crypto import pseudoniem_functie, vingerafdruk_functie

VERZOEK = 'POST /api/v1/trajecten\n{"bsn":"111222333","datum":"2025-01-06"}'


def test_the_request_fingerprint_depends_on_the_key_and_is_not_a_plain_hash() -> None:
    eerste, tweede = vingerafdruk_functie(b"sleutel-een"), vingerafdruk_functie(b"sleutel-twee")
    assert eerste(VERZOEK) == eerste(VERZOEK)
    assert eerste(VERZOEK) != tweede(VERZOEK)
    assert eerste(VERZOEK) != hashlib.sha256(VERZOEK.encode()).hexdigest()  # not reversible by trying BSNs
    assert eerste(VERZOEK) != eerste(VERZOEK.replace("111222333", "123456782"))


def test_the_bsn_pseudonym_is_keyed_and_stable() -> None:
    eerste, tweede = pseudoniem_functie(b"sleutel-een"), pseudoniem_functie(b"sleutel-twee")
    assert eerste("111222333") == eerste("111222333")
    assert eerste("111222333") != tweede("111222333")
    assert eerste("111222333") != eerste("123456782")
