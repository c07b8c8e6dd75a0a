"""What the readers hand on: a document to analyse, or why one could not be read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Document:
    id: str
    text: str
    published: str | None = None
    title: str | None = None
    url: str | None = None
    author: str | None = None
    source: str | None = None  # the outlet: "BBC News", "example.com"


@dataclass
class Failure:
    id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.id}: {self.reason}"


def unreadable(where: str, error: BaseException) -> Failure:
    """A file or folder that could not be read, with the system's reason ("Permission denied")."""
    return Failure(where, f"cannot be read ({getattr(error, 'strerror', None) or error})")
