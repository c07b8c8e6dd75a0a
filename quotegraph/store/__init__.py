"""The corpus store: documents, their analyses and speakers across articles, in SQLite or PostgreSQL."""

from .db import DEFAULT_DB, Store, StoreError, database_url, document_key
from .linking import EntityEditError
from .queries import Filters
from .schema import SCHEMA_VERSION, SchemaTooNew

__all__ = ["DEFAULT_DB", "EntityEditError", "Filters", "SCHEMA_VERSION", "SchemaTooNew", "Store", "StoreError",
           "database_url", "document_key"]
