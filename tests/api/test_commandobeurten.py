"""The commands' own pool (api/routers/werkdraad.py `Commandobeurten`): turns, the caller's context, and what a
cancelled request means for a command. Real threads, a real event loop; every wait is bounded."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from api.routers.werkdraad import Commandobeurten
from tests.serverproces import GEREED_BINNEN

VERZOEK: contextvars.ContextVar[str] = contextvars.ContextVar("verzoek", default="geen")


async def _tot(beurten: Commandobeurten, verwacht: tuple[int, int]) -> None:
    async with asyncio.timeout(GEREED_BINNEN):
        while (gezien := beurten.bezet()) != verwacht:
            await asyncio.sleep(0.005)
    assert gezien == verwacht


def test_a_command_runs_in_the_pool_with_the_callers_context_and_raises_its_own_error() -> None:
    async def scenario() -> None:
        beurten = Commandobeurten(2)
        try:
            VERZOEK.set("verzoek-1")
            assert await beurten.voer_uit(lambda: (VERZOEK.get(), threading.current_thread().name)) == (
                "verzoek-1", "commando_0")  # the caller's log fields, in a thread of the pool
            with pytest.raises(ZeroDivisionError):
                await beurten.voer_uit(lambda: 1 // 0)
            assert beurten.bezet() == (0, 0)
        finally:
            beurten.close()

    asyncio.run(scenario())


def test_a_command_cancelled_while_it_waits_for_its_turn_never_runs() -> None:
    async def scenario() -> None:
        beurten, vrij, gedaan = Commandobeurten(1), threading.Event(), []
        try:
            eerste = asyncio.create_task(beurten.voer_uit(lambda: vrij.wait(GEREED_BINNEN) and gedaan.append("eerste")))
            tweede = asyncio.create_task(beurten.voer_uit(lambda: gedaan.append("tweede")))
            await _tot(beurten, (1, 1))  # the first carried out, the second waiting for its turn
            tweede.cancel()
            await asyncio.wait({tweede}, timeout=GEREED_BINNEN)  # while the first still holds the only turn
            assert tweede.cancelled(), f"a command cancelled in the queue still waited {GEREED_BINNEN:g} s for a turn"
            assert beurten.bezet() == (1, 0)
            vrij.set()
            await asyncio.wait_for(eerste, GEREED_BINNEN)
            await asyncio.wait_for(beurten.voer_uit(lambda: None), GEREED_BINNEN)  # the turn it had is free
            assert gedaan == ["eerste"] and beurten.bezet() == (0, 0)
        finally:
            vrij.set()
            beurten.close()

    asyncio.run(scenario())


def test_a_command_cancelled_under_way_is_not_abandoned_its_end_is_awaited() -> None:
    # As anyio's run_sync: a command commits or not as a whole, and the request that carried it ends after it.
    async def scenario() -> None:
        beurten, begonnen, vrij, gedaan = Commandobeurten(1), threading.Event(), threading.Event(), []

        def werk() -> None:
            begonnen.set()
            vrij.wait(GEREED_BINNEN)
            gedaan.append("vastgelegd")

        try:
            taak = asyncio.create_task(beurten.voer_uit(werk))
            async with asyncio.timeout(GEREED_BINNEN):
                while not begonnen.is_set():
                    await asyncio.sleep(0.005)
            taak.cancel()
            await asyncio.sleep(0.05)
            taak.cancel()  # twice: still not abandoned
            await asyncio.sleep(0.05)
            assert not taak.done() and gedaan == []
            vrij.set()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(taak, GEREED_BINNEN)
            assert gedaan == ["vastgelegd"] and beurten.bezet() == (0, 0)
        finally:
            vrij.set()
            beurten.close()

    asyncio.run(scenario())
