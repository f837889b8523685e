"""Structural differences, as `contract-kit diff` shows them."""

from __future__ import annotations

from contract_kit.goldens.diff import MISSING, Change, compare


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


def test_items_appended_to_a_list_are_adds_at_their_new_indices() -> None:
    assert compare({"tags": ["x"]}, {"tags": ["x", "y", "z"]}) == [
        Change("/tags/1", "add", new="y"),
        Change("/tags/2", "add", new="z"),
    ]


def test_a_changed_container_type_is_one_replacement() -> None:
    assert compare({"a": [1]}, {"a": {"0": 1}}) == [Change("/a", "replace", [1], {"0": 1})]


def test_missing_marks_the_absent_side() -> None:
    (change,) = compare([], [1])
    assert change.old is MISSING and change.new == 1


def test_missing_reads_as_missing_where_a_change_is_printed() -> None:
    assert repr(MISSING) == "<missing>"
    assert repr(Change("/0", "add", new=1)) == (
        "Change(pointer='/0', op='add', old=<missing>, new=1, from_pointer=None)"
    )


def message(name: str, **fields: object) -> dict[str, object]:
    return {"messageId": name, "event": "e", **fields}


A, B, C, X = message("a"), message("b"), message("c"), message("x")
Y, Z = message("y"), message("z")


def test_lists_without_shared_message_ids_still_compare_by_position() -> None:
    no_id, number_id = {"event": "e"}, {"messageId": 1, "event": "e"}
    assert compare([A, B], [no_id, A, B]) == [
        Change("/0/messageId", "remove", old="a"),
        Change("/1/messageId", "replace", "b", "a"),
        Change("/2", "add", new=B),
    ]
    assert compare([A, B], [number_id, A, B])[0] == Change("/0/messageId", "replace", "a", 1)


def test_a_repeated_message_id_lines_up_by_its_occurrence() -> None:
    # A re-sent event repeats its messageId: the first "a" pairs with the first, and so on.
    assert compare([A, B], [B, A, A]) == [
        Change("/0", "move", from_pointer="/1"),
        Change("/2", "add", new=A),
    ]
    assert compare([A, A], [A, A, A]) == [Change("/2", "add", new=A)]
    first, second = message("a", event="1"), message("a", event="2")
    assert compare([A, first, B], [A, message("a", event="3"), B]) == [
        Change("/1/event", "replace", "1", "3")
    ]
    assert compare([first, second], [second, first]) == [
        Change("/0/event", "replace", "1", "2"),
        Change("/1/event", "replace", "2", "1"),
    ]


def test_an_inserted_message_is_one_add_at_its_new_index() -> None:
    assert compare([A, B, C], [X, A, B, C]) == [Change("/0", "add", new=X)]


def test_a_removed_message_is_one_remove_at_its_golden_index() -> None:
    assert compare([A, B, C], [A, C]) == [Change("/1", "remove", old=B)]


def test_a_shared_message_is_compared_at_its_new_index() -> None:
    changed = message("b", event="renamed")
    assert compare([A, B], [X, A, changed]) == [
        Change("/0", "add", new=X),
        Change("/2/event", "replace", "e", "renamed"),
    ]


def test_moving_one_message_is_one_move() -> None:
    assert compare([A, B, C], [C, A, B]) == [Change("/0", "move", from_pointer="/2")]
    assert compare([A, B, C], [B, C, A]) == [Change("/2", "move", from_pointer="/0")]


def test_a_move_comes_before_the_field_changes_of_the_moved_message() -> None:
    changed = message("c", event="renamed")
    assert compare([A, B, C], [changed, A, B]) == [
        Change("/0", "move", from_pointer="/2"),
        Change("/0/event", "replace", "e", "renamed"),
    ]


def test_reversing_moves_all_but_one_message() -> None:
    changes = compare([A, B, C, X], [X, C, B, A])
    assert [change.op for change in changes] == ["move"] * 3


def test_changes_come_in_the_order_of_positions_removal_first() -> None:
    # B and C were before A, X and Y after it: nothing stands in the same place, so nothing is
    # an edit; at index 1 the removal of C (its golden index) comes before the add of X.
    assert compare([B, C, A], [A, X, Y]) == [
        Change("/0", "remove", old=B),
        Change("/1", "remove", old=C),
        Change("/1", "add", new=X),
        Change("/2", "add", new=Y),
    ]


def test_a_message_replaced_in_place_is_an_edit_not_a_removal_and_an_add() -> None:
    # A record without an Antavo id gets a new messageId with any change to it.
    assert compare([A, B, C], [A, X, C]) == [Change("/1/messageId", "replace", "b", "x")]
    assert compare([B, A], [X, A]) == [Change("/0/messageId", "replace", "b", "x")]
    assert compare([A, B], [A, X]) == [Change("/1/messageId", "replace", "b", "x")]
    assert compare([B], [X]) == [Change("/0/messageId", "replace", "b", "x")]


def test_an_edit_also_shows_the_changed_fields() -> None:
    assert compare([A, B, C], [A, message("x", event="renamed"), C]) == [
        Change("/1/messageId", "replace", "b", "x"),
        Change("/1/event", "replace", "e", "renamed"),
    ]


def test_edits_pair_in_order_within_each_gap_between_kept_messages() -> None:
    assert compare([A, B, C, Y], [A, X, Z, Y]) == [
        Change("/1/messageId", "replace", "b", "x"),
        Change("/2/messageId", "replace", "c", "z"),
    ]
    assert compare([B, A, C, Y], [X, A, Z, Y]) == [
        Change("/0/messageId", "replace", "b", "x"),
        Change("/2/messageId", "replace", "c", "z"),
    ]


def test_what_is_left_over_in_a_gap_is_a_removal_or_an_add() -> None:
    assert compare([A, B, C, Y], [A, X, Y]) == [
        Change("/1/messageId", "replace", "b", "x"),
        Change("/2", "remove", old=C),
    ]
    assert compare([A, B, Y], [A, X, Z, Y]) == [
        Change("/1/messageId", "replace", "b", "x"),
        Change("/2", "add", new=Z),
    ]
    assert compare([A, B], [A, X, B, Y]) == [
        Change("/1", "add", new=X),
        Change("/3", "add", new=Y),
    ]


def test_message_lists_inside_values_line_up_too() -> None:
    assert compare({"batch": [A, B]}, {"batch": [B]}) == [Change("/batch/0", "remove", old=A)]
