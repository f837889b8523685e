"""Finding a record again in its input, for the rare violation found after its piece was done
(an Antavo id shared with an earlier event): its line and column, and its text."""

from __future__ import annotations

from contract_kit.jsontext import jsonio, pointers
from contract_kit.reading.paths import Source
from contract_kit.reading.pieces import BOM, holds_lines
from contract_kit.reading.records import Place


class Relocator:
    """Finds records of a run's inputs again by reading their source anew. The text of the
    last source read is kept, so that many such violations in one file cost one read."""

    def __init__(self) -> None:
        self._last: tuple[Source, jsonio.TextIndex | None, bool] | None = None

    def position(self, source: Source, place: Place, pointer: str) -> tuple[int, int]:
        """Line and column of `pointer` in the record at `place`."""
        line, array, element = place
        index, _ = self._index(source)
        if index is None:
            return line, 1
        start = index.line_start(line) if array is None else index.element_start(array, element)
        return index.line_column(index.locate(pointers.split(pointer), start))

    def text(self, source: Source, place: Place) -> str | None:
        """The text of the record at `place`, or None if it cannot be read."""
        line, array, element = place
        index, lines = self._index(source)
        if index is None:
            return None
        if array is not None:
            start = index.element_start(array, element)
            return index.text[start : jsonio.skip_value(index.text, start)]
        if lines:
            start = index.line_start(line)
            end = index.text.find("\n", start)
            return index.text[start : len(index.text) if end < 0 else end].rstrip("\r")
        return index.text.strip()

    def _index(self, source: Source) -> tuple[jsonio.TextIndex | None, bool]:
        if self._last is None or self._last[0] is not source:
            try:
                data = source.read().removeprefix(BOM)
                text = data.decode("utf-8", "surrogatepass")
            except (OSError, UnicodeDecodeError):
                self._last = (source, None, False)
            else:
                lines = source.is_lines or (source.form_unnamed and holds_lines(data))
                self._last = (source, jsonio.TextIndex(text), lines)
        return self._last[1], self._last[2]
