"""The moderation section in Markdown, HTML, the workbook and `--section moderation` (issue 11).

Every figure is checked against the JSON block (`moderation_dict`), never against numbers typed
here: the formats must say what the contract says. Free text (markers' notes, settlement reasons)
appears only with notes, and stays text in every format.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from sqlalchemy import select, update

from audit_tui.demo import load_demo
from audit_tui.domain.answers import Answer
from audit_tui.domain.records import OpenAudit
from audit_tui.reporting.moderation_json import moderation_dict
from audit_tui.reporting.moderation_section import render_moderation
from audit_tui.reporting.render import render_report
from audit_tui.scoring.moderation import Moderation, RoundInfo
from audit_tui.store import audits, cases
from audit_tui.store.database import open_repository
from audit_tui.store.moderation import FIRST_MARK, MOD_CASE
from audit_tui.store.repository import Repository
from audit_tui.store.settlement import Agreed, settle, summary
from tests.support.cli import run

NOTE = 'NOTE-TOKEN <script>alert(1)</script> [link](http://x.test) =HYPERLINK("http://x","y") \x1b[31mred\x07'
REASON = '=HYPERLINK("http://x.test","y") REASON-TOKEN <b>bold</b> [link](x)'
TOO_FEW = "fewer than 10 items: no statistic is meaningful"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
Figures = dict[str, Any]


@pytest.fixture
def demo(sqlite_repo: Repository) -> tuple[Repository, OpenAudit]:
    return sqlite_repo, load_demo(sqlite_repo)


@pytest.fixture
def noted(demo: tuple[Repository, OpenAudit]) -> tuple[Repository, OpenAudit]:
    """The demo with a hostile note on one disagreement's first mark, and another disagreement
    settled with a hostile reason."""
    repo, audit = demo
    found = summary(repo, audit)
    assert found is not None and len(found.disagreements) > 2
    first, second = found.disagreements[:2]
    case_id = next(c.id for c in cases.list_cases(repo, audit) if c.case_ref == second.case_ref)
    with repo.engine.begin() as conn:  # the first marker's note as it stood when moderated
        conn.execute(
            update(FIRST_MARK)
            .where(
                FIRST_MARK.c.item_id == second.item_id,
                FIRST_MARK.c.moderation_case_id.in_(
                    select(MOD_CASE.c.id).where(MOD_CASE.c.case_id == case_id)
                ),
            )
            .values(note=NOTE)
        )
    agreed = Agreed(first.round, first.case_ref, first.item_id, Answer.YES, REASON)
    settle(repo, audit, [agreed])
    return repo, audit


def figures(repo: Repository, audit: OpenAudit, notes: bool = False) -> Figures:
    found = summary(repo, audit)
    assert found is not None
    return moderation_dict(found, include_notes=notes)


def text_of(repo: Repository, audit: OpenAudit, fmt: str, **kw: Any) -> str:
    out = render_report(repo, audit, fmt, **kw)
    assert isinstance(out, str)
    return out


def xlsx_of(repo: Repository, audit: OpenAudit, **kw: Any) -> bytes:
    out = render_report(repo, audit, "xlsx", **kw)
    assert isinstance(out, bytes)
    return out


# ---- comparing printed figures with the JSON block ---------------------------------------------


def same_stat(cell: str, value: float | None, ci: list[float] | None) -> None:
    """`0.83 [0.52–1.00]` against the JSON's value and interval (printed to two places)."""
    if value is None:
        assert cell in ("—", "undefined"), cell
        return
    printed = [float(x) for x in NUMBER.findall(cell)]
    assert printed == pytest.approx([value, *(ci or [])], abs=0.0051), (cell, value, ci)


def same_agreement(cell: str, fraction: float | None) -> None:
    """`92%` against the JSON's fraction; "—" where it is None."""
    if fraction is None:
        assert cell == "—", cell
        return
    assert cell.endswith("%") and float(cell[:-1]) == pytest.approx(fraction * 100, abs=0.51)


def same_level(cells: list[str], level: Figures) -> None:
    """Answers compared, agreed, kappa [ci], AC1 [ci], the figure to read: the columns every
    level table shares. The last says AC1 exactly where one answer makes up 80% or more of both
    markers'."""
    n, agreement, kappa, ac1, read = cells
    assert int(n) == level["n"]
    same_agreement(agreement, level["agreement"])
    if level["n"] >= 10:
        same_stat(kappa, level["kappa"], level["kappa_ci95"])
        same_stat(ac1, level["ac1"], level["ac1_ci95"])
        table = level["table"]
        share = max(
            sum(table[v].values()) + sum(row[v] for row in table.values()) for v in table
        ) / (2 * level["n"])
        assert read.startswith("AC1 (") == (share >= 0.8), (read, share)
        assert read.startswith("AC1 (") or read == "kappa or AC1"
    else:
        assert (agreement, kappa, ac1, read) == ("—", "—", "—", "—")


def too_few_ids(levels: list[Figures]) -> list[str]:
    return [lv["id"] for lv in levels if lv["n"] < 10]


# ---- Markdown ----------------------------------------------------------------------------------


def md_section(text: str) -> str:
    start = text.index("## Moderation\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def md_rows(section: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after `### heading`, as cell texts."""
    block = section[section.index(f"### {heading}\n") :]
    rows = []
    for line in block.splitlines()[1:]:
        if line.startswith("### "):
            break
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows[1:]  # the header row


def test_markdown_section_carries_the_json_figures(demo: tuple[Repository, OpenAudit]) -> None:
    repo, audit = demo
    fig = figures(repo, audit)
    section = md_section(text_of(repo, audit, "md"))

    kqs = {r[0]: r for r in md_rows(section, "Key questions")}
    assert list(kqs) == [k["id"] for k in fig["key_questions"]]
    for kq in fig["key_questions"]:
        same_level(kqs[kq["id"]][1:], kq)
    few = too_few_ids(fig["key_questions"])
    assert few, "the demo has a key question below ten items (2.1.1: court work)"
    assert f"— {', '.join(few)}: {TOO_FEW}." in section

    overall = {r[0]: r[1:] for r in md_rows(section, "Overall agreement")}
    o = fig["overall"]
    assert overall["Answers compared"][0] == str(o["n"])
    same_agreement(overall["Observed agreement"][0].split(" ")[0], o["agreement"])
    assert f"({o['agreed']} of {o['n']})" in overall["Observed agreement"][0]
    for label, key in (("Cohen's kappa", "kappa"), ("PABAK", "pabak"), ("Gwet's AC1", "ac1")):
        same_stat(" ".join(overall[label]), o[key], o[f"{key}_ci95"])
    assert o["reading"] in section  # which coefficient to read, and why

    standards = md_rows(section, "Standards")
    assert len(standards) == len(fig["standards"])
    for row, st in zip(standards, fig["standards"], strict=True):
        assert row[0].startswith(st["id"] + " ")
        same_level(row[1:6], st)
        if st["ratings_differ"]:
            assert row[6:] == [st["rating_first"], st["rating_second"], "**differs**"]
        elif st["rating_first"] is not None:
            assert row[6:] == [st["rating_first"], st["rating_second"], "same"]
    assert any(st["ratings_differ"] for st in fig["standards"])

    pairs = md_rows(section, "Pairs of markers")
    for row, pair in zip(pairs, fig["pairs"], strict=True):
        assert row[:2] == [pair["first"], pair["second"]]
        same_level(row[2:], pair)
    markers = md_rows(section, "Each marker, round by round")
    for row, marker in zip(markers, fig["markers"], strict=True):
        assert row[:2] == [marker["marker"], str(marker["round"])]
        assert row[2].startswith(marker["as"]) and int(row[3]) == marker["n"]
        same_agreement(row[4], marker["agreement"])
        same_stat(row[5], marker["ac1"], marker["ac1_ci95"])
    assert "calibration" in section
    n, settled = fig["disagreements"], fig["settled"]
    assert f"{n} disagreements between first and second marks: {settled} settled" in section
    for r in fig["rounds"]:
        assert f"Round {r['round']}: {r['marker']} second-marked {r['cases']} cases" in section


def test_the_section_alone_is_the_full_reports_section(
    demo: tuple[Repository, OpenAudit],
) -> None:
    repo, audit = demo
    for notes in (False, True):
        alone = text_of(repo, audit, "md", include_notes=notes, section="moderation")
        full = text_of(repo, audit, "md", include_notes=notes)
        # titled as the full report is (PDU and months), the audit's id below the title
        pdu, months = full.splitlines()[0].split(": case audit, ")
        assert isinstance(alone, str) and alone.startswith(
            f"{pdu}: moderation of the case audit, {months}\n\n- Audit: demo-tameside\n"
        )
        assert md_section(full).rstrip() in alone
    html = text_of(repo, audit, "html", section="moderation")
    title = alone.splitlines()[0].removeprefix("# ")
    assert f"<title>{title}</title>" in html and f"<h1>{title}</h1>" in html
    assert '<dd id="audit">demo-tameside</dd>' in html


# ---- HTML --------------------------------------------------------------------------------------


class Rows(HTMLParser):
    """Rows of every table as (table class, row attributes, cell texts), SVG text left out."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.external: list[str] = []
        self._table = ""
        self._row: dict[str, str | None] | None = None
        self._cells: list[str] = []
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or a.get("src") or a.get("href"):
            self.external.append(tag)
        if tag == "svg":
            self._svg += 1
        elif tag == "table":
            self._table = a.get("class") or ""
        elif tag == "tr":
            self._row, self._cells = a, []
        elif tag in ("td", "th") and self._row is not None:
            self._cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
        if tag == "tr" and self._row is not None:
            self.rows.append((self._table, self._row, [c.strip() for c in self._cells]))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._cells and not self._svg:
            self._cells[-1] += data

    def table(self, cls: str) -> list[tuple[dict[str, str | None], list[str]]]:
        return [(a, cells) for t, a, cells in self.rows if t == cls]


def parsed(html: str) -> Rows:
    rows = Rows()
    rows.feed(html)
    return rows


def body(rows: list[tuple[dict[str, str | None], list[str]]]) -> list[list[str]]:
    return [cells for _, cells in rows[1:]]  # past the header row


def test_html_section_carries_the_json_figures(demo: tuple[Repository, OpenAudit]) -> None:
    repo, audit = demo
    fig = figures(repo, audit)
    for html in (
        text_of(repo, audit, "html"),
        text_of(repo, audit, "html", section="moderation"),
    ):
        assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
        page = parsed(html)
        assert page.external == []
        kqs = {a["data-item"]: cells for a, cells in page.table("moderation-kq")[1:]}
        assert list(kqs) == [k["id"] for k in fig["key_questions"]]
        for kq in fig["key_questions"]:
            same_level(kqs[kq["id"]][1:], kq)
        few = too_few_ids(fig["key_questions"])
        assert f"— {', '.join(few)}: {TOO_FEW}." in html
        standards = body(page.table("moderation-standards"))
        for cells, st in zip(standards, fig["standards"], strict=True):
            same_level(cells[1:6], st)
            if st["rating_first"] is not None:
                assert cells[6:8] == [st["rating_first"], st["rating_second"]]
            assert (cells[8] == "differs") is st["ratings_differ"]  # a word, not a colour
        for cells, pair in zip(body(page.table("moderation-pairs")), fig["pairs"], strict=True):
            assert cells[:2] == [pair["first"], pair["second"]]
            same_level(cells[2:], pair)
        overall = {cells[0]: cells[1:] for cells in body(page.table("moderation-overall"))}
        same_stat(
            " ".join(overall["Gwet's AC1"]), fig["overall"]["ac1"], fig["overall"]["ac1_ci95"]
        )
        assert fig["overall"]["reading"].replace("'", "&#x27;") in html


def agreement_svg(html: str) -> ElementTree.Element:
    found = re.findall(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="agreement".*?</svg>', html, re.S
    )
    assert len(found) == 1
    return ElementTree.fromstring(found[0])  # well-formed XML, or this raises


def test_the_agreement_chart_is_accessible_svg_with_a_bar_per_key_question(
    demo: tuple[Repository, OpenAudit],
) -> None:
    repo, audit = demo
    fig = figures(repo, audit)
    svg = agreement_svg(text_of(repo, audit, "html"))
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img" and "AC1" in (svg.get("aria-label") or "")
    title = svg.find(f"{ns}title")
    assert title is not None and "per key question" in (title.text or "")
    bars = [r for r in svg.iter(f"{ns}rect") if r.get("class") == "bar"]
    enough = [k["id"] for k in fig["key_questions"] if k["ac1"] is not None]
    assert [b.get("data-item") for b in bars] == enough
    for bar, kq in zip(
        bars, [k for k in fig["key_questions"] if k["ac1"] is not None], strict=True
    ):
        assert float(bar.get("width") or 0) > 0
        words = bar.find(f"{ns}title")
        assert words is not None and f"AC1 {kq['ac1']:.2f}" in (words.text or "")
    labels = " ".join(t.text or "" for t in svg.iter(f"{ns}text"))
    for kq_id in too_few_ids(fig["key_questions"]):
        assert kq_id in labels
    assert f"no bar: {TOO_FEW}" in labels


# ---- the workbook ------------------------------------------------------------------------------


def sheet_rows(raw: bytes) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(raw))
    return list(wb["Moderation"].iter_rows(values_only=True))


def table_after(
    rows: list[tuple[Any, ...]], *headings: str
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The header row starting with `headings`, and the rows up to the next blank one."""
    start = next(i for i, r in enumerate(rows) if r[: len(headings)] == headings)
    out = []
    for r in rows[start + 1 :]:
        if all(v is None for v in r):
            break
        out.append(r)
    return rows[start], out


STATS = ("kappa", "pabak", "ac1")
CSV_COLUMNS = ["level", "id", "n", "agreement", "kappa", "kappa_low", "kappa_high", "pabak",
               "pabak_low", "pabak_high", "ac1", "ac1_low", "ac1_high"]  # fmt: skip


def same_numbers(row: dict[str, Any], level: Figures) -> None:
    """Numbers stored as numbers, equal to the JSON's; blanks where it has null."""
    assert row["Items"] == level["n"] and row["Agreed"] == level["agreed"]
    if level["agreement"] is None:
        assert row["Agreement"] is None
    else:
        assert row["Agreement"] == pytest.approx(level["agreement"], abs=1e-4)
    for stat in STATS:
        label = {"kappa": "Kappa", "pabak": "PABAK", "ac1": "AC1"}[stat]
        value, ci = level[stat], level[f"{stat}_ci95"]
        if value is None:
            assert row[label] is None and row[f"{label} 95% low"] is None
            continue
        assert isinstance(row[label], float | int)
        assert row[label] == pytest.approx(value, abs=1e-4)
        assert [row[f"{label} 95% low"], row[f"{label} 95% high"]] == pytest.approx(ci, abs=1e-4)


def test_the_moderation_sheet_holds_the_json_figures_as_numbers(
    demo: tuple[Repository, OpenAudit],
) -> None:
    repo, audit = demo
    fig = figures(repo, audit)
    found = summary(repo, audit)
    assert found is not None
    words = {d.item_id: d.item_text for d in found.disagreements}
    assert all(words.values())
    full = load_workbook(io.BytesIO(xlsx_of(repo, audit)))
    assert full.sheetnames[-1] == "Moderation"
    alone = render_report(repo, audit, "xlsx", section="moderation")
    assert isinstance(alone, bytes)
    assert load_workbook(io.BytesIO(alone)).sheetnames == ["Moderation"]
    for raw in (xlsx_of(repo, audit), alone):
        rows = sheet_rows(raw)
        facts = {r[0]: r[1] for r in rows[:5]}
        assert facts["Disagreements"] == fig["disagreements"]
        assert facts["Settled"] == fig["settled"] and facts["Moderated cases"] == fig["cases"]
        header, levels = table_after(rows, "Level")
        by_kind: dict[tuple[str, str], dict[str, Any]] = {
            (r[0], r[1]): dict(zip(header, r, strict=True)) for r in levels
        }
        same_numbers(by_kind["Overall", "overall"], fig["overall"])
        for kq in fig["key_questions"]:
            same_numbers(by_kind["Key question", kq["id"]], kq)
        for prompt in fig["prompts"]:
            same_numbers(by_kind["Prompt", prompt["id"]], prompt)
        header, standards = table_after(rows, "Standard")
        for r, st in zip(standards, fig["standards"], strict=True):
            row = dict(zip(header, r, strict=True))
            same_numbers(row, st)
            if st["ratings_differ"]:
                assert (row["Rating from first marks"], row["Rating from second marks"]) == (
                    st["rating_first"],
                    st["rating_second"],
                )
                assert row["Ratings"] == "differs"
        header, pairs = table_after(rows, "First marker")
        for r, pair in zip(pairs, fig["pairs"], strict=True):
            same_numbers(dict(zip(header, r, strict=True)), pair)
        header, markers = table_after(rows, "Marker")
        assert [(r[0], r[1]) for r in markers] == [
            (m["marker"], m["round"]) for m in fig["markers"]
        ]
        header, disagreements = table_after(rows, "Round", "Case")
        assert len(disagreements) == fig["disagreements"]
        listed = fig["disagreement_list"]
        for r, d in zip(disagreements, listed, strict=True):  # the item's id, then its words
            item = dict(zip(header, r, strict=True))["Item"]
            assert item.startswith(d["item"] + " ") and item == f"{d['item']} {words[d['item']]}"


# ---- the CSV of --section moderation -----------------------------------------------------------


def test_section_csv_has_a_row_per_level_equal_to_the_json(
    demo: tuple[Repository, OpenAudit],
) -> None:
    repo, audit = demo
    fig = figures(repo, audit)
    text = render_report(repo, audit, "csv", section="moderation")
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == CSV_COLUMNS
    expected = [("key_question", k) for k in fig["key_questions"]]
    expected += [("prompt", p) for p in fig["prompts"]]
    expected += [("standard", s) for s in fig["standards"]]
    expected += [("overall", {"id": "overall", **fig["overall"]})]
    expected += [("pair", {"id": f"{p['first']} → {p['second']}", **p}) for p in fig["pairs"]]
    assert [(r["level"], r["id"]) for r in rows] == [(k, lv["id"]) for k, lv in expected]

    def number(cell: str) -> float | None:
        return None if cell == "" else float(cell)

    for row, (_, level) in zip(rows, expected, strict=True):
        assert int(row["n"]) == level["n"]
        assert number(row["agreement"]) == level["agreement"]
        for stat in STATS:
            ci = level[f"{stat}_ci95"] or [None, None]
            got = [number(row[stat]), number(row[f"{stat}_low"]), number(row[f"{stat}_high"])]
            assert got == [level[stat], *ci]
    few = [r for r in rows if int(r["n"]) < 10]
    assert few and all(r["agreement"] == r["kappa"] == r["ac1"] == "" for r in few)


# ---- notes: only when asked for, and always as text --------------------------------------------


def all_parts(raw: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return "".join(zf.read(name).decode("utf-8") for name in zf.namelist())


def test_notes_and_reasons_appear_only_with_notes(noted: tuple[Repository, OpenAudit]) -> None:
    repo, audit = noted
    assert figures(repo, audit)["settled"] == 1
    for section in (None, "moderation"):
        for fmt in ("md", "html"):
            plain = text_of(repo, audit, fmt, section=section)
            assert "NOTE-TOKEN" not in plain and "REASON-TOKEN" not in plain, (fmt, section)
            with_notes = text_of(repo, audit, fmt, section=section, include_notes=True)
            assert "NOTE-TOKEN" in with_notes and "REASON-TOKEN" in with_notes, (fmt, section)
        plain_xlsx = render_report(repo, audit, "xlsx", section=section)
        assert isinstance(plain_xlsx, bytes)
        assert "NOTE-TOKEN" not in all_parts(plain_xlsx) and "REASON-TOKEN" not in all_parts(
            plain_xlsx
        )
        noted_xlsx = render_report(repo, audit, "xlsx", section=section, include_notes=True)
        assert isinstance(noted_xlsx, bytes)
        moderation = "".join(str(v) for r in sheet_rows(noted_xlsx) for v in r)
        assert "NOTE-TOKEN" in moderation and "REASON-TOKEN" in moderation
    csv_text = text_of(repo, audit, "csv", section="moderation", include_notes=True)
    assert "NOTE-TOKEN" not in csv_text and "REASON-TOKEN" not in csv_text  # figures only


def test_hostile_notes_stay_text_in_markdown(noted: tuple[Repository, OpenAudit]) -> None:
    repo, audit = noted
    text = md_section(text_of(repo, audit, "md", include_notes=True))
    assert "<script" not in text.lower() and "<b>" not in text and "\x1b" not in text
    assert "&lt;script&gt;" in text and "\\[link\\](http://x.test)" in text
    assert "\\\\x1b" in text  # the escape shown, as the CLI shows it in errors
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<script" not in rendered.lower() and "<a " not in rendered and "<b>" not in rendered
    assert "\\x1b[31mred\\x07" in rendered
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        assert len({len(re.findall(r"<t[hd]\b", r)) for r in rows}) == 1


def test_hostile_notes_stay_text_in_html(noted: tuple[Repository, OpenAudit]) -> None:
    repo, audit = noted
    for section in (None, "moderation"):
        html = text_of(repo, audit, "html", include_notes=True, section=section)
        assert "<script" not in html.lower() and "<b>bold" not in html and "\x1b" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bold" in html
        notes = [c[-1] for _, c in parsed(html).table("moderation-disagreements")]
        assert any("NOTE-TOKEN" in n and "\\x1b[31mred\\x07" in n for n in notes)
        assert any("REASON-TOKEN" in n and "settled by tester" in n for n in notes)
        agreement_svg(html)


def test_hostile_notes_stay_text_in_the_workbook(noted: tuple[Repository, OpenAudit]) -> None:
    repo, audit = noted
    raw = xlsx_of(repo, audit, include_notes=True)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        names = zf.namelist()
        book = zf.read("xl/workbook.xml").decode()
        index = re.findall(r'<sheet name="([^"]+)"', book).index("Moderation") + 1
        xml = zf.read(f"xl/worksheets/sheet{index}.xml").decode()
    assert f"xl/worksheets/sheet{index}.xml" in names
    assert "<f>" not in xml and "\x1b" not in xml and "_x001B_" in xml  # escaped, not a formula
    header, disagreements = table_after(sheet_rows(raw), "Round", "Case")
    by_column = [dict(zip(header, r, strict=True)) for r in disagreements]
    assert any(str(r["First marker's note"] or "").startswith("NOTE-TOKEN") for r in by_column)
    reasons = [r["Reason"] for r in by_column if r["Reason"]]
    assert reasons == [REASON]  # as typed, a string: never run as a formula
    wb = load_workbook(io.BytesIO(raw))
    cells = [c for row in wb["Moderation"].iter_rows() for c in row if c.value == REASON]
    assert cells and all(c.data_type == "s" for c in cells)


def hostile_moderation(m: Moderation) -> Moderation:
    """The same figures under hostile marker names and round rule (a name is typed by a person)."""
    name = '=HYPERLINK("http://x.test","y")<script>'
    pairs = tuple(replace(p, id=f"{name} → {p.second}", first=name) for p in m.pairs)
    info: RoundInfo = replace(m.rounds[0], marker="[m](x) | <b>", rule="+SUM(A1) <i>")
    return replace(m, pairs=pairs, rounds=(info, *m.rounds[1:]))


def test_hostile_names_are_neutralised_in_every_section_format(
    demo: tuple[Repository, OpenAudit],
) -> None:
    repo, audit = demo
    found = summary(repo, audit)
    assert found is not None
    m = hostile_moderation(found)
    rows = list(csv.DictReader(io.StringIO(str(render_moderation(audit, m, "csv")))))
    pair = next(r for r in rows if r["level"] == "pair")
    assert pair["id"].startswith("'=HYPERLINK(")  # a leading quote: text, not a formula
    md = str(render_moderation(audit, m, "md"))
    assert "<script" not in md and "<b>" not in md
    assert "- Round 1: \\[m\\](x) | &lt;b&gt; second-marked" in md
    assert '| =HYPERLINK("http://x.test","y")&lt;script&gt; | moderator |' in md
    html = str(render_moderation(audit, m, "html"))
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html
    raw = render_moderation(audit, m, "xlsx")
    assert isinstance(raw, bytes) and "<f>" not in all_parts(raw)
    values = [v for r in sheet_rows(raw) for v in r if isinstance(v, str)]
    assert '=HYPERLINK("http://x.test","y")<script>' in values and "+SUM(A1) <i>" in values


# ---- an audit with no round --------------------------------------------------------------------


def test_no_round_no_section_and_the_section_alone_is_refused(
    sqlite_target: str, rubric_text: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = open_repository(sqlite_target)
    audit = audits.create_audit(repo, "plain", rubric_text)
    cases.add_cases(
        repo, audit, [("P-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"})]
    )
    audit = audits.open_audit(repo, "plain")
    assert "## Moderation" not in text_of(repo, audit, "md")
    assert 'id="moderation"' not in text_of(repo, audit, "html")
    assert "Moderation" not in load_workbook(io.BytesIO(xlsx_of(repo, audit))).sheetnames
    repo.engine.dispose()
    for fmt in ("json", "md", "html", "csv", "xlsx"):
        out = tmp_path / f"m.{fmt}"
        argv = ["--db", sqlite_target, "report", "plain", "--section", "moderation"]
        code, stdout, stderr = run(capsys, *argv, "--format", fmt, "--out", str(out))
        assert code == 1 and stdout == "" and not out.exists()
        assert len(stderr.splitlines()) == 1 and "no moderation round" in stderr


def test_every_section_format_through_the_cli(
    sqlite_target: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "--db", sqlite_target, "demo", "--no-tui")[0] == 0
    for fmt in ("md", "html", "csv", "xlsx"):
        out = tmp_path / f"m.{fmt}"
        argv = ["--db", sqlite_target, "report", "demo-tameside", "--section", "moderation"]
        code, _, stderr = run(capsys, *argv, "--format", fmt, "--out", str(out))
        assert code == 0, stderr
        assert out.stat().st_size > 500
    assert load_workbook(tmp_path / "m.xlsx").sheetnames == ["Moderation"]
    assert "## Moderation" in (tmp_path / "m.md").read_text(encoding="utf-8")
