"""The type checker passes over the code, and it is strict enough to catch an attribute nobody declared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECONDEN = 600  # generous: a cold cache checks every module


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(cache: Path, *argumenten: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache), *argumenten], cwd=ROOT,
                          capture_output=True, text=True, timeout=SECONDEN)


def test_the_code_passes_the_type_checker(cache: Path) -> None:
    uitkomst = _mypy(cache)  # the files and settings of [tool.mypy] in pyproject.toml
    assert uitkomst.returncode == 0, uitkomst.stdout + uitkomst.stderr


def test_a_part_of_the_trajectory_that_uses_undeclared_state_fails_the_type_checker(cache: Path, tmp_path: Path) -> None:
    deel = tmp_path / "taalcafe.py"
    deel.write_text(
        "from datetime import date\n"
        "from domain.traject import Inburgeringstraject\n"
        "from domain.traject.toestand import Toestand\n\n\n"
        "class TaalcafeDeel(Toestand):\n"
        "    def taalcafe_na_pip(self) -> bool:\n"
        "        return self.taalcafe_datum is not None and self.pip_dagtekening is not None\n\n\n"
        "def pas_toe(traject: Inburgeringstraject) -> None:\n"
        "    traject.taalcafe_bezocht = date(2025, 1, 1)\n"
    )
    uitkomst = _mypy(cache, "--config-file", str(ROOT / "pyproject.toml"), str(deel))
    assert uitkomst.returncode == 1, uitkomst.stdout
    assert '"TaalcafeDeel" has no attribute "taalcafe_datum"' in uitkomst.stdout, uitkomst.stdout
    assert '"Inburgeringstraject" has no attribute "taalcafe_bezocht"' in uitkomst.stdout, uitkomst.stdout
    assert "pip_dagtekening" not in uitkomst.stdout  # declared state is known to every part
