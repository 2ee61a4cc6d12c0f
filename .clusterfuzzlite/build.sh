#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build of the faultsync fuzz targets, following the OSS-Fuzz Swift
# convention: source precompile_swift (sets $SWIFTFLAGS), build with $SWIFTFLAGS, copy each fuzzer,
# its dictionary, its .options and a seed-corpus zip to $OUT. Targets: faultsync_fuzz (schedules
# over the model) and faultsync_text_fuzz (the text-form parser: never traps, round-trips).
# It also runs outside Docker, e.g.:
#   OUT=/tmp/out SRC=/tmp/src SWIFTFLAGS="--sanitize=fuzzer" .clusterfuzzlite/build.sh
if [ -f /usr/local/bin/precompile_swift ] || command -v precompile_swift >/dev/null 2>&1; then
  . precompile_swift
fi
: "${OUT:?set OUT to the output directory}"
: "${SWIFTFLAGS:=--sanitize=fuzzer}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -n "${SRC:-}" ] && [ -f "$SRC/faultsync/Package.swift" ]; then cd "$SRC/faultsync"; else cd "$here"; fi
mkdir -p "$OUT"
# -DFUZZING drops the standalone main so libFuzzer's main links (see Sources/FaultSyncFuzz).
# shellcheck disable=SC2086
swift build -c release $SWIFTFLAGS -Xswiftc -DFUZZING --product FaultSyncFuzz --scratch-path .build-ossfuzz
# shellcheck disable=SC2086
swift build -c release $SWIFTFLAGS -Xswiftc -DFUZZING --product FaultSyncTextFuzz --scratch-path .build-ossfuzz
cp .build-ossfuzz/release/FaultSyncFuzz "$OUT/faultsync_fuzz"
cp .build-ossfuzz/release/FaultSyncTextFuzz "$OUT/faultsync_text_fuzz"
printf '[libfuzzer]\nmax_len = 512\n' > "$OUT/faultsync_text_fuzz.options"
cp scripts/faultsync.dict "$OUT/faultsync_fuzz.dict"
cp scripts/faultsync.options "$OUT/faultsync_fuzz.options"
rm -f "$OUT/faultsync_fuzz_seed_corpus.zip"
rm -f "$OUT/faultsync_text_fuzz_seed_corpus.zip"
if command -v zip >/dev/null 2>&1; then
  zip -j -q "$OUT/faultsync_fuzz_seed_corpus.zip" corpus/seeds/*.bin
  zip -j -q "$OUT/faultsync_text_fuzz_seed_corpus.zip" corpus/seeds/*.txt
else
  python3 -m zipfile -c "$OUT/faultsync_fuzz_seed_corpus.zip" corpus/seeds/*.bin
  python3 -m zipfile -c "$OUT/faultsync_text_fuzz_seed_corpus.zip" corpus/seeds/*.txt
fi
