"""The full-text search grammar (GRAMMAR, below): parsed once in Python into a small tree (Search), then
written in each back end's own syntax: an FTS5 MATCH expression for SQLite, a tsquery for PostgreSQL.
Each term is split into words by the back end's own tokenizer, as it split the statements, so both
find the same statements. The parse is one flat loop and the output one flat string: nothing recurses,
however long the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..inputs import InputError

MAX_TERMS = 5000  # bounds the work one request can ask for; 3,000 terms answer in milliseconds (docs/store.md)
OPERATORS = frozenset({"OR", "AND", "NOT"})

GRAMMAR = f"""\
  word word        every word must occur (stemmed: "missiles" finds "missile")
  "a phrase"       these words, in this order
  a OR b           either; OR binds tighter than the space: tax OR budget vote = (tax OR budget) vote
  -word, NOT word  leave out statements with it; NOT a OR b leaves out both; a word to find is needed too
  prefix*          words whose stem starts so: negoti* (negotiate, negotiations); "a phra"* too
  AND              the same as a space
OR, AND and NOT are operators only in capitals: or, and, not and "NOT" are words. An operator with
nothing to act on ("a OR") is ignored. Other punctuation separates words. At most {MAX_TERMS:,} terms."""

# A quoted phrase (an unclosed one runs to the end), with its - and *; else anything up to white space.
_TOKEN = re.compile(r'(-?)"([^"]*)"?(\*?)|(\S+)')
_WORD_CHARACTER = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Term:
    text: str  # as written, without quotes, - or the final *: each back end splits it into words
    prefix: bool = False


@dataclass(frozen=True)
class Search:
    find: tuple[tuple[Term, ...], ...]  # every group must match, a group by any one of its terms
    leave_out: tuple[Term, ...] = ()  # statements matching any of these are left out


@dataclass
class _Group:
    negated: bool
    terms: list[Term]


def _tokens(text: str):
    """(operator, None, False) or (None, Term, negated) for each token, in order; the Term is None when
    the token has no word character."""
    for dash, phrase, star, bare in _TOKEN.findall(text):
        if bare in OPERATORS:
            yield bare, None, False
            continue
        if bare:
            negated = len(bare) > 1 and bare.startswith("-")
            body = bare[1:] if negated else bare
            prefix, body = body.endswith("*"), body.rstrip("*")
        else:
            negated, body, prefix = bool(dash), phrase, bool(star)
        yield None, Term(body, prefix) if _WORD_CHARACTER.search(body) else None, negated


def parse(text: str) -> Search:
    """The user's query as a Search; InputError when it has no word to find or too many terms."""
    groups: list[_Group] = []
    join = negate = operators = False  # an OR, a NOT waiting for the next term; any operator at all
    count = 0
    for operator, term, negated in _tokens(text or ""):
        if operator:  # AND is a space
            operators = True
            join = join or operator == "OR"
            negate = negate or operator == "NOT"
            continue
        if term is None:  # punctuation only: as if it were not there
            continue
        count += 1
        negated = negated or negate
        if join and groups and not negated:
            groups[-1].terms.append(term)  # joins the group before, negated or not: NOT a OR b leaves out both
        else:
            groups.append(_Group(negated, [term]))
        join = negate = False
    if count > MAX_TERMS:
        raise InputError(f"a search takes at most {MAX_TERMS:,} terms (words, phrases, prefixes); "
                         f"this one has {count:,}")
    find = tuple(tuple(g.terms) for g in groups if not g.negated)
    if groups and not find:
        raise InputError("give a word to find as well: - and NOT only leave statements out")
    if not find:
        raise InputError("give words to search for" + (
            '; OR, AND and NOT in capitals are operators: quote one ("NOT") to search for the word'
            if operators else ""))
    return Search(find, tuple(t for g in groups if g.negated for t in g.terms))


# ---------------------------------------------------------------- SQLite FTS5

def _fts5_term(term: Term) -> str:
    # A string in double quotes is a phrase to FTS5, tokenized like the indexed text; "" is a literal ".
    return '"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "")


def fts5(search: Search) -> str:
    """The search as an FTS5 MATCH expression: (a OR b) AND c NOT (d OR e)."""
    found = " AND ".join("(" + " OR ".join(map(_fts5_term, group)) + ")" for group in search.find)
    if search.leave_out:
        found = f"({found}) NOT (" + " OR ".join(map(_fts5_term, search.leave_out)) + ")"
    return found


# ---------------------------------------------------------------- PostgreSQL tsquery

def tsquery(search: Search, lexemes: Callable[[list[str]], list[str]]) -> str | None:
    """The search as tsquery text: (a | b) & c & !(d | e). ``lexemes`` gives, for each term's text, the
    tsquery PostgreSQL makes of it as a phrase ("'a' <-> 'b'", "" when it has no word PostgreSQL
    indexes), so the words are split and stemmed as the statements were. None: nothing can match."""
    terms = [t for group in search.find for t in group] + list(search.leave_out)
    rendered = dict(zip(terms, lexemes([t.text for t in terms])))

    def either(group) -> str | None:
        parts = [f"( {rendered[t]}{':*' if t.prefix else ''} )" for t in group if rendered[t]]
        return " | ".join(parts) or None

    found = [either(group) for group in search.find]
    if None in found:
        return None  # a group no statement can match: the whole search matches none
    left_out = either(search.leave_out)
    return " & ".join(f"( {g} )" for g in found) + (f" & !( {left_out} )" if left_out else "")
