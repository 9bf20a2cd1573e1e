"""Fuzzing the scenario loader and the override parser.

Every input ends as a valid scenario or a ScenarioError with a location; never an
unexpected exception, never a hang. ``make fuzz`` runs the long profile.
"""

from __future__ import annotations

import contextlib
import copy
import os
import signal

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from toy import toy_dict

from campaign.errors import ScenarioError
from campaign.scenario.loader import scenario_from_document
from campaign.scenario.overrides import Overrides, apply_overrides
from campaign.scenario.yamlfile import LocatedDocument, parse_yaml

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=True),
    st.text(max_size=20),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _outcome(text: str) -> None:
    try:
        scenario_from_document(parse_yaml(text, "fuzz.yaml"))
    except ScenarioError as exc:
        assert exc.problems and all(str(p).startswith("fuzz.yaml") for p in exc.problems)


@given(st.text(max_size=300))
def test_random_text_is_a_scenario_or_a_located_error(text):
    _outcome(text)


@given(JSONISH)
def test_random_yaml_documents(doc):
    _outcome(yaml.safe_dump(doc, allow_unicode=True))


def _paths(data, prefix=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


BASE = toy_dict()
PATHS = list(_paths(BASE))


@given(st.sampled_from(PATHS), JSONISH)
def test_mutated_valid_scenarios(path, value):
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        scenario_from_document(LocatedDocument("fuzz.yaml", data, {(): 1}))
    except ScenarioError as exc:
        assert exc.problems


@given(st.text(max_size=60), st.text(max_size=30), st.text(max_size=20))
def test_random_override_strings(set_text, scale_text, delay_text):
    overrides = Overrides(sets=[set_text], scales=[scale_text], delays=[delay_text])
    try:
        data = apply_overrides(toy_dict(), overrides)
        scenario_from_document(LocatedDocument("fuzz.yaml", data, {(): 1}))
    except ScenarioError as exc:
        assert exc.problems


# ----------------------------------------------------------------------------- engine runs
# Anything validate accepts must run to completion with sensible numbers. The bases
# below cover every part of the format the engine reads (formations, ranges, arrivals
# and departures, allies, multipliers, both Lanchester laws); mutations replace, drop or
# duplicate one to three values, favouring the numbers and ids the engine relies on.
def _rich_base(**combat) -> dict:
    data = toy_dict(end="1919-01-12")
    data["sides"].append(
        {
            "id": "green",
            "name": "Green",
            "colour": "#2ca02c",
            "allies": ["blue"],
            "controls_for": "blue",
        }
    )
    data["formations"] = [
        {
            "id": "blue_army",
            "name": "Blue Army",
            "side": "blue",
            "kind": "army",
            "source": {"ref": "toy"},
        },
        {
            "id": "blue_div",
            "name": "Blue Division",
            "side": "blue",
            "kind": "division",
            "parent": "blue_army",
            "source": {"ref": "toy"},
        },
    ]
    data["units"][0]["parent"] = "blue_div"
    data["units"] += [
        {
            "id": "green_1",
            "name": "Green 1st",
            "side": "green",
            "kind": "volunteers",
            "strength_men": 300,
            "strength_range": [200, 400],
            "guns": 2,
            "machine_guns": 6,
            "quality": "volunteer",
            "location": "b",
            "arrives": "1919-01-03",
            "departs": "1919-01-09",
            "source": {"ref": "toy"},
        },
        {
            "id": "red_2",
            "name": "Red 2nd",
            "side": "red",
            "kind": "battalion",
            "strength_men": 600,
            "quality": "untrained",
            "location": "d",
            "source": {"ref": "toy"},
        },
    ]
    data["orders"] += [
        {
            "unit": "green_1",
            "date": "1919-01-04",
            "action": "attack",
            "target": "c",
            "surprise": True,
            "source": {"ref": "toy"},
        },
        {
            "unit": "red_2",
            "date": "1919-01-05",
            "action": "move",
            "target": "c",
            "source": {"ref": "toy"},
        },
    ]
    data["map"]["fortified"] = ["d"]
    data["combat"] = combat
    return data


ENGINE_BASES = [
    _rich_base(
        multipliers={
            "quality.volunteer": 0.8,
            "ratio_exponent": 0.9,
            "base_daily_loss": 0.2,
            "gun_men": 25.0,
            "machine_gun_men": 8.0,
            "posture.hasty": 1.3,
            "terrain.fortified": 1.4,
            "surprise": 1.5,
            "break_point.regular": 0.25,
        },
        step_hours=6.0,
        variation=0.2,
    ),
    _rich_base(
        model="lanchester_square",
        coefficients={"blue": 0.05, "red": 0.08, "green": 0.03},
        step_hours=6.0,
    ),
    _rich_base(
        model="lanchester_linear", coefficients={"blue": 0.0001, "red": 0.0002, "green": 0.0001}
    ),
]


def _command_base() -> dict:
    """The rich base with commanders: intents of every kind, conditions, relations with a
    belief, a demarcation line, supply, seasons, replacements and a conditional arrival."""
    cite = {"ref": "toy"}
    data = _rich_base()
    data["orders"] = [
        {
            "id": "green_go",
            "unit": "green_1",
            "action": "attack",
            "target": "c",
            "when": {"any": [{"arrived": "green_1"}, {"date": "1919-01-06"}]},
            "source": cite,
        },
    ]
    data["units"].append(
        {
            "id": "red_3",
            "name": "Red 3rd",
            "side": "red",
            "kind": "cavalry",
            "strength_men": 200,
            "quality": "regular",
            "location": "d",
            "arrives_when": {"lost": {"place": "c", "side": "red"}},
            "source": cite,
        }
    )
    data["intents"] = [
        {
            "id": "blue_push",
            "side": "blue",
            "formation": "blue_army",
            "date": "1919-01-02",
            "attack_on": "1919-01-03",
            "objectives": [
                {"take": "c", "assault": True},
                {"hold": "c", "units": ["blue_1"]},
                {"take": "d", "when": {"taken": {"place": "c", "by": "blue"}}, "surprise": True},
            ],
            "source": cite,
        },
        {
            "id": "red_defence",
            "side": "red",
            "units": ["red_1", "red_2"],
            "objectives": [
                {"hold": "c", "units": ["red_1"]},
                {"screen": "d", "units": ["red_2"]},
                {
                    "withdraw_to": "d",
                    "when": {"ratio": {"side": "red", "place": "c", "at_most": 0.5}},
                },
            ],
            "attack_ratio": 1.1,
            "source": cite,
        },
        {
            "id": "green_gather",
            "side": "green",
            "units": ["green_1"],
            "when": {"done": "green_go"},
            "until": "1919-01-10",
            "objectives": [{"assemble": "b"}],
            "source": cite,
        },
    ]
    data["relations"] = [
        {
            "sides": ["green", "red"],
            "stance": "neutral",
            "until": "1919-01-05",
            "believed": {"red": "neutral"},
            "source": cite,
        }
    ]
    data["lines"] = [
        {
            "id": "line",
            "name": "A line",
            "places": ["b", "c"],
            "closed_to": ["red"],
            "until": "1919-01-04",
            "source": cite,
        }
    ]
    data["supply"] = {
        "sources": {"blue": ["a"], "red": ["d"]},
        "radius_km": 40,
        "live_off_land": {"red": 0.75},
    }
    data["season"] = {
        "calendar": [{"season": "thaw", "start": "1919-01-01", "end": "1919-01-05"}],
        "march": {"thaw.main": 0.7},
    }
    data["replacements"] = [
        {"unit": "blue_1", "men": 100, "date": "1919-01-04", "source": cite},
        {"unit": "red_1", "men": 50, "when": {"broken": "red_1"}, "source": cite},
    ]
    data["command"] = {
        "attack_ratio": {"blue": 1.2},
        "recon_links": 2,
        "estimate_error": 0.4,
        "memory_days": 2,
    }
    return data


ENGINE_BASES.append(_command_base())


def _division_base() -> dict:
    """The command base with Blue's regiment a division of 3,000 men given as one unit:
    it splits off detachments to hold what it takes."""
    data = _command_base()
    data["units"][0]["kind"] = "division"
    data["units"][0]["strength_men"] = 3000
    push = data["intents"][0]
    push["objectives"] = [o for o in push["objectives"] if "hold" not in o]
    return data


ENGINE_BASES.append(_division_base())
ENGINE_PATHS = [list(_paths(b)) for b in ENGINE_BASES]
ODD_NUMBERS = st.one_of(
    st.sampled_from(
        [
            0,
            -1,
            1,
            0.0,
            -0.5,
            1e-9,
            1e6,
            1e308,
            -1e308,
            2**63,
            10**400 // 10**380,
            float("nan"),
            float("inf"),
            float("-inf"),
            True,
            False,
            "1e3",
            "yes",
        ]
    ),
    st.integers(-(10**6), 10**7),
    st.floats(allow_nan=True, allow_infinity=True),
)


def _leaf_values(data) -> list:
    found = []
    if isinstance(data, dict):
        for v in data.values():
            found += _leaf_values(v)
    elif isinstance(data, list):
        for v in data:
            found += _leaf_values(v)
    else:
        found.append(data)
    return found


def _at_path(data, path):
    node = data
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return None
    return node


def _key_of(path: tuple) -> str:
    """The name a value is filed under: its key, or for a list item its list's key."""
    named = [k for k in path if isinstance(k, str)]
    return named[-1] if named else ""


#: Every value the bases hold under each key, e.g. "side" -> blue, red, green: swapping
#: in another value of the same kind makes mutations that validate and reach the engine.
SAME_KEY: dict[str, list] = {}
for _base, _paths_of in zip(ENGINE_BASES, ENGINE_PATHS, strict=True):
    for _path in _paths_of:
        _value = _at_path(_base, _path)
        if not isinstance(_value, dict | list):
            SAME_KEY.setdefault(_key_of(_path), [])
            if _value not in SAME_KEY[_key_of(_path)]:
                SAME_KEY[_key_of(_path)].append(_value)
SLUGS = sorted(
    {
        v
        for vs in SAME_KEY.values()
        for v in vs
        if isinstance(v, str) and v.isidentifier() and v.islower()
    }
    | {"none"}
)
DATES = ["1918-12-31", "1919-01-01", "1919-01-05", "1919-01-12", "1919-01-13", "1928-12-31"]


LEAF_PATHS = [
    [p for p in ps if not isinstance(_at_path(b, p), dict | list)]
    for b, ps in zip(ENGINE_BASES, ENGINE_PATHS, strict=True)
]
ITEM_PATHS = [
    [p for p in ps if isinstance(p[-1], int) or p[-1] in ("combat", "objectives")]
    for ps in ENGINE_PATHS
]


def _value_for(path: tuple, original) -> st.SearchStrategy:
    """Mostly values of the same kind (other ids, dates, scaled numbers), sometimes odd ones."""
    same = st.sampled_from(SAME_KEY.get(_key_of(path)) or SLUGS)
    odd = st.one_of(ODD_NUMBERS, st.sampled_from(SLUGS), st.sampled_from(DATES), JSONISH)
    if isinstance(original, bool):
        return st.one_of(st.booleans(), odd)
    if isinstance(original, int | float):
        scaled = st.floats(0, 4).map(lambda f: type(original)(original * f))
        return st.one_of(scaled, scaled, same, ODD_NUMBERS, odd)
    if isinstance(original, str):
        kind = st.sampled_from(DATES) if original[:2] == "19" else st.sampled_from(SLUGS)
        return st.one_of(same, same, kind, odd)
    return odd


def _mutate(data: dict, path: tuple, how: str, value) -> None:
    node = _at_path(data, path[:-1])
    last = path[-1]
    if isinstance(node, dict):
        if how == "drop":
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(node.get(last)) if how == "copy" else value
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        if how == "drop":
            del node[last]
        elif how == "copy":  # a second item like this one, under a new id where it has one
            twin = copy.deepcopy(node[last])
            if isinstance(twin, dict) and isinstance(twin.get("id"), str):
                twin["id"] += "_twin"
            node.append(twin)
        else:
            node[last] = value


@st.composite
def mutated(draw) -> tuple[int, dict]:
    """One of the engine bases with one to three values replaced, dropped or copied."""
    base = draw(st.integers(0, len(ENGINE_BASES) - 1))
    data = copy.deepcopy(ENGINE_BASES[base])
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        how = draw(st.sampled_from(["set", "set", "set", "set", "set", "drop", "copy", "any"]))
        if how == "any":  # anything anywhere: a whole block replaced by odd data
            path = draw(st.sampled_from(ENGINE_PATHS[base]))
            how, value = "set", draw(JSONISH)
        else:
            paths = LEAF_PATHS[base] if how == "set" else ITEM_PATHS[base]
            path = draw(st.sampled_from(paths))
            original = _at_path(ENGINE_BASES[base], path)
            value = draw(_value_for(path, original)) if how == "set" else None
        _mutate(data, path, how, value)
    return base, data


def check_run_invariants(scenario) -> None:
    """Run ``scenario`` and check what every run must satisfy (no other outcome allowed).

    Men are conserved per side (arrived = present + killed + wounded + captured +
    departed), every loss and strength is a finite number >= 0, and every engagement
    that started either ended with a winner or is still going on the last day.
    """
    import math

    from campaign.replay.summary import losses_by_side
    from campaign.simulate import simulate

    result = simulate(scenario, seed=7, sample_strengths=True)
    for side, row in losses_by_side(result).items():
        assert all(math.isfinite(v) and v >= 0 for v in row.values()), (side, row)
        accounted = sum(row[k] for k in ("present", "killed", "wounded", "captured", "departed"))
        assert math.isclose(row["arrived"], accounted, rel_tol=1e-6, abs_tol=1.0), (side, row)
    for u in result.units.values():
        assert math.isfinite(u.men) and u.men >= -1e-6, (u.id, u.men)
    started: set[int] = set()
    for e in result.events:
        if e.type == "engagement_start":
            started.add(e.engagement)
        elif e.type == "engagement_end":
            assert e.engagement in started and e.winner in ("attacker", "defender", "none")
            started.discard(e.engagement)
        elif e.type == "engagement_step":
            assert math.isfinite(e.power_ratio) or e.power_ratio == math.inf
            assert all(math.isfinite(x) and x >= 0 for row in e.losses.values() for x in row)
    assert result.world.env.now >= result.world.days - 1e-9  # ran to its last day


@contextlib.contextmanager
def _time_limit(seconds: int):
    """Fail (instead of hanging the suite) when a run takes longer than ``seconds``."""

    def expired(signum, frame):  # noqa: ARG001 - signal handler signature
        raise TimeoutError(f"a run took more than {seconds} s (a hang)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


#: Seconds a mutated toy run may take; the largest accepted toy (ten years, 200,000
#: men a unit, half-hour steps) takes well under one.
RUN_SECONDS = 20


# About one mutation in five validates; twice the profile's examples runs >= 1,000
# accepted scenarios through the engine under ``make fuzz`` (about 60 in CI).
@settings(max_examples=2 * settings().max_examples)
@given(mutated())
def test_what_validate_accepts_runs_with_men_conserved(case):
    _, data = case
    try:
        scenario = scenario_from_document(LocatedDocument("fuzz.yaml", data, {(): 1}))
    except ScenarioError as exc:
        assert exc.problems
        event("refused by validate")
        return
    event("accepted and run")
    with _time_limit(RUN_SECONDS):
        check_run_invariants(scenario)
