#!/usr/bin/env bash
# Fails, naming each difference, when a C++ file is not as clang-format (.clang-format)
# writes it. Part of the test suite (ctest: style.clang_format).
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
else
  mapfile -t files < <(find common event plugin pusher tests bench -name '*.cpp' -o -name '*.hpp')
fi
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files as formatted"
