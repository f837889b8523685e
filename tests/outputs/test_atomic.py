"""Atomic writes: readers see the old file or the new one, never half; nothing else changes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from contract_kit.outputs import atomic

from ..helpers import cli_environment


def test_a_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.ndjson"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic.writer(target) as stream:
        stream.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.ndjson"]


def test_a_new_file_gets_the_umask_mode_not_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "new.json", "[]\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "golden.json"
    target.write_text("[]\n", encoding="utf-8")
    target.chmod(0o664)
    atomic.write_text(target, "[1]\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real" / "t.ndjson"
    real.parent.mkdir()
    real.write_text("", encoding="utf-8")
    link = tmp_path / "link.ndjson"
    link.symlink_to(real)
    atomic.write_text(link, "x\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "x\n"


@pytest.mark.parametrize("target", ["/dev/null", "dir"])
def test_a_target_that_is_not_a_regular_file_is_refused(tmp_path: Path, target: str) -> None:
    path = Path(target) if target.startswith("/") else tmp_path / target
    if not path.exists():
        path.mkdir()
    with pytest.raises(atomic.NotAFileError, match="not a regular file"):
        atomic.write_text(path, "x")
    assert Path("/dev/null").is_char_device()


def test_a_killed_writer_leaves_the_old_file_and_nothing_else(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    target = tmp_path / "golden.json"
    target.write_text("[]\n", encoding="utf-8")
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from contract_kit.outputs import atomic\n"
        "with atomic.byte_writer(Path(sys.argv[1])) as stream:\n"
        "    stream.write(b'[1, 2, 3' * 100000)\n"
        "    stream.flush()\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
    )
    environment = cli_environment()
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, env=environment
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"writing\n"  # mid-write, half a megabyte in
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert os.listdir(tmp_path) == ["golden.json"]
