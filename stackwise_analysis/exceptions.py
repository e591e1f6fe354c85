"""Errors raised for broken inputs or configuration; content problems become findings instead."""

from __future__ import annotations


class StackwiseError(Exception):
    """Base class for every error this package raises on purpose."""


class UsageError(StackwiseError):
    """A command or function was called with arguments that cannot work."""


class CorpusError(StackwiseError):
    """The corpus as a whole cannot be read (missing path, nothing readable)."""


class StyleguideError(StackwiseError):
    """A style guide file is malformed; the message names the file, and for every problem
    in it the key (a rule's key as ``rules.<rule id>.<key>``) and what is wrong.

    ``problems`` holds every (key, problem) pair found, all reported at once.

    >>> print(StyleguideError("mine.yml", problems=[("rules.risk.understated.terms",
    ...       "expected a list, got str"), ("rules.compliance.stale", "unknown rule")]))
    mine.yml: 2 problems
      mine.yml: rules.risk.understated.terms: expected a list, got str
      mine.yml: rules.compliance.stale: unknown rule
    """

    def __init__(self, path: str, key: str | None = None, problem: str | None = None, *,
                 problems: list[tuple[str, str]] | None = None) -> None:
        self.path = path
        self.problems = list(problems or []) + ([(key, problem)] if key is not None else [])
        self.key, self.problem = self.problems[0] if self.problems else ("(top level)", "")
        lines = [f"{path}: {key}: {problem}" for key, problem in self.problems]
        if len(lines) == 1:
            super().__init__(lines[0])
        else:
            super().__init__(f"{path}: {len(lines)} problems\n"
                             + "\n".join("  " + line for line in lines))


class ParseError(StackwiseError, ValueError):
    """Text that cannot be read as an article; ``kind`` is a short tag (``empty``,
    ``not_text``, ``encoding``, ``no_title``…) that becomes the ``error`` column of
    ``Corpus.errors``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __reduce__(self):  # keep ``kind`` when a worker process pickles it back
        return (type(self), (self.kind, self.message))


class HistoryError(StackwiseError):
    """The history store cannot be used: locked too long, not a store, or of a newer schema."""


class WaiversError(StyleguideError):
    """A waivers file (or the decisions read from a spreadsheet) is malformed; the message
    names the file, and for every problem the entry (``waivers[3]``) and the key, all at
    once, as a style guide's errors do."""
