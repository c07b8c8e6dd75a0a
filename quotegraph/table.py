"""The human-readable table of ``quotegraph extract --format table``."""

from __future__ import annotations

import shutil
import textwrap

from .model import RELATION_WORDS as WORDS, Analysis

KIND_MARK = {"direct": "“”", "indirect": "~", "mixed": "~“"}


def render(analysis: Analysis, width: int | None = None) -> str:
    width = width or max(60, min(shutil.get_terminal_size((100, 20)).columns, 160))
    title = f"{analysis.id or 'document'}" + (f" (published {analysis.published})" if analysis.published else "")
    lines = [title, "=" * min(len(title), width)]
    if not analysis.statements:
        lines.append("no attributed statements found")
        return "\n".join(lines)
    names = {e.id: e.name for e in analysis.entities}
    speaker_w = min(26, max(len("speaker"), *(len(_speaker(s, names)) for s in analysis.statements)))
    cue_w = min(16, max(len("cue"), *(len(s.cue.text) if s.cue else 1 for s in analysis.statements)))
    text_w = max(20, width - speaker_w - cue_w - 14)
    lines.append(f"{'id':<5} {'kind':<2} {'speaker':<{speaker_w}} {'cue':<{cue_w}} statement")
    for s in analysis.statements:
        indent = "  " if s.nested_in else ""
        body = textwrap.wrap(indent + " ".join(s.text.split()), text_w) or [""]
        speaker = _speaker(s, names)[:speaker_w]
        cue = (s.cue.text if s.cue else "-")[:cue_w]
        lines.append(f"{s.id:<5} {KIND_MARK[s.kind]:<2} {speaker:<{speaker_w}} {cue:<{cue_w}} {body[0]}")
        pad = " " * (5 + 1 + 2 + 1 + speaker_w + 1 + cue_w + 1)
        lines.extend(pad + more for more in body[1:3])
        if len(body) > 3:
            lines[-1] += " …"
    lines.extend(_relations(analysis, names, width))
    lines.append(f"{len(analysis.statements)} statements, {len(analysis.entities)} entities, "
                 f"{len(analysis.relations)} relations, {len(analysis.times)} times")
    return "\n".join(lines)


# the terminal shouts the relation so it stands out between two names
RELATION_WORDS = {kind: words.upper() for kind, words in WORDS.items()}


def _relations(analysis: Analysis, names: dict[str, str], width: int) -> list[str]:
    """"0.93  Dmitry Peskov DISPUTES Boris Johnson: “There were no threats …” (s12 -> s5: …)", the
    relation model's score first, where it lines up whatever the names' lengths."""
    if not analysis.relations:
        return []
    lines = ["", "relations"]
    for r in analysis.relations:
        source = analysis.statement(r.from_)
        target = analysis.statement(r.to) if r.to else None
        who = _speaker(source, names)
        line = f"  {r.score:.2f}  {who} {RELATION_WORDS[r.type]}"
        if target is not None:
            line += (f" {_speaker(target, names)}: {clip(source.text, 50)}"
                     f" ({r.from_} -> {r.to}: {clip(target.text, 40)})")
        else:
            line += f": {clip(r.evidence.text, 60)} ({r.from_})"
        lines.append(line)
    return lines


def clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _speaker(statement, names: dict[str, str]) -> str:
    if statement.speaker and statement.speaker in names:
        return names[statement.speaker]
    return statement.source.text if statement.source else "?"
