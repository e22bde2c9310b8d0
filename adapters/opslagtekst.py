"""Text our own tables can hold: the one rule for the read models and the access and audit logs.

The events keep whatever was recorded, but PostgreSQL text cannot hold U+0000, and neither store can
encode a lone surrogate (U+D800-U+DFFF) as UTF-8, which a Python string (JSON "\\ud800") can carry.
Each such code point is written as U+FFFD, the Unicode replacement character, on both stores alike,
so SQLite, PostgreSQL and a replay hold the same rows. Every other character, control characters
included, is kept as recorded. Lossy on purpose: an escape would be ambiguous with text that
happens to look like one, and what is replaced is still in the event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

VERVANGING = "\ufffd"
_NIET_OPSLAGBAAR = re.compile("[\x00\ud800-\udfff]")


def _schoon(tekst: str) -> bool:
    """Whether the text is storable as it is: checked in C, because nearly every string is and the access
    log passes thousands per second. Text beyond ASCII is searched, not walked: a batch of the worklist holds
    a "§" in every row (its grondslag), and a walk of each of its values was a sixteenth of a rebuild."""
    if tekst.isascii():
        return "\x00" not in tekst
    return _NIET_OPSLAGBAAR.search(tekst) is None


def opslagbaar(waarde: Any) -> Any:
    """The value with every string in it (also in dicts, their keys, lists and tuples) made storable."""
    if isinstance(waarde, str):
        if _schoon(waarde):
            return waarde
        return _NIET_OPSLAGBAAR.sub(VERVANGING, waarde)
    if isinstance(waarde, dict):
        return {opslagbaar(k): opslagbaar(v) for k, v in waarde.items()}
    if isinstance(waarde, list):
        return [opslagbaar(v) for v in waarde]
    if isinstance(waarde, tuple):
        return tuple(opslagbaar(v) for v in waarde)
    return waarde


_ENKELVOUDIG = (int, float, type(None))  # values without text in them (bool is an int)


def opslagbare_rijen(rijen: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows as `opslagbaar` makes them, with the text of the whole batch checked at once: nearly every batch
    holds nothing to replace, and a walk of each value cost the access log's writer about 0.3 ms of its 2.7 ms
    for a list page of a hundred persons (a quarter of that checked at once). A batch with something to
    replace, or a value with values inside, is walked row by row."""
    alle = [tuple(rij) for rij in rijen]
    teksten = []
    for rij in alle:
        for waarde in rij:
            if isinstance(waarde, str):
                teksten.append(waarde)
            elif not isinstance(waarde, _ENKELVOUDIG):
                return [opslagbaar(rij) for rij in alle]
    if _schoon("".join(teksten)):
        return alle
    return [opslagbaar(rij) for rij in alle]


def opslagbare_kolom(teksten: list[str]) -> list[str]:
    """A column of text values as `opslagbaar` makes them, checked in one C call: nearly every column is as it is."""
    if _schoon("".join(teksten)):
        return teksten
    return [opslagbaar(tekst) for tekst in teksten]
