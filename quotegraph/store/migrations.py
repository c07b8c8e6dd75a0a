"""The migrations that build and update the store's tables (schema.py), run when a store is opened.

Each step takes the schema from version n to n + 1 in a writing transaction of its own, so that several
processes opening one store at once apply each step once.
"""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

from . import claims, linking
from .schema import (SEARCH_CONFIG, UNSCORED, claim_pins, claim_shingles, full_name_keys, metadata, schema_version,
                     statement_vectors, surname_clusters, surname_keys, writing)
from .schema import claims as claims_table

_SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE statements_fts USING fts5(text, content='statements', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER statements_fts_insert AFTER INSERT ON statements BEGIN "
    "INSERT INTO statements_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER statements_fts_delete AFTER DELETE ON statements BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
]
_POSTGRES_SEARCH = [
    "ALTER TABLE statements ADD COLUMN search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    "CREATE INDEX ix_statements_search ON statements USING GIN (search)",
]


def _v1_tables(conn: sa.Connection) -> None:
    metadata.create_all(conn)
    ddl = _SQLITE_SEARCH if conn.dialect.name == "sqlite" else _POSTGRES_SEARCH
    for statement in ddl:
        conn.exec_driver_sql(statement)


def _v2_relation_scores(conn: sa.Connection) -> None:
    """Relations carry the relation model's score; rows already stored get UNSCORED."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("relations")}
    if "score" in columns:
        return  # a store created by this version: _v1_tables built the tables from the current metadata
    conn.exec_driver_sql(f"ALTER TABLE relations ADD COLUMN score FLOAT NOT NULL DEFAULT {UNSCORED}")


def _v3_search_every_word(conn: sa.Connection) -> None:
    """PostgreSQL indexes every word, stop words too (SEARCH_CONFIG); SQLite already does."""
    if conn.dialect.name != "postgresql":
        return
    for statement in [  # rebuilt from nothing, so that running it again (on a store set back a version) holds
        "ALTER TABLE statements DROP COLUMN search",  # and its index
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {SEARCH_CONFIG}",
        f"DROP TEXT SEARCH DICTIONARY IF EXISTS {SEARCH_CONFIG}_stem",
        f"CREATE TEXT SEARCH DICTIONARY {SEARCH_CONFIG}_stem (TEMPLATE = snowball, LANGUAGE = english)",
        f"CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} (COPY = english)",
        f"ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} ALTER MAPPING REPLACE english_stem WITH {SEARCH_CONFIG}_stem",
        "ALTER TABLE statements ADD COLUMN search tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('{SEARCH_CONFIG}', text)) STORED",
        "CREATE INDEX ix_statements_search ON statements USING GIN (search)",
    ]:
        conn.exec_driver_sql(statement)


def _v4_surname_clusters(conn: sa.Connection) -> None:
    """Surnames link through clusters of descriptors, whatever the order articles come in: the clusters
    are built from the mentions stored, and their mentions placed by that rule (store/linking.py)."""
    if "cluster_id" not in {c["name"] for c in sa.inspect(conn).get_columns("mentions")}:
        conn.exec_driver_sql("ALTER TABLE mentions ADD COLUMN cluster_id INTEGER")
        conn.exec_driver_sql("CREATE INDEX ix_mentions_cluster_id ON mentions (cluster_id)")
    for table in (surname_clusters, surname_keys, full_name_keys):
        table.create(conn, checkfirst=True)
    linking.relink_surnames(conn)


def _v5_claims(conn: sa.Connection) -> None:
    """Claims across articles (store/claims.py): statements gain their claim, and every stored
    statement is put in one."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("statements")}
    for column in ("claim_id", "about_claim"):
        if column not in columns:
            conn.exec_driver_sql(f"ALTER TABLE statements ADD COLUMN {column} INTEGER")
            conn.exec_driver_sql(f"CREATE INDEX ix_statements_{column} ON statements ({column})")
    if "claim_terms" not in columns:
        conn.exec_driver_sql("ALTER TABLE statements ADD COLUMN claim_terms TEXT")
    for table in (claims_table, claim_shingles, statement_vectors, claim_pins):
        table.create(conn, checkfirst=True)
    claims.assign_all(conn)


# Each migration takes the schema from version n to n + 1; append, never edit a released one.
MIGRATIONS: list[Callable[[sa.Connection], None]] = [_v1_tables, _v2_relation_scores, _v3_search_every_word,
                                                     _v4_surname_clusters, _v5_claims]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    pass


def _stored_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    version = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(f"the store has schema version {version}; this quotegraph knows up to "
                           f"{SCHEMA_VERSION}: upgrade quotegraph")
    return version


def migrate(engine: sa.Engine) -> int:
    """Bring the database to SCHEMA_VERSION, each step in its own transaction; returns the version.

    Safe when several processes open a new or old store at once: each step runs in a writing
    transaction, which reads the version again, so a step another process has just applied is not
    applied twice."""
    with engine.connect() as conn:  # the usual case, up to date, takes no lock
        if _stored_version(conn) == SCHEMA_VERSION:
            return SCHEMA_VERSION
    while True:
        with writing(engine) as conn:
            schema_version.create(conn, checkfirst=True)
            version = _stored_version(conn)
            if version == SCHEMA_VERSION:
                return SCHEMA_VERSION
            MIGRATIONS[version](conn)
            conn.execute(schema_version.insert().values(version=version + 1))
