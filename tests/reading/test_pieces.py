"""Pieces of NDJSON know the number of their first record: the reader's count of records and
the decoder's notion of a blank line must be one and the same."""

from __future__ import annotations

import io

import pytest

from contract_kit.reading.pieces import (
    LineSpan,
    Piece,
    _holds_text,
    _line_pieces,
    is_blank,
    line_pieces,
    records_in,
)
from contract_kit.reading.records import Record, Unreadable, records

RECORD = b'{"customer":"c","action":"point_add","data":{"points":1},"timestamp":0}'
BLANKS = [b"", b"   ", b"\t\r", b"\x1f", b"\x1c\x1d\x1e", "\u00a0\u2003".encode(), b"\x0b\x0c"]
NOT_BLANK = [b"x", b"\xff", b"{}", "\u00a0x".encode(), b"\x00"]


@pytest.mark.parametrize("line", BLANKS)
def test_a_blank_line_holds_no_record_whether_alone_or_among_records(line: bytes) -> None:
    assert is_blank(line) and not _holds_text(line + b"\n")
    data = RECORD + b"\n" + line + b"\n" + RECORD + b"\n"
    numbers = [item.index for item in records(Piece("f.ndjson", data, True))]
    assert numbers == [0, 1]
    assert records_in(data, data.count(b"\n")) == 2


@pytest.mark.parametrize("line", NOT_BLANK)
def test_a_line_with_anything_else_is_a_record(line: bytes) -> None:
    assert not is_blank(line) and _holds_text(line + b"\n")
    data = RECORD + b"\n" + line + b"\n" + RECORD + b"\n"
    found = list(records(Piece("f.ndjson", data, True)))
    assert [_number(item) for item in found] == [0, 1, 2]
    assert records_in(data, data.count(b"\n")) == 3


def test_each_piece_starts_where_the_records_before_it_end() -> None:
    """Blank lines and unreadable lines in earlier pieces count as the decoder counts them."""
    lines = [RECORD, b"", b"\x1f", b"\xff", RECORD, b"   "] * 40_000
    data = b"\n".join(lines) + b"\n"
    pieces = [
        piece for piece in _line_pieces("f.ndjson", io.BytesIO(data)) if isinstance(piece, Piece)
    ]
    assert len(pieces) > 1
    numbers = [_number(item) for piece in pieces for item in records(piece)]
    assert numbers == list(range(3 * 40_000))


@pytest.mark.parametrize("cuts", [(1,), (3, 4), (2, 5, 9), (11,)])
def test_a_file_read_in_spans_numbers_its_records_as_when_read_whole(cuts: tuple[int, ...]) -> None:
    """A Spark task reads one span of a file's lines, numbered from the counts of the spans
    before it (contract_kit.spark): its records get the numbers a whole read gives them."""
    lines = [b"\xef\xbb\xbf" + RECORD, b"", b"\x1f", b"\xff", RECORD + b"\r", b"   ", RECORD] * 2
    whole = list(_line_pieces("f.ndjson", io.BytesIO(b"\n".join(lines))))
    expected = [_placed(item) for piece in whole for item in records(piece)]
    found, span = [], LineSpan()
    for start, end in zip((0, *cuts), (*cuts, len(lines)), strict=True):
        chunks = [line + b"\n" for line in lines[start:end]]  # as the rows of Spark's text reader
        span = LineSpan(span.first_line, span.first_record, at_file_start=start == 0)
        pieces = list(line_pieces("f.ndjson", chunks, 0, span))
        found += [_placed(item) for piece in pieces for item in records(piece)]
        assert span.first_line == end + 1
    assert found == expected
    assert found[0] == (1, 0) and found[-1] == (14, 7)


def _number(item: Record | Unreadable) -> int | None:
    return item.violation.record if isinstance(item, Unreadable) else item.index


def _placed(item: Record | Unreadable) -> tuple[int, int | None]:
    line = item.violation.line if isinstance(item, Unreadable) else item.line
    return line, _number(item)
