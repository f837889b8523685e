"""The package's layers: the README's layout table matches the tree, and imports point down.

The table lists the layers from the top down; a module may import from its own layer and the
layers below it, never above (lazy imports inside functions included).
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "contract_kit"
ROW = re.compile(r"^\| `contract_kit/([^`]+)`(?:, `([^`]+)`)? \|", re.MULTILINE)


def _layers() -> list[set[str]]:
    """Each row of the README's layout table: the top-level names it covers (`cli`,
    `api`, `entry`, `__main__`), in the table's order."""
    section = REPO.joinpath("README.md").read_text(encoding="utf-8").split("## Layout", 1)[1]
    section = section.split("\n## ", 1)[0]
    layers = []
    for first, second in ROW.findall(section):
        names = {name.strip("/").removesuffix(".py") for name in (first, second) if name}
        layers.append(names)
    return layers


def _compiled_module() -> str:
    """The extension maturin builds from rust/ (`_core`): no .py file in the tree, and its .so
    only once built, so its name comes from pyproject.toml."""
    config = tomllib.loads(REPO.joinpath("pyproject.toml").read_text(encoding="utf-8"))
    package, name = config["tool"]["maturin"]["module-name"].split(".")
    assert package == "contract_kit"
    return name


def _top_level_names() -> set[str]:
    names = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    names |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    return names | {_compiled_module()}


def _layer_of(module: str, layers: list[set[str]]) -> int:
    top = module.split(".")[0]
    return next(index for index, names in enumerate(layers) if top in names)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module below contract_kit) of every import of contract-kit in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("contract_kit."):
                found.append((node.lineno, node.module.removeprefix("contract_kit.")))
            elif node.module == "contract_kit":
                found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: imports are absolute in contract_kit")
    return found


def test_the_readme_layout_table_names_every_part_of_the_package_once() -> None:
    layers = _layers()
    listed = [name for names in layers for name in names]
    assert len(listed) == len(set(listed)), "a part is listed twice"
    assert set(listed) == _top_level_names()


def test_every_import_points_to_its_own_layer_or_below() -> None:
    layers = _layers()
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative == Path("__init__.py"):
            continue  # the package's lazy exports name the API of every layer
        own = _layer_of(relative.parts[0].removesuffix(".py"), layers)
        for line, module in _imports(path):
            if module == "__version__":
                continue
            if _layer_of(module, layers) < own:
                wrong.append(f"contract_kit/{relative}:{line} imports contract_kit.{module}")
    assert not wrong, "imports that point up a layer:\n" + "\n".join(wrong)


def test_the_check_can_fail() -> None:
    """The table's order is what the check reads: reversed, the imports point up."""
    layers = _layers()
    assert _layer_of("cli.main", layers) < _layer_of("running.driver", layers)
    assert _layer_of("violations", layers) == len(layers) - 1
    # the compiled core is listed (an import of it is checked): below the layers that call it
    assert _layer_of("running.steps", layers) < _layer_of("_core", layers)
