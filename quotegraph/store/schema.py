"""The store's tables, one definition for SQLite and PostgreSQL, and the migrations that build them.

The statements' text is indexed for full-text search in each database's own way: an FTS5 table kept
in step by triggers in SQLite, a generated ``tsvector`` column with a GIN index in PostgreSQL.
"""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

metadata = sa.MetaData()

schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))

documents = sa.Table(
    "documents", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # the URL when the document has one, else "sha256:" and a hash of its text: what makes ingest idempotent
    sa.Column("key", sa.String, nullable=False, unique=True),
    sa.Column("name", sa.String, nullable=False),  # the id it came with (a file name, a JSONL "id")
    sa.Column("url", sa.String),
    sa.Column("title", sa.String),
    sa.Column("author", sa.String),
    sa.Column("source", sa.String),
    sa.Column("published", sa.String(10)),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("analysis", sa.Text, nullable=False),  # the output contract's document object, as JSON
    sa.Column("statement_count", sa.Integer, nullable=False),
    sa.Column("ingested_at", sa.String, nullable=False),
    sa.Column("analyzer", sa.String, nullable=False),  # quotegraph version that analysed it
)

# A person or organisation across the corpus. Unnamed sources ("a Downing Street spokesman") are
# never merged across articles: each has its document_id and is grouped by affiliation instead.
entities = sa.Table(
    "entities", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("type", sa.String, nullable=False),
    sa.Column("unnamed", sa.Boolean, nullable=False),
    sa.Column("affiliation", sa.String),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id")),
)

# How a new article's entity finds its canonical entity: "person:dmitry peskov",
# "person-descriptor:peskov|kremlin spokesman", "named:kremlin".
entity_keys = sa.Table(
    "entity_keys", metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id"), nullable=False, index=True),
)

# One entity of one article (the contract's entity object), linked to its canonical entity.
mentions = sa.Table(
    "mentions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("local_id", sa.String, nullable=False),
    sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id"), nullable=False, index=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("name_folded", sa.String, nullable=False, index=True),  # lower case, for look-ups by name
    sa.Column("type", sa.String, nullable=False),
    sa.Column("unnamed", sa.Boolean, nullable=False),
    sa.Column("affiliation", sa.String),
    sa.Column("descriptors", sa.Text, nullable=False),  # JSON list
    sa.Column("mention_count", sa.Integer, nullable=False),
)

statements = sa.Table(
    "statements", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("local_id", sa.String, nullable=False),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),  # JSON list of {start, end}
    sa.Column("source", sa.Text),  # JSON span
    sa.Column("cue", sa.Text),  # JSON span
    sa.Column("cue_text", sa.String),
    sa.Column("speaker_local", sa.String),  # the mention's local_id in the same document
    sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id")),
    sa.Column("nested_in", sa.String),
    sa.Column("said_on", sa.String),
    sa.Column("date", sa.String),  # said_on when it names a day, else the publication date: for ordering
    sa.Column("times", sa.Text, nullable=False),  # JSON list of time ids
    sa.Index("ix_statements_entity_date", "entity_id", "date"),
    sa.Index("ix_statements_date", "date"),
)

# Relations stored or analysed before relations were scored came from the rule-based extractor, which
# asserted every relation outright: they count as certain. Not NULL: the contract requires a number, and
# a NULL would silently drop them from every --min-score filter. `ingest --reanalyze` gives real scores.
UNSCORED = 1.0


def relation_score(relation: dict) -> float:
    """A contract relation's score; UNSCORED for an analysis made before scores (the JSON of a document
    stored then, or a batch's shards written by an older quotegraph and loaded now)."""
    return relation.get("score", UNSCORED)


relations = sa.Table(
    "relations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("type", sa.String, nullable=False, index=True),
    sa.Column("from_statement", sa.Integer, sa.ForeignKey("statements.id"), nullable=False, index=True),
    sa.Column("to_statement", sa.Integer, sa.ForeignKey("statements.id"), index=True),
    sa.Column("evidence", sa.Text, nullable=False),  # JSON span
    # the relation model's confidence, 0-1 (the contract's relation "score"); see _v2_relation_scores
    sa.Column("score", sa.Float, nullable=False, server_default=sa.text(str(UNSCORED))),
)

times = sa.Table(
    "times", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("local_id", sa.String, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("text", sa.String, nullable=False),
    sa.Column("value", sa.String),
    sa.Column("statement_local", sa.String),
)

# Tables of the document's analysis, children first: the order to delete a document's rows in.
DOCUMENT_ROWS = (relations, times, statements, mentions)

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


# Each migration takes the schema from version n to n + 1; append, never edit a released one.
MIGRATIONS: list[Callable[[sa.Connection], None]] = [_v1_tables, _v2_relation_scores]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    pass


def migrate(engine: sa.Engine) -> int:
    """Bring the database to SCHEMA_VERSION, each step in its own transaction; returns the version."""
    with engine.begin() as conn:
        if not sa.inspect(conn).has_table("schema_version"):
            schema_version.create(conn)
        version = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(f"the store has schema version {version}; this quotegraph knows up to "
                           f"{SCHEMA_VERSION}: upgrade quotegraph")
    for step in range(version, SCHEMA_VERSION):
        with engine.begin() as conn:
            MIGRATIONS[step](conn)
            conn.execute(schema_version.insert().values(version=step + 1))
    return SCHEMA_VERSION
