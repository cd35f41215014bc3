#pragma once

#include <QHash>
#include <QUrl>

#include "sim/SimulatorStats.h"

#include "metrics/RunReport.h"
#include "reso/Resource.h"
#include "sim/SimulatorOptions.h"
#include "sync/SyncEngine.h"

#include <QMap>
#include <QSet>
#include <QString>

#include <functional>

namespace resosync::sim {
class FeedSimulator;
}

namespace resosync::test {

/// Small sizes, so that paging, key splitting and chunking all happen many times: pages of 25,
/// batches of 40 listings, chunks of 7 rows, no throttle, three batches in flight.
inline const sync::SyncSettings kSmallSizes{25, 40, 7, 0, 3};

/// How an in-process sync ended, with what its recorder held when it finished: the figures a
/// test compares with what was saved.
struct SyncOutcome {
    sync::RunOutcome outcome = sync::RunOutcome::Failed;
    metrics::RunReport report;
    QHash<QString, QList<metrics::SeriesPoint>> series; ///< every non-empty series, by name
    QList<metrics::RunEvent> events; ///< marked on the run's charts (settings, circuit breaker)
    QStringList log;                 ///< the engine's log lines, "level: message"

    bool eventsContain(const QString &text) const;
    bool logContains(const QString &text) const;
};

/// A request for all four resources from the in-process `simulator` into `conninfo`, with the
/// simulator's profile and `settings`.
sync::SyncRequest simulatorRequest(const sim::FeedSimulator &simulator, const QString &conninfo,
                                   sync::SyncMode mode,
                                   const sync::SyncSettings &settings = kSmallSizes);

/// `resosync-cli sync` arguments for the simulator feed: --api, --db, --profile simulator,
/// --mode `mode`, --quiet, no throttle, and `sizes` (e.g. {"--batch-size", "25"}).
QStringList cliSyncArguments(const QUrl &feed, const QString &conninfo, const QString &mode,
                             const QStringList &sizes = {});

/// The simulator's fault counters as compact JSON (for the tests' qInfo lines).
QString faultCounters(const sim::SimulatorStats &stats);

/// The simulator's options for tests: `properties` listings drawn from `seed`.
sim::SimulatorOptions simulatorOptions(int properties, quint64 seed = 3);

/// Runs one sync in this process (as the console does) and waits for its end, at most four
/// minutes; `during` runs right after start (to cancel, pause, change settings).
SyncOutcome runSync(const sync::SyncRequest &request,
                    const std::function<void(sync::SyncEngine &)> &during = {});

/// "outcome N, problems: ..." for a failed check's message.
QString describe(const SyncOutcome &outcome);

/// Installs the schema; empty when it worked, else the error message.
QString applySchema(const QString &conninfo);

/// The rows stored now, per resource.
QMap<reso::Resource, qint64> rowCounts(const QString &conninfo);

} // namespace resosync::test
