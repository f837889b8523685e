"""Contract §3: where the outbound settings are found, and which settings are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_kit.config import Config, ConfigError, LoadedConfig, load, parse

LOOP_PREVENTION = {
    "Salesforce (Actions)": False,
    "Salesforce Marketing Cloud (Actions)": False,
    "Antavo (Actions)": False,
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


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
        ("line", "key"),
        [
            ('events = "point_add"', "events"),
            ("events = [1, 2]", "events"),
            ("attributes = true", "attributes"),
            ("user_id_attribute = 12", "user_id_attribute"),
            ('event_names = ["point_add"]', "event_names"),
            ("event_names = { point_add = 1 }", "event_names"),
            ('integrations = { Mixpanel = "off" }', "integrations"),
            ("integrations = [1]", "integrations"),
        ],
    )
    def test_wrong_type_names_the_key_and_the_file(
        self, tmp_path: Path, line: str, key: str
    ) -> None:
        own = write(tmp_path / "contract-kit.toml", line + "\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        message = str(caught.value)
        assert key in message
        assert str(own) in message

    def test_wrong_type_in_pyproject_names_that_file(self, tmp_path: Path) -> None:
        pyproject = write(tmp_path / "pyproject.toml", "[tool.contract-kit]\nevents = 3\n")
        with pytest.raises(ConfigError) as caught:
            load(explicit=None, directory=tmp_path)
        assert "events" in str(caught.value)
        assert str(pyproject) in str(caught.value)

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
        assert name in str(caught.value)
        assert str(own) in str(caught.value)

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
