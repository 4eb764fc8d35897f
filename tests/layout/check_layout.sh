#!/usr/bin/env bash
# The folder map holds: an include that goes the wrong way does not compile, only the panel
# folder includes libcurl's headers, and no source file in pusher/ is longer than 350 lines;
# the README fits two screens and every link of the documentation resolves.
# Usage: check_layout.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1 build=$2
status=0

out=$(cmake --build "$build" --target layout_probe_core_includes_panel 2>&1)
if [ $? -eq 0 ]; then
  echo "FAIL: a core file could include panel/panel_client.hpp"; status=1
elif ! grep -q 'panel/panel_client.hpp: No such file or directory' <<<"$out"; then
  echo "FAIL: the probe failed for another reason:"; echo "$out" | tail -20; status=1
else
  echo "ok: core cannot include the panel's headers"
fi

# Every folder against the map in docs/development.md: one probe per folder it may not use.
python3 "$src/tests/layout/check_map.py" "$src" "$build" || status=1

curl_users=$(grep -rln '#include <curl/' "$src/common" "$src/event" "$src/plugin" "$src/pusher" | grep -v "^$src/pusher/panel/")
if [ -n "$curl_users" ]; then
  echo "FAIL: libcurl's headers outside pusher/panel: $curl_users"; status=1
else
  echo "ok: only pusher/panel includes <curl/...>"
fi

long=$(find "$src/pusher" \( -name '*.cpp' -o -name '*.hpp' \) -exec awk 'END { if (NR > 350) print FILENAME ": " NR " lines" }' {} \;)
if [ -n "$long" ]; then
  echo "FAIL: longer than 350 lines:"; echo "$long"; status=1
else
  echo "ok: no file in pusher/ over 350 lines"
fi
# README.md stays short (what it is, the two commands, install, where to read on) and every
# link in it and in docs/ resolves.
readme_lines=$(wc -l < "$src/README.md")
if [ "$readme_lines" -gt 200 ]; then
  echo "FAIL: README.md has $readme_lines lines (at most 200; the rest belongs in docs/)"; status=1
else
  echo "ok: README.md has $readme_lines lines"
fi
python3 "$src/tests/layout/check_links.py" "$src" || status=1
exit $status
