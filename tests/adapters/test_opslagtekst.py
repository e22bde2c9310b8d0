"""The one rule for text in our own tables (adapters/opslagtekst.py), for a batch of rows at once: the access
log checks the text of a whole batch in one go, and must end with exactly the rows a walk of each value gives."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.opslagtekst import VERVANGING, opslagbaar, opslagbare_kolom, opslagbare_rijen

SCHOON = ("a1b2c3", "4f" * 16, "lees-trajecten", 200, None, "2026-06-01T10:00:00+00:00", '{"a":"\\u0000"}', 1.5, True)


@pytest.mark.parametrize(
    ("vreemd", "verwacht"),
    [
        ("x\x00y", f"x{VERVANGING}y"),  # PostgreSQL text cannot hold a NUL
        ("x\ud800y", f"x{VERVANGING}y"),  # nor can either store encode a lone surrogate
        ("Zoë 🙂", "Zoë 🙂"),  # text beyond ASCII is kept as it is
        ({"sleutel\x00": ["\udfff", 1]}, {f"sleutel{VERVANGING}": [VERVANGING, 1]}),  # values with values inside
    ],
)
def test_a_batch_with_one_odd_value_among_many_rows_gets_that_value_replaced_and_keeps_every_other(vreemd: Any, verwacht: Any) -> None:
    rijen = [SCHOON, SCHOON[:3] + (vreemd,) + SCHOON[4:], list(SCHOON)]

    opgeslagen = opslagbare_rijen(rijen)

    assert opgeslagen == [SCHOON, SCHOON[:3] + (verwacht,) + SCHOON[4:], SCHOON]
    assert opgeslagen == [opslagbaar(tuple(rij)) for rij in rijen]  # the same as a walk of each value


def test_a_batch_of_plain_ascii_rows_comes_back_as_the_same_rows() -> None:
    rijen = [SCHOON, ("b",) + SCHOON[1:]]
    assert opslagbare_rijen(iter(rijen)) == rijen  # any iterable, each row a tuple
    assert opslagbare_rijen([]) == []


def test_a_batch_beyond_ascii_with_nothing_to_replace_comes_back_as_its_own_rows_not_copies() -> None:
    rijen = [("t1", "SDD beleid §3.1", 0), ("t2", "Zoë 🙂", None)]

    opgeslagen = opslagbare_rijen(rijen)

    assert opgeslagen == rijen and all(nu is eerder for nu, eerder in zip(opgeslagen, rijen, strict=True))  # no walk made a copy


def test_text_that_only_looks_like_an_escape_is_kept() -> None:
    # A backslash and "x00" are four characters of text, not a NUL: nothing to replace.
    assert opslagbare_rijen([("\\x00", "\\ud800")]) == [("\\x00", "\\ud800")]


def test_a_column_is_kept_as_it_is_unless_a_value_needs_replacing_then_that_value_alone() -> None:
    kolom = ["a1b2", '{"a":"\\u0000"}', "4f" * 16]
    assert opslagbare_kolom(kolom) is kolom  # plain ASCII: the same list, not a copy
    voorbij_ascii = ["Zoë 🙂", "a"]
    assert opslagbare_kolom(voorbij_ascii) is voorbij_ascii  # beyond ASCII but nothing to replace: the same list too
    assert opslagbare_kolom(["a", "x\x00y", "b\ud800", "c"]) == ["a", f"x{VERVANGING}y", f"b{VERVANGING}", "c"]
    assert opslagbare_kolom([]) == []
