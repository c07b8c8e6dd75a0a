"""Questions about claims across articles (store/claims.py): which claims, and one claim's timeline.

A claim record is the contract's ``claim`` object (analysis.schema.json): its speaker, canonical text,
first and last report dates, every report (the statement, its document and date) and every response
(a dispute, support, other account or refusal to comment of any report, or of a statement naming it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from .claims import responding
from .queries import DEFAULT_LIMIT, _limited, _same_id, is_stored_id
from .schema import claims, documents, entities, relations, statements

_CHUNK = 500  # ids in one IN (...)
_DOCUMENT_COLUMNS = (documents.c.id.label("document_stored_id"), documents.c.key.label("document_key"),
                     documents.c.name.label("document_name"), documents.c.title.label("document_title"),
                     documents.c.url.label("document_url"), documents.c.source.label("document_source"),
                     documents.c.published.label("document_published"))


@dataclass
class ClaimFilters:
    entity: int | None = None  # claims this canonical entity made
    since: str | None = None  # last reported on or after this date
    disputed: bool = False  # only claims someone disputes
    min_reports: int = 1
    limit: int | None = DEFAULT_LIMIT

    def apply(self, select: sa.Select) -> sa.Select:
        select = select.where(claims.c.reports >= max(self.min_reports, 1))
        if self.entity is not None:  # from the entity's statements (an index), not from every claim
            spoken = sa.select(statements.c.claim_id).where(_same_id(statements.c.entity_id, self.entity))
            select = select.where(claims.c.id.in_(spoken))
        if self.since:
            select = select.where(claims.c.last_reported >= self.since)
        if self.disputed:
            select = select.where(claims.c.disputes > 0)
        return _limited(select, self.limit)


def _document(row) -> dict:
    return {"key": row.document_key, "id": row.document_name, "title": row.document_title,
            "url": row.document_url, "source": row.document_source, "published": row.document_published,
            "stored_id": row.document_stored_id}


def _speaker(entity_id, name) -> dict | None:
    return {"id": entity_id, "name": name} if entity_id is not None else None


def _reports(conn: sa.Connection, claim_ids: list[int]) -> dict[int, list[dict]]:
    speaker = entities.alias("speaker")
    rows = conn.execute(
        sa.select(statements.c.id, statements.c.claim_id, statements.c.local_id, statements.c.kind,
                  statements.c.text, statements.c.date, statements.c.entity_id, speaker.c.name.label("speaker_name"),
                  *_DOCUMENT_COLUMNS)
        .join_from(statements, documents, statements.c.document_id == documents.c.id)
        .outerjoin(speaker, statements.c.entity_id == speaker.c.id)
        .where(statements.c.claim_id.in_(claim_ids)).order_by(statements.c.date, statements.c.id))
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r.claim_id, []).append({
            "document": _document(r), "statement": r.id, "local_id": r.local_id, "kind": r.kind, "text": r.text,
            "date": r.date, "speaker": _speaker(r.entity_id, r.speaker_name)})
    return out


def _responses(conn: sa.Connection, claim_ids: list[int]) -> dict[int, list[dict]]:
    """Relations to the claims' reports, or to statements naming them, from statements outside them."""
    speaker = entities.alias("speaker")
    out: dict[int, list[dict]] = {}
    rows = []
    for column in ("claim_id", "about_claim"):
        select, answered, responder = responding(column)
        rows += conn.execute(
            select.add_columns(relations.c.type, relations.c.score, relations.c.evidence,
                               relations.c.id.label("relation"), responder.c.id.label("statement"),
                               responder.c.local_id, responder.c.text, responder.c.date, responder.c.entity_id,
                               speaker.c.name.label("speaker_name"), answered.c.id.label("answers"),
                               *_DOCUMENT_COLUMNS)
            .join(documents, responder.c.document_id == documents.c.id)
            .outerjoin(speaker, responder.c.entity_id == speaker.c.id)
            .where(answered.c[column].in_(claim_ids))).all()
    for r in sorted(rows, key=lambda r: (r.date is None, r.date or "", r.relation)):
        out.setdefault(r.claim, []).append({
            "type": r.type, "speaker": _speaker(r.entity_id, r.speaker_name), "document": _document(r),
            "statement": r.statement, "local_id": r.local_id, "text": r.text, "date": r.date, "score": r.score,
            "evidence": json.loads(r.evidence), "answers": r.answers})
    return out


def _records(conn: sa.Connection, rows) -> list[dict]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    reports, responses = _reports(conn, ids), _responses(conn, ids)
    names = dict(conn.execute(sa.select(entities.c.id, entities.c.name)
                              .where(entities.c.id.in_({r.entity_id for r in rows if r.entity_id})) ).all())
    out = []
    for row in rows:
        mine = reports.get(row.id, [])
        speakers = {s["id"]: s for s in (r["speaker"] for r in mine) if s}
        out.append({
            "id": row.id, "speaker": _speaker(row.entity_id, names.get(row.entity_id)),
            "speakers": sorted(speakers.values(), key=lambda s: s["id"]), "text": row.text,
            "first_reported": row.first_reported, "last_reported": row.last_reported,
            "documents": row.documents, "pinned": row.pinned, "reports": mine, "responses": responses.get(row.id, []),
        })
    return out


def find_claims(conn: sa.Connection, filters: ClaimFilters) -> list[dict]:
    """Claims the filters take, the most reported first, then the most recent."""
    select = filters.apply(sa.select(claims)).order_by(claims.c.reports.desc(), claims.c.last_reported.desc(),
                                                       claims.c.id.desc())
    return _records(conn, conn.execute(select).all())


def claim(conn: sa.Connection, claim_id: int) -> dict | None:
    """One claim with its reports and responses, or None."""
    if not is_stored_id(claim_id):
        return None
    found = _records(conn, conn.execute(sa.select(claims).where(claims.c.id == claim_id, claims.c.reports > 0)).all())
    return found[0] if found else None


def timeline(record: dict) -> list[dict]:
    """A claim's reports and responses in one list by date (undated last), each with ``event``: "report"
    or the response's type."""
    events = [{"event": "report"} | r for r in record["reports"]] + [{"event": r["type"]} | r for r in
                                                                      record["responses"]]
    return sorted(events, key=lambda e: (e["date"] is None, e["date"] or "", e["statement"]))


# ---------------------------------------------------------------- what a page needs to link statements to claims

def _spread(row) -> dict:
    return {"id": row.id, "reports": row.reports, "documents": row.documents}


def claim_spread(conn: sa.Connection, claim_ids) -> dict[int, dict]:
    """``{"id", "reports", "documents"}`` of each of these claims, by id: one query a page of statements,
    never one a statement."""
    ids = sorted({i for i in claim_ids if is_stored_id(i)})
    out: dict[int, dict] = {}
    for at in range(0, len(ids), _CHUNK):
        rows = conn.execute(sa.select(claims.c.id, claims.c.reports, claims.c.documents)
                            .where(claims.c.id.in_(ids[at:at + _CHUNK])))
        out.update((r.id, _spread(r)) for r in rows)
    return out


def document_claims(conn: sa.Connection, document_id: int) -> dict[str, dict]:
    """The claim each statement of a stored document reports (as ``claim_spread`` gives it), by the
    statement's id in the document's analysis."""
    rows = conn.execute(sa.select(statements.c.local_id, claims.c.id, claims.c.reports, claims.c.documents)
                        .join_from(statements, claims, statements.c.claim_id == claims.c.id)
                        .where(statements.c.document_id == document_id))
    return {r.local_id: _spread(r) for r in rows}
