#include "SyncHarness.h"

#include "metrics/MetricsRecorder.h"

#include "ReplicaCheck.h"
#include "db/SchemaMigrator.h"
#include "sim/FeedSimulator.h"

#include <QSignalSpy>
#include <QStringList>

namespace resosync::test {

using namespace Qt::StringLiterals;

sync::SyncRequest simulatorRequest(const sim::FeedSimulator &simulator, const QString &conninfo,
                                   sync::SyncMode mode, const sync::SyncSettings &settings) {
    sync::SyncRequest r;
    r.feedUrl = simulator.baseUrl();
    r.conninfo = conninfo;
    r.profile = *reso::FeedProfile::byName(u"simulator"_s);
    r.resources = QList<reso::Resource>(reso::kAllResources.begin(), reso::kAllResources.end());
    r.mode = mode;
    r.settings = settings;
    return r;
}

sim::SimulatorOptions simulatorOptions(int properties, quint64 seed) {
    sim::SimulatorOptions o;
    o.seed = seed;
    o.properties = properties;
    return o;
}

SyncOutcome runSync(const sync::SyncRequest &request,
                    const std::function<void(sync::SyncEngine &)> &during) {
    sync::SyncEngine engine(request);
    QSignalSpy finished(&engine, &sync::SyncEngine::finished);
    engine.start();
    if (during)
        during(engine);
    if (finished.isEmpty() && !finished.wait(240'000))
        qWarning("the sync did not finish in time");
    SyncOutcome run;
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

QString describe(const SyncOutcome &outcome) {
    return u"outcome %1, problems: %2"_s.arg(int(outcome.outcome))
        .arg(outcome.report.problems.join(u" | "_s));
}

QString applySchema(const QString &conninfo) {
    const db::SchemaReport report = db::SchemaMigrator(conninfo).apply();
    return report.ok() ? QString() : report.error->message;
}

QMap<reso::Resource, qint64> rowCounts(const QString &conninfo) {
    QMap<reso::Resource, qint64> rows;
    for (reso::Resource r : reso::kAllResources)
        rows[r] =
            queryValue(conninfo, u"SELECT count(*) FROM public.\"%1\""_s.arg(reso::resourceName(r)))
                .toLongLong();
    return rows;
}

} // namespace resosync::test
