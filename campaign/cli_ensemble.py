"""Subcommands for ensembles, comparisons, calibration and sensitivity."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add ensemble, compare, calibrate and sensitivity."""
    return None
