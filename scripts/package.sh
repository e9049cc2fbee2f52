#!/usr/bin/env bash
# Builds the Debian package of Rescale (docs/install.md): installs what is
# missing (scripts/setup.sh), builds into ${RESCALE_BUILD_DIR:-build}
# (scripts/build.sh), then `cpack -G DEB` there. Prints the .deb's path;
#   apt-get install ./rescale_<version>_amd64.deb
# installs it under /usr with its dependencies.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
RESCALE_BUILD_DIR="$build" bash "$root/scripts/build.sh"
(cd "$build" && cpack -G DEB >/dev/null)
ls "$build"/rescale_*.deb
