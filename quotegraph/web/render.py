"""Turning an analysis into what the pages show: the article text with nested statement highlights,
a colour per speaker, statement details, and a laid-out graph of who disputes whom.

Everything from the article (its text, names) is escaped here or by Jinja: nothing from a document is
ever written into a page as markup.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from html import escape

from pathlib import Path

from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ..model import RELATION_WORDS
from ..table import clip

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["relation_words"] = RELATION_WORDS  # the templates name each relation type in words

# Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies; each colour a
# second time with a dashed underline, so 16 speakers stay apart; the rest share grey, dotted.
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
STYLES = ["solid", "dashed"]
OTHERS = ("#999999", "dotted")

KIND_WORDS = {"direct": "direct quotation", "indirect": "reported speech", "mixed": "mixed (partly quoted)"}


@dataclass(frozen=True)
class Swatch:
    """A speaker's colour and underline, as a CSS class (sp0 … sp15, spx for the rest): the page's
    Content-Security-Policy allows no inline styles."""

    css: str
    colour: str
    style: str


SWATCHES = [Swatch(f"sp{i}", PALETTE[i % len(PALETTE)], STYLES[i // len(PALETTE)])
            for i in range(len(PALETTE) * len(STYLES))]
OTHER = Swatch("spx", *OTHERS)


def swatch_css() -> str:
    """The speaker classes, written into the stylesheet once (see static/app.css)."""
    return "\n".join(f".{w.css} {{ --c: {w.colour}; --u: {w.style}; }}" for w in [*SWATCHES, OTHER])


def speaker_swatches(analysis: dict) -> dict[str | None, Swatch]:
    """A swatch per speaker id, the most quoted first; statements without a speaker get the last one."""
    counts = Counter(s["speaker"] for s in analysis["statements"])
    ordered = sorted((k for k in counts if k), key=lambda k: (-counts[k], k))
    swatches = {}
    for i, speaker in enumerate(ordered):
        swatches[speaker] = SWATCHES[i] if i < len(SWATCHES) else OTHER
    swatches[None] = OTHER
    return swatches


def speakers_panel(analysis: dict, swatches: dict, canonical: dict[str, int] | None = None) -> list[dict]:
    """The speakers of an article with their statement counts, the most quoted first."""
    counts = Counter(s["speaker"] for s in analysis["statements"] if s["speaker"])
    names = {e["id"]: e["name"] for e in analysis["entities"]}
    return [{"id": sid, "name": names.get(sid, sid), "count": n, "swatch": swatches[sid],
             "entity": (canonical or {}).get(sid)}
            for sid, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def statement_details(analysis: dict) -> dict[str, dict]:
    """What hovering or focusing a statement shows: speaker, cue, kind, date and relations."""
    names = {e["id"]: e["name"] for e in analysis["entities"]}
    texts = {s["id"]: s["text"] for s in analysis["statements"]}
    details = {}
    for s in analysis["statements"]:
        details[s["id"]] = {
            "speaker": names.get(s["speaker"]) or (s["source"] or {}).get("text") or "unknown",
            "cue": (s["cue"] or {}).get("text"),
            "kind": KIND_WORDS.get(s["kind"], s["kind"]),
            "said_on": s.get("said_on") or analysis.get("published"),
            "nested_in": s["nested_in"],
            "relations": [],
        }
    for r in analysis["relations"]:
        words = RELATION_WORDS.get(r["type"], r["type"])
        score = f" (score {r['score']:.2f})"
        if r["from"] in details:
            target = f": {clip(texts[r['to']], 80)}" if r["to"] in texts else ""
            details[r["from"]]["relations"].append(f"{words}{target}{score}")
        if r["to"] in details:
            source = names.get(next((s["speaker"] for s in analysis["statements"] if s["id"] == r["from"]), None))
            details[r["to"]]["relations"].append(f"{source or 'another statement'} {words} this{score}")
    return details


# ---------------------------------------------------------------- the highlighted text

@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    statement: dict
    first: bool  # the statement's first piece carries its anchor


def _pieces(analysis: dict) -> list[_Piece]:
    """Every content fragment in text order, cut where it would cross the end of a fragment it starts
    inside, so that all pieces nest (HTML elements cannot overlap)."""
    heap = [(f["start"], -f["end"], n, s, i == 0) for n, s in enumerate(analysis["statements"])
            for i, f in enumerate(s["content"]) if f["end"] > f["start"]]
    heapq.heapify(heap)
    out: list[_Piece] = []
    open_ends: list[int] = []
    while heap:
        start, negative_end, n, statement, first = heapq.heappop(heap)
        end = -negative_end
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        if open_ends and end > open_ends[-1]:
            cut = open_ends[-1]
            heapq.heappush(heap, (start, -cut, n, statement, first))
            heapq.heappush(heap, (cut, -end, n, statement, False))
            continue
        out.append(_Piece(start, end, statement, first))
        open_ends.append(end)
    return out


def highlighted(text: str, analysis: dict, swatches: dict) -> Markup:
    """The article as HTML: paragraphs, with every statement a focusable <mark> (nested ones inside
    their parent), coloured by speaker."""
    pieces = _pieces(analysis)
    html: list[str] = []
    stack: list[_Piece] = []
    at = 0

    def emit(until: int) -> None:
        nonlocal at
        if until > at:
            html.append(escape(text[at:until]).replace("\n", "<br>\n"))
            at = until

    for piece in pieces:
        while stack and stack[-1].end <= piece.start:
            emit(stack[-1].end)
            html.append("</mark>")
            stack.pop()
        emit(piece.start)
        html.append(_open(piece, swatches))
        stack.append(piece)
    while stack:
        emit(stack[-1].end)
        html.append("</mark>")
        stack.pop()
    emit(len(text))
    return Markup("".join(html))


def _open(piece: _Piece, swatches: dict) -> str:
    s = piece.statement
    swatch = swatches.get(s["speaker"], swatches[None])
    anchor = f' id="{escape(s["id"])}"' if piece.first else ""
    nested = " nested" if s["nested_in"] else ""
    return f'<mark{anchor} class="st {swatch.css}{nested}" data-s="{escape(s["id"])}" tabindex="0">'


# ---------------------------------------------------------------- who disputes whom

def dispute_graph(groups: list[dict], size: int = 300) -> dict:
    """Nodes on a circle and an edge per (disputer, disputed) pair, weighted by count, from claim groups
    (queries.claim_groups): only ``disputes`` responses to a claim with a known speaker make an edge."""
    edges: Counter = Counter()
    names: dict[int, str] = {}
    pairs = [(r["statement"]["entity"], (g["claim"] or {}).get("entity"))
             for g in groups for r in g["responses"] if r["type"] == "disputes"]
    for a, b in pairs:
        if a and b and a["id"] != b["id"]:
            edges[(a["id"], b["id"])] += 1
            names[a["id"]], names[b["id"]] = a["name"], b["name"]
    ids = sorted(names, key=lambda i: names[i])
    r, c = size * 0.36, size / 2
    nodes = {}
    for k, i in enumerate(ids):
        angle = 2 * math.pi * k / max(1, len(ids)) - math.pi / 2
        nodes[i] = {"id": i, "name": names[i], "x": round(c + r * math.cos(angle), 1),
                    "y": round(c + r * math.sin(angle), 1), "anchor": "start" if math.cos(angle) > 0.1 else
                    ("end" if math.cos(angle) < -0.1 else "middle")}
    lines = []
    for (a, b), n in sorted(edges.items()):
        (x1, y1), (x2, y2) = (nodes[a]["x"], nodes[a]["y"]), (nodes[b]["x"], nodes[b]["y"])
        length = math.hypot(x2 - x1, y2 - y1) or 1
        shrink = 9 / length  # stop short of the node, so the arrow head shows
        lines.append({"from": names[a], "to": names[b], "count": n, "x1": x1, "y1": y1,
                      "x2": round(x2 - (x2 - x1) * shrink, 1), "y2": round(y2 - (y2 - y1) * shrink, 1)})
    return {"size": size, "nodes": list(nodes.values()), "edges": lines}
