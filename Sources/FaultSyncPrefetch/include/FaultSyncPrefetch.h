#ifndef FAULTSYNC_PREFETCH_H
#define FAULTSYNC_PREFETCH_H

#include <stddef.h>

/// A prefetch hint (Swift has none): the checker asks for a successor's visited-table bucket
/// while it builds the next successor, so that the table's cache misses overlap with work.
static inline void faultsync_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

#if defined(__linux__)
/// `mremap(p, old, new, MREMAP_MAYMOVE)`: Swift cannot call the variadic C declaration. Grows the
/// checker's frontier by moving its pages, not copying its bytes. MAP_FAILED ((void *)-1) on
/// failure.
void *faultsync_mremap(void *p, size_t old_size, size_t new_size);
#endif

#endif
