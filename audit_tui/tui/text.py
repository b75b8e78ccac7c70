"""How stored text and figures read on screen.

Stored text reaches the screen only through here. The database keeps what it was given, and other
tools (a database browser, psql) may have given it an escape sequence, an OSC-8 link, a C1
control, a bidi override, NUL or a 1 MB note; Textual and Rich strip only BEL, BS, VT, FF and CR,
so an ESC in a widget's text reaches the terminal. So: `one_line` (domain.safe_text) for a
one-line field put into a sentence, `prose` for free text, `literal` for a title, label, option,
prompt or tooltip, `cell` for a table cell (`widgets.tables` fills every DataTable with it),
`editable` and `kept` for a box the user may edit, and `Plain` for a widget of text, whose every
update is escaped and cut whatever it was built from; the app's `notify` escapes every notice.
Ordinary text comes out exactly as it went in.

Figures read as whole percentages, ratings as words with a mark (never colour alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.content import Content
from textual.visual import visualize
from textual.widgets import Static

from audit_tui.domain.safe_text import TEXT_LIMIT, cap, escape, one_line

if TYPE_CHECKING:
    from textual.visual import Visual, VisualType

    from audit_tui.domain.ratings import Ratings
    from audit_tui.domain.rubric import Scale
    from audit_tui.scoring.results import AuditResult

WIDGET_LIMIT = 5 * TEXT_LIMIT
"""The most one widget of text shows: a few free texts, each cut at its own limit first."""

RATING_COLOURS = 4
"""The stylesheet colours ratings by rank, `.-rating-0` (the lowest) to `.-rating-3`; a longer
scale's higher ranks share the last colour (the marks still tell them apart)."""


def prose(text: str, limit: int = TEXT_LIMIT) -> str:
    """Stored free text (a note, feedback, a judgement's evidence) as the screen shows it: line
    breaks and tabs kept, every other control character escaped, cut at `limit`."""
    return cap(escape(text.replace("\r\n", "\n"), keep="\n\t"), limit)


def editable(text: str) -> str:
    """Stored words as a box of text shows them for editing (`prose`): a box holding just what
    it was shown counts as unedited, so nothing is written back unless the user edits it."""
    return prose(text)


def kept(typed: str, shown: str, stored: str) -> str:
    """What an edit box stands for: the stored text while the box holds what it was shown (the
    escaped, cut form counts as the stored one), else what was typed."""
    return stored if typed == shown else typed


def literal(text: str) -> Content:
    """Text shown exactly as typed: `[/]` is not markup, an escape is shown, not obeyed (Textual
    passes ESC through to the terminal), and a huge text is cut, saying so."""
    return Content(one_line(text, TEXT_LIMIT))


def cell(text: str) -> Text:
    """A table cell shown exactly as typed (DataTable reads plain strings as markup), one line,
    cut at `LINE_LIMIT`."""
    return Text(one_line(text), no_wrap=True, end="")


def _plain(content: VisualType) -> VisualType:
    return prose(content, WIDGET_LIMIT) if isinstance(content, str) else content


class Plain(Static):
    """A widget of text that is never markup and never drives the terminal: a string given to
    it, when built or updated, has every control character but line breaks and tabs escaped
    and is cut at `WIDGET_LIMIT` (a `Content` or `Text` given is shown as it is: `literal` and
    `cell` made it safe). Each stored field in it is still best escaped where it is put into the
    sentence (`one_line`, `prose`), so a line break in a name reads `\\n`."""

    def __init__(
        self,
        content: VisualType = "",
        *,
        expand: bool = False,
        shrink: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            _plain(content),
            expand=expand,
            shrink=shrink,
            markup=False,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(_plain(content), layout=layout)

    def _render(self) -> Visual:
        """As drawn: a one-line text too long for its width ends at a word, then "…" (Textual's
        own ellipsis falls mid-word: "HMIP adult p…"). `render()` still gives the whole text."""
        text = self.content
        width = self.content_region.width
        one_line_cut = self.styles.text_wrap == "nowrap" and self.styles.text_overflow == "ellipsis"
        if one_line_cut and isinstance(text, str) and width and cell_len(text) > width:
            return visualize(self, Content(word_cut(text, width)), markup=False)
        return super()._render()


def word_cut(text: str, width: int) -> str:
    """`text` cut to `width` cells at the end of a word, "…" after it (mid-word only when its
    first word alone is too long)."""
    if cell_len(text) <= width:
        return text
    head = set_cell_size(text, width - 1)
    mid_word = text[len(head) : len(head) + 1] not in ("", " ")
    if mid_word and " " in head.strip():
        head = head[: head.rstrip().rfind(" ")]
    return f"{head.rstrip(' ·,;:–-(')}…"


def percent_text(value: float | None) -> str:
    from audit_tui.domain.words import whole_percent

    return whole_percent(value, missing="–")


def rating_marks(rank: int, scale: Scale | Ratings) -> str:
    """A star for each place above the scale's lowest, out of at least three: `★☆☆` for the
    second lowest of any scale, so a rating's mark says where it sits, not what it is called."""
    width = max(3, len(scale.ratings) - 1)
    return "★" * rank + "☆" * (width - rank)


def rating_text(rating: str | None, scale: Scale | Ratings) -> str:
    """The rating with its mark (`★★☆ name`); a name off the scale as it is, none in words."""
    if rating is None:
        return "not yet rated" if scale.ratings else "not rated (percentages only)"
    rank = scale.rank(rating)
    return rating if rank is None else f"{rating_marks(rank, scale)} {rating}"


def rating_class(rating: str | None, scale: Scale | Ratings) -> str:
    """The stylesheet's class for a rating: `-rating-0` for the scale's lowest, up by rank."""
    rank = scale.rank(rating)
    return "-unrated" if rank is None else f"-rating-{min(rank, RATING_COLOURS - 1)}"


RATING_CLASSES = (*(f"-rating-{rank}" for rank in range(RATING_COLOURS)), "-unrated")
"""Every class `rating_class` gives, to take off a widget before it gets its new one."""


def score_text(result: AuditResult) -> str:
    if not result.scored:
        return "no score"
    return (
        f"{result.score}/{result.score_max}"
        if result.score is not None
        else f"–/{result.score_max}"
    )


def band_bar(percent: float | None, edges: tuple[float, ...], width: int = 20) -> str:
    """A bar with the rubric's band edges marked, e.g. `█████░░░┊░░┊░░░┊░░░`."""
    filled = 0 if percent is None else round(percent / 100 * width)
    marks = {round(e / 100 * width) for e in edges}
    return "".join(
        ("┃" if i in marks and i < filled else "┊") if i in marks else ("█" if i < filled else "░")
        for i in range(width)
    )
