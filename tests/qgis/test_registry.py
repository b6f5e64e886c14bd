"""The plugin's translation of forms into command lines, without QGIS: against the registry the
hotspot program prints."""

import json
import os
import subprocess

import pytest

from hotspot_qgis import registry

HOTSPOT = os.environ["HOTSPOT_BINARY"]


@pytest.fixture(scope="module")
def commands():
    described = registry.load_registry(HOTSPOT)
    return {c["name"]: c for c in described["commands"]}


def test_the_registry_is_the_programs_own(commands):
    printed = json.loads(subprocess.run([HOTSPOT, "help", "--json"], capture_output=True,
                                        text=True, check=True).stdout)
    assert list(commands) == [c["name"] for c in printed["commands"]]
    assert registry.find_executable(HOTSPOT) == HOTSPOT


def test_a_form_makes_the_command_line_an_analyst_would_type(commands):
    kde = commands["kde"]
    arguments = registry.build_arguments(kde, {
        "--offences": "sept.csv",
        "--cell": 50.0,
        "--bandwidth": "400",
        "--extent": registry.extent_text(570000, 150000, 580000, 160000.5),
        "--crime-type": ["Burglary", "Vehicle crime"],
        "--adaptive": False,
        "--untimed": "drop",
        "--out": "/tmp/x.tif",
        "--threads": None,
    })
    expected = ["--offences", "sept.csv", "--crime-type", "Burglary", "--crime-type",
                "Vehicle crime", "--untimed", "drop", "--bandwidth", "400", "--extent",
                "570000,150000,580000,160000.5", "--cell", "50", "--out", "/tmp/x.tif",
                "--overwrite"]
    assert arguments[0] == "kde" and sorted(arguments[1:]) == sorted(expected)
    assert arguments.index("Burglary") < arguments.index("Vehicle crime")
    # Flags appear only when set; the batch's file is positional.
    assert "--adaptive" in registry.build_arguments(kde, {"--adaptive": True})
    batch = registry.build_arguments(commands["batch"], {"file": "week.toml", "--out": "w"})
    assert batch[:2] == ["batch", "week.toml"]


def test_the_plugin_sets_overwrite_and_asks_the_rest(commands):
    for command in commands.values():
        asked = {o["name"] for o in registry.asked_options(command)}
        every = {o["name"] for o in command["options"]}
        assert every - asked <= set(registry.SET_BY_PLUGIN)
        assert "--overwrite" not in asked


def test_values_as_the_command_line_reads_them():
    assert registry.number_text(50.0) == "50"
    assert registry.number_text(12.5) == "12.5"
    assert registry.split_values("Burglary; Vehicle crime;") == ["Burglary", "Vehicle crime"]
    assert registry.progress_of("progress kde kernel 42%") == 42
    assert registry.progress_of("wrote out.tif (0.15 s)") is None
    assert registry.label({"help": "Cell size in metres (default: 250)"}) == "Cell size in metres"
    assert registry.label({"help": "Name of the area, e.g. Maidstone"}) == "Name of the area"


def test_progress_comes_as_lines_for_a_front_end(tmp_path):
    source = os.environ["HOTSPOT_SOURCE_DIR"]
    done = subprocess.run(
        [HOTSPOT, "kde", "--offences", f"{source}/data/police_uk/2019-09-kent-street.csv",
         "--cell", "25", "--bandwidth", "300", "--extent", "570000,150000,580000,160000",
         "--out", str(tmp_path / "d.tif")],
        capture_output=True, text=True, env=dict(os.environ, HOTSPOT_PROGRESS="lines"))
    assert done.returncode == 0, done.stderr
    stages = {}
    for line in done.stderr.splitlines():
        if line.startswith("progress "):
            stages.setdefault(line.split()[1], []).append(registry.progress_of(line))
    # Each stage counts up to 100 on its own.
    assert set(stages) == {"reading", "density"}
    for percents in stages.values():
        assert percents[-1] == 100 and percents == sorted(percents)
