#ifndef FAULTSYNC_PREFETCH_H
#define FAULTSYNC_PREFETCH_H

/// A prefetch hint (Swift has none): the checker asks for a successor's visited-table bucket
/// while it builds the next successor, so that the table's cache misses overlap with work.
static inline void faultsync_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

#endif
