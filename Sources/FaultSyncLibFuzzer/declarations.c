// Declarations only (see include/FaultSyncLibFuzzer.h); SwiftPM needs one source file per C target.
#include "FaultSyncLibFuzzer.h"
