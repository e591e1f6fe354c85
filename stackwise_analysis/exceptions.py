"""Errors raised for broken inputs or configuration; content problems become findings instead."""

from __future__ import annotations


class StackwiseError(Exception):
    """Base class for every error this package raises on purpose."""


class UsageError(StackwiseError):
    """A command or function was called with arguments that cannot work."""


class CorpusError(StackwiseError):
    """The corpus as a whole cannot be read (missing path, nothing readable)."""


class StyleguideError(StackwiseError):
    """A style guide file is malformed; the message names the file and the key."""

    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path = path
        self.key = key
        self.problem = problem
        super().__init__(f"{path}: {key}: {problem}")


class HistoryError(StackwiseError):
    """The history store cannot be used: locked too long, not a store, or of a newer schema."""
