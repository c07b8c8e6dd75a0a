"""Shared helpers for the contract, CLI, bad-input and property tests.

The texts here were written for these tests: short, news-like, invented people and places.
Nothing is read from ../shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SCHEMA = json.loads(resources.files("quotegraph.schema").joinpath("analysis.schema.json").read_text("utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

# One article with every kind of statement: direct, indirect, "according to", mixed, a quotation
# interrupted by its cue, one running over two paragraphs, nesting, an unnamed source, and a
# statement in the headline (first line) so that offsets must count it.
ARTICLE = (
    "“We will not back down,” says mayor as transit strike enters second week\n"
    "\n"
    "Mayor Helen Ortiz said on Monday that the city would not reopen the contract talks.\n"
    "“This strike is hurting the people it claims to help,” Ortiz told reporters at City Hall. "
    "“Nobody wins when the buses stop.”\n"
    "According to the transit authority, ridership has fallen by 40 percent since the walkout began.\n"
    "Union leader Marcus Bell told the Courier that members were “ready to stay out as long as it takes.”\n"
    "Bell said the mayor had told him the city “has no more money to offer”.\n"
    "A senior city official, who spoke on condition of anonymity, said a deal could come within days.\n"
    "“We have heard promises before,” said Dana Whitfield, a bus driver for 22 years. “We need it in writing.\n"
    "“Until then, we stay on the picket line.”\n"
    "The Chamber of Commerce warned that small businesses were losing customers every day.\n"
)

SHORT_TEXTS = [
    "“The budget is balanced,” said Finance Minister Clara Voss.",
    "Police said two people were arrested after the match on Saturday.",
    "According to the company, the recall affects 12,000 vehicles.",
    "Senator Ray Dunmore told reporters he would vote against the bill.",
    "\"It was chaos,\" one witness said. \"Nobody knew where to go.\"",
    "The airline said in a statement that flights would resume on Friday.",
    "“I never saw the letter,” Ms Adeyemi said, adding that she had “nothing to hide”.",
    "Officials at the ministry, who asked not to be named, said the plan was shelved.",
    "Coach Peter Lund said his players were “tired but proud” after the final.",
    "The weather service warned of flooding along the river through Thursday.",
]


# ---------------------------------------------------------------- validation of the output contract

def assert_valid_document(doc: dict, text: str) -> None:
    """One document object of the output contract, checked against the schema and ``text``."""
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "schema violations:\n" + "\n".join(
        f"  {'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors
    )
    n = len(text)

    def check_span(span: dict, what: str) -> None:
        assert 0 <= span["start"] <= span["end"] <= n, f"{what} {span} outside the text (length {n})"
        assert text[span["start"]:span["end"]] == span["text"], (
            f"{what}: text[{span['start']}:{span['end']}] is {text[span['start']:span['end']]!r},"
            f" reported {span['text']!r}"
        )

    statement_ids = [s["id"] for s in doc["statements"]]
    entity_ids = [e["id"] for e in doc["entities"]]
    assert len(set(statement_ids)) == len(statement_ids), f"duplicate statement ids {statement_ids}"
    assert len(set(entity_ids)) == len(entity_ids), f"duplicate entity ids {entity_ids}"
    statement_ids, entity_ids = set(statement_ids), set(entity_ids)

    for s in doc["statements"]:
        where = f"statement {s['id']}"
        fragments = s["content"]
        for f in fragments:
            assert 0 <= f["start"] <= f["end"] <= n, f"{where}: content {f} outside the text (length {n})"
        for a, b in zip(fragments, fragments[1:]):
            assert a["end"] <= b["start"], f"{where}: content fragments out of text order: {fragments}"
        assert s["text"] == " ".join(text[f["start"]:f["end"]] for f in fragments), (
            f"{where}: text {s['text']!r} is not its content fragments joined by one space"
        )
        if s["source"] is not None:
            check_span(s["source"], f"{where} source")
        if s["cue"] is not None:
            check_span(s["cue"], f"{where} cue")
        assert s["speaker"] is None or s["speaker"] in entity_ids, f"{where}: unknown speaker {s['speaker']!r}"
        assert s["nested_in"] is None or s["nested_in"] in statement_ids, (
            f"{where}: nested_in {s['nested_in']!r} is no statement"
        )
        assert s["nested_in"] != s["id"], f"{where} is nested in itself"

    # nesting must end: following nested_in never comes back round
    parent = {s["id"]: s["nested_in"] for s in doc["statements"]}
    for sid in parent:
        seen, cur = set(), sid
        while cur is not None:
            assert cur not in seen, f"nested_in cycle through {sid}"
            seen.add(cur)
            cur = parent.get(cur)

    for e in doc["entities"]:
        for m in e["mentions"]:
            check_span(m, f"entity {e['id']} mention")

    # Parts newer than the schema (relations, times): their spans and references must hold too.
    time_ids = {t["id"] for t in doc.get("times", [])}
    for t in doc.get("times", []):
        check_span(t, f"time {t['id']}")
        assert t.get("statement") is None or t["statement"] in statement_ids, f"time {t['id']}: unknown statement"
    for s in doc["statements"]:
        for t in s.get("times", []):
            assert t in time_ids, f"statement {s['id']}: unknown time {t!r}"
    for r in doc.get("relations", []):
        assert r["from"] in statement_ids, f"relation {r}: unknown statement {r['from']!r}"
        assert r.get("to") is None or r["to"] in statement_ids, f"relation {r}: unknown statement {r['to']!r}"
        if r.get("evidence") is not None:
            check_span(r["evidence"], f"relation {r['type']} evidence")
    _check_all_offsets(doc, n)


def _check_all_offsets(node, n: int, path: str = "") -> None:
    """Anything anywhere in the document that has start/end lies inside the text."""
    if isinstance(node, dict):
        if isinstance(node.get("start"), int) and isinstance(node.get("end"), int):
            assert 0 <= node["start"] <= node["end"] <= n, f"{path}: {node} outside the text (length {n})"
        for key, value in node.items():
            _check_all_offsets(value, n, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_all_offsets(value, n, f"{path}/{i}")


def assert_valid_analysis(analysis, text: str | None = None) -> dict:
    """``Analysis.to_dict()`` checked as above; also the typed objects agree with the dict."""
    text = analysis.text if text is None else text
    d = analysis.to_dict()
    assert_valid_document(d, text)
    for s in analysis.statements:
        assert s.text == " ".join(f.text for f in s.content)
        for f in s.content:
            assert text[f.start:f.end] == f.text
    return d


# ---------------------------------------------------------------- running the command

def quotegraph_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "quotegraph.cli", *args]


def run_cli(*args, input: str | bytes | None = None, env: dict | None = None, timeout: float = 120,
            cwd: str | os.PathLike | None = None) -> subprocess.CompletedProcess:
    """``quotegraph ARGS`` in a fresh process; stdout and stderr as text (UTF-8)."""
    full_env = dict(os.environ)
    full_env.pop("QUOTEGRAPH_JOBS", None)
    full_env.update(env or {})
    if isinstance(input, str):
        input = input.encode("utf-8")
    r = subprocess.run(quotegraph_cmd(*map(str, args)), input=input, capture_output=True, env=full_env,
                       timeout=timeout, cwd=cwd, stdin=None if input is not None else subprocess.DEVNULL)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode("utf-8"),
                                       r.stderr.decode("utf-8", errors="replace"))


def assert_clean_stderr(r: subprocess.CompletedProcess) -> None:
    """No traceback, and every line the command wrote to stderr is one of its own messages."""
    assert "Traceback" not in r.stderr, r.stderr
    for line in r.stderr.splitlines():
        assert line.startswith("quotegraph:"), f"stray stderr line {line!r} in:\n{r.stderr}"


def jsonl_objects(stdout: str) -> list[dict]:
    lines = stdout.splitlines()
    assert all(line.strip() for line in lines), f"blank line in JSONL output: {stdout!r}"
    return [json.loads(line) for line in lines]


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# ---------------------------------------------------------------- shared, parsed once

@pytest.fixture(scope="session")
def article_analysis():
    import quotegraph

    return quotegraph.analyze(ARTICLE, published="2024-03-11", id="strike")


# ---------------------------------------------------------------- a long article, made up

_FIRST = ["Helen", "Marcus", "Dana", "Clara", "Ray", "Peter", "Amara", "Tomas", "Ingrid", "Kwame", "Lucia",
          "Omar", "Priya", "Stefan", "Yuki", "Nadia", "Viktor", "Grace", "Hamid", "Elena"]
_LAST = ["Ortiz", "Bell", "Whitfield", "Voss", "Dunmore", "Lund", "Adeyemi", "Novak", "Berg", "Mensah",
         "Ferrari", "Haddad", "Raman", "Keller", "Tanaka", "Petrov", "Sokolov", "Okafor", "Rahimi", "Costa"]
_ORGS = ["the transit authority", "the city council", "the health ministry", "the union", "the airline",
         "the Chamber of Commerce", "the police", "the school board", "the port operator", "the weather service"]
_TITLES = ["Mayor", "Senator", "Minister", "Dr", "Judge", "Coach", "Governor", "Commissioner"]
_CUES = ["said", "told reporters", "warned", "added", "insisted", "claimed", "argued"]
_CLAIMS = ["the budget would be balanced by next year", "the talks had broken down on Friday",
           "more than 300 homes were without power", "the new rules would take effect in June",
           "nobody had been informed of the change", "the bridge would stay closed for repairs",
           "prices at the pump had risen for a third week", "the inquiry would report before the summer"]
_QUOTES = ["We are not going to give up", "This is a good day for the city", "Nobody saw this coming",
           "We have done everything we were asked to do", "The numbers speak for themselves",
           "I have never seen anything like it", "It is too early to say"]
_FILLER = ["Traffic was heavy on the ring road throughout the afternoon.",
           "The vote is expected later this month.",
           "Schools in the district reopened after the holiday on Tuesday.",
           "The river rose by nearly two metres overnight."]


def long_article(size: int, seed: int = 7) -> str:
    """About ``size`` characters of news-like paragraphs: many people, organisations and kinds of
    statement, a few recurring figures, quotation marks curly and straight."""
    import random

    rnd = random.Random(seed)
    out, n = [], 0
    while n < size:
        first, last = rnd.choice(_FIRST), rnd.choice(_LAST)
        name = f"{rnd.choice(_TITLES)} {first} {last}" if rnd.random() < 0.5 else f"{first} {last}"
        quote, claim, cue = rnd.choice(_QUOTES), rnd.choice(_CLAIMS), rnd.choice(_CUES)
        pick = rnd.randrange(8)
        if pick == 0:
            p = f"“{quote},” {name} {cue}. “{rnd.choice(_QUOTES)}.”"
        elif pick == 1:
            p = f"{name} {cue} that {claim}."
        elif pick == 2:
            p = f"According to {rnd.choice(_ORGS)}, {claim}."
        elif pick == 3:
            p = f"\"{quote},\" {last} said, adding that {claim}."
        elif pick == 4:
            p = f"{name.split()[-1]} told the Courier that {claim}, calling it “{rnd.choice(_QUOTES).lower()}”."
        elif pick == 5:
            org = rnd.choice(_ORGS)
            p = f"{org[0].upper() + org[1:]} said in a statement that {claim}."
        elif pick == 6:
            p = f"A spokesman for {rnd.choice(_ORGS)}, who asked not to be named, said {claim}."
        else:
            p = rnd.choice(_FILLER)
        out.append(p)
        n += len(p) + 1
    return "\n".join(out) + "\n"
