"""The store: one data layer over SQLite (the default, a file) and PostgreSQL (for servers).

Opening a store brings its schema up to date. Writing is by batches of documents, each batch one
transaction: a crash loses at most the batch in progress, and never leaves half a document.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa

from .. import __version__
from ..io import Document
from ..model import Analysis
from . import claims, linking
from .migrations import migrate
from .schema import DOCUMENT_ROWS, documents, entities, mentions, relation_score, relations, statements, times, writing

DEFAULT_DB = "quotegraph.db"
BUSY_TIMEOUT_MS = 30_000  # how long a SQLite writer waits for another (docs/store.md)


class StoreError(RuntimeError):
    """A store that cannot be opened or used, said in words a user can act on."""


def database_url(db: str | None = None) -> str:
    """--db as given (a URL or a file path), else $QUOTEGRAPH_DB, else quotegraph.db here."""
    db = db or os.environ.get("QUOTEGRAPH_DB") or DEFAULT_DB
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" in db:
        return db
    return f"sqlite:///{db}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _write_ahead_log(cursor)  # readers never wait for the writer; a crash rolls back
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _write_ahead_log(cursor) -> None:
    """PRAGMA journal_mode=WAL. On a new file it needs the file to itself for a moment, and SQLite answers
    "database is locked" at once rather than wait as it waits for a write lock; so it waits here, up to
    the same busy timeout, for another process opening the same new file."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_key(document: Document) -> str:
    """A document is the same document when it has the same URL, or (without one) the same text."""
    return document.url.strip() if document.url and document.url.strip() else f"sha256:{text_hash(document.text)}"


def statement_date(said_on: str | None, published: str | None) -> str | None:
    return said_on if said_on and len(said_on) == 10 else published


@dataclass
class Stored:
    key: str
    status: str  # "new" or "updated"
    statements: int


class Store:
    def __init__(self, db: str | None = None):
        self.url = database_url(db)
        try:
            self.engine = sa.create_engine(self.url)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as e:
            raise StoreError(f"cannot use database {db or self.url!r}: {e}") from None
        self.dialect = self.engine.dialect.name
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        elif self.dialect != "postgresql":
            raise StoreError(f"database {self.dialect!r} is not supported: use a SQLite file or postgresql://")
        try:
            migrate(self.engine)
        except sa.exc.OperationalError as e:
            raise StoreError(f"cannot open the store {self.safe_url}: {str(e.orig).strip().splitlines()[0]}") from None

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def writing(self):
        """A transaction to write in: writers wait for each other rather than fail (schema.writing)."""
        return writing(self.engine)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ reading what is there

    def unchanged(self, candidates: Iterable[Document]) -> set[str]:
        """Keys of those documents already stored under their key with the same text: what ingest,
        load and the API skip."""
        keys = {document_key(d): d for d in candidates}
        if not keys:
            return set()
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(documents.c.key, documents.c.text_hash).where(documents.c.key.in_(keys)))
            return {key for key, stored in rows if stored == text_hash(keys[key].text)}

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                    for t in (documents, statements, entities, mentions, relations, times)}

    # ------------------------------------------------------------ writing

    def write(self, batch: list[tuple[Document, Analysis | dict]]) -> list[Stored]:
        """Store a batch of analysed documents (an Analysis, or its contract dict) in one transaction,
        replacing any stored earlier under the same key."""
        out, written = [], []
        with writing(self.engine) as conn:
            replaced = False
            for document, analysis in batch:
                key = document_key(document)
                old = conn.execute(sa.select(documents.c.id).where(documents.c.key == key)).scalar()
                if old is not None:
                    left = claims.claims_of_document(conn, old)
                    _delete_document(conn, old)
                    claims.regroup(conn, left)
                    replaced = True
                contract = analysis if isinstance(analysis, dict) else analysis.to_dict()
                written.append(_insert_document(conn, key, document, contract))
                out.append(Stored(key, "updated" if old is not None else "new", len(contract["statements"])))
            # the batch's statements join claims together: one look-up of what is stored, not one a document
            claims.assign(conn, [i for chunk in claims.chunks(written) for i in conn.execute(
                sa.select(statements.c.id).where(statements.c.document_id.in_(chunk))).scalars()])
            if replaced:
                linking.drop_orphans(conn)
        return out


def _delete_document(conn: sa.Connection, document_id: int) -> None:
    for table in DOCUMENT_ROWS:
        conn.execute(table.delete().where(table.c.document_id == document_id))
    conn.execute(entities.delete().where(entities.c.document_id == document_id))
    conn.execute(documents.delete().where(documents.c.id == document_id))


def _insert_document(conn: sa.Connection, key: str, document: Document, contract: dict) -> int:
    document_id = conn.execute(documents.insert().values(
        key=key, name=document.id, url=document.url, title=document.title, author=document.author,
        source=document.source, published=contract["published"], text_hash=text_hash(document.text),
        text=document.text, analysis=json.dumps(contract, ensure_ascii=False),
        statement_count=len(contract["statements"]),
        ingested_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), analyzer=__version__,
    ).returning(documents.c.id)).scalar_one()
    links = linking.link_all(conn, contract["entities"], document_id)
    if contract["entities"]:
        conn.execute(mentions.insert(), [
            {"document_id": document_id, "local_id": e["id"], "entity_id": link.entity_id, "name": e["name"],
             "name_folded": linking.fold(e["name"]), "type": e["type"], "unnamed": e["unnamed"],
             "affiliation": e["affiliation"], "descriptors": json.dumps(e["descriptors"], ensure_ascii=False),
             "mention_count": len(e["mentions"]), "cluster_id": link.cluster_id}
            for e, link in zip(contract["entities"], links)])
    entity_of = {e["id"]: link.entity_id for e, link in zip(contract["entities"], links)}
    _insert_statements(conn, document_id, contract, entity_of)
    if contract["relations"]:
        _insert_relations(conn, document_id, contract["relations"])
    if contract["times"]:
        conn.execute(times.insert(), [
            {"document_id": document_id, "local_id": t["id"], "start": t["start"], "end": t["end"],
             "text": t["text"], "value": t["value"], "statement_local": t["statement"]}
            for t in contract["times"]])
    return document_id


def _dumps(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _insert_statements(conn, document_id: int, contract: dict, entity_of: dict[str, int]) -> None:
    # Plain executemany, no RETURNING: that would cost a round trip a row.
    rows = [{
        "document_id": document_id, "local_id": s["id"], "kind": s["kind"], "text": s["text"],
        "content": json.dumps(s["content"]), "source": _dumps(s["source"]), "cue": _dumps(s["cue"]),
        "cue_text": s["cue"]["text"] if s["cue"] else None, "speaker_local": s["speaker"],
        "entity_id": entity_of.get(s["speaker"]), "nested_in": s["nested_in"], "said_on": s["said_on"],
        "date": statement_date(s["said_on"], contract["published"]), "times": json.dumps(s["times"]),
    } for s in contract["statements"]]
    if rows:
        conn.execute(statements.insert(), rows)


def _insert_relations(conn, document_id: int, found: list[dict]) -> None:
    ids = dict(conn.execute(sa.select(statements.c.local_id, statements.c.id)
                            .where(statements.c.document_id == document_id)).all())
    conn.execute(relations.insert(), [
        {"document_id": document_id, "type": r["type"], "from_statement": ids[r["from"]],
         "to_statement": ids.get(r["to"]) if r["to"] else None,
         "evidence": json.dumps(r["evidence"], ensure_ascii=False), "score": relation_score(r)} for r in found])
