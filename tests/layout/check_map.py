#!/usr/bin/env python3
"""The folder map in docs/development.md, checked as drawn: for every folder that compiles
sources, an include of each project folder outside what it may use (its row, and what those
folders may use in turn, since their headers include them) must not compile with the flags
the build gives that folder's sources (compile_commands.json). One probe per such pair; and
one include of the folder's own header that must compile, so no probe fails for a reason of
its own. Usage: check_map.py SOURCE_DIR BUILD_DIR"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

FOLDERS = ["common", "event", "plugin", "base", "core", "query", "openvpn", "wireguard", "records",
           "panel", "metrics", "mgmt_proxy", "config", "setup", "daemon", "commands"]


def path_of(src, folder):
    top = os.path.join(src, folder)
    return top if os.path.isdir(top) else os.path.join(src, "pusher", folder)


def read_map(src):
    """{folder: set of folders its row says it may use}."""
    with open(os.path.join(src, "docs", "development.md")) as f:
        text = f.read()
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\| `(?:pusher/)?(\w+)/` \| .* \| ([^|]*) \|$", line)
        if not m or m.group(1) not in FOLDERS:
            continue
        folder, uses = m.group(1), m.group(2)
        if "all of the above" in uses:
            rows[folder] = set(FOLDERS[:FOLDERS.index(folder)]) - {"plugin"}
        else:
            rows[folder] = {w for w in re.findall(r"\w+", re.sub(r"\(.*?\)", "", uses)) if w in FOLDERS}
    return rows


def closure(rows, folder):
    seen, todo = set(), [folder]
    while todo:
        for used in rows.get(todo.pop(), ()):
            if used not in seen:
                seen.add(used)
                todo.append(used)
    return seen | {folder}


def compile_command(build, src, folder):
    """The build's command for one source of `folder`, as an argument list."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    prefix = path_of(src, folder) + os.sep
    for e in entries:
        if os.path.realpath(e["file"]).startswith(os.path.realpath(prefix)):
            return shlex.split(e["command"]), e["file"], e["directory"]
    return None


def probe(cmd, source, directory, include, scratch):
    """Compiles `#include "include"` with `cmd`'s flags: (compiled, output)."""
    probe_file = os.path.join(scratch, "probe.cpp")
    with open(probe_file, "w") as f:
        f.write(f'#include "{include}"\n')
    args = []
    skip = False
    for a in cmd:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a == source or os.path.realpath(a) == os.path.realpath(source):
            continue
        args.append(a)
    done = subprocess.run(args + ["-fsyntax-only", probe_file], cwd=directory, capture_output=True, text=True)
    return done.returncode == 0, done.stderr


def main(src, build):
    rows = read_map(src)
    missing = [f for f in FOLDERS if f not in rows]
    if missing:
        print(f"FAIL: the map in docs/development.md has no row for {', '.join(missing)}")
        return 1
    failures, probes = [], 0
    with tempfile.TemporaryDirectory() as scratch:
        for folder in FOLDERS:
            found = compile_command(build, src, folder)
            if not found:
                continue  # no compiled source (common/: headers only)
            cmd, source, directory = found
            own = sorted(glob.glob(os.path.join(path_of(src, folder), "*.hpp")))
            ok, out = probe(cmd, source, directory, f"{folder}/{os.path.basename(own[0])}", scratch)
            if not ok:
                failures.append(f"{folder}: its own header does not compile alone:\n{out[-600:]}")
                continue
            allowed = closure(rows, folder)
            for other in FOLDERS:
                if other in allowed:
                    continue
                header = sorted(glob.glob(os.path.join(path_of(src, other), "*.hpp")))
                if not header:
                    continue
                include = f"{other}/{os.path.basename(header[0])}"
                probes += 1
                ok, out = probe(cmd, source, directory, include, scratch)
                if ok:
                    failures.append(f"{folder} may not use {other}, yet `#include \"{include}\"` compiles there")
                elif f"{include}: No such file or directory" not in out:
                    failures.append(f"{folder}: the probe of {include} failed for another reason:\n{out[-600:]}")
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print(f"ok: the folder map holds as drawn ({probes} probes: each include outside a folder's map is refused)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
