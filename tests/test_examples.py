"""The shipped examples run and reproduce what they claim."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_iwo_jima_matches_engels_equations_within_half_a_percent():
    iwo = _load("iwo_jima")
    assert iwo.compare() < 0.005
    us, jp = iwo.engine_strengths()
    assert us[0] == 54_000 and jp[0] == 21_500
    assert jp[34] < 0.1 * 21_500  # the garrison is all but destroyed by day 35
