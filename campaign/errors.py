"""The one exception hierarchy of campaign.

Every error a user can cause derives from :class:`CampaignError`; the CLI turns
these into one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class CampaignError(Exception):
    """Base class for every error caused by user input or user files."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file.

    ``line`` is 1-based (0 when unknown); ``field`` is a dotted path such as
    ``units.pskov_2nd_rifle.strength_men``.
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ScenarioError(CampaignError):
    """A scenario, variant or override is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("<input>", 0, "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ReplayError(CampaignError):
    """A replay folder or log is missing, truncated, edited or of another format."""


class OutputError(CampaignError):
    """An output location cannot be written (exists, not writable, ...)."""


class CampaignWarning(UserWarning):
    """Something allowed but probably not what was meant (the CLI prints it as one
    line on stderr, 'warning: ...')."""


class VariantWarning(CampaignWarning):
    """A what-if change that is allowed but probably not what was meant."""


class ScenarioWarning(CampaignWarning):
    """A scenario setting that is valid but has no effect (e.g. a combat multiplier
    the scenario's combat law does not read)."""
