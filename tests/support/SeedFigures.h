#pragma once

#include "metrics/MetricsSnapshot.h"

namespace resosync::test {

/// The figures of the seed's example summary block (45 API requests, 156 queries, 245 MB,
/// 12 batches, 1250 validations; 20,000 listings and 500,000 media): a realistic snapshot
/// for report tests.
metrics::MetricsSnapshot seedLikeSnapshot();

} // namespace resosync::test
