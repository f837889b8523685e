"""Structural differences, as `contract-kit diff` shows them."""

from __future__ import annotations

from contract_kit.diff import MISSING, Change, compare


def test_equal_values_have_no_change() -> None:
    value = {"a": [1, {"b": None}], "c": "x"}
    assert compare(value, {"c": "x", "a": [1, {"b": None}]}) == []


def test_changes_are_addressed_by_json_pointer() -> None:
    old = {"properties": {"points": 10, "gone": 1, "a/b": 1}, "tags": ["x", "y", "z"]}
    new = {"properties": {"points": 11, "new": 2, "a/b": 2}, "tags": ["x"]}
    assert compare(old, new) == [
        Change("/properties/points", "replace", 10, 11),
        Change("/properties/gone", "remove", old=1),
        Change("/properties/a~1b", "replace", 1, 2),
        Change("/properties/new", "add", new=2),
        Change("/tags/1", "remove", old="y"),
        Change("/tags/2", "remove", old="z"),
    ]


def test_json_types_matter_even_where_python_equality_does_not() -> None:
    assert compare(5, 5.0) == [Change("", "replace", 5, 5.0)]
    assert compare([1], [True]) == [Change("/0", "replace", 1, True)]
    assert compare({"a": 0}, {"a": False})[0].pointer == "/a"


def test_a_changed_container_type_is_one_replacement() -> None:
    assert compare({"a": [1]}, {"a": {"0": 1}}) == [Change("/a", "replace", [1], {"0": 1})]


def test_missing_marks_the_absent_side() -> None:
    (change,) = compare([], [1])
    assert change.old is MISSING and change.new == 1
