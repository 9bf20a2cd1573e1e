"""An ensemble's outcomes in words and tables: who holds each contested place at the end,
and how often each objective is met, with 95% Wilson intervals that show their n.

Used by ``campaign ensemble`` (plain text) and ``campaign report ENSEMBLE_DIR``
(Markdown and HTML blocks). Text only: no plotting.
"""

from __future__ import annotations

import math

from campaign.analysis.ensemble_log import NONE
from campaign.analysis.ensemble_result import OBJECTIVE_MEASURE, EnsembleResult, wilson_interval
from campaign.analysis.report import Block, what_if_label

MEASURE_MEANING = {
    "holder_at_end_of": "the side holds the place at the end of that date",
    "held_every_day_to": "the side holds the place at the end of every day up to that date",
}


def measure_of(kind: str) -> str:
    """The column name of what an objective of ``kind`` counts."""
    return OBJECTIVE_MEASURE.get(kind, kind)


def share(x: float) -> str:
    """A share in [0, 1] with enough decimals that a small non-zero bound is not 0.00."""
    distance = min(x, 1 - x)
    if distance < 1e-6 or distance >= 0.01:  # 1e-6: rounding noise of a bound at 0 or 1
        return f"{x:.2f}"
    return f"{x:.{min(6, -math.floor(math.log10(distance)))}f}"


def interval_text(count: int, n: int, low: float, high: float) -> str:
    """'0/1000 [0.00, 0.004] n=1000': runs counted, runs, and the 95% Wilson interval."""
    return f"{count}/{n} [{share(low)}, {share(high)}] n={n}"


def objective_rows(result: EnsembleResult) -> list[list[str]]:
    """side, measure, date, place, weight, runs met with its interval."""
    return [
        [
            o["side"],
            measure_of(o["kind"]),
            o["by"],
            o["place"],
            f"{o['weight']:g}",
            interval_text(o["met"], o["runs"], o["ci_low"], o["ci_high"]),
        ]
        for o in result.objectives
    ]


def holder_rows(result: EnsembleResult) -> tuple[list[str], list[list[str]]]:
    """Sides that ever hold a contested place at the end, and per place the runs in which
    each does (count/n and interval)."""
    n = result.completed
    sides = [
        s for s in result.sides if any(result.final_control[t][s] > 0 for t in result.contested)
    ]
    rows = []
    for town in result.contested:
        cells = []
        for s in sides:
            k = result.final_count(town, s)
            cells.append("" if s == NONE and not k else interval_text(k, n, *wilson_interval(k, n)))
        rows.append([town, *cells])
    return sides, rows


def measures_note(result: EnsembleResult) -> list[str]:
    kinds = sorted({measure_of(o["kind"]) for o in result.header["objectives"]})
    return [f"`{m}` DATE: {MEASURE_MEANING[m]}" for m in kinds if m in MEASURE_MEANING]


def _table_text(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows, strict=True)]
    return [
        "  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *rows]
    ]


def summary_text(result: EnsembleResult) -> str:
    """The ``campaign ensemble`` summary: runs, failures, holders at the end, objectives."""
    info = result.info()
    lines = [
        f"{info['scenario_id']}: {info['completed']} of {info['runs']} runs "
        f"(seeds {info['base_seed']}-{info['base_seed'] + info['runs'] - 1}), "
        f"{info['failed']} failed"
    ]
    for f in result.failures[:5]:
        lines.append(f"  failed seed {f.seed} after {f.attempts} attempt(s): {f.error}")
    n = result.completed
    if n and result.contested:
        sides, rows = holder_rows(result)
        lines += [
            "",
            f"holder_at_end: who holds each contested place at the end of "
            f"{result.header['end']} (runs of {n}, 95% Wilson interval)",
        ]
        lines += _table_text(["place", *sides], rows)
    if n and result.objectives:
        lines += ["", f"objectives met (runs of {n}, 95% Wilson interval)"]
        lines += ["  " + note.replace("`", "") for note in measures_note(result)]
        lines += _table_text(
            ["side", "measure", "date", "place", "weight", "met"], objective_rows(result)
        )
    return "\n".join(lines)


def ensemble_blocks(result: EnsembleResult) -> list[Block]:
    """The report of an ensemble folder: what was run, then the distribution of outcomes."""
    h = result.header
    n = result.completed
    name = {s["id"]: s["name"] for s in h["sides"]}
    blocks = [Block("h1", f"Ensemble report: {h.get('scenario_title', h['scenario_id'])}")]
    intro = (
        f"Scenario `{h['scenario_id']}`, {h['start']} to {h['end']}: {n} of "
        f"{result.runs_requested} runs completed (seeds {h['base_seed']} to "
        f"{h['base_seed'] + result.runs_requested - 1}), each drawing ranged strengths "
        f"from their ranges."
    )
    label = what_if_label(h.get("overrides", []))
    intro += f" **This is a what-if ensemble** ({label})." if label else " Baseline (no overrides)."
    blocks.append(Block("p", intro))
    if result.failures:
        blocks.append(Block("p", f"{len(result.failures)} run(s) failed and are left out."))
    if not n:
        blocks.append(Block("p", "No run completed: there are no outcomes to report."))
        return blocks
    blocks.append(
        Block(
            "p", "Counts are runs out of n; the brackets give the 95% Wilson interval of the share."
        )
    )
    if result.objectives:
        blocks.append(Block("h2", "Objectives"))
        words = []
        for o in result.objectives:
            place = o["place"]
            what = (
                f"holds {place} on every day to {o['by']}"
                if o["kind"] == "hold"
                else f"holds {place} at the end of {o['by']}"
            )
            words.append(
                f"{name.get(o['side'], o['side'])} {what} in {o['met']} of {o['runs']} "
                f"runs ({share(o['probability'])}; 95% interval "
                f"{share(o['ci_low'])} to {share(o['ci_high'])})."
            )
        blocks.append(Block("ul", items=words))
        blocks.append(Block("p", "Measures: " + "; ".join(measures_note(result)) + "."))
        blocks.append(
            Block(
                "table",
                head=["side", "measure", "date", "place", "weight", "met"],
                rows=objective_rows(result),
            )
        )
    if result.contested:
        sides, rows = holder_rows(result)
        blocks.append(Block("h2", f"Who holds each contested place at the end of {h['end']}"))
        words = []
        for town in result.contested:
            top = max(sides, key=lambda s, town=town: result.final_count(town, s))
            who = "no side" if top == NONE else name.get(top, top)
            words.append(f"{town}: {who} in {result.final_count(town, top)} of {n} runs.")
        blocks.append(Block("ul", items=words))
        blocks.append(
            Block("table", head=["place", *(f"holder_at_end: {s}" for s in sides)], rows=rows)
        )
    if result.losses:
        blocks.append(Block("h2", "Losses, men"))
        blocks.append(
            Block(
                "table",
                head=["side", "measure", "mean", "median", "p5", "p95"],
                rows=[
                    [
                        name.get(r["side"], r["side"]),
                        r["measure"],
                        *(f"{r[k]:,.0f}" for k in ("mean", "median", "p5", "p95")),
                    ]
                    for r in result.losses
                ],
            )
        )
    return blocks
