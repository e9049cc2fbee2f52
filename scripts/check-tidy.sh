#!/usr/bin/env bash
# clang-tidy-22 with the root .clang-tidy over the C++ sources of the tree.
#
#   scripts/check-tidy.sh BUILD_DIR [FILES...]
#
# BUILD_DIR holds the compile_commands.json to read, and must have been built
# (the TableGen outputs and precompiled headers the sources include). A Clang
# build is best (scripts/build.sh --sanitize: build-sanitize); a GCC one works
# too, its flags that Clang does not know and its ignored GCC precompiled
# headers silenced. FILES default to every tracked .cpp in the compile
# database. Runs $(nproc) clang-tidy processes; prints each warning once (a
# header's warning is reported by every source including it; the full
# report with notes and code: clang-tidy-22 -p BUILD_DIR FILE) and exits 1 if
# there is any. One source takes up to 30 s of CPU: not part of
# scripts/test.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: scripts/check-tidy.sh BUILD_DIR [FILES...]" >&2
  exit 2
fi
build="$(cd "$1" && pwd)"
shift
db="$build/compile_commands.json"
tool="$(command -v clang-tidy-22 || true)"
if [ -z "$tool" ]; then
  echo "check-tidy: error: clang-tidy-22 not found (apt-get install" \
    "clang-tidy-22)" >&2
  exit 2
fi
if [ ! -f "$db" ]; then
  echo "check-tidy: error: no $db (configure BUILD_DIR with" \
    "CMake first)" >&2
  exit 2
fi

files=()
if [ $# -gt 0 ]; then
  for f in "$@"; do files+=("$(realpath "$f")"); done
else
  # The tracked sources the database compiles: not the generated ones (the
  # precompiled-header stubs) under the build folder.
  mapfile -t files < <(python3 - "$root" "$db" <<'EOF'
import json, os, subprocess, sys
root, db = sys.argv[1], sys.argv[2]
tracked = subprocess.run(["git", "-C", root, "ls-files", "-z", "*.cpp"],
                         capture_output=True, check=True).stdout.decode()
tracked = {os.path.join(root, n) for n in tracked.split("\0") if n}
compiled = {os.path.normpath(os.path.join(e["directory"], e["file"]))
            for e in json.load(open(db))}
print("\n".join(sorted(tracked & compiled)))
EOF
  )
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "check-tidy: error: no sources to check" >&2
  exit 2
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# One log per source. A GCC database: Clang ignores GCC's .gch precompiled
# headers (parsing the header instead) and does not know some GCC warnings.
printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$(nproc)" sh -c '
  log="$1/$(echo "$3" | tr / _).log"
  "$0" -p "$2" --quiet --extra-arg=-Wno-ignored-gch \
    --extra-arg=-Wno-unknown-warning-option "$3" >"$log" 2>&1 ||
    echo "Error: clang-tidy exited with $? on $3" >>"$log"
' "$tool" "$out" "$build" || true

# Each diagnostic once, by file and line; clang-tidy's own errors (a source
# that does not compile, a bad configuration) too.
diagnostics="$(cat "$out"/*.log |
  grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): |^Error' |
  sort -u | sort -t: -k1,1 -k2,2n -k3,3n || true)"
count=0
if [ -n "$diagnostics" ]; then
  printf '%s\n' "$diagnostics"
  count="$(printf '%s\n' "$diagnostics" | wc -l)"
fi
echo "check-tidy: ${#files[@]} file(s), $count warning(s)"
[ "$count" -eq 0 ]
