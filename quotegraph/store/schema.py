"""The store's tables, one definition for SQLite and PostgreSQL (migrations.py builds and updates them),
and the writing transaction.

The statements' text is indexed for full-text search in each database's own way: an FTS5 table kept
in step by triggers in SQLite, a generated ``tsvector`` column with a GIN index in PostgreSQL.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

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

# How a new article's entity finds its canonical entity by name: "person:dmitry peskov", "named:kremlin".
entity_keys = sa.Table(
    "entity_keys", metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id"), nullable=False, index=True),
)

# A surname alone joins others through descriptors (store/linking.py). Surname mentions sharing a
# "person-descriptor:peskov|kremlin spokesman" key form a cluster; the cluster's mentions belong to the one
# full name seen with any of its keys, else to an entity of their own.
surname_clusters = sa.Table(
    "surname_clusters", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id")),  # where its mentions are
    sa.Column("pinned", sa.Boolean, nullable=False),  # placed by hand (entities merge or split): it stays
)
surname_keys = sa.Table(
    "surname_keys", metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("surname_clusters.id"), nullable=False, index=True),
)
full_name_keys = sa.Table(  # which full names ("person:dmitry peskov") came with which surname keys
    "full_name_keys", metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("full_key", sa.String, primary_key=True),
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
    # a surname mention's cluster (surname_clusters.id); no foreign key, so that a migration can add it
    sa.Column("cluster_id", sa.Integer, index=True),
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
    # the claim it reports (store/claims.py); no foreign keys, so that a migration can add them
    sa.Column("claim_id", sa.Integer, index=True),
    sa.Column("about_claim", sa.Integer, index=True),  # a claim it names without reporting it ("X's claim that …")
    sa.Column("claim_terms", sa.Text),  # its content words, stemmed, as claims compare them (kept, not recomputed)
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

# One claim across articles: statements that assert the same thing (store/claims.py). Its summary is
# kept up to date as statements join and leave, so that listing claims reads this table alone.
claims = sa.Table(
    "claims", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pinned", sa.Boolean, nullable=False),  # shaped by hand (claims merge or split): never merged away
    sa.Column("entity_id", sa.Integer),  # the speaker of most of its reports
    sa.Column("text", sa.Text, nullable=False),  # the canonical wording
    sa.Column("statement_id", sa.Integer),  # the report that wording is from
    sa.Column("first_reported", sa.String),
    sa.Column("last_reported", sa.String),
    sa.Column("reports", sa.Integer, nullable=False),
    sa.Column("documents", sa.Integer, nullable=False),
    sa.Column("responses", sa.Integer, nullable=False),
    sa.Column("disputes", sa.Integer, nullable=False),
    sa.Index("ix_claims_entity", "entity_id"),
    sa.Index("ix_claims_reports", "reports", "last_reported"),
    sa.Index("ix_claims_last", "last_reported"),
)

# The runs of eight words a statement holds, hashed: how a quotation finds the same words elsewhere.
claim_shingles = sa.Table(
    "claim_shingles", metadata,
    sa.Column("hash", sa.BigInteger, nullable=False, index=True),
    sa.Column("statement_id", sa.Integer, nullable=False, index=True),
    sa.Column("document_id", sa.Integer, nullable=False, index=True),
)

# The sentence embedding of a statement that a paraphrase test needed (store/claims.py), as float16.
statement_vectors = sa.Table(
    "statement_vectors", metadata,
    sa.Column("statement_id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, nullable=False, index=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)

# A person's decision (claims merge, claims split): the statement, by its document's key and its words,
# and the claim it was put in. Kept when the document is analysed again, so the decision holds.
claim_pins = sa.Table(
    "claim_pins", metadata,
    sa.Column("signature", sa.String, primary_key=True),
    sa.Column("claim_id", sa.Integer, nullable=False, index=True),
)

# Tables of the document's analysis, children first: the order to delete a document's rows in.
DOCUMENT_ROWS = (relations, times, claim_shingles, statement_vectors, statements, mentions)

# PostgreSQL's "english" text search drops stop words ("and", "not", "to be or not to be": nothing),
# which SQLite's FTS5 keeps: the same search found different statements. This configuration is
# "english" with the same Snowball stemmer and no stop list, so both back ends index every word.
SEARCH_CONFIG = "quotegraph_english"

# Any constant: the PostgreSQL advisory lock a writing transaction holds (see ``writing``).
WRITE_LOCK = 0x71756F74


@contextlib.contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that writes. One writes at a time, and the others wait for it rather than fail.

    SQLite: BEGIN IMMEDIATE takes the write lock at once, waiting up to the busy timeout. A deferred
    transaction that reads before it writes (as linking does) cannot wait: it fails with "database is
    locked" when another process wrote in between. PostgreSQL: an advisory lock held to the end of the
    transaction, because two writers linking the same new speaker would both add its keys."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite has not begun one yet: it begins before DML only
        else:
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK)))
        yield conn
