#!/usr/bin/env python3
"""Every relative link in README.md and docs/*.md resolves: the file exists, and an anchor names
a heading of that file (GitHub's slugs). Usage: check_links.py SOURCE_DIR"""
import glob
import os
import re
import sys


def slug(heading):
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path):
    with open(path) as f:
        return {slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", f.read(), re.M)}


def main(src):
    pages = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
    broken = []
    for page in pages:
        with open(page) as f:
            text = f.read()
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, mailto:: not ours to check offline
            path, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            if not os.path.exists(dest):
                broken.append(f"{os.path.relpath(page, src)}: {target}: no such file")
            elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                broken.append(f"{os.path.relpath(page, src)}: {target}: no such heading")
    print("\n".join(f"FAIL: {b}" for b in broken) if broken else
          f"ok: every link in README.md and docs/ resolves ({len(pages)} pages)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
