// FaultSyncPrefetch is header-only (`faultsync_prefetch` is static inline); SwiftPM needs one
// source file per C target.
#include "FaultSyncPrefetch.h"
