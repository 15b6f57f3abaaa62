#!/usr/bin/env bash
# Regenerates src/main/java/dev/msfs/fuse/ffi from native-headers/msfs_fuse.h.
# Needs jextract (openjdk/jextract, built against libclang 16, run on Java 25) on PATH and
# Debian's libfuse3-dev 3.14 headers. The output is committed and never edited by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jextract >/dev/null || { echo "jextract not on PATH" >&2; exit 1; }
rm -rf src/main/java/dev/msfs/fuse/ffi
jextract -I /usr/include/fuse3 \
  --output src/main/java \
  --target-package dev.msfs.fuse.ffi \
  --header-class-name FuseLowLevel \
  --library :libfuse3.so.3 \
  @jextract/fuse.args \
  native-headers/msfs_fuse.h
