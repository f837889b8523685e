"""`--format markdown`: the summary a person reads on a CI page, whatever the input holds.

A table row is read as GitHub's Markdown reads it: split at each `|` that is not escaped, then
backslash escapes and entities undone. Two splitting rules are checked, because renderers
differ on `\\|`: the GFM spec's (a backslash escapes the next character, so `\\\\|` ends a
cell) and the looser one of markdown-it and GitHub itself (any backslash before `|` keeps it).
"""

from __future__ import annotations

import html
import json
import re
from io import StringIO
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_kit.cli import cli
from contract_kit.reporters.markdown import MAX_ROWS, MarkdownReporter, cell
from contract_kit.running.report import Report
from contract_kit.violations import Violation, printable

from ..helpers import FIXTURES, INVALID, POINT_ADD, RECORD, SAMPLE_PLAN

LEAP = INVALID / "leap-second.json"
NEW_EVENTS = FIXTURES / "plan-violations" / "new-events.ndjson"

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])|&(?:amp|lt);")


def rendered(text: str) -> str:
    """The text a reader sees of a cell: backslash escapes and the three entities undone."""
    return _ESCAPED.sub(lambda found: found[1] or html.unescape(found[0]), text)


def split_spec(row: str) -> list[str]:
    """A row's cells as the GFM spec splits them: `\\` escapes whatever follows it."""
    cells, current, escaped = [], "", False
    for character in row.strip().removeprefix("|").removesuffix("|"):
        if character == "|" and not escaped:
            cells.append(current)
            current = ""
            continue
        current += character
        escaped = character == "\\" and not escaped
    return [part.strip().replace("\\|", "|") for part in [*cells, current]]


def split_loose(row: str) -> list[str]:
    """A row's cells as markdown-it and GitHub split them: `|` after any backslash is kept."""
    parts = re.split(r"(?<!\\)\|", row.strip().removeprefix("|").removesuffix("|"))
    return [part.strip().replace("\\|", "|") for part in parts]


def table(document: str, header: str) -> list[dict[str, str]]:
    """The rows of the table whose header row starts with `header`, as rendered text by column,
    each row split by both rules (which must agree)."""
    lines = document.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} "))
    names = split_spec(lines[start])
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = split_spec(line)
        assert cells == split_loose(line), line
        assert len(cells) == len(names), line
        rows.append(dict(zip(names, map(rendered, cells), strict=True)))
    return rows


def test_cell_splitting_rules_can_tell_a_broken_row() -> None:
    """The readers above are not lenient: an unescaped pipe, or one after an escaped backslash
    (for the spec), is a new cell."""
    assert len(split_spec("| a | b\\\\| c |")) == len(split_loose("| a | b | c |")) == 3
    assert len(split_loose("| a | b\\\\| c |")) == 2


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_failing_validate_run_has_outcome_counts_and_the_violation() -> None:
    code, out, _ = invoke("validate", "--format", "markdown", str(LEAP), str(POINT_ADD))
    assert code == 1
    assert out.startswith("## contract-kit validate: failed\n")
    assert table(out, "files") == [
        {"files": "2", "records": "2", "violations": "1", "warnings": "0"}
    ]
    [row] = table(out, "file:line:column")
    assert row["file:line:column"] == f"{LEAP}:8:16"
    assert (row["record"], row["pointer"], row["severity"]) == ("0", "/timestamp", "error")
    assert row["message"].startswith('timestamp "2016-12-31T23:59:60Z" is not a valid date-time')
    assert "more" not in out


def test_a_clean_run_says_ok_and_has_no_table() -> None:
    code, out, _ = invoke("validate", "--format", "markdown", str(FIXTURES / "antavo"))
    assert code == 0
    assert out.startswith("## contract-kit validate: ok\n")
    assert table(out, "files") == [
        {"files": "55", "records": "59", "violations": "0", "warnings": "0"}
    ]
    assert "| file:line:column |" not in out and "No violations." in out


def test_convert_reports_its_counts_and_warnings_on_stderr(tmp_path: Path) -> None:
    output = tmp_path / "out.ndjson"
    code, out, err = invoke(
        "convert", "--format", "markdown", str(NEW_EVENTS), "--plan", str(SAMPLE_PLAN),
        "-o", str(output),
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert len(output.read_text(encoding="utf-8").splitlines()) == 2
    assert err.startswith("## contract-kit convert: failed\n")
    assert f"Tracking plan: {SAMPLE_PLAN}." in rendered(err)
    assert table(err, "files") == [
        {"files": "1", "records": "3", "converted": "2", "rejected": "1", "skipped": "0",
         "violations": "1", "warnings": "2"}
    ]  # fmt: skip
    rows = table(err, "file:line:column")
    assert [row["severity"] for row in rows] == ["error", "warning", "warning"]
    assert all(row["message"].startswith("plan: in the converted message: ") for row in rows)
    assert "'wishlist_add' is not in the tracking plan" in rows[2]["message"]


HOSTILE_KEYS = [
    "a|b",
    "new\nline",
    "<script>alert(1)</script>",
    "`code` and **bold** and _em_",
    "~~struck~~ and $x^2$",
    "back\\|slash",
    "![image](https://example.com/x.png)",
    "&lt;entity",
]


def test_hostile_keys_can_neither_break_the_table_nor_add_markup(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({**RECORD, **dict.fromkeys(HOSTILE_KEYS, 1)}), encoding="utf-8")
    code, out, _ = invoke("validate", "--format", "markdown", str(source))
    assert code == 1
    rows = table(out, "file:line:column")  # five cells a row, by either rule
    assert sorted(row["pointer"] for row in rows) == sorted(
        "/" + printable(key).replace("~", "~0").replace("/", "~1") for key in HOSTILE_KEYS
    )
    assert all(row["message"].startswith("unknown field") for row in rows)
    assert "<" not in out
    for markup in ("![image](", "`code`", "**bold**", "_em_", "~~struck~~", "$x^2$"):
        assert markup not in out, markup
    assert "&lt;entity" not in out  # the key's own `&` is escaped too: it reads as typed
    assert len(out.splitlines()) == out.count("\n") == 6 + 2 + len(HOSTILE_KEYS)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_one_cell_that_reads_as_written(text: str) -> None:
    escaped = cell(text, 10_000)
    row = f"| {escaped} | end |"
    assert split_spec(row)[1] == split_loose(row)[1] == "end"
    assert "\n" not in escaped and "<" not in escaped
    assert rendered(split_spec(row)[0]) == printable(text).strip()


def test_a_bidi_control_in_a_cell_is_shown_as_an_escape() -> None:
    """Trojan Source: U+202E reverses what follows it on the page, so it never reaches it."""
    escaped = cell("user\u202e\u2066nimda")
    assert escaped == "user\\\\u202e\\\\u2066nimda"
    assert rendered(escaped) == "user\\u202e\\u2066nimda"


def violation(index: int, text: str = "x") -> Violation:
    return Violation(text, index + 1, 1, index, "/" + text, text, "type")


def report(*violations: Violation) -> str:
    stream = StringIO()
    MarkdownReporter().report(
        Report("validate", files=1, records=len(violations), violations=violations), stream
    )
    return stream.getvalue()


def test_a_long_run_shows_the_first_rows_and_counts_the_rest() -> None:
    out = report(*(violation(index) for index in range(MAX_ROWS + 7)))
    rows = table(out, "file:line:column")
    assert [row["record"] for row in rows] == [str(index) for index in range(MAX_ROWS)]
    assert out.endswith("\n… and 7 more\n")
    assert "more" not in report(*(violation(index) for index in range(MAX_ROWS)))


def test_the_worst_input_stays_below_githubs_summary_limit() -> None:
    """Every character escaped to five bytes, values of 10,000 characters: still below 1 MiB."""
    out = report(*(violation(index, "&" * 10_000) for index in range(MAX_ROWS + 1)))
    assert len(out.encode("utf-8")) < 1024 * 1024
    assert len(table(out, "file:line:column")) == MAX_ROWS
