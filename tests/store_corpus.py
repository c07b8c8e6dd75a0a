"""A small made-up corpus for the store's tests: the same people in several articles, written the
ways news writes them, and two different Mr Smiths."""

from __future__ import annotations

import json
from pathlib import Path

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
            f"The council said in a statement that the delay to report {i} was caused by a shortage of staff.")})
    return out
