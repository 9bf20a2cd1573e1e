"""Subcommands that draw pictures and export geometry (registered by :mod:`campaign.cli`)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add export, plot, chart and animate."""
    return None
