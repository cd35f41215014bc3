#pragma once

#include <QString>

namespace resosync::metrics {

// The figures of the seed's summary block, formatted once: RunReport::toText and the
// console's KPI tiles both call these, so a tile always reads exactly as the report's line.

/// "0.4ms" under 10 ms (statements often take well under that), "1250ms" above.
QString formatMillis(double ms);

/// `part` of `whole` as a whole percent ("98%"), "n/a" when `whole` is 0. Never rounds a
/// rare event away: 999 of 1000 is "99.9%", 1 of 1000 is "0.1%".
QString formatPercentOf(qint64 part, qint64 whole);

/// A percentage already computed (parallel efficiency): "87%".
QString formatWholePercent(double percent);

/// Megabytes, rounded to whole: "245MB".
QString formatWholeMb(double mb);

/// Bytes as megabytes with one decimal and a space: "12.3 MB" (the API line's volume).
QString formatBytesAsMb(qint64 bytes);

/// Batches run, with the failed ones when there are any: "12 batches (2 failed)".
QString formatBatches(qint64 count, qint64 failed);

/// Records per second, rounded, with US thousands separators: "41,000".
QString formatRecordsPerSecond(double recordsPerSecond);

/// Time since the run started: "4:05" (m:ss), "1:02:05" (h:mm:ss) from an hour on.
QString formatElapsed(qint64 ms);

} // namespace resosync::metrics
