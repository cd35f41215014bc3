#include "cli/SyncCommand.h"

#include "metrics/MetricsRecorder.h"
#include "metrics/RollingRate.h"
#include "sync/SyncEngine.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QLocale>
#include <QSslCertificate>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <optional>

namespace resosync::cli {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

std::atomic_int g_interrupts = 0;

void onInterrupt(int) {
    if (++g_interrupts > 1)
        std::_Exit(130); // a second Ctrl+C: the user means it
}

struct Parsed {
    sync::SyncRequest request;
    QString reportPath;
    QString caFile;
    bool quiet = false;
    QString error;
};

std::optional<int> intOption(const QCommandLineParser &parser, const QString &name,
                             QString *error) {
    if (!parser.isSet(name))
        return std::nullopt;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok && error->isEmpty())
        *error = u"--%1 '%2' is not a whole number"_s.arg(name, parser.value(name));
    return ok ? std::optional<int>(value) : std::nullopt;
}

/// --requests-per-second/-hour/-day override the profile's client-side limits (0 = none).
void applyRateLimits(const QCommandLineParser &parser, reso::RateLimits *limits, QString *error) {
    const QString none = u"no limit"_s;
    limits->perSecond =
        numberOption(parser, u"requests-per-second"_s, 0.0, 1e6, limits->perSecond, error, none)
            .value_or(limits->perSecond);
    limits->perHour =
        numberOption(parser, u"requests-per-hour"_s, 0, 1'000'000'000, limits->perHour, error, none)
            .value_or(limits->perHour);
    limits->perDay =
        numberOption(parser, u"requests-per-day"_s, 0, 1'000'000'000, limits->perDay, error, none)
            .value_or(limits->perDay);
}

/// --alert-latency-ms, --alert-error-rate and --alert-memory-mb: where the run's health is
/// marked as an alert (0 turns a check off).
metrics::AlertThresholds readAlertThresholds(const QCommandLineParser &parser, QString *error) {
    metrics::AlertThresholds t;
    const QString off = u"off"_s;
    t.apiP95Ms = numberOption(parser, u"alert-latency-ms"_s, 0.0,
                              metrics::AlertThresholds::kMaxApiP95Ms, t.apiP95Ms, error, off)
                     .value_or(t.apiP95Ms);
    t.errorRatePercent =
        numberOption(parser, u"alert-error-rate"_s, 0.0,
                     metrics::AlertThresholds::kMaxErrorRatePercent, t.errorRatePercent, error, off)
            .value_or(t.errorRatePercent);
    t.memoryMb = numberOption(parser, u"alert-memory-mb"_s, 0.0,
                              metrics::AlertThresholds::kMaxMemoryMb, t.memoryMb, error, off)
                     .value_or(t.memoryMb);
    return t;
}

QList<Resource> parseResources(const QString &text, QString *error) {
    if (text.isEmpty())
        return QList<Resource>(reso::kAllResources.begin(), reso::kAllResources.end());
    QList<Resource> chosen;
    for (const QString &name : text.split(u',', Qt::SkipEmptyParts)) {
        const auto resource = reso::resourceFromName(name.trimmed());
        if (!resource) {
            *error = u"--resources: unknown resource '%1' (known: Property, Media, PropertyRooms, "
                     "OpenHouse)"_s.arg(name.trimmed());
            return {};
        }
        if (!chosen.contains(*resource))
            chosen << *resource;
    }
    // Property first: children are fetched for the listings stored.
    QList<Resource> ordered;
    for (Resource r : reso::kAllResources) {
        if (chosen.contains(r))
            ordered << r;
    }
    return ordered;
}

/// --max-delete-share, --confirm and --key-page-size: meaningful with --mode reconcile only.
void readReconcileOptions(const QCommandLineParser &parser, sync::SyncRequest &r, QString *error) {
    const QStringList reconcileOnly{u"max-delete-share"_s, u"confirm"_s, u"key-page-size"_s};
    for (const QString &option : reconcileOnly) {
        if (parser.isSet(option) && r.mode != sync::SyncMode::Reconcile && error->isEmpty())
            *error = u"--%1 applies to --mode reconcile only"_s.arg(option);
    }
    if (parser.isSet(u"max-delete-share"_s)) {
        bool ok = false;
        r.reconcile.maxDeleteShare = parser.value(u"max-delete-share"_s).toDouble(&ok);
        if (!ok && error->isEmpty())
            *error = u"--max-delete-share '%1' is not a number: give a share from 0 to 1, e.g. "
                     "0.2"_s.arg(parser.value(u"max-delete-share"_s));
    }
    r.reconcile.confirmed = parser.isSet(u"confirm"_s);
    r.reconcile.keyPageSize = intOption(parser, u"key-page-size"_s, error);
}

/// The certificates of a private CA bundle (PEM) to trust as well as the system's.
QList<QSslCertificate> readCaFile(const QString &path, QString *error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"--ca-file '%1' cannot be read: %2"_s.arg(path, file.errorString());
        return {};
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(file.readAll());
    if (certificates.isEmpty())
        *error = u"--ca-file '%1' holds no PEM certificate (expected -----BEGIN CERTIFICATE----- "
                 "blocks)"_s.arg(path);
    return certificates;
}

/// "incremental or full": every mode the engine knows.
QString modeNames() {
    QStringList names;
    for (sync::SyncMode mode : sync::kSyncModes)
        names << sync::syncModeName(mode);
    const QString last = names.takeLast();
    return names.isEmpty() ? last : names.join(u", "_s) + u" or "_s + last;
}

Parsed interpret(const QCommandLineParser &parser) {
    Parsed p;
    QString &error = p.error;
    sync::SyncRequest &r = p.request;
    const QString profileName =
        parser.isSet(u"profile"_s) ? parser.value(u"profile"_s) : u"generic"_s;
    const auto profile = reso::FeedProfile::byName(profileName);
    if (!profile) {
        error = u"--profile '%1' is not a known profile (known: %2)"_s.arg(
            profileName, reso::FeedProfile::builtInNames());
        return p;
    }
    r.profile = *profile;
    r.feedUrl = QUrl(parser.value(u"api"_s), QUrl::StrictMode);
    if (!parser.isSet(u"api"_s))
        error = u"--api is required: the OData service root of the feed, e.g. "
                "https://api.example.com/odata"_s;
    else if (!r.feedUrl.isValid() || r.feedUrl.host().isEmpty() ||
             (r.feedUrl.scheme() != "https"_L1 && r.feedUrl.scheme() != "http"_L1))
        error = u"--api '%1' is not an http(s) URL with a host"_s.arg(parser.value(u"api"_s));
    else if (!r.feedUrl.userInfo().isEmpty())
        error = u"--api must not carry credentials (they would show in process lists); use "
                "--token-env or --client-secret-env"_s;
    r.conninfo =
        parser.isSet(u"db"_s) ? parser.value(u"db"_s) : qEnvironmentVariable("RESOSYNC_DB");
    if (error.isEmpty())
        r.resources = parseResources(parser.value(u"resources"_s), &error);
    const QString mode = parser.value(u"mode"_s);
    const std::optional<sync::SyncMode> known = sync::syncModeFromName(mode);
    if (!mode.isEmpty() && !known && error.isEmpty())
        error = u"--mode '%1' is not a mode: use %2"_s.arg(mode, modeNames());
    r.mode = known.value_or(sync::SyncMode::Incremental);
    readReconcileOptions(parser, r, &error);

    r.settings = sync::SyncSettings::fromProfile(r.profile);
    sync::SyncSettings &s = r.settings;
    s.batchSize = intOption(parser, u"batch-size"_s, &error).value_or(s.batchSize);
    s.propertyBatchSize =
        intOption(parser, u"property-batch-size"_s, &error).value_or(s.propertyBatchSize);
    s.dbBatchSize = intOption(parser, u"db-batch-size"_s, &error).value_or(s.dbBatchSize);
    s.throttleMs = intOption(parser, u"throttle-ms"_s, &error).value_or(s.throttleMs);
    s.concurrency = intOption(parser, u"concurrency"_s, &error).value_or(s.concurrency);
    if (error.isEmpty())
        error = s.validate(r.profile);
    r.adaptive = parser.isSet(u"adaptive"_s);
    if (error.isEmpty())
        error = r.reconcile.validate(r.profile);
    applyRateLimits(parser, &r.profile.limits, &error);
    r.alerts = readAlertThresholds(parser, &error);

    if (parser.isSet(u"token-env"_s)) {
        r.auth.kind = reso::AuthKind::StaticToken;
        r.auth.staticToken = secretFromEnv(parser, u"token-env"_s, &error);
    } else if (parser.isSet(u"token-url"_s) || parser.isSet(u"client-id"_s)) {
        r.auth.kind = reso::AuthKind::ClientCredentials;
        r.auth.tokenUrl = QUrl(parser.value(u"token-url"_s), QUrl::StrictMode);
        r.auth.clientId = parser.value(u"client-id"_s);
        if (!r.auth.tokenUrl.isValid() || r.auth.tokenUrl.host().isEmpty() ||
            r.auth.clientId.isEmpty() || !parser.isSet(u"client-secret-env"_s)) {
            if (error.isEmpty())
                error = u"OAuth2 needs --token-url URL, --client-id ID and --client-secret-env VAR "
                        "together"_s;
        } else {
            r.auth.clientSecret = secretFromEnv(parser, u"client-secret-env"_s, &error);
        }
    }
    p.caFile = parser.value(u"ca-file"_s);
    if (!p.caFile.isEmpty() && error.isEmpty())
        r.auth.extraCaCertificates = readCaFile(p.caFile, &error);
    p.reportPath = parser.value(u"report-json"_s);
    if (!p.reportPath.isEmpty() && error.isEmpty()) {
        QFile probe(p.reportPath);
        if (!probe.open(QIODevice::WriteOnly | QIODevice::Append))
            error = u"--report-json '%1' cannot be written: %2"_s.arg(p.reportPath,
                                                                      probe.errorString());
    }
    p.quiet = parser.isSet(u"quiet"_s);
    return p;
}

/// Prints one progress line per second: the resource in progress, done/total, rate, ETA.
class ProgressPrinter {
public:
    void setUnits(Resource resource, qint64 done, qint64 total, const QString &unit) {
        m_resource = resource;
        m_done = done;
        m_total = total;
        m_unit = unit;
        if (!m_clock.isValid() || m_resourceClock != resource) {
            m_clock.start();
            m_resourceClock = resource;
            m_startDone = done;
        }
    }
    void print(const sync::SyncEngine &engine, const QString &phase) const {
        const metrics::MetricsSnapshot s = engine.metrics()->snapshot();
        const QLocale locale;
        const Resource r = m_resource.value_or(Resource::Property);
        qint64 done = m_done, total = m_total;
        QString unit = m_unit;
        if (r == Resource::Property || !m_resource) {
            done = s.progress(Resource::Property).fetched;
            total = s.progress(Resource::Property).expected;
            unit = u"records"_s;
        }
        QString line = u"[%1] %2"_s.arg(phase, locale.toString(done));
        if (total > 0) {
            line += u"/%1 %2 (%3%)"_s.arg(locale.toString(total), unit).arg(100 * done / total);
            const double elapsed = double(m_clock.elapsed()) / 1000.0;
            const double rate = elapsed > 0 ? double(done - m_startDone) / elapsed : 0;
            if (rate > 0)
                line += u", ETA "_s + metrics::durationText(double(total - done) / rate);
        } else {
            line += u" "_s + unit;
        }
        line += u" | %1 records/s, %2 batches in flight, %3 MB RSS"_s
                    .arg(locale.toString(qint64(s.batches.recordsPerSecond)))
                    .arg(s.batches.inFlight)
                    .arg(qint64(s.memory.currentMb));
        printError(line);
    }

private:
    std::optional<Resource> m_resource;
    Resource m_resourceClock = Resource::Property;
    qint64 m_done = 0, m_total = -1, m_startDone = 0;
    QString m_unit;
    QElapsedTimer m_clock;
};

int exitCodeFor(sync::RunOutcome outcome) {
    switch (outcome) {
    case sync::RunOutcome::Succeeded:
        return ExitSuccess;
    case sync::RunOutcome::Unavailable:
        return ExitUnavailable;
    case sync::RunOutcome::Refused:
        return ExitUsage;
    default:
        return ExitPartial;
    }
}

} // namespace

QString SyncCommand::name() const {
    return u"sync"_s;
}

QString SyncCommand::summary() const {
    return u"Replicate a RESO Web API feed into PostgreSQL (Property, then its children)."_s;
}

int SyncCommand::run(const QStringList &arguments) {
    QCommandLineParser parser;
    parser.addOptions({
        {u"api"_s, u"OData service root of the feed, e.g. https://api.example.com/odata."_s,
         u"URL"_s},
        {u"db"_s,
         u"libpq connection string or URI (default: RESOSYNC_DB, then PG* variables). "
         "Prefer RESOSYNC_DB or ~/.pgpass for passwords: argv is visible to others."_s,
         u"CONNINFO"_s},
        {u"resources"_s,
         u"Comma-separated: Property,Media,PropertyRooms,OpenHouse (default all, "
         "Property first)."_s,
         u"LIST"_s},
        {u"mode"_s,
         u"incremental (default: from the saved cursor), full (the whole feed; required for a "
         "first sync) or reconcile (sweep the feed's keys and delete what it no longer has)."_s,
         u"MODE"_s},
        {u"max-delete-share"_s,
         u"Reconcile: the largest share of a table deleted without --confirm. Default 0.2."_s,
         u"F"_s},
        {u"confirm"_s, u"Reconcile: delete whatever the complete key list says is gone, even past "
                       "--max-delete-share or when the feed lists nothing."_s},
        {u"key-page-size"_s,
         u"Reconcile: keys per page ($top of key-only queries). Default: the profile's maximum."_s,
         u"N"_s},
        {u"ca-file"_s,
         u"Also trust the CA certificates in this PEM file (a private CA). Certificates are "
         "always verified; there is no switch to turn that off."_s,
         u"PATH"_s},
        {u"batch-size"_s, u"Records per page ($top). Seed default 2000, capped by the profile."_s,
         u"N"_s},
        {u"property-batch-size"_s, u"Listings per child batch. Seed default 500."_s, u"N"_s},
        {u"db-batch-size"_s, u"Rows per COPY + merge statement. Seed default 100."_s, u"N"_s},
        {u"throttle-ms"_s, u"Least gap between requests. Seed default 750."_s, u"MS"_s},
        {u"concurrency"_s, u"Child batches in flight. Seed default 3."_s, u"N"_s},
        {u"adaptive"_s,
         u"Let the adaptive tuner adjust the five settings above while the run goes on, "
         "within the profile's limits (backs off on 429s, errors and slow answers; keeps a "
         "step up only when records/s rose)."_s},
        {u"requests-per-second"_s,
         u"Client-side rate limit, requests per second (default: the profile's; 0 none)."_s,
         u"N"_s},
        {u"requests-per-hour"_s,
         u"Requests per hour, counted across runs and processes (default: the profile's)."_s,
         u"N"_s},
        {u"requests-per-day"_s,
         u"Requests per day, counted across runs and processes (default: the profile's)."_s,
         u"N"_s},
        {u"alert-latency-ms"_s,
         u"Alert when the p95 API latency of the last few seconds passes MS (default %1; 0 "
         "turns it off). Alerts are logged as warnings and marked in the run's events."_s.arg(
             metrics::AlertThresholds().apiP95Ms),
         u"MS"_s},
        {u"alert-error-rate"_s,
         u"Alert when more than PERCENT of the recent requests failed or were retried, 0-100 "
         "(default %1; 0 turns it off)."_s.arg(metrics::AlertThresholds().errorRatePercent),
         u"PERCENT"_s},
        {u"alert-memory-mb"_s,
         u"Alert when the process's resident memory (RSS) passes MB (default %1; 0 turns it "
         "off)."_s.arg(metrics::AlertThresholds().memoryMb),
         u"MB"_s},
        {u"profile"_s,
         u"Vendor profile: %1 (default generic)."_s.arg(reso::FeedProfile::builtInNames()),
         u"NAME"_s},
        {u"token-env"_s, u"Read a static bearer token from environment variable VAR."_s, u"VAR"_s},
        {u"token-url"_s, u"OAuth2 client-credentials token endpoint."_s, u"URL"_s},
        {u"client-id"_s, u"OAuth2 client id."_s, u"ID"_s},
        {u"client-secret-env"_s, u"Read the OAuth2 client secret from environment variable VAR."_s,
         u"VAR"_s},
        {u"report-json"_s, u"Write the run's report as JSON to FILE."_s, u"FILE"_s},
        {u"quiet"_s, u"No progress lines (warnings and errors still go to stderr)."_s},
    });
    if (const int exit = parse(parser, arguments); exit >= 0)
        return exit;
    Parsed parsed = interpret(parser);
    if (!parsed.error.isEmpty()) {
        printError(u"resosync-cli sync: "_s + parsed.error);
        return ExitUsage;
    }

    if (!parsed.caFile.isEmpty()) {
        // Loud on purpose, even with --quiet: this widens whom the sync trusts.
        QStringList subjects;
        for (const QSslCertificate &certificate : parsed.request.auth.extraCaCertificates)
            subjects << certificate.subjectDisplayName();
        printError(u"warning: trusting extra CA certificates from %1 (%2) in addition to the "
                   "system's; certificates are still verified"_s.arg(parsed.caFile,
                                                                     subjects.join(u"; "_s)));
    }
    sync::SyncEngine engine(parsed.request);
    ProgressPrinter progress;
    QString phase = u"starting"_s;
    const bool quiet = parsed.quiet;
    QObject::connect(
        &engine, &sync::SyncEngine::logged, &engine,
        [quiet](sync::LogLevel level, const QString &resource, const QString &message) {
            if (quiet && level == sync::LogLevel::Info)
                return;
            const char *tag = level == sync::LogLevel::Error     ? "error"
                              : level == sync::LogLevel::Warning ? "warning"
                                                                 : "info";
            printError(u"%1%2: %3"_s.arg(resource.isEmpty() ? QString() : resource + u' ',
                                         QLatin1StringView(tag), message));
        });
    QObject::connect(&engine, &sync::SyncEngine::phaseChanged, &engine,
                     [&phase](const QString &p) { phase = p; });
    QObject::connect(&engine, &sync::SyncEngine::resourceProgress, &engine,
                     [&progress](Resource r, qint64 done, qint64 total, const QString &unit) {
                         progress.setUnits(r, done, total, unit);
                     });
    QObject::connect(&engine, &sync::SyncEngine::finished, &engine,
                     [] { QCoreApplication::quit(); });
    QTimer ticker;
    bool cancelling = false;
    QObject::connect(&ticker, &QTimer::timeout, &engine, [&] {
        if (g_interrupts > 0 && !cancelling) {
            cancelling = true;
            printError(u"Interrupted: cancelling (the database stays consistent; Ctrl+C again "
                       "quits at once)"_s);
            engine.cancel();
        }
        if (!quiet)
            progress.print(engine, phase);
    });
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    ticker.start(1000);
    QTimer::singleShot(0, &engine, [&engine] { engine.start(); });
    QCoreApplication::exec();
    ticker.stop();

    const metrics::RunReport &report = engine.report();
    printOut(report.toText());
    if (!parsed.reportPath.isEmpty()) {
        QFile file(parsed.reportPath);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(QJsonDocument(report.toJson()).toJson()) < 0) {
            printError(u"resosync-cli sync: could not write the report to '%1': %2"_s.arg(
                parsed.reportPath, file.errorString()));
        }
    }
    return exitCodeFor(engine.outcome());
}

} // namespace resosync::cli
