"""What the tests share, once: where things are, a valid record, the contract's loop-prevention
object, files written in a test's folder, the CLI run in-process (click's runner) or as a real
process, and an HTTP server that proves nothing is fetched.

Every test that must prove a behaviour "through a real process" uses `run_cli`; it also asserts
that no traceback and no internal error reached the user, whatever the test checks besides.
"""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from contract_kit.cli import cli

# where things are -----------------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
#: Real payloads and plan exports the tests read (tests/data/README.md says where from).
DATA = REPO / "tests" / "data"
SAMPLE_PLAN = FIXTURES / "tracking-plan"
INVALID = FIXTURES / "invalid"
POINT_ADD = FIXTURES / "antavo" / "actions" / "point-add.json"

# records and messages -------------------------------------------------------------------------

#: The `integrations` object every message the Antavo source sends must carry (contract §2):
#: the destinations that would send the event back to Antavo are switched off.
LOOP_PREVENTION = {
    "Salesforce (Actions)": False,
    "Salesforce Marketing Cloud (Actions)": False,
    "Antavo (Actions)": False,
}


def record(**changes: Any) -> dict[str, Any]:
    """A valid Antavo record, with `changes` applied (a value of `...` removes the field)."""
    value: dict[str, Any] = {
        "customer": "c-1",
        "action": "point_add",
        "data": {"points": 5},
        "timestamp": "2024-11-26T15:19:14Z",
    }
    value.update(changes)
    return {key: item for key, item in value.items() if item is not ...}


#: The smallest valid record: one customer, one point, the epoch.
RECORD = record(customer="c", data={"points": 1}, timestamp=0)


def ndjson(*records: object) -> str:
    """`records` as NDJSON text, one `json.dumps` a line."""
    return "".join(json.dumps(record) + "\n" for record in records)


# files ------------------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    """`text` written to `path` as UTF-8, its folders created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_json(path: Path, value: Any) -> Path:
    """`value` as a JSON file as people keep one: indented, UTF-8, a final newline."""
    return write(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def write_ndjson(path: Path, *records: object) -> Path:
    return write(path, ndjson(*records))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# the CLI in-process -----------------------------------------------------------------------------


def run(*args: str, stdin: str | None = None) -> Result:
    """`contract-kit ARGS...` through click's runner; an exception fails the test as itself."""
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def violations(result: Result | subprocess.CompletedProcess[Any]) -> list[Any]:
    """The violations of the JSON report (`--format json`) a run printed."""
    return list(json.loads(result.stdout)["violations"])


def one_error_line(result: Result) -> str:
    """The one `contract-kit: error:` line of a usage error (exit 2), never a traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("contract-kit: error: ")
    assert "Traceback" not in result.output
    return lines[0]


# the CLI as a real process ----------------------------------------------------------------------


def cli_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a test process gets: this checkout importable, CI unset."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    environment.pop("CI", None)
    environment.update(extra or {})
    return environment


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "contract_kit", *args]


#: Root reads a folder of mode 000 all the same: tests of unreadable paths drop to `nobody`.
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def unprivileged() -> list[str]:
    """The prefix that runs a command without the right to read a mode-000 path: none for an
    ordinary user, setpriv to `nobody` for root."""
    return AS_NOBODY if os.geteuid() == 0 else []


def run_process(
    *args: str,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[bytes]:
    """`contract-kit ARGS...` in `cwd` (run through `prefix`, e.g. `unprivileged()`), as bytes."""
    return subprocess.run(
        [*prefix, *cli_command(*args)],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
        env=cli_environment(env),
    )


def run_cli(
    *args: str,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """`run_process`, stdout and stderr decoded as UTF-8, no traceback allowed."""
    done = run_process(*args, cwd=cwd, stdin=stdin, env=env, timeout=timeout, prefix=prefix)
    stdout = done.stdout.decode("utf-8", "backslashreplace")
    stderr = done.stderr.decode("utf-8", "backslashreplace")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return subprocess.CompletedProcess(done.args, done.returncode, stdout, stderr)


# the wheel --------------------------------------------------------------------------------------


def run_ok(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 300
) -> str:
    """`args` run in `cwd`; their standard output, once they succeeded."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def build_wheel(out: Path) -> Path:
    """This checkout built into a wheel in `out` by maturin, offline when maturin is installed
    (the test extra). pip builds in the tree, so cargo reuses rust/target: after `make test`'s
    editable install (the same release profile) the extension is already compiled, and the
    build takes seconds; from a cold rust/target it takes minutes (fat LTO)."""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(REPO)]
    if importlib.util.find_spec("maturin") is not None:
        command.append("--no-build-isolation")  # else pip fetches maturin, in isolation
    run_ok(command, cwd=out, timeout=900)
    wheels = list(out.glob("contract_kit-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


# the network -----------------------------------------------------------------------------------


@contextmanager
def counting_server(body: Any) -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that would serve `body` as a schema: (its base URL, paths asked)."""
    asked: list[str] = []
    payload = json.dumps(body).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/schema+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
