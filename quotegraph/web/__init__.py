"""Pages and an HTTP API over the store; see app.py."""

from .app import create_app

__all__ = ["create_app"]
