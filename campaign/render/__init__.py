"""Pictures of a run: maps, fronts over time, charts and animations.

The only package that imports matplotlib (with the non-interactive Agg backend); the
engine and the analysis never do.  Import the functions from their modules, e.g.
``from campaign.render.maps import render_map``.
"""

from __future__ import annotations

from campaign.render import style as style  # noqa: F401 - selects the Agg backend first
