"""Contract §3: where the outbound settings are found, and which settings are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import pytest

from contract_kit.settings.config import (
    Config,
    ConfigError,
    LoadedConfig,
    Meaning,
    NonEmpty,
    describe,
    load,
    option_flag,
    parse,
)

from ..helpers import LOOP_PREVENTION, write


def assert_defaults(config: Config) -> None:
    assert config.user_id_attribute == "customer"
    assert config.events == ["*"]
    assert config.attributes == ["*"]
    assert config.event_names == {}
    assert config.integrations == {}
    assert config.integrations_object() == LOOP_PREVENTION


# ---------------------------------------------------------------------------------------------
# where the configuration comes from


class TestDiscovery:
    def test_defaults_when_no_file(self, tmp_path: Path) -> None:
        loaded = load(explicit=None, directory=tmp_path)
        assert isinstance(loaded, LoadedConfig)
        assert loaded.origin is None
        assert_defaults(loaded.config)

    def test_contract_kit_toml_in_the_directory(self, tmp_path: Path) -> None:
        own = write(
            tmp_path / "contract-kit.toml", 'user_id_attribute = "crm_id"\nevents = ["point_add"]\n'
        )
        loaded = load(explicit=None, directory=tmp_path)
        assert loaded.origin == own
        assert loaded.config.user_id_attribute == "crm_id"
        assert loaded.config.events == ["point_add"]
        assert loaded.config.attributes == ["*"]  # unspecified keys keep their defaults

    def test_pyproject_table(self, tmp_path: Path) -> None:
        pyproject = write(
            tmp_path / "pyproject.toml",
            '[project]\nname = "x"\n\n[tool.contract-kit]\nuser_id_attribute = "external_id"\n'
            '[tool.contract-kit.event_names]\npoint_add = "Points Added"\n',
        )
        loaded = load(explicit=None, directory=tmp_path)
        assert loaded.origin == pyproject
        assert loaded.config.user_id_attribute == "external_id"
        assert loaded.config.event_names == {"point_add": "Points Added"}

    def test_contract_kit_toml_wins_over_pyproject(self, tmp_path: Path) -> None:
        write(
            tmp_path / "pyproject.toml",
            '[tool.contract-kit]\nuser_id_attribute = "from_pyproject"\n',
        )
        own = write(tmp_path / "contract-kit.toml", 'user_id_attribute = "from_own"\n')
        loaded = load(explicit=None, directory=tmp_path)
        assert loaded.origin == own
        assert loaded.origin is not None and loaded.origin.name == "contract-kit.toml"
        assert loaded.config.user_id_attribute == "from_own"

    def test_contract_kit_toml_wins_even_when_empty(self, tmp_path: Path) -> None:
        write(
            tmp_path / "pyproject.toml",
            '[tool.contract-kit]\nuser_id_attribute = "from_pyproject"\n',
        )
        own = write(tmp_path / "contract-kit.toml", "")
        loaded = load(explicit=None, directory=tmp_path)
        assert loaded.origin == own
        assert_defaults(loaded.config)

    def test_pyproject_without_the_table_gives_defaults(self, tmp_path: Path) -> None:
        write(
            tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n'
        )
        loaded = load(explicit=None, directory=tmp_path)
        assert loaded.origin is None
        assert_defaults(loaded.config)

    def test_pyproject_with_other_tool_keys_is_not_read_as_settings(self, tmp_path: Path) -> None:
        # only [tool.contract-kit] counts; top-level keys of pyproject are not settings
        write(tmp_path / "pyproject.toml", 'user_id_attribute = "nope"\n[tool.other]\nx = 1\n')
        loaded = load(explicit=None, directory=tmp_path)
        assert loaded.origin is None
        assert_defaults(loaded.config)

    def test_pyproject_tool_contract_kit_not_a_table(self, tmp_path: Path) -> None:
        write(tmp_path / "pyproject.toml", '[tool]\ncontract-kit = "yes"\n')
        with pytest.raises(ConfigError, match=r"pyproject\.toml"):
            load(explicit=None, directory=tmp_path)

    def test_explicit_contract_kit_toml(self, tmp_path: Path) -> None:
        other = tmp_path / "elsewhere"
        other.mkdir()
        explicit = write(other / "contract-kit.toml", 'events = ["refund"]\n')
        write(tmp_path / "contract-kit.toml", 'events = ["point_add"]\n')
        loaded = load(explicit=explicit, directory=tmp_path)
        assert loaded.origin == explicit
        assert loaded.config.events == ["refund"]

    def test_explicit_file_of_any_name_is_read_as_top_level_keys(self, tmp_path: Path) -> None:
        explicit = write(tmp_path / "settings.toml", 'attributes = ["email"]\n')
        loaded = load(explicit=explicit, directory=tmp_path)
        assert loaded.origin == explicit
        assert loaded.config.attributes == ["email"]

    def test_explicit_pyproject(self, tmp_path: Path) -> None:
        other = tmp_path / "proj"
        other.mkdir()
        explicit = write(other / "pyproject.toml", '[tool.contract-kit]\nattributes = ["email"]\n')
        write(tmp_path / "contract-kit.toml", 'attributes = ["phone"]\n')
        loaded = load(explicit=explicit, directory=tmp_path)
        assert loaded.origin == explicit
        assert loaded.config.attributes == ["email"]

    def test_explicit_pyproject_without_the_table_gives_defaults(self, tmp_path: Path) -> None:
        explicit = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
        loaded = load(explicit=explicit, directory=tmp_path)
        assert_defaults(loaded.config)

    def test_missing_explicit_file(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError) as caught:
            load(explicit=tmp_path / "nope.toml", directory=tmp_path)
        assert "nope.toml" in str(caught.value)
        assert "not found" in str(caught.value)

    def test_explicit_directory_is_not_a_file(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError):
            load(explicit=tmp_path, directory=tmp_path)


# ---------------------------------------------------------------------------------------------
# what is refused


class TestErrors:
    def test_unknown_key_is_named(self, tmp_path: Path) -> None:
        own = write(tmp_path / "contract-kit.toml", 'evnts = ["point_add"]\n')
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        message = str(caught.value)
        assert "evnts" in message
        assert str(own) in message

    def test_unknown_key_in_pyproject_is_named(self, tmp_path: Path) -> None:
        write(tmp_path / "pyproject.toml", '[tool.contract-kit]\nuser_id = "crm_id"\n')
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert "user_id" in str(caught.value)
        assert "pyproject.toml" in str(caught.value)

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            (
                'events = "point_add"',
                "key 'events': expected a list of non-empty strings, got string \"point_add\"",
            ),
            (
                "events = [1, 2]",
                "key 'events[0]': expected a non-empty string, got integer 1\n"
                "{file}: key 'events[1]': expected a non-empty string, got integer 2",
            ),
            ('events = ["a", ""]', "key 'events[1]': expected a non-empty string, got \"\""),
            (
                "attributes = true",
                "key 'attributes': expected a list of non-empty strings, got boolean true",
            ),
            (
                "user_id_attribute = 12",
                "key 'user_id_attribute': expected a non-empty string, got integer 12",
            ),
            (
                'event_names = ["point_add"]',
                "key 'event_names': expected a table of non-empty strings, "
                'got list ["point_add"]',
            ),
            (
                "event_names = { point_add = 1 }",
                "key 'event_names.point_add': expected a non-empty string, got integer 1",
            ),
            (
                # one line for the union (pydantic reports each member), not two
                'integrations = { Mixpanel = "off" }',
                "key 'integrations.Mixpanel': expected a boolean or a table, got string \"off\"",
            ),
            (
                'integrations = { "Google Analytics 4" = 1 }',
                "key 'integrations.\"Google Analytics 4\"': expected a boolean or a table, "
                "got integer 1",
            ),
            (
                "integrations = [1]",
                "key 'integrations': expected a table of booleans or tables, got list [1]",
            ),
            ("plan = 3", "key 'plan': expected a non-empty string (a folder), got integer 3"),
            ('plan = ""', "key 'plan': expected a non-empty string (a folder), got \"\""),
            (
                'unplanned = "blok"',
                'key \'unplanned\': expected one of "allow", "warn", "block", got "blok"',
            ),
            (
                "unplanned_properties = 1",
                'key \'unplanned_properties\': expected one of "allow", "warn", "block", "omit", '
                "got integer 1",
            ),
            # Protocols omits unplanned properties, never events: said so, not just refused
            (
                'unplanned = "omit"',
                "key 'unplanned': omit is for unplanned_properties only: an unplanned event can "
                'be allowed, warned about or blocked (got "omit")',
            ),
            (
                "unplanned = 1979-05-27T07:32:00Z",
                'key \'unplanned\': expected one of "allow", "warn", "block", '
                "got date-time 1979-05-27T07:32:00+00:00",
            ),
            # every TOML type is named by its TOML name
            (
                "user_id_attribute = 1.5",
                "key 'user_id_attribute': expected a non-empty string, got float 1.5",
            ),
            (
                "user_id_attribute = 1979-05-27",
                "key 'user_id_attribute': expected a non-empty string, got date 1979-05-27",
            ),
            (
                "user_id_attribute = 07:32:00",
                "key 'user_id_attribute': expected a non-empty string, got time 07:32:00",
            ),
            (
                "user_id_attribute = { crm = 1 }",
                "key 'user_id_attribute': expected a non-empty string, got table { crm = 1 }",
            ),
            # text beyond ASCII is shown as it is written, not \u-escaped
            (
                'event_names = { "Zoë" = "" }',
                'key \'event_names."Zoë"\': expected a non-empty string, got ""',
            ),
            (
                'unplanned = "blöck"',
                'key \'unplanned\': expected one of "allow", "warn", "block", got "blöck"',
            ),
        ],
    )
    def test_wrong_type_names_the_file_the_key_and_the_expected_type(
        self, tmp_path: Path, line: str, message: str
    ) -> None:
        own = write(tmp_path / "contract-kit.toml", line + "\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert str(caught.value) == f"{own}: " + message.replace("{file}", str(own))

    def test_wrong_type_in_pyproject_names_that_file_and_its_table(self, tmp_path: Path) -> None:
        pyproject = write(tmp_path / "pyproject.toml", "[tool.contract-kit]\nevents = 3\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert str(caught.value) == (
            f"{pyproject} [tool.contract-kit]: key 'events': "
            "expected a list of non-empty strings, got integer 3"
        )

    def test_a_long_value_is_cut_short(self, tmp_path: Path) -> None:
        write(tmp_path / "contract-kit.toml", f"events = {'x' * 500!r}\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert str(caught.value).endswith(f'got string "{"x" * 58}…')

    @pytest.mark.parametrize(
        ("length", "shown"),
        [(58, '"' + "x" * 58 + '"'), (59, '"' + "x" * 58 + "…")],
        ids=["60-characters-whole", "61-characters-cut"],
    )
    def test_a_value_is_cut_only_beyond_60_characters(
        self, tmp_path: Path, length: int, shown: str
    ) -> None:
        write(tmp_path / "contract-kit.toml", f"events = {'x' * length!r}\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert str(caught.value).endswith(f"got string {shown}")

    def test_unknown_key_suggests_the_nearest_and_lists_the_known_keys(
        self, tmp_path: Path
    ) -> None:
        own = write(tmp_path / "contract-kit.toml", 'unplaned = "block"\n')
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert str(caught.value) == (
            f"{own}: unknown key 'unplaned'; did you mean 'unplanned'? (known keys: "
            "user_id_attribute, events, attributes, event_names, integrations, plan, unplanned, "
            "unplanned_properties, exclude)"
        )

    def test_unknown_key_far_from_every_known_key_gets_no_guess(self, tmp_path: Path) -> None:
        write(tmp_path / "contract-kit.toml", "zzz = 1\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert "unknown key 'zzz' (known keys:" in str(caught.value)
        assert "did you mean" not in str(caught.value)

    def test_empty_user_id_attribute(self, tmp_path: Path) -> None:
        write(tmp_path / "contract-kit.toml", 'user_id_attribute = ""\n')
        with pytest.raises(ConfigError, match="user_id_attribute"):
            load(explicit=None, directory=tmp_path)

    def test_empty_event_name(self, tmp_path: Path) -> None:
        write(tmp_path / "contract-kit.toml", '[event_names]\npoint_add = ""\n')
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert "event_names" in str(caught.value)
        assert "point_add" in str(caught.value)

    @pytest.mark.parametrize("name", list(LOOP_PREVENTION))
    def test_turning_on_a_loop_prevention_entry(self, tmp_path: Path, name: str) -> None:
        own = write(tmp_path / "contract-kit.toml", f'[integrations]\n"{name}" = true\n')
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert str(caught.value) == (
            f"{own}: key 'integrations': {name!r} is a loop-prevention entry and must stay false: "
            f'turning it on sends events back into Salesforce or Antavo (got {{ "{name}" = true }})'
        )

    def test_invalid_toml_names_the_file(self, tmp_path: Path) -> None:
        own = write(tmp_path / "contract-kit.toml", "events = [\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert str(own) in str(caught.value)
        assert "TOML" in str(caught.value)

    def test_invalid_toml_in_pyproject_names_the_file(self, tmp_path: Path) -> None:
        pyproject = write(tmp_path / "pyproject.toml", "[tool.contract-kit\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert str(pyproject) in str(caught.value)

    def test_invalid_explicit_toml_names_the_file(self, tmp_path: Path) -> None:
        explicit = write(tmp_path / "mine.toml", "= oops\n")
        with pytest.raises(ConfigError, match=r"mine\.toml"):
            load(explicit=explicit, directory=tmp_path)


# ---------------------------------------------------------------------------------------------
# parse: settings as a mapping


class TestParse:
    def test_empty_mapping_gives_defaults(self) -> None:
        assert_defaults(parse({}))

    def test_all_keys(self) -> None:
        config = parse(
            {
                "user_id_attribute": "crm_id",
                "events": ["point_add", "checkout"],
                "attributes": ["email"],
                "event_names": {"point_add": "Points Added"},
                "integrations": {"Mixpanel": False, "Amplitude": {"session_id": 1}},
            }
        )
        assert config.user_id_attribute == "crm_id"
        assert config.syncs_event("point_add") and config.syncs_event("checkout")
        assert not config.syncs_event("refund")
        assert config.syncs_attribute("email") and not config.syncs_attribute("phone")
        assert config.event_name("point_add") == "Points Added"
        assert config.event_name("checkout") == "checkout"
        assert config.integrations_object() == {
            **LOOP_PREVENTION,
            "Mixpanel": False,
            "Amplitude": {"session_id": 1},
        }

    def test_star_means_all(self) -> None:
        config = parse({"events": ["*"], "attributes": ["*"]})
        assert config.syncs_event("anything at all")
        assert config.syncs_attribute("anything at all")

    def test_unknown_key_names_key_and_source(self) -> None:
        with pytest.raises(ConfigError) as caught:
            parse({"evnts": ["x"]}, source="my-settings")
        assert "evnts" in str(caught.value)
        assert "my-settings" in str(caught.value)

    @pytest.mark.parametrize(
        "settings",
        [
            {"user_id_attribute": ""},
            {"user_id_attribute": None},
            {"events": [""]},
            {"attributes": [""]},
            {"event_names": {"point_add": ""}},
            {"integrations": {"Antavo (Actions)": True}},
            {"integrations": {"Salesforce (Actions)": {}}},
        ],
    )
    def test_refused(self, settings: dict[str, object]) -> None:
        with pytest.raises(ConfigError) as caught:
            parse(settings)
        assert next(iter(settings)) in str(caught.value)

    def test_loop_prevention_entry_false_is_allowed(self) -> None:
        config = parse({"integrations": {"Antavo (Actions)": False}})
        assert config.integrations_object() == LOOP_PREVENTION

    def test_without_a_source_errors_name_the_configuration(self) -> None:
        with pytest.raises(ConfigError) as caught:
            parse({"evnts": ["x"]})
        known = ", ".join(Config.model_fields)
        assert str(caught.value) == (
            f"configuration: unknown key 'evnts'; did you mean 'events'? (known keys: {known})"
        )

    def test_a_python_value_toml_cannot_hold_is_named_by_its_python_type(self) -> None:
        with pytest.raises(ConfigError) as caught:
            parse({"user_id_attribute": b"crm"})
        assert str(caught.value) == (
            "configuration: key 'user_id_attribute': expected a non-empty string, got bytes b'crm'"
        )

    def test_an_error_the_expected_type_does_not_explain_adds_the_reason(self) -> None:
        # A lone surrogate is a str to Python but no text: pydantic's reason is added, in
        # lower case, after the expected type.
        with pytest.raises(ConfigError) as caught:
            parse({"events": ["\ud800"]})
        assert str(caught.value).startswith(
            "configuration: key 'events[0]': expected a non-empty string "
            "(input should be a valid string"
        )
        assert str(caught.value).endswith('), got string "\ud800"')

    def test_none_and_non_string_keys_from_python(self) -> None:
        with pytest.raises(ConfigError) as caught:
            parse({"user_id_attribute": None, "integrations": {1: True}}, source="api")
        assert str(caught.value) == (
            "api: key 'user_id_attribute': expected a non-empty string, got None\n"
            "api: key 'integrations': expected a string for each key, got integer 1"
        )


# ---------------------------------------------------------------------------------------------
# the expected type, in words from the annotation


@pytest.mark.parametrize(
    ("annotation", "words"),
    [
        (str, "a string"),
        (NonEmpty, "a non-empty string"),
        (list[NonEmpty], "a list of non-empty strings"),
        (list[dict[str, int]], "a list of tables of integers"),
        (dict[str, Any], "a table"),
        (dict[str, list[bool]], "a table of lists of booleans"),
        (bool | dict[str, Any], "a boolean or a table"),
        (NonEmpty | None, "a non-empty string"),
        (Literal["a", "b"], 'one of "a", "b"'),
        (list[Literal["a", "b"]], 'a list of each one of "a", "b"'),
        (float, "a number"),
        (dict, "a table"),
        (Annotated[str, Meaning("a name")], "a string (a name)"),
        (Annotated[NonEmpty, Meaning("a folder")], "a non-empty string (a folder)"),
    ],
)
def test_describe_derives_the_words_from_the_annotation(annotation: Any, words: str) -> None:
    assert describe(annotation) == words


def test_describe_names_a_type_it_has_no_words_for() -> None:
    assert "bytes" in describe(bytes)
    assert "bytes" in describe(list[bytes])


def test_every_key_has_words() -> None:
    for key, field in Config.model_fields.items():
        assert "<" not in describe(field.rebuild_annotation()), key


# ---------------------------------------------------------------------------------------------
# options over the file, and where each setting came from


class TestOverrides:
    def test_an_option_wins_over_the_file(self, tmp_path: Path) -> None:
        write(tmp_path / "contract-kit.toml", 'unplanned = "block"\nplan = "from-file"\n')
        loaded = load(directory=tmp_path, overrides={"unplanned": "allow", "plan": "mine"})
        assert loaded.config.unplanned == "allow"
        assert loaded.config.plan == "mine"

    def test_origins_name_default_file_and_option_for_every_key(self, tmp_path: Path) -> None:
        own = write(tmp_path / "contract-kit.toml", 'events = ["a"]\nunplanned = "block"\n')
        loaded = load(directory=tmp_path, overrides={"unplanned_properties": "block"})
        assert loaded.origins == {
            "user_id_attribute": "default",
            "events": str(own),
            "attributes": "default",
            "event_names": "default",
            "integrations": "default",
            "plan": "default",
            "unplanned": str(own),
            "unplanned_properties": "option --unplanned-properties",
            "exclude": "default",
        }

    def test_pyproject_origin_names_the_table(self, tmp_path: Path) -> None:
        pyproject = write(tmp_path / "pyproject.toml", '[tool.contract-kit]\nevents = ["a"]\n')
        loaded = load(directory=tmp_path)
        assert loaded.origins["events"] == f"{pyproject} [tool.contract-kit]"
        assert loaded.origins["attributes"] == "default"

    def test_without_a_file_or_options_everything_is_default(self, tmp_path: Path) -> None:
        assert set(load(directory=tmp_path).origins.values()) == {"default"}
        assert LoadedConfig(Config(), None).origins == dict.fromkeys(Config.model_fields, "default")

    def test_options_without_a_file(self, tmp_path: Path) -> None:
        loaded = load(directory=tmp_path, overrides={"unplanned": "block"})
        assert loaded.origin is None
        assert loaded.config.unplanned == "block"
        assert loaded.origins["unplanned"] == "option --unplanned"

    def test_a_bad_option_value_names_the_option_not_the_file(self, tmp_path: Path) -> None:
        write(tmp_path / "contract-kit.toml", 'unplanned = "block"\n')
        with pytest.raises(ConfigError) as caught:
            load(directory=tmp_path, overrides={"unplanned": "blok", "plan": ""})
        assert str(caught.value) == (
            'option --plan: expected a non-empty string (a folder), got ""\n'
            'option --unplanned: expected one of "allow", "warn", "block", got "blok"'
        )

    def test_a_bad_file_is_an_error_even_where_an_option_overrides_the_key(
        self, tmp_path: Path
    ) -> None:
        own = write(tmp_path / "contract-kit.toml", 'unplanned = "blok"\n')
        with pytest.raises(ConfigError) as caught:
            load(directory=tmp_path, overrides={"unplanned": "warn"})
        assert str(caught.value).startswith(f"{own}: key 'unplanned'")

    def test_a_bad_item_of_an_option_names_the_option_and_the_item(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError) as caught:
            load(directory=tmp_path, overrides={"exclude": ["*.tmp", ""]})
        assert str(caught.value) == (
            "option --exclude: key 'exclude[1]': expected a non-empty string, got \"\""
        )

    def test_an_unknown_override_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"^option --nope: unknown key 'nope'"):
            load(directory=tmp_path, overrides={"nope": 1})

    def test_option_flag(self) -> None:
        assert option_flag("unplanned_properties") == "--unplanned-properties"


class TestPlanFolder:
    def test_plan_in_the_file_is_relative_to_the_file(self, tmp_path: Path) -> None:
        conf = tmp_path / "conf"
        conf.mkdir()
        explicit = write(conf / "settings.toml", 'plan = "plans"\n')
        assert load(explicit=explicit).plan_folder() == conf / "plans"

    def test_plan_as_an_option_is_relative_to_the_working_directory(self, tmp_path: Path) -> None:
        conf = tmp_path / "conf"
        conf.mkdir()
        explicit = write(conf / "settings.toml", 'plan = "plans"\n')
        assert load(explicit=explicit, overrides={"plan": "mine"}).plan_folder() == Path("mine")

    def test_default_folder_only_when_it_exists(self, tmp_path: Path) -> None:
        assert load().plan_folder() is None
        (tmp_path / "tracking-plan").mkdir()
        assert load().plan_folder() == Path("tracking-plan")
