"""campaign: a discrete-event engine that simulates and replays military campaigns."""

__version__ = "0.1.0"
