#include "cli/BenchCommand.h"

#include "bench/BenchRunner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>

namespace resosync::cli {

using namespace Qt::StringLiterals;

namespace {

/// A positive whole number option, or the default; an error names the option and the value.
int positiveOption(const QCommandLineParser &parser, const QString &name, int fallback,
                   bool zeroAllowed, QString *error) {
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if ((!ok || value < (zeroAllowed ? 0 : 1)) && error->isEmpty())
        *error = u"--%1 '%2' must be a whole number of at least %3"_s.arg(name, parser.value(name))
                     .arg(zeroAllowed ? 0 : 1);
    return ok ? value : fallback;
}

QList<int> concurrencyList(const QString &text, QString *error) {
    QList<int> values;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int value = part.trimmed().toInt(&ok);
        if (!ok || value < 1 || value > 8) {
            *error = u"--concurrency '%1': each value must be 1 to 8"_s.arg(text);
            return {};
        }
        values << value;
    }
    return values;
}

} // namespace

QString BenchCommand::summary() const {
    return u"Measure sync speed and memory against the database's and the feed's own limits"_s;
}

int BenchCommand::run(const QStringList &arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs complete syncs against the built-in simulator and prints a comparison: the "
        "database floor (plain COPY of the same rows) and the feed floor (every page fetched "
        "and parsed, no database), Media at the seed's defaults and at several concurrencies, "
        "the adaptive tuner, peak memory at two sizes (each run three times in a process of "
        "its own; the median counts), and "
        "a latency-bound scenario against a vendor rate limit. Creates and drops a scratch "
        "database named resosync_bench on the server --db reaches (needs CREATEDB)."_s);
    parser.addOptions({
        {u"db"_s,
         u"Connection string of a server where the scratch database may be created "
         "(default: RESOSYNC_DB, then PG* variables)."_s,
         u"CONNINFO"_s},
        {u"properties"_s, u"Listings of the main size (default 20000: about 500k media)."_s,
         u"N"_s},
        {u"large"_s, u"Listings of the second memory size (default 100000; 0 skips it)."_s, u"N"_s},
        {u"concurrency"_s, u"Concurrencies to compare on Media (default 1,2,3,4,6)."_s, u"LIST"_s},
        {u"no-seed"_s, u"Skip the run at the seed's defaults (its 750 ms throttle is slow)."_s},
        {u"no-adaptive"_s, u"Skip the adaptive tuner's run."_s},
        {u"no-latency"_s, u"Skip the latency-bound scenario."_s},
        {u"latency-properties"_s, u"Listings of the latency-bound scenario (default 5000)."_s,
         u"N"_s},
        {u"rendered-mb"_s,
         u"MB of record JSON the simulator renders before the Media runs and serves from "
         "then on, as a remote server costs this machine nothing (default 2048; 0: generate "
         "every page during the runs, competing with the sync for the CPU)."_s,
         u"MB"_s},
        {u"json"_s, u"Print the result as JSON instead of the tables."_s},
    });
    if (const int exit = parse(parser, arguments); exit >= 0)
        return exit;

    QString error;
    bench::BenchOptions options;
    options.adminConninfo =
        parser.isSet(u"db"_s) ? parser.value(u"db"_s) : qEnvironmentVariable("RESOSYNC_DB");
    options.properties = positiveOption(parser, u"properties"_s, options.properties, false, &error);
    options.largeProperties =
        positiveOption(parser, u"large"_s, options.largeProperties, true, &error);
    options.latencyProperties =
        positiveOption(parser, u"latency-properties"_s, options.latencyProperties, false, &error);
    options.renderedBytes = qint64(positiveOption(parser, u"rendered-mb"_s,
                                                  int(options.renderedBytes >> 20), true, &error))
                            << 20;
    if (parser.isSet(u"concurrency"_s) && error.isEmpty())
        options.concurrencies = concurrencyList(parser.value(u"concurrency"_s), &error);
    options.seedDefaults = !parser.isSet(u"no-seed"_s);
    options.adaptive = !parser.isSet(u"no-adaptive"_s);
    options.latency = !parser.isSet(u"no-latency"_s);
    options.cliPath = QCoreApplication::applicationFilePath();
    options.progress = [](const QString &line) { printError(u"bench: "_s + line); };
    if (!error.isEmpty()) {
        printError(u"resosync-cli bench: "_s + error);
        return ExitUsage;
    }

    const bench::BenchResult result = bench::BenchRunner(options).run();
    if (parser.isSet(u"json"_s))
        printOut(QString::fromUtf8(QJsonDocument(result.toJson()).toJson(QJsonDocument::Indented)));
    else
        printOut(result.toText());
    return result.errors.isEmpty() ? ExitSuccess : ExitPartial;
}

} // namespace resosync::cli
