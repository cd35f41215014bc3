#pragma once

#include <QString>

#include <cstddef>

namespace resosync::process {

/// What tuneMalloc() did, for a log line or a test.
struct MallocTuning {
    bool applied = false; ///< false: left as it was (see reason)
    int arenas = 0;       ///< the arena limit set, when applied
    QString reason;       ///< why, in words for a reader of the log
};

/// Blocks up to this size come from the heap once tuned; a larger one is mapped (and unmapped
/// when freed) unless a free heap already holds it.
constexpr std::size_t kHeapBlockLimit = 4 * 1024 * 1024;
/// Free memory at the top of a heap beyond this goes back to the system once tuned.
constexpr std::size_t kHeapTrimThreshold = 16 * 1024 * 1024;

/// Fixes glibc's malloc settings so that peak memory follows the data a sync holds, not the
/// length of the run. Call it first thing in main(), before any thread starts: an arena, once
/// made, is never given back. docs/PERFORMANCE.md has the measurements behind it.
///
/// - One arena per core (`arenas`). glibc gives each new thread an arena of its own, up to
///   eight per core, and each keeps what was freed in it; a sync's threads (network, pool
///   workers and the replacements the pool starts for idle ones) each spread buffers over
///   their own. Small allocations stay lock-free in each thread's cache.
/// - Fixed thresholds instead of glibc's sliding ones. glibc raises its mmap threshold to the
///   size of any mapped block freed, and its trim threshold to twice that: after one freed
///   Property-page parser buffer (about 30 MB), every block under 30 MB came from the heaps,
///   each heap kept up to 60 MB free at its top, and a long run's peak crept up through Media.
///   Now page bodies and a page's records (under kHeapBlockLimit) come from the heap, with no
///   page faults per page; parse buffers, resized rarely, are mapped and given back whole when
///   they shrink; free heap top beyond kHeapTrimThreshold goes back to the system.
///
/// An explicit choice wins: with MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_,
/// MALLOC_TRIM_THRESHOLD_ or a glibc.malloc tunable in GLIBC_TUNABLES set, nothing changes.
/// Elsewhere than glibc it does nothing.
MallocTuning tuneMalloc(int arenas);

/// The number of malloc arenas (heaps) this process has made so far; -1 where unknown.
int mallocArenaCount();

} // namespace resosync::process
