"""Questions users ask of the store. Every answer is plain data in the output contract's shapes:
a statement is the contract's statement object plus ``document`` (where it was read), ``entity``
(the canonical speaker across the corpus) and ``date`` (when it was said, else published)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY

from ..inputs import InputError
from . import search as search_grammar
from .linking import fold
from .schema import SEARCH_CONFIG, documents, entities, mentions, relation_score, relations, statements

DEFAULT_LIMIT = 50

# Row ids are sa.Integer columns: 32-bit in PostgreSQL (64 in SQLite), so no store holds a larger id. A
# larger one, or one below 1, is simply no row: compared as it is, it overflows the driver instead.
MAX_ID = 2**31 - 1
MAX_COUNT = 2**63 - 1  # LIMIT and OFFSET take 64-bit numbers in both back ends


def is_stored_id(value: int | None) -> bool:
    """Whether ``value`` is an id some row could have."""
    return value is not None and 1 <= value <= MAX_ID


def _same_id(column, value: int):
    return column == value if is_stored_id(value) else sa.false()


def check_count(value: int | None, name: str = "limit") -> int | None:
    """A limit or an offset as given (None: no limit); InputError out of 0 .. 2^63-1."""
    if value is not None and not 0 <= value <= MAX_COUNT:
        raise InputError(f"{name} {value} is out of range: give a whole number from 0 to {MAX_COUNT}")
    return value


def _limited(select: sa.Select, limit: int | None) -> sa.Select:
    """At most ``limit`` rows; 0 or None: all of them."""
    return select.limit(limit) if check_count(limit) else select


@dataclass
class Filters:
    query: str | None = None  # full-text search over the statement text (the grammar in search.py)
    speaker: int | None = None  # canonical entity id
    since: str | None = None  # ISO date, inclusive
    until: str | None = None
    kind: str | None = None
    limit: int | None = DEFAULT_LIMIT  # None or 0: all

    def apply(self, select: sa.Select, conn: sa.Connection) -> sa.Select:
        if self.query is not None:
            select = select.where(_matches(conn, self.query))
        if self.speaker is not None:
            select = select.where(_same_id(statements.c.entity_id, self.speaker))
        if self.since:
            select = select.where(statements.c.date >= self.since)
        if self.until:  # "2023-01" and "2023-01-31" both take in the whole of that period
            select = select.where(statements.c.date <= self.until + "\uffff")
        if self.kind:
            select = select.where(statements.c.kind == self.kind)
        return _limited(select, self.limit)


def _matches(conn: sa.Connection, text: str):
    """Statements matching a search (InputError for one with no word to find, or too many terms)."""
    parsed = search_grammar.parse(text)
    if conn.dialect.name == "sqlite":
        hits = sa.text("SELECT rowid FROM statements_fts WHERE statements_fts MATCH :fts_query")
        fts_query = search_grammar.fts5(parsed)
        return statements.c.id.in_(hits.bindparams(fts_query=fts_query).columns(sa.column("rowid")))
    tsquery = search_grammar.tsquery(parsed, lambda texts: _phrase_lexemes(conn, texts))
    if tsquery is None:
        return sa.false()
    return sa.literal_column("statements.search").op("@@")(sa.cast(sa.literal(tsquery, sa.String), TSQUERY))


def _phrase_lexemes(conn: sa.Connection, texts: list[str]) -> list[str]:
    """Each text as PostgreSQL's phrase tsquery of it, split and stemmed as the statements were: one query."""
    rows = conn.execute(sa.text(
        f"SELECT phraseto_tsquery('{SEARCH_CONFIG}', t)::text FROM unnest(CAST(:texts AS text[])) "
        "WITH ORDINALITY AS u(t, n) ORDER BY n"), {"texts": texts})
    return list(rows.scalars())


# ---------------------------------------------------------------- statements

speaker = entities.alias("speaker")
_STATEMENT_COLUMNS = [
    statements, documents.c.key.label("document_key"), documents.c.name.label("document_name"),
    documents.c.title.label("document_title"), documents.c.url.label("document_url"),
    documents.c.published.label("document_published"), speaker.c.name.label("speaker_name"),
]


def _statements_select() -> sa.Select:
    return (sa.select(*_STATEMENT_COLUMNS)
            .join_from(statements, documents, statements.c.document_id == documents.c.id)
            .outerjoin(speaker, statements.c.entity_id == speaker.c.id))


def statement_record(row) -> dict:
    """One stored statement in the contract's shape, with where and when it was said."""
    return {
        "id": row.local_id,
        "kind": row.kind,
        "content": json.loads(row.content),
        "text": row.text,
        "source": json.loads(row.source) if row.source else None,
        "cue": json.loads(row.cue) if row.cue else None,
        "speaker": row.speaker_local,
        "nested_in": row.nested_in,
        "said_on": row.said_on,
        "times": json.loads(row.times),
        "date": row.date,
        "entity": {"id": row.entity_id, "name": row.speaker_name} if row.entity_id is not None else None,
        "claim": row.claim_id,  # the claim across articles it reports (quotegraph claim ID)
        "document": {"key": row.document_key, "id": row.document_name, "title": row.document_title,
                     "url": row.document_url, "published": row.document_published, "stored_id": row.document_id},
    }


def find_statements(conn: sa.Connection, filters: Filters, newest_first: bool = False) -> list[dict]:
    order = (statements.c.date.desc(), statements.c.id.desc()) if newest_first else (
        statements.c.date.asc(), statements.c.id.asc())
    select = filters.apply(_statements_select(), conn).order_by(*order)
    return [statement_record(r) for r in conn.execute(select)]


def said(conn: sa.Connection, entity_id: int, limit: int | None = None) -> list[dict]:
    """What an entity said, oldest first."""
    return find_statements(conn, Filters(speaker=entity_id, limit=limit))


def search(conn: sa.Connection, filters: Filters) -> list[dict]:
    """Statements matching a full-text query and filters, newest first."""
    return find_statements(conn, filters, newest_first=True)


# ---------------------------------------------------------------- disputes

claim = statements.alias("claim")  # the statement a relation points at; the responding one is ``statements``


@dataclass
class RelationFilters:
    """Which relations a disputes question takes: of these types (None: all), scored at least
    ``min_score``, and with ``entity`` (a canonical id) on either side."""

    types: tuple[str, ...] | None = None
    min_score: float | None = None
    entity: int | None = None

    def apply(self, select: sa.Select) -> sa.Select:
        select = (select.join_from(relations, statements, relations.c.from_statement == statements.c.id)
                  .outerjoin(claim, relations.c.to_statement == claim.c.id))
        if self.types:
            select = select.where(relations.c.type.in_(self.types))
        if self.min_score is not None:
            select = select.where(relations.c.score >= self.min_score)
        if self.entity is not None:
            select = select.where(sa.or_(_same_id(statements.c.entity_id, self.entity),
                                         _same_id(claim.c.entity_id, self.entity)))
        return select


_RELATION_COLUMNS = (relations.c.id, relations.c.type, relations.c.evidence, relations.c.score,
                     relations.c.from_statement, relations.c.to_statement)


def _stored_statements(conn: sa.Connection, ids) -> dict[int, dict]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {r.id: statement_record(r) for r in conn.execute(_statements_select().where(statements.c.id.in_(ids)))}


def _response(row, by_id: dict[int, dict]) -> dict:
    """A relation seen from the statement that makes it."""
    return {"type": row.type, "evidence": json.loads(row.evidence), "score": row.score,
            "statement": by_id[row.from_statement]}


def disputes(conn: sa.Connection, entity_id: int | None = None, type_: str = "disputes",
             limit: int | None = DEFAULT_LIMIT, min_score: float | None = None) -> list[dict]:
    """Statements that dispute others (or support, ...: ``type_``), each beside the claim it answers
    (None where the claim is not in the article), newest first. With ``entity_id``: where that entity
    disputes or is disputed."""
    filters = RelationFilters(types=(type_,), min_score=min_score, entity=entity_id)
    select = filters.apply(sa.select(*_RELATION_COLUMNS)).order_by(statements.c.date.desc(), relations.c.id.desc())
    found = list(conn.execute(_limited(select, limit)))
    by_id = _stored_statements(conn, [r.from_statement for r in found] + [r.to_statement for r in found])
    return [_response(r, by_id) | {"claim": by_id.get(r.to_statement)} for r in found]


def claim_groups(conn: sa.Connection, filters: RelationFilters, limit: int | None = DEFAULT_LIMIT) -> list[dict]:
    """Claims, newest first, each with every response the filters take (oldest first):
    ``{"claim": stored statement, "responses": [...]}``. A response that answers no quoted claim
    ("denied any wrongdoing", a refusal to comment) is a group of its own with ``claim`` None, keyed by
    the responding statement, so nothing is lost. ``limit`` counts groups."""
    # A group is keyed by (claim, None), or by (None, responding statement) where there is no claim.
    unclaimed = sa.case((relations.c.to_statement.is_(None), relations.c.from_statement))
    group_date = sa.func.max(sa.case((relations.c.to_statement.is_(None), statements.c.date), else_=claim.c.date))
    groups = (filters.apply(sa.select(relations.c.to_statement, unclaimed.label("unclaimed")))
              .group_by(relations.c.to_statement, unclaimed)
              .order_by(group_date.desc().nulls_last(),
                        sa.func.max(sa.func.coalesce(relations.c.to_statement, relations.c.from_statement)).desc()))
    keys = list(conn.execute(_limited(groups, limit)))
    if not keys:
        return []
    claimed = [k.to_statement for k in keys if k.to_statement is not None]
    alone = [k.unclaimed for k in keys if k.to_statement is None]
    select = filters.apply(sa.select(*_RELATION_COLUMNS)).order_by(statements.c.date.asc().nulls_last(),
                                                                   relations.c.id.asc())
    if limit:  # without a limit every relation the filters take is in some group: no need to list them
        select = select.where(sa.or_(relations.c.to_statement.in_(claimed), sa.and_(
            relations.c.to_statement.is_(None), relations.c.from_statement.in_(alone))))
    rows = list(conn.execute(select))
    by_id = _stored_statements(conn, claimed + [r.from_statement for r in rows])
    responses: dict[tuple, list[dict]] = {}
    for r in rows:
        key = (r.to_statement, None) if r.to_statement is not None else (None, r.from_statement)
        responses.setdefault(key, []).append(_response(r, by_id))
    return [{"claim": by_id.get(k.to_statement), "responses": responses[(k.to_statement, k.unclaimed)]}
            for k in keys]


# ---------------------------------------------------------------- entities

def find_entities(conn: sa.Connection, name: str) -> list[dict]:
    """Canonical entities a user may mean by ``name`` (an id, a name or alias, or part of one), the
    most quoted first; exact names and aliases before partial ones."""
    digits = name.strip().lstrip("#")
    if digits.isascii() and digits.isdigit():  # "#12"; not "²", which is a digit int() cannot read
        return [e for e in [entity(conn, int(digits))] if e]
    folded = fold(name)
    if not folded:
        return []
    exact = sa.select(mentions.c.entity_id).where(mentions.c.name_folded == folded)
    ids = set(conn.execute(exact.distinct()).scalars())
    if not ids:
        pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        partial = sa.select(mentions.c.entity_id).where(mentions.c.name_folded.like(pattern, escape="\\"))
        ids = set(conn.execute(partial.distinct().limit(200)).scalars())
    return sorted(_summaries(conn, ids), key=lambda e: (-e["statements"], e["id"]))


def _summaries(conn: sa.Connection, ids) -> list[dict]:
    if not ids:
        return []
    counts = (sa.select(statements.c.entity_id, sa.func.count().label("n"))
              .where(statements.c.entity_id.in_(ids)).group_by(statements.c.entity_id).subquery())
    rows = conn.execute(sa.select(entities, sa.func.coalesce(counts.c.n, 0).label("n"))
                        .outerjoin(counts, counts.c.entity_id == entities.c.id).where(entities.c.id.in_(ids)))
    return [{"id": r.id, "name": r.name, "type": r.type, "unnamed": r.unnamed, "affiliation": r.affiliation,
             "statements": r.n} for r in rows]


def entity(conn: sa.Connection, entity_id: int) -> dict | None:
    """One canonical entity with its aliases, descriptors and the articles it appears in."""
    found = _summaries(conn, {entity_id}) if is_stored_id(entity_id) else []
    if not found:
        return None
    record = found[0]
    rows = list(conn.execute(sa.select(mentions.c.name, mentions.c.descriptors, mentions.c.document_id)
                             .where(mentions.c.entity_id == entity_id)))
    record["aliases"] = _counted(r.name for r in rows)
    record["descriptors"] = _counted(d for r in rows for d in json.loads(r.descriptors))
    record["documents"] = len({r.document_id for r in rows})
    return record


def _counted(values) -> list[dict]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return [{"name": k, "count": n} for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def top_entities(conn: sa.Connection, top: int = 20) -> dict[str, list[dict]]:
    """The most quoted named entities, and unnamed sources grouped by whom they speak for."""
    top = check_count(top, "top")
    n = sa.func.count(statements.c.id).label("statements")
    docs = sa.func.count(sa.distinct(statements.c.document_id)).label("documents")
    named = (sa.select(entities.c.id, entities.c.name, entities.c.type, n, docs)
             .join_from(entities, statements, statements.c.entity_id == entities.c.id)
             .where(entities.c.unnamed.is_(False))
             .group_by(entities.c.id, entities.c.name, entities.c.type).order_by(n.desc(), entities.c.id).limit(top))
    group = sa.func.coalesce(entities.c.affiliation, "(unaffiliated)")
    unnamed = (sa.select(group.label("affiliation"), n, docs)
               .join_from(entities, statements, statements.c.entity_id == entities.c.id)
               .where(entities.c.unnamed.is_(True))
               .group_by(group).order_by(n.desc(), group).limit(top))
    return {"named": [dict(r._mapping) for r in conn.execute(named)],
            "unnamed": [dict(r._mapping) for r in conn.execute(unnamed)]}


# ---------------------------------------------------------------- documents

def _full_records(conn: sa.Connection, rows) -> list[dict]:
    """Documents in the contract's shape, with text, key and metadata, each entity with ``canonical``."""
    if not rows:
        return []
    links = conn.execute(sa.select(mentions.c.document_id, mentions.c.local_id, mentions.c.entity_id)
                         .where(mentions.c.document_id.in_([r.id for r in rows])))
    canonical = {(d, local): e for d, local, e in links}
    out = []
    for row in rows:
        record = json.loads(row.analysis)
        for r in record["relations"]:
            r["score"] = relation_score(r)  # a document analysed before relations were scored has none
        for e in record["entities"]:
            e["canonical"] = canonical.get((row.id, e["id"]))
        record.update(id=row.name, key=row.key, title=row.title, url=row.url, author=row.author,
                      source=row.source, text=row.text, stored_id=row.id)
        out.append(record)
    return out


def document_records(conn: sa.Connection, page: int = 200):
    """Every stored document (see _full_records), read a page at a time."""
    last = 0
    while rows := conn.execute(sa.select(documents).where(documents.c.id > last)
                               .order_by(documents.c.id).limit(page)).all():
        last = rows[-1].id
        yield from _full_records(conn, rows)


def document(conn: sa.Connection, stored_id: int) -> dict | None:
    """One stored document with its analysis (see _full_records), or None."""
    found = _full_records(conn, conn.execute(sa.select(documents).where(_same_id(documents.c.id, stored_id))).all())
    return found[0] if found else None


def document_id(conn: sa.Connection, key_or_name: str) -> int | None:
    """The stored id of a document given by its key (URL or sha256:…) or, failing that, its name."""
    for column in (documents.c.key, documents.c.name):
        ids = conn.execute(sa.select(documents.c.id).where(column == key_or_name).limit(2)).scalars().all()
        if len(ids) == 1:
            return ids[0]
    return None


def list_documents(conn: sa.Connection, limit: int = DEFAULT_LIMIT, offset: int = 0) -> list[dict]:
    """Stored documents, the most recently published first, without their texts."""
    columns = [documents.c.id, documents.c.key, documents.c.name, documents.c.title, documents.c.url,
               documents.c.source, documents.c.published, documents.c.statement_count]
    rows = conn.execute(sa.select(*columns).order_by(documents.c.published.desc(), documents.c.id.desc())
                        .limit(check_count(limit)).offset(check_count(offset, "offset")))
    return [dict(r._mapping) for r in rows]


def each_statement(conn: sa.Connection, filters: Filters, page: int = 5000):
    """Every statement the filters take, in the order stored, read a page at a time (for export); each
    with ``relations``, those it makes (the contract's relation objects)."""
    last = 0
    unlimited = Filters(**{**filters.__dict__, "limit": None})
    left = check_count(filters.limit) or None
    while True:
        select = unlimited.apply(_statements_select(), conn)
        rows = conn.execute(select.where(statements.c.id > last).order_by(statements.c.id).limit(page)).all()
        rows = rows[:left] if left is not None else rows
        made = _relations_made(conn, [r.id for r in rows])
        for row in rows:
            yield statement_record(row) | {"relations": made.get(row.id, [])}
        if left is not None:
            left -= len(rows)
        if len(rows) < page or (left is not None and left <= 0):
            return
        last = rows[-1].id


def _relations_made(conn: sa.Connection, statement_ids: list[int]) -> dict[int, list[dict]]:
    """The relations these statements make, by statement, in the contract's shape."""
    if not statement_ids:
        return {}
    source = statements.alias("source")
    rows = conn.execute(sa.select(relations.c.from_statement, relations.c.type, relations.c.evidence,
                                  relations.c.score, source.c.local_id.label("from_local"),
                                  claim.c.local_id.label("to_local"))
                        .join_from(relations, source, relations.c.from_statement == source.c.id)
                        .outerjoin(claim, relations.c.to_statement == claim.c.id)
                        .where(relations.c.from_statement.in_(statement_ids)).order_by(relations.c.id))
    made: dict[int, list[dict]] = {}
    for r in rows:
        made.setdefault(r.from_statement, []).append(
            {"type": r.type, "from": r.from_local, "to": r.to_local, "evidence": json.loads(r.evidence),
             "score": r.score})
    return made
