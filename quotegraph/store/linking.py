"""Speakers across articles: which canonical entity an article's entity is, and editing that by hand.

Merging is conservative, because a wrong merge puts words in someone's mouth:
- a person's full name (two or more name words after any title) is one entity everywhere;
- a surname alone ("Peskov") joins others only through a descriptor ("Kremlin spokesman"). Surname
  mentions sharing a surname and descriptor form a cluster; one that shares a descriptor with two
  clusters joins them. A cluster belongs to the one full name with that surname seen with any of its
  descriptors; with none, or two ("John Smith" and "Mary Smith", both "a spokesman"), it is an
  entity of its own. Two "Mr Smith"s with nothing in common stay two entities;
- a named organisation or place is one entity by its name;
- unnamed sources ("a Downing Street spokesman") are never merged: they stay in their article.

The entities do not depend on the order articles arrive in (ingest, and batch + load, give the same):
each rule is about the whole set of mentions stored, and when a new article changes where a cluster
belongs (a second full name with its descriptor, a mention joining two clusters), the cluster's
stored mentions move with it.

Names are kept in ``entity_keys`` (full names, organisations) and surnames in ``surname_keys``;
merging or splitting by hand moves keys and pins the clusters it moves, so articles ingested later
follow the user's decision.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa

from ..titles import is_title
from .schema import entities, entity_keys, full_name_keys, mentions, statements, surname_clusters, surname_keys


_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
FULL_NAME = "person:"  # the prefix of a full name's key


def fold(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


def name_words(name: str) -> list[str]:
    """The words of a person's name without leading titles: "Mr Dmitry Peskov" -> [dmitry, peskov]."""
    words = fold(name).split()
    while words and is_title(words[0]):
        words = words[1:]
    return words


@dataclass(frozen=True)
class Keys:
    strong: str | None  # a full name or an organisation: enough on its own
    weak: tuple[str, ...]  # surname with a descriptor: a surname's cluster, or a full name's descriptors


def keys_of(name: str, type_: str, descriptors: list[str], unnamed: bool) -> Keys:
    if unnamed:
        return Keys(None, ())
    if type_ != "PERSON":
        folded = fold(name)
        return Keys(f"named:{folded}" if folded else None, ())
    words = name_words(name)
    if not words:
        return Keys(None, ())
    strong = f"{FULL_NAME}{' '.join(words)}" if len(words) >= 2 else None
    weak = tuple(sorted({f"person-descriptor:{words[-1]}|{fold(d)}" for d in descriptors if fold(d)}))
    return Keys(strong, weak)


def _is_surname(keys: Keys) -> bool:
    """A surname alone with a descriptor: it joins through a cluster."""
    return keys.strong is None and bool(keys.weak)


def _entity_row(entity: dict, document_id: int | None) -> dict:
    return {"name": entity["name"], "type": entity["type"], "unnamed": entity["unnamed"],
            "affiliation": entity.get("affiliation"), "document_id": document_id if entity["unnamed"] else None}


def _insert_entities(conn: sa.Connection, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    result = conn.execute(entities.insert().returning(entities.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


# ---------------------------------------------------------------- linking a new article

@dataclass
class Link:
    entity_id: int
    cluster_id: int | None = None  # a surname's cluster


def link_all(conn: sa.Connection, found: list[dict], document_id: int) -> list[Link]:
    """Canonical entities for a document's entities (contract shape), in order, creating new ones and
    moving stored surname mentions where this document changes where their cluster belongs (the claims
    of the statements that move are settled again: a claim's paraphrases share a speaker).

    A handful of statements per document whatever its size or the store's: keys are read and written
    a table at a time, and only clusters this document touches are looked at."""
    keys = [keys_of(e["name"], e["type"], e["descriptors"], e["unnamed"]) for e in found]
    by_name = _named_entities(conn, found, keys)
    full_names = _note_full_names(conn, keys)
    stored = _stored_clusters(conn, {w for k in keys for w in k.weak})
    cluster_of, joined = _join_clusters(conn, [k.weak for k in keys if _is_surname(k)], stored)
    touched = set(cluster_of.values()) | {stored[w] for w in full_names if w in stored}
    hints = {cluster_of[k.weak[0]]: e["name"] for e, k in zip(found, keys) if _is_surname(k)}
    moved: set[int] = set()
    entity_of_cluster = _settle(conn, touched, changed=joined, names=hints, moved=moved)
    _speakers_changed(conn, moved)

    alone = [i for i, k in enumerate(keys) if not k.strong and not _is_surname(k)]
    new_ids = dict(zip(alone, _insert_entities(conn, [_entity_row(found[i], document_id) for i in alone])))
    links = []
    for i, k in enumerate(keys):
        if k.strong:
            links.append(Link(by_name[k.strong]))
        elif _is_surname(k):
            cluster = cluster_of[k.weak[0]]
            links.append(Link(entity_of_cluster[cluster], cluster))
        else:
            links.append(Link(new_ids[i]))
    return links


def _named_entities(conn: sa.Connection, found: list[dict], keys: list[Keys]) -> dict[str, int]:
    """Entity ids of the document's full names and organisations by key, creating the new ones."""
    wanted = {k.strong for k in keys if k.strong}
    if not wanted:
        return {}
    known = dict(conn.execute(sa.select(entity_keys.c.key, entity_keys.c.entity_id)
                              .where(entity_keys.c.key.in_(wanted))).all())
    new = {}
    for entity, k in zip(found, keys):
        if k.strong and k.strong not in known and k.strong not in new:
            new[k.strong] = _entity_row(entity, None)
    known.update(zip(new, _insert_entities(conn, list(new.values()))))
    if new:
        conn.execute(entity_keys.insert(), [{"key": k, "entity_id": known[k]} for k in new])
    return known


def _note_full_names(conn: sa.Connection, keys: list[Keys]) -> set[str]:
    """Record which surname keys the document's full names came with; returns those keys."""
    pairs = {(w, k.strong) for k in keys if k.strong and k.strong.startswith(FULL_NAME) for w in k.weak}
    if not pairs:
        return set()
    stored = set(conn.execute(sa.select(full_name_keys.c.key, full_name_keys.c.full_key)
                              .where(full_name_keys.c.key.in_({w for w, _ in pairs}))).all())
    if pairs - stored:
        conn.execute(full_name_keys.insert(), [{"key": w, "full_key": f} for w, f in sorted(pairs - stored)])
    return {w for w, _ in pairs}


def _stored_clusters(conn: sa.Connection, keys: set[str]) -> dict[str, int]:
    """The cluster each of these surname keys is in, for those stored."""
    if not keys:
        return {}
    return dict(conn.execute(sa.select(surname_keys.c.key, surname_keys.c.cluster_id)
                             .where(surname_keys.c.key.in_(keys))).all())


class _Components:
    """Union-find over hashable nodes: which belong together. Iterative, so any size is safe."""

    def __init__(self):
        self.parent: dict = {}

    def root(self, node):
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, nodes: list) -> None:
        first = self.root(nodes[0])
        for node in nodes[1:]:
            self.parent[self.root(node)] = first

    def groups(self) -> list[list]:
        out: dict = {}
        for node in self.parent:
            out.setdefault(self.root(node), []).append(node)
        return list(out.values())


def _join_clusters(conn: sa.Connection, mentions_keys: list[tuple[str, ...]],
                   stored: dict[str, int]) -> tuple[dict[str, int], set[int]]:
    """Each surname mention's keys into one cluster: a new one, a stored one (``stored``: the cluster of
    keys already stored), or stored ones joined. Returns the cluster of every key given, and the
    clusters that took in others."""
    wanted = {k for ks in mentions_keys for k in ks}
    if not wanted:
        return {}, set()
    def node(key: str) -> tuple:
        return ("cluster", stored[key]) if key in stored else ("key", key)

    components = _Components()
    for ks in mentions_keys:
        components.join([node(k) for k in ks])
    groups = components.groups()
    fresh = iter(_new_clusters(conn, sum(1 for g in groups if all(kind == "key" for kind, _ in g))))
    survivor, joined = {}, set()
    for group in groups:
        clusters = sorted(c for kind, c in group if kind == "cluster")
        target = _merge_clusters(conn, clusters) if clusters else next(fresh)
        if len(clusters) > 1:
            joined.add(target)
        survivor[components.root(group[0])] = target
    cluster_of = {k: survivor[components.root(node(k))] for k in wanted}
    new_keys = [{"key": k, "cluster_id": cluster_of[k]} for k in sorted(wanted - set(stored))]
    if new_keys:
        conn.execute(surname_keys.insert(), new_keys)
    return cluster_of, joined


def _new_clusters(conn: sa.Connection, n: int) -> list[int]:
    if not n:
        return []
    result = conn.execute(surname_clusters.insert().returning(surname_clusters.c.id, sort_by_parameter_order=True),
                          [{"entity_id": None, "pinned": False}] * n)
    return list(result.scalars())


def _merge_clusters(conn: sa.Connection, ids: list[int]) -> int:
    """Stored clusters a new mention joins become one, the oldest (a pinned one first); its id."""
    if len(ids) == 1:
        return ids[0]
    pinned = sorted(conn.execute(sa.select(surname_clusters.c.id)
                                 .where(surname_clusters.c.id.in_(ids), surname_clusters.c.pinned)).scalars())
    keep = (pinned or ids)[0]
    others = [i for i in ids if i != keep]
    for table in (surname_keys, mentions):
        conn.execute(table.update().where(table.c.cluster_id.in_(others)).values(cluster_id=keep))
    conn.execute(surname_clusters.delete().where(surname_clusters.c.id.in_(others)))
    return keep  # the others' mentions stay in their entities until _settle() moves them


# ---------------------------------------------------------------- where a cluster belongs

def _settle(conn: sa.Connection, clusters: Iterable[int], changed: set[int] = frozenset(),
           names: dict[int, str] | None = None, moved: set[int] | None = None) -> dict[int, int]:
    """Place each cluster by the rule (module docstring) and move its stored mentions and their
    statements where it changed place; ``changed``: clusters whose mentions may be in several entities.
    ``names``: a name for a cluster's own entity where it has no stored mention yet. Returns the
    entity of each cluster."""
    ids = sorted(set(clusters))
    if not ids:
        return {}
    rows = conn.execute(sa.select(surname_clusters).where(surname_clusters.c.id.in_(ids))).all()
    full_names = _full_names_near(conn, ids)
    named = set(conn.execute(sa.select(entity_keys.c.entity_id).where(
        entity_keys.c.entity_id.in_({r.entity_id for r in rows if r.entity_id is not None}))).scalars())
    place, own = {}, []
    for r in rows:
        near = full_names.get(r.id, set())
        if r.pinned and r.entity_id is not None:
            place[r.id] = r.entity_id
        elif len(near) == 1:
            place[r.id] = next(iter(near))
        elif r.entity_id is not None and r.entity_id not in named:
            place[r.id] = r.entity_id  # already an entity of its own
        else:
            own.append(r.id)
    place.update(zip(own, _own_entities(conn, own, names or {})))
    stale = [r for r in rows if place[r.id] != r.entity_id or r.id in changed]
    moved_from = set()
    for r in stale:
        if r.entity_id is not None or r.id in changed:  # else a new cluster: no mention stored yet
            moved_from |= _move_mentions(conn, r.id, place[r.id], moved)
    if stale:
        conn.execute(surname_clusters.update().where(surname_clusters.c.id == sa.bindparam("cluster"))
                     .values(entity_id=sa.bindparam("entity")),
                     [{"cluster": r.id, "entity": place[r.id]} for r in stale])
    _drop_unmentioned(conn, moved_from - set(place.values()))
    return place


def _full_names_near(conn: sa.Connection, cluster_ids: list[int]) -> dict[int, set[int]]:
    """For each cluster, the entities of the full names seen with any of its keys."""
    rows = conn.execute(sa.select(surname_keys.c.cluster_id, entity_keys.c.entity_id).distinct()
                        .join(full_name_keys, full_name_keys.c.key == surname_keys.c.key)
                        .join(entity_keys, entity_keys.c.key == full_name_keys.c.full_key)
                        .where(surname_keys.c.cluster_id.in_(cluster_ids)))
    near: dict[int, set[int]] = {}
    for cluster, entity_id in rows:
        near.setdefault(cluster, set()).add(entity_id)
    return near


def _own_entities(conn: sa.Connection, cluster_ids: list[int], names: dict[int, str]) -> list[int]:
    """New entities for clusters that belong to no full name, named by their mentions' first name."""
    if not cluster_ids:
        return []
    stored = dict(conn.execute(sa.select(mentions.c.cluster_id, sa.func.min(mentions.c.name))
                               .where(mentions.c.cluster_id.in_(cluster_ids)).group_by(mentions.c.cluster_id)).all())
    chosen = [min(n for n in (stored.get(c), names.get(c)) if n) for c in cluster_ids]
    return _insert_entities(conn, [{"name": n, "type": "PERSON", "unnamed": False, "affiliation": None,
                                    "document_id": None} for n in chosen])


def _move_mentions(conn: sa.Connection, cluster_id: int, entity_id: int, moved: set[int] | None) -> set[int]:
    """The cluster's stored mentions, and the statements they speak, into ``entity_id``; returns the
    entities they left. ``moved`` collects the statements that changed speaker (their claims follow)."""
    elsewhere = (mentions.c.cluster_id == cluster_id) & (mentions.c.entity_id != entity_id)
    left = set(conn.execute(sa.select(mentions.c.entity_id).where(elsewhere).distinct()).scalars())
    if left:
        spoken = sa.exists().where(mentions.c.cluster_id == cluster_id,
                                   mentions.c.document_id == statements.c.document_id,
                                   mentions.c.local_id == statements.c.speaker_local)
        moving = statements.c.entity_id.in_(left) & spoken
        if moved is not None:
            moved |= set(conn.execute(sa.select(statements.c.id).where(moving)).scalars())
        conn.execute(statements.update().where(moving).values(entity_id=entity_id))
        conn.execute(mentions.update().where(elsewhere).values(entity_id=entity_id))
    return left


def _drop_unmentioned(conn: sa.Connection, entity_ids: set[int]) -> None:
    """Those of these entities no article mentions any more, with their keys."""
    if not entity_ids:
        return
    mentioned = set(conn.execute(sa.select(mentions.c.entity_id).where(mentions.c.entity_id.in_(entity_ids))
                                 .distinct()).scalars())
    gone = entity_ids - mentioned
    if gone:
        conn.execute(surname_clusters.update().where(surname_clusters.c.entity_id.in_(gone)).values(entity_id=None))
        conn.execute(entity_keys.delete().where(entity_keys.c.entity_id.in_(gone)))
        conn.execute(entities.delete().where(entities.c.id.in_(gone)))


def drop_orphans(conn: sa.Connection) -> None:
    """Canonical entities no article mentions any more (after a document was replaced), and surname
    clusters with no mention left."""
    orphans = sa.select(entities.c.id).where(~sa.exists().where(mentions.c.entity_id == entities.c.id))
    _drop_unmentioned(conn, set(conn.execute(orphans).scalars()))
    empty = list(conn.execute(sa.select(surname_clusters.c.id).where(
        ~sa.exists().where(mentions.c.cluster_id == surname_clusters.c.id))).scalars())
    if empty:
        conn.execute(surname_keys.delete().where(surname_keys.c.cluster_id.in_(empty)))
        conn.execute(surname_clusters.delete().where(surname_clusters.c.id.in_(empty)))


def relink_surnames(conn: sa.Connection) -> None:
    """Build the surname clusters from every stored mention and place them by the rule: for a store
    linked before clusters (schema version 4), where surname keys pointed at entities instead."""
    conn.execute(entity_keys.delete().where(entity_keys.c.key.like("person-descriptor:%")))
    people = conn.execute(sa.select(mentions.c.id, mentions.c.name, mentions.c.type, mentions.c.unnamed,
                                    mentions.c.descriptors).where(mentions.c.type == "PERSON")).all()
    keyed = [(m.id, keys_of(m.name, m.type, json.loads(m.descriptors), m.unnamed)) for m in people]
    _note_full_names(conn, [k for _, k in keyed])
    surnames = [(mention_id, k) for mention_id, k in keyed if _is_surname(k)]
    cluster_of, _ = _join_clusters(conn, [k.weak for _, k in surnames], _stored_clusters(conn, {
        w for _, k in surnames for w in k.weak}))
    if surnames:
        conn.execute(mentions.update().where(mentions.c.id == sa.bindparam("mention"))
                     .values(cluster_id=sa.bindparam("cluster")),
                     [{"mention": i, "cluster": cluster_of[k.weak[0]]} for i, k in surnames])
    # Each cluster starts where its first mention is, so that an entity the rule keeps keeps its id.
    first = sa.select(sa.func.min(mentions.c.entity_id)).where(mentions.c.cluster_id == surname_clusters.c.id)
    conn.execute(surname_clusters.update().values(entity_id=first.scalar_subquery()))
    _settle(conn, set(cluster_of.values()), changed=set(cluster_of.values()))


def _speakers_changed(conn: sa.Connection, statement_ids: Iterable[int]) -> None:
    """These statements have another speaker now: their claims are settled again."""
    from . import claims  # claims builds on this module

    ids = set(statement_ids)
    if ids:
        claims.regroup(conn, claims.claims_of_statements(conn, ids))


# ---------------------------------------------------------------- editing by hand

class EntityEditError(ValueError):
    pass


def merge(conn: sa.Connection, keep: int, absorb: int) -> None:
    """Entity ``absorb`` becomes part of ``keep``: its mentions, statements and keys move, and its
    surname clusters are pinned to ``keep``."""
    if keep == absorb:
        raise EntityEditError("cannot merge an entity with itself")
    moving = set(conn.execute(sa.select(statements.c.id).where(statements.c.entity_id == absorb)).scalars())
    for table in (mentions, statements, entity_keys):
        conn.execute(table.update().where(table.c.entity_id == absorb).values(entity_id=keep))
    conn.execute(surname_clusters.update().where(surname_clusters.c.entity_id == absorb)
                 .values(entity_id=keep, pinned=True))
    conn.execute(entities.delete().where(entities.c.id == absorb))
    _speakers_changed(conn, moving)


def split(conn: sa.Connection, entity_id: int, *, name: str | None = None, document_id: int | None = None) -> int:
    """Move the mentions of ``entity_id`` written as ``name`` (or those in one document) to a new
    entity; returns its id. Keys only the moved mentions give move with them, and their surname
    clusters are pinned where the user put them."""
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
    _speakers_changed(conn, conn.execute(sa.select(statements.c.id).where(statements.c.entity_id == new_id)).scalars())
    staying = conn.execute(sa.select(mentions).where(mentions.c.entity_id == entity_id)).mappings()
    kept_keys = set().union(*(_name_keys(m) for m in staying))
    for key in set().union(*(_name_keys(m) for m in moved)) - kept_keys:
        conn.execute(entity_keys.update().where(entity_keys.c.key == key, entity_keys.c.entity_id == entity_id)
                     .values(entity_id=new_id))
    _split_clusters(conn, moved, new_id)
    return new_id


def _split_clusters(conn: sa.Connection, moved: list, new_id: int) -> None:
    """The surname clusters of moved mentions follow them. A cluster with mentions on both sides is cut
    in two: the moved mentions, with the keys only they give, go to a new cluster in ``new_id``; the
    rest stay. Both are pinned, so that articles ingested later keep them apart."""
    for cluster in sorted({m["cluster_id"] for m in moved if m["cluster_id"] is not None}):
        ours = [m for m in moved if m["cluster_id"] == cluster]
        theirs = conn.execute(sa.select(mentions).where(mentions.c.cluster_id == cluster,
                                                        mentions.c.id.not_in([m["id"] for m in ours]))).mappings().all()
        if not theirs:
            conn.execute(surname_clusters.update().where(surname_clusters.c.id == cluster)
                         .values(entity_id=new_id, pinned=True))
            continue
        [cut] = _new_clusters(conn, 1)
        conn.execute(surname_clusters.update().where(surname_clusters.c.id == cluster).values(pinned=True))
        conn.execute(surname_clusters.update().where(surname_clusters.c.id == cut)
                     .values(entity_id=new_id, pinned=True))
        conn.execute(mentions.update().where(mentions.c.id.in_([m["id"] for m in ours])).values(cluster_id=cut))
        only_ours = set().union(*(_surname_keys(m) for m in ours)) - set().union(*(_surname_keys(m) for m in theirs))
        if only_ours:
            conn.execute(surname_keys.update().where(surname_keys.c.key.in_(only_ours)).values(cluster_id=cut))


def _mention_keys(mention) -> Keys:
    return keys_of(mention["name"], mention["type"], json.loads(mention["descriptors"]), mention["unnamed"])


def _name_keys(mention) -> set[str]:
    strong = _mention_keys(mention).strong
    return {strong} if strong else set()


def _surname_keys(mention) -> set[str]:
    return set(_mention_keys(mention).weak)
