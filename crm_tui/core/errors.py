"""The errors services raise. Each carries a message fit to show a person as it is."""

from __future__ import annotations

from dataclasses import dataclass


class CrmError(Exception):
    """Anything the user can act on: the CLI prints `error: <message>` and exits 1."""


class DatabaseError(CrmError):
    pass


class NotFoundError(CrmError):
    pass


class ReadOnlyError(CrmError):
    """A write to a database opened for reading only."""


class DiskFullError(CrmError):
    """A write that found the disk full (or the database at its size limit): rolled back whole."""


class ConflictError(CrmError):
    """The record changed since it was read; saving would overwrite someone else's edit."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationError(CrmError):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{error.field}: {error.message}" for error in errors))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([FieldError(field, message)])


class NothingToUndoError(CrmError):
    """Every change in the log has been undone already, or there is none."""


class CannotUndoError(CrmError):
    """The last change is of a kind undo cannot revert (a purge, a load too large); nothing was undone."""
