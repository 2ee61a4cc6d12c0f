#ifndef FAULTSYNC_LIBFUZZER_H
#define FAULTSYNC_LIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's own mutator, callable from a custom mutator (defined by libFuzzer when the
/// binary is linked with -sanitize=fuzzer; only referenced in -DFUZZING builds).
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

#endif
