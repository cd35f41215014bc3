#pragma once

#include "metrics/MetricsSnapshot.h"
#include "metrics/RunReport.h"
#include "sim/SimulatorStats.h"
#include "sync/SyncEngine.h"

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>

namespace resosync::sim {
class FeedSimulator;
}

namespace resosync::test {

/// How a sync run in the test's process ended, and what it said on the way.
struct SyncOutcome {
    sync::RunOutcome outcome = sync::RunOutcome::Failed;
    metrics::RunReport report;
    QList<metrics::RunEvent> events; ///< marked on the run's charts (settings, circuit breaker)
    QStringList log;                 ///< the engine's log lines, "level: message"
    bool eventsContain(const QString &text) const;
    bool logContains(const QString &text) const;
};

/// A request for the simulator feed with small sizes, so that paging, key splitting and
/// chunking all happen many times: pages of 25, batches of 40 listings, chunks of 7 rows,
/// no throttle, three batches in flight.
sync::SyncRequest simulatorRequest(const sim::FeedSimulator &simulator, const QString &conninfo,
                                   sync::SyncMode mode);

/// `resosync-cli sync` arguments for the simulator feed: --api, --db, --profile simulator,
/// --mode `mode`, --quiet, no throttle, and `sizes` (e.g. {"--batch-size", "25"}).
QStringList cliSyncArguments(const QUrl &feed, const QString &conninfo, const QString &mode,
                             const QStringList &sizes = {});

/// Runs one sync on this thread's event loop; `during` runs once the engine has started.
SyncOutcome runSync(const sync::SyncRequest &request,
                    const std::function<void(sync::SyncEngine &)> &during = {});

/// Installs the schema; empty on success, else the error.
QString applySchema(const QString &conninfo);

/// Empty when every resource in the replica equals the feed (ReplicaCheck::compareReplica).
QString compareAll(const sim::FeedSimulator &simulator, const QString &conninfo,
                   const QSet<QString> &absentFromReplica = {});

/// "outcome N, problems: ..." for a failure message.
QString describe(const SyncOutcome &outcome);

/// The simulator's fault counters as compact JSON (for the tests' qInfo lines).
QString faultCounters(const sim::SimulatorStats &stats);

} // namespace resosync::test
