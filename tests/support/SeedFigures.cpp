#include "SeedFigures.h"

namespace resosync::test {

using namespace metrics;

MetricsSnapshot seedLikeSnapshot() {
    MetricsSnapshot m;
    m.elapsedMs = 12400;
    m.api = ApiSummary{45, 44, 1, 3, 0, 1250, 900, 2100, 3000, 12897485};
    m.db.queries = 156;
    m.db.succeeded = 156;
    m.db.avgMs = 85;
    m.db.p95Ms = 140;
    m.memory = MemorySummary{245, 312, 280};
    m.batches.count = 12;
    m.batches.avgMs = 8900;
    m.batches.parallelMax = 3;
    m.batches.parallelEfficiency = 92.2;
    m.batches.recordsPerSecond = 41000;
    m.validation = ValidationSummary{1250, 1088};
    m.resources[0] = ResourceProgress{20000, 20000, 0, 0, 20000, true};
    m.resources[1] = ResourceProgress{500000, 499990, 12, 10, -1, true};
    return m;
}

} // namespace resosync::test
