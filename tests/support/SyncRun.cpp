#include "SyncRun.h"

#include "ReplicaCheck.h"
#include "db/SchemaMigrator.h"
#include "metrics/MetricsRecorder.h"
#include "sim/FeedSimulator.h"

#include <QJsonDocument>
#include <QSignalSpy>

namespace resosync::test {

using namespace Qt::StringLiterals;

bool SyncOutcome::eventsContain(const QString &text) const {
    return std::any_of(events.begin(), events.end(),
                       [&](const metrics::RunEvent &e) { return e.label.contains(text); });
}

bool SyncOutcome::logContains(const QString &text) const {
    return std::any_of(log.begin(), log.end(),
                       [&](const QString &line) { return line.contains(text); });
}

sync::SyncRequest simulatorRequest(const sim::FeedSimulator &simulator, const QString &conninfo,
                                   sync::SyncMode mode) {
    sync::SyncRequest r;
    r.feedUrl = simulator.baseUrl();
    r.conninfo = conninfo;
    r.profile = *reso::FeedProfile::byName(u"simulator"_s);
    r.resources = QList<reso::Resource>(reso::kAllResources.begin(), reso::kAllResources.end());
    r.mode = mode;
    r.settings = {25, 40, 7, 0, 3};
    return r;
}

QStringList cliSyncArguments(const QUrl &feed, const QString &conninfo, const QString &mode,
                             const QStringList &sizes) {
    return QStringList{u"sync"_s,    u"--api"_s,         feed.toString(),
                       u"--db"_s,    conninfo,           u"--mode"_s,
                       mode,         u"--profile"_s,     u"simulator"_s,
                       u"--quiet"_s, u"--throttle-ms"_s, u"0"_s} +
           sizes;
}

SyncOutcome runSync(const sync::SyncRequest &request,
                    const std::function<void(sync::SyncEngine &)> &during) {
    sync::SyncEngine engine(request);
    SyncOutcome outcome;
    QObject::connect(
        &engine, &sync::SyncEngine::logged, &engine,
        [&outcome](sync::LogLevel level, const QString &resource, const QString &message) {
            const char *tag = level == sync::LogLevel::Error     ? "error"
                              : level == sync::LogLevel::Warning ? "warning"
                                                                 : "info";
            outcome.log << u"%1: %2%3"_s.arg(
                QLatin1StringView(tag), resource.isEmpty() ? QString() : resource + u' ', message);
        });
    QSignalSpy finished(&engine, &sync::SyncEngine::finished);
    engine.start();
    if (during)
        during(engine);
    if (finished.isEmpty() && !finished.wait(240'000))
        qWarning("the sync did not finish in time");
    outcome.outcome = engine.outcome();
    outcome.report = engine.report();
    outcome.events = engine.metrics()->events();
    return outcome;
}

QString applySchema(const QString &conninfo) {
    const db::SchemaReport report = db::SchemaMigrator(conninfo).apply();
    return report.ok() ? QString() : report.error->message;
}

QString compareAll(const sim::FeedSimulator &simulator, const QString &conninfo,
                   const QSet<QString> &absentFromReplica) {
    QStringList differences;
    for (reso::Resource r : reso::kAllResources) {
        const QString d = compareReplica(simulator, conninfo, r, absentFromReplica);
        if (!d.isEmpty())
            differences << d;
    }
    return differences.join(u"; "_s);
}

QString describe(const SyncOutcome &o) {
    return u"outcome %1, problems: %2"_s.arg(int(o.outcome)).arg(o.report.problems.join(u" | "_s));
}

QString faultCounters(const sim::SimulatorStats &stats) {
    QJsonObject faults = stats.toJson().value(u"faults"_s).toObject();
    faults.insert(u"requests"_s, stats.requests);
    return QString::fromUtf8(QJsonDocument(faults).toJson(QJsonDocument::Compact));
}

} // namespace resosync::test
