"""A small made-up corpus for the store's tests: the same people in several articles, written the
ways news writes them, and two different Mr Smiths."""

from __future__ import annotations

import json
from pathlib import Path

from quotegraph.io import Document

ARTICLES = [
    {"id": "kremlin-1", "published": "2023-01-30", "url": "https://news.example/kremlin-1",
     "title": "Kremlin denies missile threat",
     "text": "Boris Johnson said Vladimir Putin had threatened him with a missile strike.\n"
             "Kremlin spokesman Dmitry Peskov said on Monday that there had been no threats with missiles.\n"
             "\"It was a lie,\" Mr Peskov told reporters."},
    {"id": "kremlin-2", "published": "2023-02-02", "url": "https://news.example/kremlin-2",
     "title": "Peskov again rejects claims",
     "text": "Kremlin spokesman Peskov told reporters on Thursday that the claims about the call were untrue.\n"
             "A Downing Street spokesman said the government would not comment on private conversations.\n"
             "Mary Smith, a spokesman for the union, said talks with the buyers had failed."},
    {"id": "talks", "published": "2023-02-10", "url": "https://news.example/talks",
     "title": "Talks to continue",
     "text": "Dmitry Peskov said the talks on grain exports would continue next week.\n"
             "\"We are ready to listen,\" said John Smith, a spokesman for the party."},
    {"id": "farm", "published": "2023-03-01",
     "title": "Poor harvest",
     "text": "\"The harvest was poor this year,\" said Mr Smith, a farmer from Kent."},
    {"id": "school", "published": "2023-03-05",
     "title": "School reopens",
     "text": "\"Classes will resume on Monday,\" Mr Smith, the headteacher, told parents.\n"
             "A Downing Street spokesman said schools would get more money for repairs."},
]

HTML_PAGE = """<!doctype html>
<html><head><title>Minister rejects strike claims | The Example Herald</title>
<meta name="author" content="Jane Doe">
<meta property="og:site_name" content="The Example Herald">
<meta property="article:published_time" content="2023-04-12T09:30:00Z">
<link rel="canonical" href="https://herald.example/politics/strike-claims">
</head><body>
<nav><a href="/">Home</a> | <a href="/politics">Politics</a> | <a href="/sport">Sport</a></nav>
<article><h1>Minister rejects strike claims</h1>
<p>The transport minister, Helen Ortiz, said on Wednesday that the rail strike would not go ahead, rejecting claims by the union that talks had collapsed.</p>
<p>"We have made a fair offer and we expect it to be accepted," Ms Ortiz told reporters outside the department.</p>
<p>The union's general secretary, Marcus Bell, disputed her account, saying no offer had been put in writing and that members would walk out as planned next week.</p>
</article>
<footer>Copyright The Example Herald. All rights reserved.</footer>
</body></html>
"""

INDEX_PAGE = """<!doctype html><html><head><title>Politics | The Example Herald</title></head><body>
<nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
<ul><li><a href="/a">Minister rejects strike claims</a></li><li><a href="/b">Budget vote delayed</a></li></ul>
</body></html>
"""

FRENCH = ("Le Kremlin a rejeté l'affirmation de Boris Johnson selon laquelle le président russe aurait menacé "
          "l'ancien Premier ministre britannique d'une frappe de missile. Il n'y a eu aucune menace, a déclaré "
          "le porte-parole Dmitri Peskov aux journalistes lundi, en qualifiant ces propos de mensonge.")


def write_corpus(folder: Path, articles=ARTICLES) -> Path:
    """The articles as one JSONL file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "corpus.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


def numbered_articles(n: int, start: int = 0) -> list[dict]:
    """``n`` different short articles (for batch and interruption tests)."""
    people = ["Helen Ortiz", "Marcus Bell", "Dana Whitfield", "Clara Voss", "Ray Dunmore", "Peter Lund"]
    out = []
    for i in range(start, start + n):
        who, other = people[i % len(people)], people[(i + 1) % len(people)]
        out.append({"id": f"n{i}", "published": f"2024-01-{1 + i % 28:02d}", "text": (
            f"\"We will publish report number {i} before the summer,\" {who} said on Monday.\n"
            f"{other} told reporters that report {i} had been delayed by the council for months.\n"
            f"The council said in a statement that the delay to report {i} was caused by a shortage of staff.\n"
            # the same quotation in every sixth article: one claim across articles
            f"\"Nobody at the council has read the draft of the report yet,\" {people[i % 6]} added.")})
    return out


# ---------------------------------------------------------------- analyses with scored relations, by hand
#
# Written as the output contract directly, not analysed: the relation model and its scores change, and
# these tests are about what the store does with scores, so they must not depend on extraction.

def _span(text: str, words: str) -> dict:
    start = text.index(words)
    return {"start": start, "end": start + len(words), "text": words}


def contract(doc_id: str, published: str, text: str, said: list[tuple], relations: list[tuple],
             people: dict[str, dict] | None = None) -> dict:
    """``said``: (speaker's name, entity type, cue, what was said), one statement each, s1, s2, ...;
    ``relations``: (type, from index, to index or None, evidence words, score), indices into ``said``;
    ``people``: fields of an entity other than the defaults (no descriptors, named), by its name."""
    names = list(dict.fromkeys((name, type_) for name, type_, _, _ in said))
    entity_of = {name: f"e{i + 1}" for i, (name, _) in enumerate(names)}
    return {
        "id": doc_id, "published": published,
        "statements": [{"id": f"s{i + 1}", "kind": "indirect", "content": [
            {"start": _span(text, what)["start"], "end": _span(text, what)["end"]}], "text": what,
            "source": _span(text, name), "cue": _span(text, cue), "speaker": entity_of[name], "nested_in": None,
            "said_on": None, "times": []} for i, (name, _, cue, what) in enumerate(said)],
        "entities": [{"id": entity_of[name], "name": name, "type": type_, "mentions": [_span(text, name)],
                      "descriptors": [], "unnamed": False, "affiliation": None} | (people or {}).get(name, {})
                     for name, type_ in names],
        "relations": [{"type": type_, "from": f"s{a + 1}", "to": f"s{b + 1}" if b is not None else None,
                       "evidence": _span(text, evidence), "score": score}
                      for type_, a, b, evidence, score in relations],
        "times": [],
    }


MISSILE_TEXT = ("Boris Johnson said Putin had threatened him with a missile.\n"
                "Dmitry Peskov said the account was a lie.\n"
                "The Kremlin rejected the claim that there had been any threat.\n"
                "Downing Street would not be drawn on the call.\n")
STRIKE_TEXT = ("Helen Ortiz said the talks had failed.\n"
               "Marcus Bell denied that the talks were over.\n")

# (Document, contract) pairs: Johnson's claim disputed twice (0.9 and 0.35), Downing Street declining
# with no claim to point at (0.8), and a later article where Ortiz's claim is disputed once (0.7).
SCORED = [
    (Document(id="missile", text=MISSILE_TEXT, published="2023-01-30", title="Missile claim denied",
              url="https://news.example/missile"),
     contract("missile", "2023-01-30", MISSILE_TEXT, [
         ("Boris Johnson", "PERSON", "said", "Putin had threatened him with a missile"),
         ("Dmitry Peskov", "PERSON", "said", "the account was a lie"),
         ("Kremlin", "ORG", "rejected", "the claim that there had been any threat"),
         ("Downing Street", "ORG", "would not be drawn", "on the call")],
         [("disputes", 1, 0, "a lie", 0.9), ("disputes", 2, 0, "rejected", 0.35),
          ("declines_comment", 3, None, "would not be drawn", 0.8)])),
    (Document(id="strike", text=STRIKE_TEXT, published="2023-02-05", title="Strike talks",
              url="https://news.example/strike"),
     contract("strike", "2023-02-05", STRIKE_TEXT, [
         ("Helen Ortiz", "PERSON", "said", "the talks had failed"),
         ("Marcus Bell", "PERSON", "denied", "that the talks were over")],
         [("disputes", 1, 0, "denied", 0.7)])),
]


def scored_store(url: str) -> str:
    """The SCORED analyses written into the store at ``url``; the URL."""
    from quotegraph.store import Store

    with Store(url) as store:
        store.write(SCORED)
    return url
