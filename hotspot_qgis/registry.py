"""The hotspot command line as the plugin sees it: the registry `hotspot help --json` prints, and
the arguments a set of option values makes. No QGIS here, so that it is tested without QGIS."""

import json
import os
import re
import shutil
import subprocess

# Options the plugin sets itself rather than asking for: QGIS's own dialogs have already asked
# before replacing a file, and the run's messages are what the Processing log shows.
SET_BY_PLUGIN = {"--overwrite": True, "--quiet": False}

# Option kinds whose values name files the command writes.
OUTPUT_KINDS = ("output-file", "output-folder")


def find_executable(setting=None):
    """The hotspot program: the provider's setting, else $HOTSPOT_EXECUTABLE, else PATH."""
    for candidate in (setting, os.environ.get("HOTSPOT_EXECUTABLE"), shutil.which("hotspot")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def load_registry(executable):
    """Every command and its options, as `hotspot help --json` describes them."""
    done = subprocess.run(
        [executable, "help", "--json"], capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{executable} help --json failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def asked_options(command):
    """The options a form asks for: all of the command's but those the plugin sets."""
    return [o for o in command["options"] if o["name"] not in SET_BY_PLUGIN]


def label(option):
    """A short label from the option's help: its first clause."""
    text = option["help"]
    for stop in (" (", "; ", ": ", ", e.g", ". "):
        at = text.find(stop)
        if 0 < at:
            text = text[:at]
    if len(text) > 70:
        text = text[:67].rsplit(" ", 1)[0] + "..."
    return text


def extensions(option):
    return [e for e in option.get("extensions", "").split("|") if e]


def split_values(text):
    """A repeatable option's values, as a form gives them: separated by ';'."""
    return [v.strip() for v in str(text).split(";") if v.strip()]


def number_text(value):
    """A number as the command line reads it: 50.0 is 50."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def extent_text(xmin, ymin, xmax, ymax):
    """--extent's form, xmin,ymin,xmax,ymax (QGIS writes extents xmin,xmax,ymin,ymax)."""
    return ",".join(number_text(v) for v in (xmin, ymin, xmax, ymax))


def build_arguments(command, values):
    """The command line for `values` (option name -> str, number, bool or list; None: not given),
    with the options the plugin sets."""
    values = dict(values)
    values.update(SET_BY_PLUGIN)
    positional, named = [], []
    for option in command["options"]:
        name = option["name"]
        value = values.get(name)
        if value is None or value == "" or value == []:
            continue
        if option["kind"] == "flag":
            if value:
                named.append(name)
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, bool):
                item = "true" if item else "false"
            elif isinstance(item, (int, float)):
                item = number_text(item)
            if name.startswith("--"):
                named += [name, str(item)]
            else:
                positional.append(str(item))
    return [command["name"]] + positional + named


_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%")


def progress_of(line):
    """The percentage a progress line reports, or None."""
    match = _PERCENT.search(line)
    if match and float(match.group(1)) <= 100:
        return float(match.group(1))
    return None
