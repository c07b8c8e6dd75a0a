"""Speakers across articles: which canonical entity an article's entity is, and editing that by hand.

Merging is conservative, because a wrong merge puts words in someone's mouth:
- a person's full name (two or more name words after any title) is one entity everywhere;
- a surname alone joins an entity only through a shared descriptor ("Peskov, Kremlin spokesman");
  two "Mr Smith"s with nothing else in common stay two entities;
- a named organisation or place is one entity by its name;
- unnamed sources ("a Downing Street spokesman") are never merged: they stay in their article.

Every key a canonical entity is reached by is kept in ``entity_keys``; merging or splitting by hand
moves keys too, so articles ingested later follow the user's decision.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import sqlalchemy as sa

from .schema import entities, entity_keys, mentions, statements

TITLES = frozenset("""mr mrs ms miss mx dr sir dame lord lady prof professor rev president senator sen
rep gov governor gen general col capt judge justice minister chancellor secretary mayor pm""".split())

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def fold(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


def name_words(name: str) -> list[str]:
    """The words of a person's name without leading titles: "Mr Dmitry Peskov" -> [dmitry, peskov]."""
    words = fold(name).split()
    while words and words[0].rstrip(".") in TITLES:
        words = words[1:]
    return words


@dataclass(frozen=True)
class Keys:
    strong: str | None  # a full name: enough on its own
    weak: tuple[str, ...]  # surname with a descriptor: enough only when one entity has it


def keys_of(name: str, type_: str, descriptors: list[str], unnamed: bool) -> Keys:
    if unnamed:
        return Keys(None, ())
    if type_ != "PERSON":
        folded = fold(name)
        return Keys(f"named:{folded}" if folded else None, ())
    words = name_words(name)
    if not words:
        return Keys(None, ())
    strong = f"person:{' '.join(words)}" if len(words) >= 2 else None
    weak = tuple(sorted({f"person-descriptor:{words[-1]}|{fold(d)}" for d in descriptors if fold(d)}))
    return Keys(strong, weak)


def _compatible(candidate_name: str, words: list[str]) -> bool:
    """A weak key may not join two different full names ("John Smith" and "Mary Smith")."""
    theirs = name_words(candidate_name)
    return len(words) < 2 or len(theirs) < 2 or theirs == words


@dataclass
class _Known:
    """Keys already in the store, and those this document adds, with their entity's name."""

    entity_of: dict[str, int | str]  # key -> entity id, or "new:N" for the Nth entity this document adds
    name_of: dict[int | str, str]


def link_all(conn: sa.Connection, found: list[dict], document_id: int) -> list[int]:
    """Canonical entity ids for a document's entities (contract shape), in order, creating new ones.

    A handful of statements per document whatever its size: keys are read in one query, new entities
    and keys written in one each."""
    keys = [keys_of(e["name"], e["type"], e["descriptors"], e["unnamed"]) for e in found]
    wanted = {k for ks in keys for k in (ks.strong, *ks.weak) if k}
    known = _Known({}, {})
    if wanted:
        rows = conn.execute(sa.select(entity_keys.c.key, entity_keys.c.entity_id, entities.c.name)
                            .join(entities, entities.c.id == entity_keys.c.entity_id)
                            .where(entity_keys.c.key.in_(wanted)))
        for key, entity_id, name in rows:
            known.entity_of[key] = entity_id
            known.name_of[entity_id] = name
    chosen: list[int | str] = []
    new_entities: list[dict] = []
    new_keys: dict[str, int | str] = {}
    for entity, ks in zip(found, keys):
        target = _choose(entity, ks, known)
        if target is None:
            target = f"new:{len(new_entities)}"
            new_entities.append({"name": entity["name"], "type": entity["type"], "unnamed": entity["unnamed"],
                                 "affiliation": entity.get("affiliation"),
                                 "document_id": document_id if entity["unnamed"] else None})
        elif _fuller(entity["name"], known.name_of[target]):
            known.name_of[target] = entity["name"]
            if isinstance(target, int):
                conn.execute(entities.update().where(entities.c.id == target).values(name=entity["name"]))
            else:
                new_entities[int(target[4:])]["name"] = entity["name"]
        known.name_of.setdefault(target, entity["name"])
        for key in (ks.strong, *ks.weak):
            if key and key not in known.entity_of:
                known.entity_of[key] = new_keys[key] = target
        chosen.append(target)
    ids = _insert_entities(conn, new_entities)
    real = lambda target: ids[int(target[4:])] if isinstance(target, str) else target  # noqa: E731
    if new_keys:
        conn.execute(entity_keys.insert(), [{"key": k, "entity_id": real(t)} for k, t in new_keys.items()])
    return [real(t) for t in chosen]


def _choose(entity: dict, keys: Keys, known: _Known) -> int | str | None:
    if keys.strong and keys.strong in known.entity_of:
        return known.entity_of[keys.strong]
    words = name_words(entity["name"])
    candidates = {known.entity_of[k] for k in keys.weak if k in known.entity_of}
    candidates = {c for c in candidates if _compatible(known.name_of[c], words)}
    return candidates.pop() if len(candidates) == 1 else None


def _fuller(name: str, current: str) -> bool:
    """"Peskov" seen first becomes "Dmitry Peskov" once a fuller form of the same name turns up."""
    ours, theirs = name_words(name), name_words(current)
    return len(ours) > len(theirs) and bool(theirs) and ours[-len(theirs):] == theirs


def _insert_entities(conn: sa.Connection, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    result = conn.execute(entities.insert().returning(entities.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def drop_orphans(conn: sa.Connection) -> None:
    """Canonical entities no article mentions any more (after a document was replaced)."""
    orphans = sa.select(entities.c.id).where(~sa.exists().where(mentions.c.entity_id == entities.c.id))
    ids = list(conn.execute(orphans).scalars())
    if ids:
        conn.execute(entity_keys.delete().where(entity_keys.c.entity_id.in_(ids)))
        conn.execute(entities.delete().where(entities.c.id.in_(ids)))


# ---------------------------------------------------------------- editing by hand

class EntityEditError(ValueError):
    pass


def merge(conn: sa.Connection, keep: int, absorb: int) -> None:
    """Entity ``absorb`` becomes part of ``keep``: its mentions, statements and keys move."""
    if keep == absorb:
        raise EntityEditError("cannot merge an entity with itself")
    for table in (mentions, statements, entity_keys):
        conn.execute(table.update().where(table.c.entity_id == absorb).values(entity_id=keep))
    conn.execute(entities.delete().where(entities.c.id == absorb))


def split(conn: sa.Connection, entity_id: int, *, name: str | None = None, document_id: int | None = None) -> int:
    """Move the mentions of ``entity_id`` written as ``name`` (or those in one document) to a new
    entity; returns its id. Keys only the moved mentions give move with them."""
    moving = sa.select(mentions).where(mentions.c.entity_id == entity_id)
    moving = moving.where(mentions.c.name_folded == fold(name)) if name else moving.where(
        mentions.c.document_id == document_id)
    moved = list(conn.execute(moving).mappings())
    total = conn.execute(sa.select(sa.func.count()).where(mentions.c.entity_id == entity_id)).scalar()
    if not moved:
        raise EntityEditError("no mention of that entity matches; see `quotegraph entities show`")
    if len(moved) == total:
        raise EntityEditError("that would move every mention; nothing would be left to split from")
    first = moved[0]
    new_id = conn.execute(entities.insert().values(
        name=first["name"], type=first["type"], unnamed=first["unnamed"], affiliation=first["affiliation"],
        document_id=first["document_id"] if first["unnamed"] else None,
    ).returning(entities.c.id)).scalar_one()
    moved_ids = [m["id"] for m in moved]
    conn.execute(mentions.update().where(mentions.c.id.in_(moved_ids)).values(entity_id=new_id))
    for m in moved:
        conn.execute(statements.update().where(statements.c.document_id == m["document_id"],
                                               statements.c.speaker_local == m["local_id"]).values(entity_id=new_id))
    staying = conn.execute(sa.select(mentions).where(mentions.c.entity_id == entity_id)).mappings()
    kept_keys = set().union(*(_all_keys(m) for m in staying))
    for key in set().union(*(_all_keys(m) for m in moved)) - kept_keys:
        conn.execute(entity_keys.update().where(entity_keys.c.key == key, entity_keys.c.entity_id == entity_id)
                     .values(entity_id=new_id))
    return new_id


def _all_keys(mention) -> set[str]:
    keys = keys_of(mention["name"], mention["type"], json.loads(mention["descriptors"]), mention["unnamed"])
    return {k for k in (keys.strong, *keys.weak) if k}
