// The console's responsiveness during a full-speed sync: opens the real main window on an
// in-process simulator (as the demo does), presses Start for a full sync with the simulator
// profile's settings (throttle 0) and prints how late the GUI thread's 10 ms probe timer fired
// (EventLoopProbe), with the run's duration and throughput. For comparison it first measures
// the idle window for a while (what the machine's scheduling alone costs), and it reports the
// CPU time the GUI thread itself used during the run. Not a CTest test: the figures depend on
// the machine. Usage (see docs/PERFORMANCE.md):
//   bench_eventloop --db CONNINFO [--properties 20000] [--baseline-seconds 10]
//                   [--screenshot FILE.png]   (the window 20 s into the run)
// The database gets the schema applied and its four tables emptied first.
#include "EventLoopProbe.h"
#include "MainWindow.h"
#include "RunView.h"
#include "db/SchemaMigrator.h"
#include "process/MallocTuning.h"
#include "sim/FeedSimulator.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QThread>
#include <QTimer>
#include <QToolButton>

#include <pqxx/pqxx>

#include <cstdio>
#include <ctime>
#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;

namespace {

void say(const QString &line) {
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

QString latenessLine(const QString &what, const metrics::Histogram &late) {
    return u"%1 lateness (ms): p50 %2, p90 %3, p99 %4, max %5, samples %6"_s.arg(what)
        .arg(late.percentile(50), 0, 'f', 2)
        .arg(late.percentile(90), 0, 'f', 2)
        .arg(late.percentile(99), 0, 'f', 2)
        .arg(late.max(), 0, 'f', 2)
        .arg(late.count());
}

/// CPU time the calling thread has used, in seconds.
double threadCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

/// A full sync must start from an empty replica to be comparable between runs.
QString emptyReplica(const QString &conninfo) {
    const db::SchemaReport schema = db::SchemaMigrator(conninfo).apply();
    if (!schema.ok())
        return schema.error->message;
    try {
        pqxx::connection connection(conninfo.toStdString());
        pqxx::work tx(connection);
        tx.exec("TRUNCATE public.\"Property\", public.\"Media\", public.\"PropertyRooms\", "
                "public.\"OpenHouse\", resosync.sync_cursor, resosync.child_sync");
        tx.commit();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

int main(int argc, char *argv[]) {
    process::tuneMalloc(QThread::idealThreadCount()); // as the console does
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption dbOption(u"db"_s, u"libpq connection string (default RESOSYNC_DB)"_s,
                                      u"CONNINFO"_s);
    const QCommandLineOption sizeOption(u"properties"_s, u"Listings in the feed (default 20000)"_s,
                                        u"N"_s, u"20000"_s);
    const QCommandLineOption baselineOption(
        u"baseline-seconds"_s, u"Seconds to measure the idle window first (default 10)"_s, u"S"_s,
        u"10"_s);
    const QCommandLineOption screenshotOption(
        u"screenshot"_s, u"Save the window 20 s into the run as this PNG"_s, u"FILE"_s);
    parser.addOptions({dbOption, sizeOption, baselineOption, screenshotOption});
    parser.process(app);
    const QString conninfo =
        parser.isSet(dbOption) ? parser.value(dbOption) : qEnvironmentVariable("RESOSYNC_DB");
    if (const QString error = emptyReplica(conninfo); !error.isEmpty()) {
        say(u"bench_eventloop: the database is not usable: "_s + error);
        return 2;
    }

    sim::SimulatorOptions options;
    options.properties = parser.value(sizeOption).toInt();
    sim::FeedSimulator simulator(options);
    QString error;
    if (!simulator.start(0, &error)) {
        say(u"bench_eventloop: the simulator did not start: "_s + error);
        return 3;
    }
    ui::ConsoleSetup setup;
    setup.feedName = u"bench simulator"_s;
    setup.feedUrl = simulator.baseUrl();
    setup.conninfo = conninfo;
    setup.profile = *reso::FeedProfile::byName(u"simulator"_s);
    setup.simulator = &simulator;
    ui::MainWindow window(setup);
    window.show();

    auto *mode = window.findChild<QComboBox *>(u"modeBox"_s);
    auto *start = window.findChild<QToolButton *>(u"startButton"_s);
    double cpuAtStart = 0;
    const QString screenshot = parser.value(screenshotOption);
    QObject::connect(window.runView(), &ui::RunView::runStarted, &window,
                     [&cpuAtStart, &window, screenshot] {
                         cpuAtStart = threadCpuSeconds();
                         if (screenshot.isEmpty())
                             return;
                         QTimer::singleShot(20'000, &window, [&window, screenshot] {
                             if (!window.grab().save(screenshot))
                                 say(u"bench_eventloop: could not save "_s + screenshot);
                         });
                     });
    QObject::connect(
        window.runView(), &ui::RunView::runFinished, &window,
        [&window, &cpuAtStart](const metrics::RunReport &report) {
            const double guiCpu = threadCpuSeconds() - cpuAtStart;
            qint64 records = 0;
            for (const metrics::ResourceProgress &p : report.metrics.resources)
                records += p.fetched;
            say(u"run: %1 in %2 s, %3 records, %4 records/s"_s.arg(report.status)
                    .arg(report.durationSeconds, 0, 'f', 1)
                    .arg(records)
                    .arg(double(records) / report.durationSeconds, 0, 'f', 0));
            say(latenessLine(u"event loop during the run"_s, window.eventLoopProbe()->lateness()));
            say(u"GUI thread CPU during the run: %1 s (%2% of the run)"_s.arg(guiCpu, 0, 'f', 2)
                    .arg(100.0 * guiCpu / report.durationSeconds, 0, 'f', 1));
            QTimer::singleShot(0, &window, [] { QApplication::quit(); });
        });
    // The idle window first: the same probe with nothing to do shows what scheduling alone
    // costs on this machine now. The run starts after it (and after the window's first read).
    ui::EventLoopProbe baseline;
    baseline.start();
    const int baselineMs = std::max(2, parser.value(baselineOption).toInt()) * 1000;
    QTimer::singleShot(baselineMs, &window, [&baseline, mode, start] {
        baseline.stop();
        say(latenessLine(u"idle window"_s, baseline.lateness()));
        mode->setCurrentIndex(mode->findData(int(sync::SyncMode::Full)));
        start->click();
    });
    return QApplication::exec();
}
