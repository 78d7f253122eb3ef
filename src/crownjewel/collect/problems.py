"""Input problems: what a collector could not read, reported as one clear line each."""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"  # input could not be read: exit code 2
WARNING = "warning"  # read, but something in it was not understood


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One problem with one input file or directory."""

    path: str
    message: str
    line: int | None = None
    level: str = ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.level}: {where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {"level": self.level, "file": self.path, "line": self.line, "message": self.message}
