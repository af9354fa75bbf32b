"""Shared bits of request/response schemas.

Two rules hold for every request body:
- a text's limit comes from its column (`fits(Venue, "city")`), so what the API accepts
  always fits where it is stored;
- in a PATCH, a field left out stays as it is, null empties a field that may be empty,
  and null on a field that must keep a value is refused with a 422 naming it (`Patch`).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from annotated_types import MaxLen
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import Table

Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", strip_whitespace=True)
]
Email = Annotated[
    str,
    StringConstraints(
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254, strip_whitespace=True, to_lower=True
    ),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Language = Annotated[str, StringConstraints(pattern=r"^(nl|fr|en)$", max_length=2)]
Phone = Annotated[
    str, StringConstraints(pattern=r"^\+?[0-9 ./()-]{6,40}$", max_length=40, strip_whitespace=True)
]


def _table(model: Any) -> Table:
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model!r} is not a table model")
    return table


def column_length(model: Any, column: str) -> int:
    """The length of a VARCHAR column of a table model."""
    length = getattr(_table(model).c[column].type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{column} has no length")
    return length


def fits(model: Any, column: str) -> MaxLen:
    """A text's upper limit, read from the column that stores it (one source of truth):
    `Annotated[Name, fits(Venue, "city")]`."""
    return MaxLen(column_length(model, column))


class In(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Patch(In):
    """Base of PATCH bodies. A field left out keeps its value; null empties a field whose
    column may be empty (`table`'s nullable columns, plus `clearable`); null on any other
    field is refused with a 422 that names it, never stored or read as "left out"."""

    table: ClassVar[Any] = None
    clearable: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def may_clear(cls, name: str) -> bool:
        if name in cls.clearable:
            return True
        if cls.table is None:
            return False
        column = _table(cls.table).c.get(name)
        return column is not None and bool(column.nullable)

    # After validation, not before: a "before" validator hands the fields Python values,
    # and strict validation then refuses a time or an id written as JSON text.
    @model_validator(mode="after")
    def _null_clears_only_optional(self) -> Patch:
        refused = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "null_not_allowed",
                    "This field cannot be emptied; leave it out to keep it as it is.",
                ),
                loc=(name,),
                input=None,
            )
            for name in sorted(self.model_fields_set)
            if getattr(self, name) is None and not self.may_clear(name)
        ]
        if refused:
            raise ValidationError.from_exception_data(type(self).__name__, refused)
        return self

    def cleared(self) -> dict[str, None]:
        """The fields the caller emptied with null (only those that may be empty get here),
        for services that otherwise apply `model_dump(exclude_unset=True, exclude_none=True)`."""
        return {name: None for name in self.model_fields_set if getattr(self, name) is None}


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)
