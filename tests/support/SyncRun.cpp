#include "SyncRun.h"

#include "metrics/MetricsRecorder.h"
#include "sim/FeedSimulator.h"

#include <QSignalSpy>

namespace resosync::test {

using namespace Qt::StringLiterals;

sync::SyncRequest simulatorRequest(const sim::FeedSimulator &simulator, const QString &conninfo,
                                   sync::SyncMode mode, const sync::SyncSettings &settings) {
    sync::SyncRequest request;
    request.feedUrl = simulator.baseUrl();
    request.conninfo = conninfo;
    request.profile = *reso::FeedProfile::byName(u"simulator"_s);
    request.resources =
        QList<reso::Resource>(reso::kAllResources.begin(), reso::kAllResources.end());
    request.mode = mode;
    request.settings = settings;
    return request;
}

FinishedSync runSync(const sync::SyncRequest &request,
                     const std::function<void(sync::SyncEngine &)> &during) {
    sync::SyncEngine engine(request);
    QSignalSpy finished(&engine, &sync::SyncEngine::finished);
    engine.start();
    if (during)
        during(engine);
    if (finished.isEmpty() && !finished.wait(240'000))
        qWarning("the sync did not finish in time");
    FinishedSync run;
    run.outcome = engine.outcome();
    run.report = engine.report();
    const metrics::MetricsRecorder *recorder = engine.metrics();
    for (const QString &name : recorder->seriesNames()) {
        const QList<metrics::SeriesPoint> points = recorder->series(name);
        if (!points.isEmpty())
            run.series.insert(name, points);
    }
    run.events = recorder->events();
    return run;
}

} // namespace resosync::test
