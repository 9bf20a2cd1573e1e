"""What-if tempo: how a side's captures move when a force changes.

For each setting (a strength factor for a side, or any what-if overrides) an
ensemble of runs on the same seeds gives, per place the side does not hold at the
start, the probability that the side takes it and the mean day on which it first
does (over the runs in which it does). A model whose tempo emerges answers "more
Soviets" with earlier or more frequent Soviet captures and "fewer" with later or
rarer ones; a timetable answers with the same dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from campaign.scenario.schema import Scenario
from campaign.simulate import simulate


@dataclass
class PlaceTempo:
    place: str
    runs: int
    captured: int = 0
    days: list[int] = field(default_factory=list)

    @property
    def probability(self) -> float:
        return self.captured / self.runs if self.runs else 0.0

    @property
    def mean_day(self) -> float | None:
        return sum(self.days) / len(self.days) if self.days else None


def capture_tempo(scenario: Scenario, side: str, runs: int, seed: int = 0) -> dict[str, PlaceTempo]:
    """Per place held on day 0 by another side (not by no one): how often and when
    ``side`` first takes it, over ``runs`` runs with seeds ``seed``..``seed+runs-1``."""
    holder = {s.id: s.controls_for or s.id for s in scenario.sides}
    mine = holder.get(side, side)
    out: dict[str, PlaceTempo] = {}
    for k in range(runs):
        result = simulate(scenario, seed=seed + k, daily_log=False, sample_strengths=True)
        first: dict[str, int] = {}
        for event in result.events:
            if event.type == "control_change" and holder.get(event.new, event.new) == mine:
                first.setdefault(event.place, int(event.t + 1e-9))
        start = result.world.initial_control
        for place in first:
            owner = holder.get(start.get(place, "none"), "none")
            if owner == mine or owner == "none":
                continue  # only places an enemy held at the start count as captures
            tempo = out.setdefault(place, PlaceTempo(place, runs))
            tempo.captured += 1
            tempo.days.append(first[place])
    return out


def tempo_table(settings: dict[str, dict[str, PlaceTempo]]) -> str:
    """A text table: one row per place, probability and mean day per setting."""
    labels = list(settings)
    places = sorted({p for table in settings.values() for p in table})
    head = f"  {'place':<14}" + "".join(f" {label:>18}" for label in labels)
    lines = [head, "  " + " " * 14 + "".join(f" {'P(taken)  mean day':>18}" for _ in labels)]
    for place in places:
        row = f"  {place:<14}"
        for label in labels:
            t = settings[label].get(place)
            if t is None:
                row += f" {'0.00':>9} {'-':>8}"
            else:
                day = "-" if t.mean_day is None else f"{t.mean_day:.1f}"
                row += f" {t.probability:>9.2f} {day:>8}"
        lines.append(row)
    return "\n".join(lines)
