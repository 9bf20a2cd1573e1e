"""Subcommands for analysis, pictures and ensembles (registered by :mod:`campaign.cli`)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the analysis and rendering subcommands."""
    return None
