#pragma once

#include "metrics/MetricsSnapshot.h"
#include "metrics/RunReport.h"
#include "sync/SyncEngine.h"

#include <QHash>
#include <QList>
#include <QString>

#include <functional>

namespace resosync::sim {
class FeedSimulator;
}

namespace resosync::test {

/// A sync that ran to its end, with what its recorder held when it finished: the figures a
/// test compares with what was saved.
struct FinishedSync {
    sync::RunOutcome outcome = sync::RunOutcome::Failed;
    metrics::RunReport report;
    QHash<QString, QList<metrics::SeriesPoint>> series; ///< every non-empty series, by name
    QList<metrics::RunEvent> events;
};

/// A request for all four resources of `simulator` into `conninfo` with `settings`.
sync::SyncRequest simulatorRequest(const sim::FeedSimulator &simulator, const QString &conninfo,
                                   sync::SyncMode mode, const sync::SyncSettings &settings);

/// Runs one sync through the engine as the console does, calling `during` (if given) right
/// after start, and waits up to four minutes for it to finish.
FinishedSync runSync(const sync::SyncRequest &request,
                     const std::function<void(sync::SyncEngine &)> &during = {});

} // namespace resosync::test
