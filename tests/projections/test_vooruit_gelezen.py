"""Reading ahead in a thread of its own (a rebuild reads the next part while it computes one): every item
once and in order, never more than a bounded number ahead, errors where they happened, and no thread left."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from projections.projector import vooruit_gelezen

WACHTTIJD = 30  # generous: only a producer that never runs ahead takes this long


def _producenten() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "vooruit-gelezen"]


def test_every_item_comes_once_and_in_order_and_the_thread_ends() -> None:
    with vooruit_gelezen(iter(range(100))) as delen:
        assert list(delen) == list(range(100))
    assert _producenten() == []


def test_the_producer_runs_no_further_ahead_than_asked() -> None:
    gemaakt: list[int] = []

    def teller() -> Iterator[int]:
        for i in range(50):
            gemaakt.append(i)
            yield i

    with vooruit_gelezen(teller(), diepte=2) as delen:
        assert next(delen) == 0
        # Item 0 taken, 2 waiting in the queue, 1 in the producer's hand: it runs that far ahead, and no further.
        eind = time.monotonic() + WACHTTIJD
        while len(gemaakt) < 4 and time.monotonic() < eind:
            time.sleep(0.01)
        assert len(gemaakt) == 4, f"na {WACHTTIJD} s vooruit gelezen: {gemaakt}"
        time.sleep(0.2)  # unbounded, it would have made all 50 by now
        assert len(gemaakt) == 4, gemaakt
        assert list(delen) == list(range(1, 50))
    assert gemaakt == list(range(50))


def test_an_error_in_the_producer_reaches_the_reader_after_the_items_before_it() -> None:
    def breekt() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("de opslag antwoordde niet")

    gelezen = []
    with pytest.raises(ValueError, match="antwoordde niet"), vooruit_gelezen(breekt()) as delen:
        for deel in delen:
            gelezen.append(deel)
    assert gelezen == [1, 2]
    assert _producenten() == []


def test_a_reader_that_stops_early_stops_the_producer() -> None:
    gemaakt: list[int] = []

    def oneindig() -> Iterator[int]:
        i = 0
        while True:
            gemaakt.append(i)
            yield i
            i += 1

    with vooruit_gelezen(oneindig()) as delen:
        assert next(delen) == 0
    # The context waited for the producer to end (else this thread would still be running), which had made
    # no more than the item taken, one in the queue and one in its hand.
    assert _producenten() == []
    assert len(gemaakt) <= 3, gemaakt
