"""The results page ``docs/battles.md``, written by ``make battles``.

Every figure on the page comes from the run that writes it; the prose only says how
to read them.
"""

from __future__ import annotations

from campaign.battles.report import (
    Results,
    checks_markdown,
    groups_markdown,
    parameters_markdown,
    predictor_scores,
    repeats_markdown,
    scores_markdown,
)


def _verdict(table: dict, law: str) -> list[str]:
    """The issue's targets, met or not, with the exact figures."""
    lines = []
    for group in ("all", "1900-1945"):
        ours = table[law][group].winner_accuracy
        always = table["attacker always wins"][group].winner_accuracy
        ratio = table["force ratio (more men wins)"][group].winner_accuracy
        ok = ours > always and ours > ratio
        lines.append(
            f"- Winner accuracy, {group}: {100 * ours:.1f} % against "
            f"{100 * always:.1f} % (attacker always wins) and {100 * ratio:.1f} % "
            f"(force ratio): {'met' if ok else 'NOT met'}."
        )
    for side in ("attacker", "defender"):
        share = getattr(table[law]["all"], f"{side}_within_2x")
        const = getattr(table["attacker always wins"]["all"], f"{side}_within_2x")
        ok = share >= 0.5
        gap = "" if ok else f" (short by {100 * (0.5 - share):.1f} points)"
        lines.append(
            f"- {side.capitalize()} casualty fraction within a factor of 2: "
            f"{100 * share:.1f} % of battles against {100 * const:.1f} % for the "
            f"constant median: {'met' if ok else 'NOT met'}{gap}."
        )
    return lines


def _repeats(results: Results) -> list[str]:
    if not results.repeats or len(results.repeats) < 2:
        return []
    return [
        f"The figures above come from one split of the battles into {results.folds} folds "
        f"(seed 0). Over {len(results.repeats)} different splits (seeds 0 to "
        f"{len(results.repeats) - 1}) they vary as follows:",
        "",
        repeats_markdown(results.repeats),
        "",
    ]


def results_page(results: Results, image: str | None = None) -> str:
    """The markdown of the results page (``image``: the plot's file under docs/img/)."""
    law = next(iter(results.cv))
    table = predictor_scores(results)
    params = results.cv[law].fitted
    parts = [
        "# Combat laws against history",
        "",
        "<!-- Written by `make battles` (campaign battles --report); do not edit by hand. -->",
        "",
        "The combat laws of the engine are tested on two sets of fights: the 660 battles "
        "of the CAA Database of Battles (CDB90, 1600–1973; see "
        "`campaign/battles/data/cdb90/ATTRIBUTION.md`) and the engagements of 1919 that "
        "the project's source quantifies (`campaign/battles/data/engagements_1919.yaml`). "
        "Each battle is one engagement for a law (`campaign/battles/runner.py`): initial "
        "strengths, guns and tanks where known for both sides, defender posture, surprise, "
        "terrain, weather, season and the recorded duration (calendar days from the first "
        "to the last active period: `battle_durations.csv` of the source repository gives "
        "2 days to every battle without recorded hours, however long; see "
        "`campaign/battles/cdb90.py`). Parameters are fitted with "
        f"{results.folds}-fold cross-validation and **every score below is out of fold**: "
        "each battle is predicted by a law fitted without it.",
        "",
        f"Reproduce with `campaign battles --law {law} --folds {results.folds} --compare` "
        "(the page and plot: `make battles`).",
        "",
        "## Targets",
        "",
        *_verdict(table, law),
        "",
        *_repeats(results),
        "## Scores on CDB90",
        "",
        "Winner accuracy counts battles with a known result (draws included, and no law "
        "predicts a draw); balanced accuracy is the mean recall over attacker wins, "
        "defender wins and draws. Casualty fractions are of each side's initial strength; "
        "the baselines' casualties are the median fraction of the fitting folds.",
        "",
    ]
    for group in ("all", "pre-1900", "1900-1945", "post-1945"):
        parts += [f"### {group}", "", scores_markdown(table, group), ""]
    parts += [f"### {law} by era and defender posture", "", groups_markdown(table[law]), ""]
    if image:
        parts += [
            "## Calibration",
            "",
            f"![Predicted against recorded casualty fractions, log axes](img/{image})",
            "",
            "Out-of-fold predictions of the default law; the band is the factor "
            "of 2; stars are the 1919 engagements with recorded losses.",
            "",
        ]
    if law == "tndm":
        ci = (
            "bootstrap 95 % intervals"
            if results.intervals
            else "no intervals (run with --bootstrap N)"
        )
        parts += [
            "## The TNDM-like law and its fitted values",
            "",
            "`tndm` (`campaign/engine/tndm.py`) follows Dupuy's Tactical Numerical "
            "Deterministic Model: a daily casualty rate per side from a base rate (Dupuy: "
            "about 2.8 %/day attacking, 1.5 %/day defending at division size, capped near "
            "13 % and 6 %), multiplied by force-size, era (dispersion), posture, terrain, "
            "weather, season and surprise factors and by the power ratio against the side; "
            "losses accumulate as `rate × days^δ`; the side that gives way loses more. Who "
            "gives way is decided from the combat-power ratio and the losses relative to "
            "the break points. Multipliers below are on the daily rate (`x`) or on combat "
            "power (`power x`: posture and terrain multiply the defender's power relative "
            "to a hasty defence in the open, surprise (per degree) and air superiority the "
            "attacker's); exponents are elasticities.",
            "",
            f"Fit to all {len(results.cv[law].predictions)} battles with a known strength, "
            f"with {ci}:",
            "",
            parameters_markdown(params, results.intervals),
            "",
            "Reading the fit: the base rates at division size in 1900–1945 come out close "
            "to Dupuy's norms. Below division size the size exponents are about -0.4 to "
            "-0.6: a battalion of 1,000 men loses 2.5–4 times a division's daily fraction, "
            "Dupuy's small-unit effect; above it the exponents are positive (CDB90's corps "
            "and army operations lose more per day than its divisions). Fitted as one power "
            "law over all sizes the effect vanished (exponents near zero) and small forces' "
            "losses were under-predicted by about a factor of 2. A side that gives way loses "
            "more (`gave_way`), a routed defender much more again (`routed`: CDB90's "
            "annihilated or withdrew-with-heavy-losses defenders, 122 battles); the rout "
            "log-odds rise as the defender gets smaller and with surprise. The losses add "
            "nothing to the power ratio in deciding who gives way: their weight is held at "
            "its physical bound of 0 (the unconstrained fit wanted a small negative weight). "
            "Surprise and air superiority are the strongest power factors; the gun exponent "
            "is slightly negative and its interval includes 0. Unknown gun or tank counts are "
            "not read as zero: treating them as zero scores about 2 points better on the "
            "winner, but only by exploiting which battles were recorded in detail.",
            "",
            "How the casualty scores are predicted: the winner is the likelier outcome, and "
            "the extra losses of giving way and of a rout are weighted by their odds (an "
            "expected value on the log scale). Conditioning on the *recorded* outcome would "
            "do much better, but the outcome is the hard part to foresee (see the winner "
            "accuracy above); predicting each battle's losses for its likelier outcome "
            "alone scored about 2 points lower on the defender when the law was developed.",
            "",
        ]
    parts += [
        "## The 1919 engagements",
        "",
        "Run through the same runner with each law fitted to all CDB90 battles and "
        "the engine's quality factors. The source gives only some loss categories, "
        "so the prediction counts the same ones (killed and captured at Jieznas, "
        "captured at Ukmergė), split the way the engine splits losses "
        "(`campaign.engine.combat.split_losses`; the extra loss of a side that gives "
        "way counts as prisoners). The last column is the defender's loss should it "
        "be routed, and the odds of that outcome. ✓ marks a right winner or losses "
        "within a factor of 2.",
        "",
    ]
    for name, checks in results.checks.items():
        parts += [f"### {name}", "", checks_markdown(checks), ""]
    parts += [
        "## Using the law in a scenario",
        "",
        "`combat: {model: tndm}` in a scenario selects the calibrated law (no "
        "coefficients needed). In the engine (`campaign/engine/processes.py`) the law "
        "gets the time elapsed since the engagement began and the season, and decides "
        "the fight with its own outcome rule once it has lasted CDB90's median length "
        "for its size (`campaign.engine.tndm.DECISION_DAYS`: for fights of under 10,000 "
        "men one calendar day with about 9 hours of combat, so the engine decides them "
        "after 9 hours and counts those hours as the law's one day of battle): "
        "the side the rule names gives way with the law's withdrawal loss, and a "
        "defender that gives way is routed with the law's odds, drawn from the run's "
        "seeded generator. Break points and the 3.5:1 / 0.3:1 rules of thumb are the "
        "`dupuy` law's and do not apply.",
        "",
    ]
    return "\n".join(parts)
