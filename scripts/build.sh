#!/usr/bin/env bash
# Configure and build one build type into build/<type>.  Usage: build.sh [Release|Asan|Debug]
set -euo pipefail
cd "$(dirname "$0")/.."
type=${1:-Release}
dir=build/$(echo "$type" | tr 'A-Z' 'a-z')
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DSW_WERROR=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null || cmake --build "$dir" -j1
echo "$dir"
