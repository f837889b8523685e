"""convert --batch: Segment HTTP API batch bodies, none over 2,500 messages or 500 KB."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import contract_kit
from contract_kit.checking import validation
from contract_kit.cli import cli
from contract_kit.outputs import batching

from ..helpers import FIXTURES


def message(size: int) -> bytes:
    """A compact message of exactly `size` bytes."""
    head = b'{"type":"track","event":"e","userId":"u","properties":{"p":"'
    return head + b"x" * (size - len(head) - 3) + b'"}}'


def test_2500_messages_make_one_body_and_2501_two() -> None:
    small = message(60)
    assert len(batching.bodies([small] * 2500)) == 1
    two = batching.bodies([small] * 2501)
    assert [len(json.loads(body)["batch"]) for body in two] == [2500, 1]


def test_a_body_of_exactly_500_kb_is_one_body_and_one_byte_more_is_two() -> None:
    envelope = len(b'{"batch":[]}')
    sizes = [30_000] * 17
    last = validation.MAX_BATCH_BYTES - envelope - sum(sizes) - len(sizes)  # commas
    exact = [message(size) for size in sizes] + [message(last)]
    (body,) = batching.bodies(exact)
    assert len(body) == validation.MAX_BATCH_BYTES
    over = [*exact[:-1], message(last + 1)]
    first, second = batching.bodies(over)
    assert len(first) < validation.MAX_BATCH_BYTES and len(json.loads(second)["batch"]) == 1


def test_convert_batch_writes_bodies_that_pass_the_batch_checks(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["convert", "--batch", str(FIXTURES / "antavo")])
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    body = json.loads(line)
    assert len(body["batch"]) == len(contract_kit.convert(FIXTURES / "antavo").messages)
    target = tmp_path / "body.json"
    target.write_text(line, encoding="utf-8")
    assert contract_kit.validate(target, strict=True).ok
