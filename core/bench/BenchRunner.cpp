#include "bench/BenchRunner.h"

#include "bench/ScratchDatabase.h"
#include "bench/SimulatorProcess.h"
#include "db/Connection.h"
#include "sim/FeedSimulator.h"
#include "sync/SyncEngine.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>

#include <pqxx/nontransaction>

namespace resosync::bench {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

const QString kScratchName = u"resosync_bench"_s;
/// Generating and rendering 100k listings' records takes about a minute on this machine.
constexpr int kSimulatorStartMs = 15 * 60 * 1000;
/// Times each floor and each unthrottled Media run is measured; the fastest counts, for the
/// floors and the runs alike, so the machine's noise flatters neither side of a ratio. Each
/// memory run is made as often too, and its median peak counts.
constexpr int kAttempts = 3;

/// The attempt with the median peak RSS, with the lowest and highest. The median, not the
/// lowest: a peak's spread between identical runs is the allocator's, and the lowest would
/// flatter the figure that the memory target is judged on.
BenchRow medianPeak(QList<BenchRow> attempts) {
    std::sort(attempts.begin(), attempts.end(),
              [](const BenchRow &a, const BenchRow &b) { return a.peakMb < b.peakMb; });
    BenchRow median = attempts[attempts.size() / 2];
    median.attempts = int(attempts.size());
    median.lowestPeakMb = attempts.first().peakMb;
    median.highestPeakMb = attempts.last().peakMb;
    return median;
}

/// Runs one sync in this process and waits for it (the simulator answers from its thread).
metrics::RunReport runInProcess(const sync::SyncRequest &request, QString *error) {
    sync::SyncEngine engine(request);
    QEventLoop loop;
    QObject::connect(&engine, &sync::SyncEngine::finished, &loop, &QEventLoop::quit);
    engine.start();
    loop.exec();
    const sync::RunOutcome outcome = engine.outcome();
    if (outcome != sync::RunOutcome::Succeeded)
        *error = engine.report().problems.join(u"; "_s);
    if (error->isEmpty() && outcome != sync::RunOutcome::Succeeded)
        *error = u"the run ended %1"_s.arg(engine.report().status);
    return engine.report();
}

BenchRow rowOf(const QString &name, Resource resource, const metrics::RunReport &report,
               const QString &error) {
    BenchRow row;
    row.name = name;
    row.scope = reso::resourceName(resource);
    row.records = report.metrics.progress(resource).fetched;
    row.seconds = report.durationSeconds;
    row.requests = report.metrics.api.requests;
    row.failedRequests = report.metrics.api.failed + report.metrics.api.retries;
    row.bytes = report.metrics.api.bytes;
    row.peakMb = report.metrics.memory.peakMb;
    row.settings = sync::SyncSettings{report.config.batchSize, report.config.propertyBatchSize,
                                      report.config.dbBatchSize, report.config.throttleMs,
                                      report.config.concurrency}
                       .summary();
    row.error = error;
    return row;
}

/// Empties a child table and forgets which listings had their children synced, so the next
/// run starts from the same state as the first.
std::optional<db::DbError> resetChild(const QString &conninfo, Resource child) {
    db::DbError error;
    auto connection = db::openConnection(conninfo, &error);
    if (!connection)
        return error;
    return db::runGuarded(
        {u"emptying %1 between benchmark runs"_s.arg(reso::resourceName(child)), {}}, conninfo,
        [&] {
            pqxx::nontransaction tx(*connection);
            const std::string table =
                "public." + tx.quote_name(reso::resourceName(child).toStdString());
            tx.exec("TRUNCATE " + table);
            tx.exec_params("DELETE FROM resosync.child_sync WHERE resource = $1",
                           reso::resourceName(child).toStdString());
            tx.exec("VACUUM ANALYZE " + table);
        });
}

sync::SyncRequest requestFor(const QUrl &feed, const QString &conninfo, QList<Resource> resources) {
    sync::SyncRequest request;
    request.feedUrl = feed;
    request.conninfo = conninfo;
    request.profile = *reso::FeedProfile::byName(u"simulator"_s);
    request.settings = sync::SyncSettings::fromProfile(request.profile);
    request.resources = std::move(resources);
    request.mode = sync::SyncMode::Full;
    return request;
}

std::unique_ptr<sim::FeedSimulator> startSimulator(const sim::SimulatorOptions &options,
                                                   QString *error) {
    auto simulator = std::make_unique<sim::FeedSimulator>(options);
    if (!simulator->start(0, error))
        return nullptr;
    return simulator;
}

} // namespace

BenchRunner::BenchRunner(BenchOptions options)
    : m_options(std::move(options)) {}

void BenchRunner::say(const QString &line) const {
    if (m_options.progress)
        m_options.progress(line);
}

BenchResult BenchRunner::run() {
    QElapsedTimer total;
    total.start();
    BenchResult result;
    result.properties = m_options.properties;

    // The Media comparison's feed runs in a process of its own, so that the syncs measured
    // here have this process's memory to themselves (the rendered records take gigabytes).
    say(u"starting the simulator (%1 listings%2)"_s.arg(m_options.properties)
            .arg(m_options.renderedBytes > 0
                     ? u", rendering its records first, as a warm server holds them"_s
                     : QString()));
    QElapsedTimer started;
    started.start();
    QString error;
    auto simulator = SimulatorProcess::start(
        m_options.cliPath,
        {u"--properties"_s, QString::number(m_options.properties), u"--rendered-mb"_s,
         QString::number(m_options.renderedBytes >> 20)},
        kSimulatorStartMs, &error);
    if (!simulator) {
        result.errors << u"the simulator could not start: "_s + error;
        return result;
    }
    result.prerenderSeconds = double(started.elapsed()) / 1000.0;
    result.renderedBytes = m_options.renderedBytes;
    db::DbError dbError;
    auto scratch = ScratchDatabase::create(m_options.adminConninfo, kScratchName, &dbError);
    if (!scratch) {
        result.errors << dbError.message;
        return result;
    }
    say(u"loading %1 listings"_s.arg(m_options.properties));
    const auto load = requestFor(simulator->baseUrl(), scratch->conninfo(), {Resource::Property});
    const metrics::RunReport loaded = runInProcess(load, &error);
    result.propertyLoad = rowOf(u"Property load"_s, Resource::Property, loaded, error);
    if (!error.isEmpty()) {
        result.errors << u"loading listings failed: "_s + error;
        return result;
    }
    runMediaComparison(simulator->baseUrl(), scratch->conninfo(), result);
    scratch.reset();
    simulator.reset();
    runMemory(result);
    runLatencyBound(result);
    result.totalSeconds = double(total.elapsed()) / 1000.0;
    return result;
}

void BenchRunner::runMediaComparison(const QUrl &feed, const QString &conninfo,
                                     BenchResult &result) {
    struct Config {
        QString name;
        sync::SyncSettings settings;
        bool adaptive = false;
    };
    const sync::SyncRequest base = requestFor(feed, conninfo, {Resource::Media});
    QList<Config> configs;
    if (m_options.seedDefaults)
        configs << Config{u"seed defaults"_s, sync::SyncSettings{}, false};
    for (int concurrency : m_options.concurrencies) {
        sync::SyncSettings s = base.settings;
        s.concurrency = concurrency;
        configs << Config{u"concurrency %1"_s.arg(concurrency), s, false};
    }
    if (m_options.adaptive)
        configs << Config{u"adaptive tuner"_s, base.settings, true};

    double bestRate = 0;
    for (const Config &config : configs) {
        // The seed's throttled run is paced by its throttle, not by the machine: once is enough.
        const int attempts = config.settings.throttleMs > 0 ? 1 : kAttempts;
        say(u"Media: %1 (%2)%3"_s.arg(config.name, config.settings.summary(),
                                      attempts > 1 ? u", fastest of %1"_s.arg(attempts)
                                                   : QString()));
        sync::SyncRequest request = base;
        request.settings = config.settings;
        request.adaptive = config.adaptive;
        QString error;
        metrics::RunReport report;
        BenchRow row;
        for (int attempt = 0; attempt < attempts && error.isEmpty(); ++attempt) {
            if (auto failure = resetChild(conninfo, Resource::Media)) {
                result.errors << failure->message;
                return;
            }
            const metrics::RunReport attemptReport = runInProcess(request, &error);
            BenchRow attemptRow = rowOf(config.name, Resource::Media, attemptReport, error);
            const double slowest = std::max(row.slowestSeconds, attemptRow.seconds);
            if (attempt == 0 || !error.isEmpty() || attemptRow.seconds < row.seconds) {
                row = attemptRow;
                report = attemptReport;
            }
            row.attempts = attempt + 1;
            row.slowestSeconds = slowest;
        }
        if (config.adaptive)
            row.name += u" (ended at concurrency %1)"_s.arg(report.config.concurrency);
        if (!error.isEmpty())
            result.errors << u"%1: %2"_s.arg(config.name, error);
        if (!config.adaptive && config.name.startsWith(u"concurrency"_s) &&
            row.recordsPerSecond() > bestRate) {
            bestRate = row.recordsPerSecond();
            result.bestName = config.name;
            result.bestReport = report;
        }
        result.mediaRuns << row;
    }
    // Each floor is the fastest of kAttempts: a limit measured slow on a busy moment
    // would flatter every ratio to it.
    say(u"database floor: COPY of the same Media rows into an unlogged table (best of %1)"_s.arg(
        kAttempts));
    result.databaseFloor =
        measureCopyFloor(conninfo, Resource::Media, FloorTable::Unlogged, kAttempts);
    if (result.databaseFloor.error)
        result.errors << result.databaseFloor.error->message;
    say(u"durable floor: the same COPY into a logged table (the WAL written, as the sync's)"_s);
    result.loggedFloor = measureCopyFloor(conninfo, Resource::Media, FloorTable::Logged, kAttempts);
    if (result.loggedFloor.error)
        result.errors << result.loggedFloor.error->message;
    say(u"feed floor: every Media page fetched and parsed, no database work"_s);
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const FeedFloorResult measured = measureFeedFloor(base, Resource::Media);
        if (!measured.error.isEmpty()) {
            result.errors << u"feed floor: "_s + measured.error;
            break;
        }
        if (attempt == 0 || measured.seconds < result.feedFloor.seconds)
            result.feedFloor = measured;
    }
}

void BenchRunner::runMemory(BenchResult &result) {
    QList<int> sizes{m_options.properties};
    if (m_options.largeProperties > 0)
        sizes << m_options.largeProperties;
    QTemporaryDir dir;
    for (int size : sizes) {
        say(u"memory: full sync of all resources, %1 listings, %2 times, each in a process of "
            "its own"_s.arg(size)
                .arg(kAttempts));
        sim::SimulatorOptions simOptions;
        simOptions.properties = size;
        QString error;
        auto simulator = startSimulator(simOptions, &error);
        if (!simulator) {
            result.errors << error;
            return;
        }
        QList<BenchRow> attempts;
        for (int attempt = 0; attempt < kAttempts; ++attempt) {
            attempts << measureMemory(size, simulator->baseUrl(),
                                      dir.filePath(u"memory-%1-%2.json"_s.arg(size).arg(attempt)));
            if (!attempts.last().error.isEmpty())
                break;
        }
        if (const BenchRow &last = attempts.last(); !last.error.isEmpty()) {
            result.errors << last.error; // the size's row says why; the next size still runs
            result.memoryRuns << last;
            continue;
        }
        result.memoryRuns << medianPeak(attempts);
    }
}

/// One full sync of all resources from `feed`, by resosync-cli in a process of its own (so
/// the peak is the sync's alone), into a fresh scratch database.
BenchRow BenchRunner::measureMemory(int size, const QUrl &feed, const QString &reportPath) {
    BenchRow row;
    row.name = u"%1 listings"_s.arg(size);
    row.scope = u"all resources"_s;
    db::DbError dbError;
    const auto scratch = ScratchDatabase::create(m_options.adminConninfo, kScratchName, &dbError);
    if (!scratch) {
        row.error = dbError.message;
        return row;
    }
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"RESOSYNC_DB"_s, scratch->conninfo()); // never on argv
    cli.setProcessEnvironment(env);
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cli.start(m_options.cliPath,
              {u"sync"_s, u"--api"_s, feed.toString(), u"--profile"_s, u"simulator"_s, u"--mode"_s,
               u"full"_s, u"--quiet"_s, u"--report-json"_s, reportPath});
    cli.waitForFinished(-1);
    cli.readAllStandardOutput();
    QFile file(reportPath);
    if (cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0 ||
        !file.open(QIODevice::ReadOnly)) {
        row.error = u"resosync-cli sync ended with status %1"_s.arg(cli.exitCode());
        return row;
    }
    // The child's report, read back as history reads a saved summary.
    const metrics::RunReport report =
        metrics::RunReport::fromJson(QJsonDocument::fromJson(file.readAll()).object());
    row = rowOf(row.name, Resource::Property, report, QString());
    row.scope = u"all resources"_s;
    row.records = 0;
    for (const metrics::ResourceProgress &progress : report.metrics.resources)
        row.records += progress.fetched;
    return row;
}

void BenchRunner::runLatencyBound(BenchResult &result) {
    if (!m_options.latency)
        return;
    say(u"latency-bound: %1-%2 ms per request, vendor limit %3 requests/s, %4 listings"_s
            .arg(m_options.latencyMinMs)
            .arg(m_options.latencyMaxMs)
            .arg(m_options.vendorRequestsPerSecond)
            .arg(m_options.latencyProperties));
    sim::SimulatorOptions simOptions;
    simOptions.properties = m_options.latencyProperties;
    simOptions.faults.latencyMs = m_options.latencyMinMs;
    simOptions.faults.latencyJitterMs = m_options.latencyMaxMs - m_options.latencyMinMs;
    simOptions.faults.requestsPerSecond = m_options.vendorRequestsPerSecond;
    // Served from rendered records like the Media comparison's feed, so the latency is the
    // scenario's and not the generator's on top (this feed is small enough to run in-process).
    simOptions.renderedBytes = m_options.renderedBytes;
    QString error;
    auto simulator = startSimulator(simOptions, &error);
    if (simulator)
        simulator->prerender();
    db::DbError dbError;
    auto scratch = simulator
                       ? ScratchDatabase::create(m_options.adminConninfo, kScratchName, &dbError)
                       : nullptr;
    if (!simulator || !scratch) {
        result.errors << (simulator ? dbError.message : error);
        return;
    }
    sync::SyncRequest request = requestFor(simulator->baseUrl(), scratch->conninfo(),
                                           {Resource::Property, Resource::Media});
    // The vendor's published limit, as a profile states it: the client paces itself to it.
    request.profile.limits.perSecond = m_options.vendorRequestsPerSecond;
    request.settings.batchSize = std::min(m_options.latencyPageSize, request.profile.maxTop);
    // Enough requests in flight to cover the slowest answer at the allowed rate.
    request.settings.concurrency = std::min(
        request.profile.maxConcurrency,
        int(std::ceil(m_options.vendorRequestsPerSecond * m_options.latencyMaxMs / 1000.0)) + 1);
    const metrics::RunReport report = runInProcess(request, &error);
    result.latencyRun = rowOf(u"latency-bound"_s, Resource::Media, report, error);
    result.latencyRun.scope = u"Property + Media"_s;
    result.latencyRun.records = report.metrics.progress(Resource::Property).fetched +
                                report.metrics.progress(Resource::Media).fetched;
    // The requests the work needed (retries of 429s are the client's own cost, not the bound's).
    result.latencyBoundSeconds =
        double(report.metrics.api.succeeded) / m_options.vendorRequestsPerSecond;
    if (!error.isEmpty())
        result.errors << u"latency-bound: "_s + error;
}

} // namespace resosync::bench
