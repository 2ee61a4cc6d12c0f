// FaultSyncPrefetch: `faultsync_prefetch` is static inline in the header; `faultsync_mremap` is
// here, where _GNU_SOURCE can be defined before <sys/mman.h> (mremap is a GNU extension).
#if defined(__linux__)
#define _GNU_SOURCE
#include <sys/mman.h>
#endif
#include "FaultSyncPrefetch.h"

#if defined(__linux__)
void *faultsync_mremap(void *p, size_t old_size, size_t new_size) {
    return mremap(p, old_size, new_size, MREMAP_MAYMOVE);
}
#endif
