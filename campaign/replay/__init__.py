"""Replay logs: writing a run to a folder, reading it back, deriving tables."""
