"""The JSON API under /api/: the store's questions, analysis without storing, and writing (with a token).

Answers use the output contract's shapes: documents as in ``quotegraph export``, statements as
``stored_statement``, disputes as ``dispute``, claims with their responses as ``claim_group`` and claims
across articles as ``claim`` (quotegraph/schema/analysis.schema.json).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from ..inputs import InputError, check_document, check_english, check_period
from ..io import Document
from ..model import RelationType
from ..store import EntityEditError, Filters, claim_queries, document_key, linking, queries
from .analysis import analysis
from .params import AtLeastOne, Count, StoredId, or_404
from .security import require_reader, require_writer

router = APIRouter(prefix="/api", dependencies=[Depends(require_reader)])

Kind = Literal["direct", "indirect", "mixed"]


def _conn(request: Request):
    with request.app.state.store.engine.connect() as conn:
        yield conn


def _date(value: str | None, name: str) -> str | None:
    try:
        return check_period(value, name)
    except InputError as e:
        raise HTTPException(422, str(e)) from None


def _entity_or_404(conn, entity_id: StoredId) -> dict:
    return or_404(queries.entity(conn, entity_id), f"entity #{entity_id}")


# ---------------------------------------------------------------- reading

@router.get("/documents", summary="stored documents, the most recently published first")
def documents(limit: int = Query(50, ge=1, le=1000), offset: Count = 0, conn=Depends(_conn)):
    return queries.list_documents(conn, limit, offset)


@router.get("/documents/{document_id}", summary="one stored document with its text and analysis")
def document(document_id: StoredId, conn=Depends(_conn)):
    return or_404(queries.document(conn, document_id), f"document {document_id}")


@router.get("/entities", summary="the most quoted entities; unnamed sources grouped by affiliation")
def entities(top: int = Query(20, ge=1, le=1000), name: str | None = None, conn=Depends(_conn)):
    if name:
        return {"matches": queries.find_entities(conn, name)}
    return queries.top_entities(conn, top)


@router.get("/entities/{entity_id}", summary="one entity: aliases, descriptors, counts")
def entity(entity_id: StoredId, conn=Depends(_conn)):
    return _entity_or_404(conn, entity_id)


@router.get("/entities/{entity_id}/statements", summary="what an entity said, oldest first")
def entity_statements(entity_id: StoredId, limit: Count = 0, conn=Depends(_conn)):
    _entity_or_404(conn, entity_id)
    return queries.said(conn, entity_id, limit=limit or None)


MinScore = Query(None, ge=0, le=1, description="only relations the relation model scores this (0-1) or more")


@router.get("/disputes", summary="statements disputing others, beside the claims, newest first")
def disputes(entity: StoredId | None = None, type: RelationType = "disputes", min_score: float | None = MinScore,
             limit: Count = 50, conn=Depends(_conn)):
    return queries.disputes(conn, entity, type_=type, limit=limit or None, min_score=min_score)


@router.get("/disputes/claims", summary="claims, newest first, each with every response to it")
def dispute_claims(entity: StoredId | None = None, type: RelationType | None = None, min_score: float | None = MinScore,
                   limit: Annotated[Count, Query(description="at most this many claims; 0: all")] = 50,
                   conn=Depends(_conn)):
    filters = queries.RelationFilters(types=(type,) if type else None, min_score=min_score, entity=entity)
    return queries.claim_groups(conn, filters, limit=limit or None)


@router.get("/claims", summary="claims across articles, the most reported first, each with its reports and responses")
def claims(entity: Annotated[StoredId | None, Query(description="only claims this canonical entity made")] = None,
           since: Annotated[str | None, Query(description="last reported on or after this day, month or year")] = None,
           disputed: Annotated[bool, Query(description="only claims someone disputes")] = False,
           min_reports: AtLeastOne = 1, limit: Annotated[Count, Query(description="at most this many; 0: all")] = 50,
           conn=Depends(_conn)):
    filters = claim_queries.ClaimFilters(entity=entity, since=_date(since, "since"), disputed=disputed,
                                         min_reports=min_reports, limit=limit or None)
    return claim_queries.find_claims(conn, filters)


@router.get("/claims/{claim_id}", summary="one claim across articles: its reports and every response to them")
def claim(claim_id: StoredId, conn=Depends(_conn)):
    return or_404(claim_queries.claim(conn, claim_id), f"claim #{claim_id}")


@router.get("/search", summary="full-text search over statements, newest first")
def search(q: str = Query(..., min_length=1), speaker: StoredId | None = None, since: str | None = None,
           until: str | None = None, kind: Kind | None = None, limit: Count = 50, conn=Depends(_conn)):
    filters = Filters(query=q, speaker=speaker, since=_date(since, "since"), until=_date(until, "until"),
                      kind=kind, limit=limit or None)
    try:
        return queries.search(conn, filters)
    except InputError as e:  # a query with no word to find, or too many terms (docs/store.md, "Search")
        raise HTTPException(422, str(e)) from None


# ---------------------------------------------------------------- analysing and writing

class AnalyzeRequest(BaseModel):
    text: str
    published: str | None = Field(None, description="YYYY-MM-DD, anchors relative dates")
    id: str | None = None


class DocumentIn(AnalyzeRequest):
    title: str | None = None
    url: str | None = None
    author: str | None = None
    source: str | None = None


def _checked(body: AnalyzeRequest, storing: bool = False) -> str | None:
    """The one check of a document (inputs.check_document) over the body's fields, and for the store its
    language as ``ingest`` checks it; a 422 with one line when it fails. Returns the date as YYYY-MM-DD."""
    fields = body.model_dump()
    try:
        published = check_document(fields.pop("text"), published=fields.pop("published"), **fields)
        if storing:
            check_english(body.text)
    except InputError as e:
        raise HTTPException(422, str(e)) from None
    return published


@router.post("/analyze", summary="analyse a text; nothing is stored (without the token: within the open limits)")
async def analyze_text(body: AnalyzeRequest, request: Request):
    try:
        return await analysis(request, body.text, _checked(body), body.id)
    except InputError as e:
        raise HTTPException(422, str(e)) from None


@router.post("/documents", status_code=201, dependencies=[Depends(require_writer)],
             summary="analyse a document and store it (idempotent: keyed by URL, else by text); "
                     "201 when new, 200 when unchanged or updated")
def add_document(body: DocumentIn, request: Request, response: Response):
    published = _checked(body, storing=True)  # before anything reads the text: the store cannot take all text
    store = request.app.state.store
    doc = Document(id=body.id or body.url or "api", text=body.text, published=published, title=body.title,
                   url=body.url, author=body.author, source=body.source)
    key = document_key(doc)
    if store.unchanged([doc]):
        status, statements = "unchanged", None
    else:
        from ..api import analyze

        stored = store.write([(doc, analyze(doc.text, published=published, id=body.id))])[0]  # checked above
        status, statements = stored.status, stored.statements
    if status != "new":
        response.status_code = 200  # unchanged or updated: 201 only when a document was created
    with store.engine.connect() as conn:
        stored_id = queries.document_id(conn, key)
    return {"key": key, "status": status, "id": stored_id, "statements": statements}


class MergeRequest(BaseModel):
    other: StoredId = Field(..., description="the entity to fold into this one")


class SplitRequest(BaseModel):
    name: str | None = Field(None, description="move the mentions written this way")
    document: StoredId | None = Field(None, description="or those in this stored document")


@router.post("/entities/{entity_id}/merge", dependencies=[Depends(require_writer)], summary="merge another entity in")
def merge(entity_id: StoredId, body: MergeRequest, request: Request):
    with request.app.state.store.writing() as conn:  # waits for ingests, as they wait for each other
        _entity_or_404(conn, entity_id)
        _entity_or_404(conn, body.other)
        try:
            linking.merge(conn, entity_id, body.other)
        except EntityEditError as e:
            raise HTTPException(422, str(e)) from None
        return queries.entity(conn, entity_id)


@router.post("/entities/{entity_id}/split", dependencies=[Depends(require_writer)],
             summary="move some mentions to a new entity")
def split(entity_id: StoredId, body: SplitRequest, request: Request):
    if not (body.name or body.document):
        raise HTTPException(422, "give name or document")
    with request.app.state.store.writing() as conn:
        _entity_or_404(conn, entity_id)
        try:
            new_id = linking.split(conn, entity_id, name=body.name, document_id=body.document)
        except EntityEditError as e:
            raise HTTPException(422, str(e)) from None
        return queries.entity(conn, new_id)
