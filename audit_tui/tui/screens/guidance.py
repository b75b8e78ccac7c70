"""F1: the rubric's guidance for the focused item (and its key question), as data, not code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from audit_tui.tui.text import WIDGET_LIMIT, prose

if TYPE_CHECKING:
    from audit_tui.domain.rubric import Rubric

SOURCES = {
    "T": "printed in an inspection report",
    "P": "published by HMIP (its press material or inspection pages)",
    "R": "a recalled rule: check it against the framework",
}


def guidance_markdown(rubric: Rubric, item_id: str) -> str:
    ref = rubric.items[item_id]
    item = ref.item
    parts = [
        f"## {item.id}",
        "",
        f"**{item.shown_text}**",
        "",
    ]
    if item.reconstructed_from:
        parts += [
            f"_Reconstructed [R], not the framework's own words: rebuilt from"
            f" {item.reconstructed_from}._",
            "",
        ]
    parts += [item.guidance or "_No guidance in the rubric._", ""]
    if ref.kind == "prompt" and ref.key_question_id:
        kq = rubric.items[ref.key_question_id].item
        parts += [f"### Key question {kq.id}", "", kq.shown_text, "", kq.guidance, ""]
    if ref.standard_id and ref.standard_id in rubric.standards_by_id:
        st = rubric.standards_by_id[ref.standard_id]
        parts += [f"### Standard {st.id} {st.title}", "", f"_{st.headline}_", "", st.guidance, ""]
    source = (
        "reconstructed, not the framework's own words"
        if item.reconstructed_from
        else SOURCES.get(item.source, item.source)
    )
    parts += [f"Source: {source} ({rubric.id} {rubric.version})"]
    # an audit's rubric is stored text: escaped and cut like any other (Markdown keeps `\x1b`)
    return prose("\n".join(parts), WIDGET_LIMIT)


class GuidanceScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close"),
        Binding("f1", "dismiss", "Close", id="close_guidance", show=False),
    ]

    def __init__(self, rubric: Rubric, item_id: str) -> None:
        super().__init__()
        self.rubric, self.item_id = rubric, item_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Markdown(guidance_markdown(self.rubric, self.item_id))
