"""The pytest plugin the wheel ships: `contract_kit_goldens.assert_match` is `contract-kit diff`.

Most tests here are the whole product: the wheel built from this checkout, installed in a venv of
its own (the only contract-kit that venv can see), and a user's project whose one test is the
two-line test of the README, run by pytest as a real process and compared with what the
installed `contract-kit diff` says about the same project. The last tests call the fixture's
object in-process, for the failures that need no second pytest to show.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from contract_kit.pytest_plugin import Goldens

from .helpers import FIXTURES, POINT_ADD, RECORD, REPO, run, run_ok, write

THE_TEST = """\
def test_goldens(contract_kit_goldens):
    contract_kit_goldens.assert_match("fixtures/antavo", "fixtures/golden")
"""
ONE_FILE_TEST = """\
def test_one_golden(contract_kit_goldens):
    contract_kit_goldens.assert_match(
        "fixtures/antavo/actions/point-add.json", "fixtures/golden/actions/point-add.json"
    )
"""
DIFF = ("diff", "fixtures/antavo", "fixtures/golden")
DIFF_FIX = "contract-kit diff fixtures/antavo fixtures/golden --update"
PYTEST_FIX = "pytest tests/test_goldens.py::test_goldens --snapshot-update"
GOLDENS = Path("fixtures/golden")


# --- a venv with the wheel, and a user's project -----------------------------------------------


def _with_dependencies(*distributions: str) -> set[str]:
    """`distributions` and what they need (not their extras), as pip would install them."""
    found: set[str] = set()
    todo = list(distributions)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in found:
            continue
        found.add(name)
        for requirement in map(Requirement, _distribution(name).requires or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return found


def _distribution(name: str) -> importlib.metadata.Distribution:
    return importlib.metadata.distribution(name)


def _top_level(distributions: set[str]) -> set[str]:
    """What `distributions` installed at the top of site-packages: `pytest`, `_pytest`,
    `pytest-9.2.0.dist-info`, …"""
    return {
        file.parts[0]
        for name in distributions
        for file in _distribution(name).files or []
        if file.parts[0] != ".."
    }


def _link_packages(into: Path, names: set[str]) -> Path:
    """A folder of links to these entries of this interpreter's site-packages: installed
    packages for the venv, without a download."""
    into.mkdir()
    for folder in {Path(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")}:
        for entry in folder.iterdir():
            if entry.name in names and not (into / entry.name).exists():
                (into / entry.name).symlink_to(entry)
    return into


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding the wheel, whose dependencies are this interpreter's packages, without
    contract-kit's own install (its entry points would stand in for the wheel's) and without
    syrupy, which `_pytest(with_syrupy=True)` adds for a run."""
    root = tmp_path_factory.mktemp("venv")
    env = root / "env"
    run_ok([sys.executable, "-m", "venv", "--without-pip", str(env)], cwd=root)
    # What a user's venv would hold: contract-kit's dependencies and pytest's. This suite's
    # other pytest plugins stay out (hypothesis alone costs 1.5 s a pytest start).
    needed = _with_dependencies("contract-kit", "pytest") - {"contract-kit"}
    deps = _link_packages(root / "deps", _top_level(needed))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (env / "lib" / version / "site-packages" / "dependencies.pth").write_text(f"{deps}\n")
    _link_packages(root / "syrupy", _top_level(_with_dependencies("syrupy") - needed))
    python = str(env / "bin" / "python")
    run_ok([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
            "--quiet", str(wheel)], cwd=root)  # fmt: skip
    return env


@pytest.fixture(scope="module")
def template(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project: two Antavo fixtures (a document and NDJSON), their goldens as the
    installed CLI writes them, the README's test, and a one-file test."""
    project = tmp_path_factory.mktemp("template") / "project"
    (project / ".git").mkdir(parents=True)  # the repository root: discovery stops here
    write(project / "pyproject.toml", "[tool.pytest.ini_options]\n")
    for fixture in ("actions/point-add.json", "containers/records.ndjson"):
        write(project / "fixtures/antavo" / fixture, (FIXTURES / "antavo" / fixture).read_text())
    write(project / "tests/test_goldens.py", THE_TEST)
    write(project / "tests/test_one_golden.py", ONE_FILE_TEST)
    assert _contract_kit(venv, project, *DIFF, "--update").returncode == 0
    return project


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    """A copy of the template, for a test to change."""
    return Path(shutil.copytree(template, tmp_path / "project", symlinks=True))


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Ours, without what would steer Python or pytest (this run's PYTHONPATH, PYTEST_ADDOPTS)
    or make updates refused (CI)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "PYTEST")) and key not in ("CI", "NO_COLOR")
    }
    return {**environment, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "120", **(extra or {})}


def _contract_kit(venv: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `contract-kit ARGS...`, in `project`."""
    command = [str(venv / "bin" / "contract-kit"), *args]
    done = subprocess.run(
        command, cwd=project, env=_environment(), capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _pytest(
    venv: Path,
    cwd: Path,
    *args: str,
    with_syrupy: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The venv's pytest, in `cwd`; syrupy is importable only `with_syrupy`."""
    extra = dict(env or {})
    if with_syrupy:
        extra["PYTHONPATH"] = str(venv.parent / "syrupy")
    command = [str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", *args]
    done = subprocess.run(
        command, cwd=cwd, env=_environment(extra), capture_output=True, text=True, timeout=120
    )
    assert "INTERNALERROR" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def _plugins(output: str) -> str:
    """pytest's header line naming the plugins it loaded."""
    return next(line for line in output.splitlines() if line.startswith("plugins: "))


def _failure(output: str, test: str) -> str:
    """The text of the assertion (or pytest.fail) that failed `test`, as pytest printed it
    after `E`, its first line without `AssertionError: ` / `Failed: `."""
    section = output.split(f" {test} ", 1)[1].split("\n", 1)[1]
    lines = section.splitlines()
    first = next(index for index, line in enumerate(lines) if line.startswith("E "))
    prefix = len(lines[first]) - len(lines[first][1:].lstrip())
    text = []
    for line in lines[first:]:
        if not line.startswith("E"):
            break
        text.append(line[prefix:])
    text[0] = text[0].removeprefix("AssertionError: ").removeprefix("Failed: ")
    return "".join(line + "\n" for line in text)


def _break(project: Path) -> None:
    """A golden that differs (point_add renamed in it), one missing, one orphaned in a folder
    of its own."""
    differs = project / GOLDENS / "actions/point-add.json"
    differs.write_text(differs.read_text().replace('"point_add"', '"points_add"'))
    (project / GOLDENS / "containers/records.ndjson").unlink()
    write(project / GOLDENS / "retired/old.json", "[]\n")


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path below `folder`, with its bytes (None for a folder)."""
    return {
        path.relative_to(folder).as_posix(): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


# --- the whole product -------------------------------------------------------------------------


def test_the_wheel_holds_the_compiled_core_and_the_schemas_in_the_package(wheel: Path) -> None:
    # maturin's wheel: the extension as one abi3 module with its type stub, the top-level
    # schemas/ inside the package (through the contract_kit/schemas link), nothing of the
    # checkout beside it.
    assert wheel.name.startswith("contract_kit-0.1.0-cp311-abi3-"), wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert sorted(name for name in names if name.startswith("contract_kit/_core")) == [
        "contract_kit/_core.abi3.so",
        "contract_kit/_core.pyi",
    ]
    assert {"contract_kit/schemas/antavo/record.json", "contract_kit/py.typed"} <= names
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"contract_kit", "contract_kit-0.1.0.dist-info"}, tops


def test_the_installed_wheel_imports_its_own_compiled_core(venv: Path, tmp_path: Path) -> None:
    python = str(venv / "bin" / "python")
    code = "import contract_kit._core as core; print(core.__file__)"
    module = Path(run_ok([python, "-c", code], cwd=tmp_path, env=_environment()).strip())
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert module == venv / "lib" / version / "site-packages" / "contract_kit" / "_core.abi3.so"


def test_the_wheel_registers_the_plugin_and_its_goldens_pass(venv: Path, project: Path) -> None:
    # Started in tests/, without syrupy: paths and configuration are the rootdir's.
    done = _pytest(venv, project / "tests")
    assert done.returncode == 0, done.stdout
    assert "2 passed" in done.stdout
    assert "contract-kit-0.1.0" in _plugins(done.stdout)
    assert "syrupy" not in _plugins(done.stdout)


def test_differing_missing_and_orphaned_goldens_fail_with_the_diff_report(
    venv: Path, project: Path
) -> None:
    _break(project)
    by_cli = _contract_kit(venv, project, *DIFF)
    assert by_cli.returncode == 1
    assert by_cli.stdout.count("\n") == 8, by_cli.stdout  # differs (4 lines), missing, orphan
    done = _pytest(venv, project)
    assert done.returncode == 1, done.stdout
    assert _failure(done.stdout, "test_goldens") == by_cli.stdout.replace(DIFF_FIX, PYTEST_FIX)
    # the one-file form: that file's lines of the same report
    differs = by_cli.stdout.split("fixtures/golden/containers")[0]
    assert differs.startswith("fixtures/golden/actions/point-add.json: differs")
    assert _failure(done.stdout, "test_one_golden") == (
        f"{differs}failed: 1 input file; 0 same, 1 differ\n"
        "to accept the new output, run: "
        "pytest tests/test_one_golden.py::test_one_golden --snapshot-update\n"
    )


def test_the_command_that_accepts_the_new_output_works_where_pytest_was_started(
    venv: Path, project: Path
) -> None:
    # The rootdir is the project (its pyproject.toml), pytest is started in tests/: the node id
    # (tests/test_goldens.py::...) would not be found from there.
    _break(project)
    here = project / "tests"
    done = _pytest(venv, here, "test_goldens.py")
    assert done.returncode == 1, done.stdout
    assert f"rootdir: {project}" in done.stdout
    last = _failure(done.stdout, "test_goldens").splitlines()[-1]
    fix = last.removeprefix("to accept the new output, run: ")
    assert fix == "pytest test_goldens.py::test_goldens --snapshot-update"
    accepted = _pytest(venv, here, *shlex.split(fix)[1:])
    assert accepted.returncode == 0, accepted.stdout
    assert "updated fixtures/golden/actions/point-add.json" in accepted.stdout
    assert _pytest(venv, here).returncode == 0


def test_without_a_pytest_configuration_the_rootdir_is_where_pytest_starts_and_is_named(
    venv: Path, project: Path
) -> None:
    # No pytest configuration file: started in tests/, the rootdir is tests/ and the fixtures
    # are not found from there. The error says where the path was looked for.
    (project / "pyproject.toml").unlink()
    done = _pytest(venv, project / "tests", "test_goldens.py")
    assert done.returncode == 1, done.stdout
    rootdir = done.stdout.split("rootdir: ", 1)[1].split("\n", 1)[0]
    assert Path(rootdir) == project / "tests"
    assert _failure(done.stdout, "test_goldens") == (
        "contract-kit: error: fixtures/antavo: no such file or directory "
        f"(paths start at pytest's rootdir {rootdir})\n"
    )


#: Who defines --snapshot-update: the plugin (no syrupy), syrupy, or with autoload off (the
#: plugin loaded with -p): syrupy loaded by a conftest.py after the plugin (the plugin must not
#: define it then), syrupy loaded with -p, or syrupy blocked (the plugin defines it). Each is
#: (syrupy importable, pytest's arguments before the flag, a conftest.py).
AUTOLOAD_OFF = ("-p", "contract_kit")  # the plugin by its entry point's name
FLAG_OWNERS = {
    "own flag": (False, (), None),
    "syrupy's flag": (True, (), None),
    "syrupy's flag, from a conftest": (True, AUTOLOAD_OFF, 'pytest_plugins = ["syrupy"]\n'),
    "syrupy's flag, autoload off, -p syrupy": (True, (*AUTOLOAD_OFF, "-p", "syrupy"), None),
    "own flag, autoload off, -p no:syrupy": (True, (*AUTOLOAD_OFF, "-p", "no:syrupy"), None),
}


@pytest.mark.parametrize(("with_syrupy", "args", "conftest"), FLAG_OWNERS.values(), ids=FLAG_OWNERS)
def test_snapshot_update_writes_what_diff_update_writes(
    venv: Path,
    project: Path,
    tmp_path: Path,
    with_syrupy: bool,
    args: tuple[str, ...],
    conftest: str | None,
) -> None:
    _break(project)
    by_cli = Path(shutil.copytree(project, tmp_path / "by-cli", symlinks=True))
    updated = _contract_kit(venv, by_cli, *DIFF, "--update")
    assert updated.returncode == 0, updated.stderr
    assert "removed fixtures/golden/retired/old.json" in updated.stdout
    if conftest:
        write(project / "conftest.py", conftest)
    env = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"} if args else {}
    done = _pytest(venv, project, *args, "--snapshot-update", with_syrupy=with_syrupy, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    syrupy_loaded = with_syrupy and "no:syrupy" not in args
    assert ("syrupy" in _plugins(done.stdout)) == syrupy_loaded
    assert _tree(project / GOLDENS) == _tree(by_cli / GOLDENS)
    assert "retired" not in _tree(project / GOLDENS)
    assert updated.stdout in done.stdout  # what was written, in the terminal summary


def test_snapshot_update_under_xdist_lists_what_the_workers_wrote(
    venv: Path, project: Path, tmp_path: Path
) -> None:
    # pytest-xdist is no dependency: this runs where it is installed beside the suite.
    pytest.importorskip("xdist")
    xdist = _link_packages(tmp_path / "xdist", _top_level(_with_dependencies("pytest-xdist")))
    _break(project)
    done = _pytest(venv, project, "-n", "2", "--snapshot-update", env={"PYTHONPATH": str(xdist)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "xdist" in _plugins(done.stdout)
    assert "2 passed" in done.stdout
    summary = done.stdout.split("contract-kit goldens updated", 1)[1]
    assert "created fixtures/golden/containers/records.ndjson" in summary  # test_goldens's
    assert "removed fixtures/golden/retired/old.json" in summary
    assert summary.count("updated fixtures/golden/actions/point-add.json") >= 1


def test_snapshot_update_is_refused_under_ci_unless_forced(venv: Path, project: Path) -> None:
    _break(project)
    before = _tree(project / GOLDENS)
    refused = _pytest(venv, project, "--snapshot-update", env={"CI": "true"})
    assert refused.returncode == 1
    assert _failure(refused.stdout, "test_goldens") == (
        "contract-kit: error: refusing to --snapshot-update goldens with CI set: "
        "goldens are reviewed changes; add --contract-kit-force\n"
    )
    assert _tree(project / GOLDENS) == before
    forced = _pytest(venv, project, "--snapshot-update", "--contract-kit-force", env={"CI": "1"})
    assert forced.returncode == 0, forced.stdout
    assert "updated fixtures/golden/actions/point-add.json" in forced.stdout


def test_a_configuration_file_changes_the_report_as_it_changes_diffs(
    venv: Path, project: Path
) -> None:
    write(project / "contract-kit.toml", '[event_names]\npoint_add = "Points Added"\n')
    by_cli = _contract_kit(venv, project, *DIFF)
    assert by_cli.returncode == 1
    assert by_cli.stderr == "configuration: contract-kit.toml\n"
    assert '+ "Points Added"' in by_cli.stdout
    done = _pytest(venv, project)
    expected = by_cli.stderr + by_cli.stdout.replace(DIFF_FIX, PYTEST_FIX)
    assert _failure(done.stdout, "test_goldens") == expected
    # a bad one fails the test with diff's one error line, not with an internal error
    write(project / "contract-kit.toml", "events = 'point_add'\n")
    by_cli = _contract_kit(venv, project, *DIFF)
    assert by_cli.returncode == 2
    done = _pytest(venv, project)
    assert done.returncode == 1
    assert _failure(done.stdout, "test_goldens") == by_cli.stderr
    assert "Traceback" not in done.stdout


def test_the_plugin_imports_nothing_heavy_into_every_pytest_session() -> None:
    code = (
        "import sys, contract_kit.pytest_plugin\n"
        "print(' '.join(sorted(name for name in sys.modules if name.split('.')[0] in "
        "{'pydantic', 'jsonschema', 'jsonschema_rs', 'orjson', 're2', 'click', 'syrupy'} "
        "or name.startswith('contract_kit.'))))"
    )
    loaded = run_ok([sys.executable, "-c", code], cwd=REPO, env=_environment()).split()
    assert loaded == ["contract_kit.pytest_plugin"]


# --- in-process: what the fixture's object says ------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project folder (not the working directory) with one fixture and its golden."""
    root = tmp_path / "root"
    write(root / "in/point-add.json", POINT_ADD.read_text())
    (root / "golden").mkdir()
    Goldens(root, update=True).assert_match("in", "golden")
    return root


def _fails(goldens: Goldens, inputs: str, golden: str) -> str:
    with pytest.raises(pytest.fail.Exception) as failed:
        goldens.assert_match(inputs, golden)
    return str(failed.value)


def test_paths_are_the_rootdirs_and_the_working_directory_is_kept(tree: Path) -> None:
    here = Path.cwd()
    Goldens(tree).assert_match("in", "golden")
    Goldens(tree).assert_match("in/point-add.json", "golden/point-add.json")
    with pytest.raises(AssertionError):
        Goldens(tree).assert_match("in/point-add.json", "golden/nothing-here.json")
    assert Path.cwd() == here


def test_one_file_missing_its_golden_fails_then_update_creates_diffs_bytes(tree: Path) -> None:
    with pytest.raises(AssertionError) as failed:
        Goldens(tree, rerun="RERUN").assert_match("in/point-add.json", "golden/new/one.json")
    assert str(failed.value) == (
        "golden/new/one.json: missing golden for in/point-add.json\n"
        "failed: 1 input file; 0 same, 1 missing\n"
        "to accept the new output, run: RERUN\n"
    )
    written: list[str] = []
    Goldens(tree, update=True, written=written.append).assert_match(
        "in/point-add.json", "golden/new/one.json"
    )
    assert written == [
        "created golden/new/one.json\nok: 1 input file; 1 created, 0 updated, 0 removed\n"
    ]
    created = (tree / "golden/new/one.json").read_bytes()
    assert created == (tree / "golden/point-add.json").read_bytes()  # as diff --update wrote it


def test_an_invalid_fixture_fails_and_gets_no_golden_even_on_update(tree: Path) -> None:
    write(tree / "in/bad.json", json.dumps({**RECORD, "data": {}}))
    for update in (False, True):
        with pytest.raises(AssertionError) as failed:
            Goldens(tree, update=update).assert_match("in", "golden")
        assert "in/bad.json: invalid input, golden not compared\n" in str(failed.value)
    assert not (tree / "golden/bad.json").exists()


@pytest.mark.parametrize(
    ("inputs", "golden", "error"),
    [
        ("nope", "golden", "nope: no such file or directory"),
        ("in", "golden/point-add.json", "golden/point-add.json: not a folder; the goldens of a "),
        ("in/point-add.json", "golden", "golden: not a regular file; a golden must be a file"),
        ("in/point-add.json", "in/point-add.json", "in/point-add.json: the golden must not be "),
        ("in", "in/golden", "in and in/golden must not overlap: goldens would be read as inputs"),
    ],
    ids=["no input", "golden folder a file", "golden a folder", "own golden", "overlap"],
)
def test_paths_that_cannot_be_used_fail_with_what_is_wrong(
    tree: Path, inputs: str, golden: str, error: str
) -> None:
    assert _fails(Goldens(tree), inputs, golden).startswith(f"contract-kit: error: {error}")


def test_a_missing_relative_input_names_the_rootdir_it_was_looked_for_in(tree: Path) -> None:
    assert _fails(Goldens(tree), "nope", "golden") == (
        f"contract-kit: error: nope: no such file or directory (paths start at pytest's rootdir "
        f"{tree})"
    )
    missing = tree / "nope.json"  # an absolute path is not looked for in the rootdir
    assert _fails(Goldens(tree), str(missing), "golden/x.json") == (
        f"contract-kit: error: {missing}: no such file or directory"
    )
    assert "rootdir" not in _fails(Goldens(tree), "in", "in/golden")  # the input exists: no hint


def test_a_golden_that_cannot_be_written_names_its_path_and_why(tree: Path) -> None:
    write(tree / "blocked", "a file where the golden's folder should be\n")
    why = _fails(Goldens(tree, update=True), "in/point-add.json", "blocked/x.json")
    golden = os.path.realpath(tree / "blocked" / "x.json")  # as the atomic writer names it
    assert why == f"contract-kit: error: {golden}: Not a directory"


def test_a_bad_configuration_fails_with_the_line_diff_prints(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tree / "contract-kit.toml", "user_id_attribute = ''\nexclude = 3\n")
    monkeypatch.chdir(tree)
    by_cli = run("diff", "in", "golden")
    assert by_cli.exit_code == 2
    assert _fails(Goldens(tree), "in", "golden") + "\n" == by_cli.stderr


def test_update_under_ci_is_refused_unless_forced(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "yes")
    Goldens(tree).assert_match("in", "golden")  # comparing is fine
    assert "refusing to --snapshot-update" in _fails(Goldens(tree, update=True), "in", "gone")
    assert not (tree / "gone").exists()
    Goldens(tree, update=True, force=True).assert_match("in", "gone")
    assert (tree / "gone/point-add.json").is_file()
