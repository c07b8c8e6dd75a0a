"""The corpus store: documents, their analyses and speakers across articles, in SQLite or PostgreSQL.

The names below are imported when first used, so that ``quotegraph.store.search`` (the search grammar,
which the command line's help shows) loads without SQLAlchemy.
"""

import importlib

_HOME = {"DEFAULT_DB": "db", "Store": "db", "StoreError": "db", "database_url": "db", "document_key": "db",
         "EntityEditError": "linking", "Filters": "queries",
         "SCHEMA_VERSION": "migrations", "SchemaTooNew": "migrations"}

__all__ = list(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
