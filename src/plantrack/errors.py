"""The one error type library code raises for problems a user can fix."""

from __future__ import annotations


class PlantrackError(Exception):
    """A problem with the user's input or environment: printed as one line, exit code 2."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class PlanInvalid(PlantrackError):
    """The plan file has one or more problems; ``problems`` lists each with its line."""

    def __init__(self, problems: list[str], path: str) -> None:
        n = len(problems)
        super().__init__(
            f"{path}: {n} problem{'s' if n != 1 else ''} in the plan",
            hint="run 'plantrack plan check' to list them" if n else None,
        )
        self.problems = problems


class UnknownId(PlantrackError):
    """An id that names nothing in the plan."""


class BadDate(PlantrackError):
    """A string that is not a date, period or span."""


class NotAPlantrackDatabase(PlantrackError):
    """A file that exists but was not made by plantrack."""


class DatabaseDamaged(PlantrackError):
    """A plantrack database file that SQLite cannot read whole: `db doctor` says what it found."""

    HINT = "run 'plantrack db doctor' to see what is wrong, then 'plantrack db restore BACKUP'"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint or self.HINT)
