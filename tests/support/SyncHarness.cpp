#include "SyncHarness.h"

#include "metrics/MetricsRecorder.h"

#include "ReplicaCheck.h"
#include "db/SchemaMigrator.h"
#include "sim/FeedSimulator.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>

#include <QStringList>
#include <algorithm>

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
    QStringList log;
    QObject::connect(&engine, &sync::SyncEngine::logged, &engine,
                     [&log](sync::LogLevel level, const QString &resource, const QString &message) {
                         const char *tag = level == sync::LogLevel::Error     ? "error"
                                           : level == sync::LogLevel::Warning ? "warning"
                                                                              : "info";
                         log << u"%1: %2%3"_s.arg(QLatin1StringView(tag),
                                                  resource.isEmpty() ? QString() : resource + u' ',
                                                  message);
                     });
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
    run.log = log;
    return run;
}

bool SyncOutcome::eventsContain(const QString &text) const {
    return std::any_of(events.begin(), events.end(),
                       [&](const metrics::RunEvent &e) { return e.label.contains(text); });
}

bool SyncOutcome::logContains(const QString &text) const {
    return std::any_of(log.begin(), log.end(),
                       [&](const QString &line) { return line.contains(text); });
}

QStringList cliSyncArguments(const QUrl &feed, const QString &conninfo, const QString &mode,
                             const QStringList &sizes) {
    return QStringList{u"sync"_s,    u"--api"_s,         feed.toString(),
                       u"--db"_s,    conninfo,           u"--mode"_s,
                       mode,         u"--profile"_s,     u"simulator"_s,
                       u"--quiet"_s, u"--throttle-ms"_s, u"0"_s} +
           sizes;
}

QString faultCounters(const sim::SimulatorStats &stats) {
    QJsonObject faults = stats.toJson().value(u"faults"_s).toObject();
    faults.insert(u"requests"_s, stats.requests);
    return QString::fromUtf8(QJsonDocument(faults).toJson(QJsonDocument::Compact));
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
