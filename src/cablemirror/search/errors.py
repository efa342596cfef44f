"""The one error a user's query can raise."""

from __future__ import annotations

from typing import Any


class QuerySyntaxError(ValueError):
    """A query the language does not accept.

    ``message`` names the problem, ``position`` is the 0-based offset in the query
    where it is (``column`` is 1-based, for people), ``hint`` suggests the fix.
    The website shows ``str(error)`` (or ``pointer()``) instead of a result page.
    """

    def __init__(
        self,
        message: str,
        position: int,
        *,
        hint: str | None = None,
        query: str | None = None,
        length: int = 1,
    ) -> None:
        self.message = message
        self.position = max(0, position)
        self.hint = hint
        self.query = query
        self.length = max(1, length)
        super().__init__(message, self.position)

    @property
    def column(self) -> int:
        return self.position + 1

    def __str__(self) -> str:
        text = f"{self.message} (column {self.column})"
        if self.hint:
            text += f". {self.hint[0].upper()}{self.hint[1:]}"
        return text

    def pointer(self) -> str:
        """The query on one line and a caret line under the problem, for monospace display."""
        if self.query is None:
            return str(self)
        line = self.query.replace("\n", " ").replace("\t", " ")
        return f"{line}\n{' ' * self.position}{'^' * min(self.length, max(1, len(line) - self.position))}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the API returns for a bad query."""
        return {
            "error": "query_syntax",
            "message": self.message,
            "position": self.position,
            "column": self.column,
            "hint": self.hint,
        }
