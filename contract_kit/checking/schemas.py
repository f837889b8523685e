"""The bundled schemas: found in the package, registered offline, compiled once.

An installed wheel carries the top-level `schemas/` folder as `contract_kit/schemas`. In a source
checkout `contract_kit/schemas` is a link to `../schemas` (maturin builds the wheel from it);
where the link is missing (a checkout without symlinks) the top-level folder is read itself.
`$ref`s resolve only against these files: nothing is ever fetched over the network.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource

# jsonschema (the reference validator) is imported on first use: a run whose records all pass
# the compiled validator never needs it.

BASE_URI = "https://schemas.contract-kit.dev/"


def schema_dir() -> Path:
    packaged = Path(str(resources.files("contract_kit"))) / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


@cache
def _documents() -> dict[str, dict[str, Any]]:
    root = schema_dir()
    documents = {}
    for path in sorted(root.rglob("*.json")):
        name = path.relative_to(root).with_suffix("").as_posix()
        documents[name] = json.loads(path.read_text(encoding="utf-8"))
    return documents


def names() -> list[str]:
    """Schema names as `contract-kit schema list` shows them: `antavo/record`, `segment/track`…"""
    return list(_documents())


def document(name: str) -> dict[str, Any]:
    """The schema named `name`. Raises KeyError for an unknown name."""
    return _documents()[name]


def path_of(name: str) -> Path:
    return schema_dir() / f"{name}.json"


def _refuse_retrieval(uri: str) -> Resource[Any]:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs field, not in the stub


@cache
def registry() -> Registry[Any]:
    from referencing import Registry, Resource

    resources_by_uri = [
        (schema["$id"], Resource.from_contents(schema)) for schema in _documents().values()
    ]
    return Registry(retrieve=_refuse_retrieval).with_resources(resources_by_uri)  # type: ignore[call-arg]


@cache
def format_checker() -> FormatChecker:
    """Only the formats the contract defines, with the contract's own rules.

    jsonschema's default checker silently skips `date-time` unless optional packages are
    installed; this one always checks it, and also refuses leap seconds and naive times.
    """
    from jsonschema import FormatChecker

    from contract_kit.checking import timestamps

    checker = FormatChecker(formats=())
    checker.checks("date-time")(timestamps.is_rfc3339)
    checker.checks("date")(timestamps.is_full_date)
    return checker


@cache
def validator(name: str) -> Draft202012Validator:
    """The reference validator: Draft 2020-12 with its patterns run in linear time, with
    ECMA-262 `$` (patterns.py)."""
    from jsonschema import Draft202012Validator, validators

    from contract_kit.checking import patterns

    contract_validator = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, patterns.keywords(Draft202012Validator)
    )
    checker: Draft202012Validator = contract_validator(
        document(name), registry=registry(), format_checker=format_checker()
    )
    return checker
