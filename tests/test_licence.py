"""The distribution is GPL-2.0-only, as Beancount, which it imports, is."""

import tomllib

from tests.conftest import ROOT


def test_the_licence_is_gpl_2_only_in_the_file_and_the_metadata():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "GPL-2.0-only"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 2, June 1991" in text
