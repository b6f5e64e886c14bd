#!/usr/bin/env python3
"""Runs the README's examples that use the shipped data, exactly as written (with `hotspot` the
built binary), each in a fresh folder where `data/` is the project's: README stays true.

An example is left out, and named, when it needs what is not shipped: "..." for options left out,
~/ or downloads/ folders, PostgreSQL connections, mpirun, or any other input path that does not
exist; and when README marks it "# slow" (a minute or more: the comment names the test that runs
the same command on smaller data). Usage: readme_examples.py HOTSPOT_BINARY SOURCE_DIR
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile

binary, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
text = open(os.path.join(source, "README.md"), encoding="utf-8").read()

examples = []
for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
    for line in block.replace("\\\n", " ").split("\n"):
        line, _, comment = line.partition("  #")
        line = line.strip()
        if line.startswith("hotspot "):
            examples.append((line, comment.strip().startswith("slow")))

# The options whose values are files read (outputs are made in the run's folder).
INPUTS = {"--offences", "--offences-after", "--test-offences", "--areas", "--boundaries",
          "--places", "--aliases", "--categories", "--basemap", "--forecast", "--hotspots"}
SHIPPED = {"ons-css", "ons-css-codes", "streets"}

ran, left_out, failed = 0, [], []
for example, slow in examples:
    if slow:
        left_out.append((example, "a minute or more, marked slow"))
        continue
    words = shlex.split(example)
    inputs = [words[i + 1] for i in range(1, len(words) - 1) if words[i] in INPUTS]
    if words[1] == "batch":
        inputs.append(words[2])
    why = ("'...'" if "..." in words else
           "a PostgreSQL database" if any(w.startswith("PG:") for w in inputs) else
           next((w for w in inputs if w not in SHIPPED and w.split(":")[0] not in SHIPPED and
                 not os.path.exists(os.path.join(source, w))), None))
    if why:
        left_out.append((example, why))
        continue
    with tempfile.TemporaryDirectory() as folder:
        os.symlink(os.path.join(source, "data"), os.path.join(folder, "data"))
        done = subprocess.run([binary] + words[1:] + ["--quiet"], cwd=folder,
                              capture_output=True, text=True)
    ran += 1
    if done.returncode != 0:
        failed.append((example, done.returncode, done.stderr.strip()))

for example, why in left_out:
    print("left out (needs %s): %s" % (why, example[:100]))
for example, code, error in failed:
    print("FAILED (exit %d): %s\n  %s" % (code, example, error))
print("%d passed, %d failed" % (ran - len(failed), len(failed)))
sys.exit(1 if failed or ran == 0 else 0)
