"""Fuzzing the scenario loader and the override parser.

Every input ends as a valid scenario or a ScenarioError with a location; never an
unexpected exception, never a hang. ``make fuzz`` runs the long profile.
"""

from __future__ import annotations

import copy
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toy import toy_dict

from campaign.errors import ScenarioError
from campaign.scenario.loader import scenario_from_document
from campaign.scenario.overrides import Overrides, apply_overrides
from campaign.scenario.yamlfile import LocatedDocument, parse_yaml

settings.register_profile("ci", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9),
                    st.floats(allow_nan=True), st.text(max_size=20))
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20)


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
