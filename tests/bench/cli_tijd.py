"""`python -m tests.bench.cli_tijd herbouw`: run an `adapters.cli` command as `make` does and print how long
the command itself took, without the interpreter's start and the imports (seconds of their own at small N)."""

from __future__ import annotations

import sys
import time

from adapters.cli import cli

if __name__ == "__main__":
    begin = time.perf_counter()
    try:
        cli(sys.argv[1:], standalone_mode=False)
    finally:
        print(f"BENCH_SECONDEN={time.perf_counter() - begin:.6f}", file=sys.stderr)
