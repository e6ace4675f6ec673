"""The body of a letter, from Markdown to the small tree both writers lay out."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from lettres.letter import Block, ListBlock, Paragraph, Run

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def parse_body(text: str) -> tuple[Block, ...]:
    """Paragraphs and flat lists; a heading or a quote becomes a paragraph, nested lists flatten."""
    tokens = _PARSER.parse(text)
    blocks: list[Block] = []
    list_stack: list[tuple[bool, list[tuple[Run, ...]]]] = []
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_stack.append((token.type == "ordered_list_open", []))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            ordered, items = list_stack.pop()
            if list_stack:
                list_stack[-1][1].extend(items)
            elif items:
                blocks.append(ListBlock(ordered, tuple(items)))
        elif token.type == "inline":
            in_heading = index > 0 and tokens[index - 1].type == "heading_open"
            runs = inline_runs(token.children or [], bold=in_heading)
            if not runs:
                continue
            if list_stack:
                list_stack[-1][1].append(runs)
            else:
                blocks.append(Paragraph(runs))
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(Paragraph((Run(token.content.rstrip("\n")),)))
    return tuple(blocks)


def inline_runs(children: list[Token], bold: bool = False) -> tuple[Run, ...]:
    """Runs of one paragraph: emphasis nests, soft breaks become spaces."""
    runs: list[Run] = []
    state: dict[str, Any] = {"bold": bold, "italic": False, "link": None}
    start = 0  # the first run of the link being read
    for child in children:
        kind = child.type
        if kind == "strong_open":
            state["bold"] = True
        elif kind == "strong_close":
            state["bold"] = bold
        elif kind == "em_open":
            state["italic"] = True
        elif kind == "em_close":
            state["italic"] = False
        elif kind == "link_open":
            state["link"] = str(child.attrs.get("href", "")) or None
            start = len(runs)
        elif kind == "link_close":
            _show_target(runs, start, state["link"])
            state["link"] = None
        elif kind in ("text", "code_inline", "html_inline"):
            _append(runs, Run(child.content, state["bold"], state["italic"], state["link"]))
        elif kind in ("softbreak", "hardbreak"):
            _append(runs, Run(" ", state["bold"], state["italic"], state["link"]))
        elif kind == "image":
            _append(runs, Run(child.content, state["bold"], state["italic"], state["link"]))
    while runs and not runs[-1].text.strip():
        runs.pop()
    return tuple(runs)


def _show_target(runs: list[Run], start: int, target: str | None) -> None:
    """On paper a link cannot be clicked: its text is followed by its address, « le site
    (https://…) », unless the text already is the address (with or without its scheme)."""
    if not target:
        return
    text = "".join(run.text for run in runs[start:]).strip()
    shown = target.removeprefix("mailto:")
    if _bare(text) == _bare(shown):
        return
    last = runs[-1] if runs else Run("")
    if not text:  # a link without text: its address is its text
        _append(runs, Run(shown, last.bold, last.italic, target))
        return
    _append(runs, Run(" (", last.bold, last.italic))
    _append(runs, Run(shown, last.bold, last.italic, target))
    _append(runs, Run(")", last.bold, last.italic))


def _bare(address: str) -> str:
    for scheme in ("https://", "http://", "mailto:"):
        address = address.removeprefix(scheme)
    return address.rstrip("/").lower()


def _append(runs: list[Run], run: Run) -> None:
    """Merge with the previous run when the look is the same: fewer, longer runs."""
    if not run.text:
        return
    if runs and (runs[-1].bold, runs[-1].italic, runs[-1].link) == (run.bold, run.italic, run.link):
        runs[-1] = Run(runs[-1].text + run.text, run.bold, run.italic, run.link)
    else:
        runs.append(run)
