"""The compare chart: one bar per change, in the gaining side's colour, towns by name."""

from __future__ import annotations

from matplotlib.colors import to_hex
from PIL import Image

from campaign.analysis.compare import Comparison
from campaign.render.compare_chart import draw_comparison, gain_bars

LITHUANIA, SOVIET = "#d4a017", "#c0392b"


def _row(town, side, diff):
    return {
        "town": town,
        "side": side,
        "p_base": 0.5,
        "p_variant": 0.5 + diff,
        "difference": diff,
        "ci_low": diff - 0.1,
        "ci_high": diff + 0.1,
        "cohens_h": 0.0,
    }


def _comparison() -> Comparison:
    control = [
        _row("kaunas", "lt", 0.4),
        _row("kaunas", "sov", -0.4),  # Lithuania gains Kaunas
        _row("jonava", "lt", -0.3),
        _row("jonava", "sov", 0.3),  # Soviet gain at Jonava
        _row("ukmerge", "lt", 0.0),
        _row("ukmerge", "sov", 0.0),  # no change
    ]
    return Comparison(
        "ens/base",
        "ens/strong",
        control,
        [],
        [],
        [],
        place_names={"kaunas": "Kaunas", "jonava": "Jonava", "ukmerge": "Ukmergė"},
        sides={
            "lt": {"id": "lt", "name": "Republic of Lithuania", "colour": LITHUANIA},
            "sov": {"id": "sov", "name": "Soviet Russia (Litbel)", "colour": SOVIET},
        },
    )


def test_each_change_is_one_bar_from_the_gaining_side():
    bars = gain_bars(_comparison())
    assert [b[0] for b in bars] == ["Kaunas → Republic of Lithuania", "Jonava → Soviet Russia"]
    assert all(b[1] > 0 for b in bars)


def test_bars_are_in_the_gaining_sides_colour():
    colours = [to_hex(b[4]) for b in gain_bars(_comparison())]
    assert colours == [LITHUANIA, SOVIET]


def test_chart_is_written_as_png(tmp_path):
    path = draw_comparison(_comparison(), tmp_path / "compare.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width == 850
