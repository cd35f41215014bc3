#include "cli/SimulateCommand.h"

#include "sim/FeedSimulator.h"

#include <QCoreApplication>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <optional>

namespace resosync::cli {

using namespace Qt::StringLiterals;
using sim::SimulatorOptions;

namespace {

std::atomic_bool g_stopRequested = false;

void requestStop(int) {
    g_stopRequested = true;
}

} // namespace

QString SimulateCommand::name() const {
    return u"simulate"_s;
}

QString SimulateCommand::summary() const {
    return u"Serve the built-in RESO feed simulator on 127.0.0.1 (demo, tests, tuning)."_s;
}

int SimulateCommand::run(const QStringList &arguments) {
    QCommandLineParser parser;
    const QList<QCommandLineOption> options{
        {u"properties"_s, u"Number of listings (children follow). Default 20000."_s, u"N"_s},
        {u"seed"_s, u"Seed of the data; the same seed serves the same feed. Default 1."_s, u"N"_s},
        {u"port"_s, u"TCP port on 127.0.0.1; 0 picks a free one. Default 0."_s, u"PORT"_s},
        {u"page-size"_s, u"Page size without $top or maxpagesize. Default 1000."_s, u"N"_s},
        {u"rendered-mb"_s,
         u"Render every record's JSON before serving and keep up to this many MB of it, so "
         "pages cost almost no CPU (as a remote server costs this machine none). The URL is "
         "printed once rendering is done. Default 0: pages are generated per request."_s,
         u"MB"_s},
        {u"next-link"_s, u"nextLink style: skip ($skip offsets) or token (opaque). Default skip."_s,
         u"STYLE"_s},
        {u"latency-ms"_s, u"Latency added to each feed response. Default 0."_s, u"MS"_s},
        {u"jitter-ms"_s, u"Random extra latency, up to this. Default 0."_s, u"MS"_s},
        {u"rate-limit"_s, u"Requests per second before answering 429. Default unlimited."_s,
         u"RPS"_s},
        {u"no-retry-after"_s, u"Answer 429 without a Retry-After header."_s},
        {u"error-rate"_s, u"Share of requests answered 503 (0..1). Default 0."_s, u"F"_s},
        {u"reset-rate"_s, u"Share of responses reset mid-body (0..1). Default 0."_s, u"F"_s},
        {u"truncate-rate"_s, u"Share of responses with a short body (0..1). Default 0."_s, u"F"_s},
        {u"no-in"_s, u"Refuse the 'in' operator with 400, as some vendors do."_s},
        {u"mlg-can-view"_s,
         u"MLS Grid style deletions: records carry MlgCanView; a deleted one stays in the feed "
         "with MlgCanView false and a new ModificationTimestamp."_s},
        {u"max-url"_s, u"Answer 414 to request URLs longer than this. Default off."_s, u"BYTES"_s},
        {u"max-top"_s, u"Largest $top accepted. Default 5000."_s, u"N"_s},
        {u"token-ttl"_s, u"Idle seconds before an opaque nextLink expires. Default 300."_s, u"S"_s},
        {u"fault-seed"_s, u"Seed of the fault decisions. Default 1."_s, u"N"_s},
        {u"malformed-rate"_s, u"Share of records served with a malformed timestamp (0..1)."_s,
         u"F"_s},
        {u"slow-rate"_s, u"Share of responses held back by --slow-ms (0..1). Default 0."_s, u"F"_s},
        {u"slow-ms"_s, u"How long a slow response is held back. Default 0."_s, u"MS"_s},
        {u"expired-link-rate"_s,
         u"Share of opaque nextLinks refused as expired when followed (0..1). Default 0."_s,
         u"F"_s},
        {u"duplicate-rate"_s, u"Share of pages that repeat records (0..1). Default 0."_s, u"F"_s},
        {u"quota-hour"_s, u"Requests per hour before answering 429. Default unlimited."_s, u"N"_s},
        {u"quota-day"_s, u"Requests per day before answering 429. Default unlimited."_s, u"N"_s},
        {u"token-lifetime"_s, u"Seconds an OAuth2 token is valid. Default 3600."_s, u"S"_s},
        {u"token-expires-in"_s,
         u"expires_in told to clients, if not the real lifetime (longer: 401s mid-run)."_s, u"S"_s},
        {u"max-tokens"_s, u"OAuth2 tokens issued before the endpoint refuses. Default no limit."_s,
         u"N"_s},
        {u"token-env"_s, u"Require this static bearer token, read from env variable VAR."_s,
         u"VAR"_s},
        {u"client-id"_s, u"Require OAuth2 client credentials with this client id."_s, u"ID"_s},
        {u"client-secret-env"_s, u"The client secret, read from env variable VAR."_s, u"VAR"_s},
    };
    parser.addOptions(options);
    if (const int exit = parse(parser, arguments); exit >= 0)
        return exit;

    QString error;
    SimulatorOptions o;
    auto &f = o.faults;
    o.properties = numberOption(parser, u"properties"_s, 0, 2'000'000, 20'000, &error).value_or(0);
    o.seed = numberOption<quint64>(parser, u"seed"_s, 0, 1ULL << 52, 1, &error).value_or(1);
    const auto port = numberOption(parser, u"port"_s, 0, 65535, 0, &error);
    o.defaultPageSize = numberOption(parser, u"page-size"_s, 1, 100'000, 1000, &error).value_or(1);
    o.renderedBytes =
        qint64(numberOption(parser, u"rendered-mb"_s, 0, 1'000'000, 0, &error).value_or(0)) << 20;
    f.latencyMs = numberOption(parser, u"latency-ms"_s, 0, 600'000, 0, &error).value_or(0);
    f.latencyJitterMs = numberOption(parser, u"jitter-ms"_s, 0, 600'000, 0, &error).value_or(0);
    f.requestsPerSecond = numberOption(parser, u"rate-limit"_s, 0.0, 1e6, 0.0, &error).value_or(0);
    f.sendRetryAfter = !parser.isSet(u"no-retry-after"_s);
    f.serverErrorRate = numberOption(parser, u"error-rate"_s, 0.0, 1.0, 0.0, &error).value_or(0);
    f.resetRate = numberOption(parser, u"reset-rate"_s, 0.0, 1.0, 0.0, &error).value_or(0);
    f.truncateRate = numberOption(parser, u"truncate-rate"_s, 0.0, 1.0, 0.0, &error).value_or(0);
    f.inOperatorUnsupported = parser.isSet(u"no-in"_s);
    o.mlgCanView = parser.isSet(u"mlg-can-view"_s);
    f.maxUrlLength = numberOption(parser, u"max-url"_s, 0, 1'000'000, 0, &error).value_or(0);
    f.maxTop = numberOption(parser, u"max-top"_s, 1, 1'000'000, 5000, &error).value_or(1);
    f.tokenTtlSeconds = numberOption(parser, u"token-ttl"_s, 1, 86'400, 300, &error).value_or(1);
    f.seed = numberOption<quint64>(parser, u"fault-seed"_s, 0, 1ULL << 52, 1, &error).value_or(1);
    f.malformedRecordRate =
        numberOption(parser, u"malformed-rate"_s, 0.0, 1.0, 0.0, &error).value_or(0);
    f.slowResponseRate = numberOption(parser, u"slow-rate"_s, 0.0, 1.0, 0.0, &error).value_or(0);
    f.slowResponseMs = numberOption(parser, u"slow-ms"_s, 0, 600'000, 0, &error).value_or(0);
    f.expiredLinkRate =
        numberOption(parser, u"expired-link-rate"_s, 0.0, 1.0, 0.0, &error).value_or(0);
    f.duplicateRecordRate =
        numberOption(parser, u"duplicate-rate"_s, 0.0, 1.0, 0.0, &error).value_or(0);
    f.requestsPerHour =
        numberOption(parser, u"quota-hour"_s, 0, 1'000'000'000, 0, &error).value_or(0);
    f.requestsPerDay =
        numberOption(parser, u"quota-day"_s, 0, 1'000'000'000, 0, &error).value_or(0);
    o.auth.tokenLifetimeSeconds =
        numberOption(parser, u"token-lifetime"_s, 1, 86'400 * 365, 3600, &error).value_or(1);
    o.auth.advertisedLifetimeSeconds =
        numberOption(parser, u"token-expires-in"_s, 0, 86'400 * 365, 0, &error).value_or(0);
    o.auth.maxTokens =
        numberOption(parser, u"max-tokens"_s, 0, 1'000'000'000, 0, &error).value_or(0);
    const QString style = parser.value(u"next-link"_s);
    if (!style.isEmpty() && style != "skip"_L1 && style != "token"_L1)
        error = u"--next-link '%1' is not a nextLink style: use skip or token"_s.arg(style);
    o.nextLinkStyle = style == "token"_L1 ? sim::NextLinkStyle::Token : sim::NextLinkStyle::Skip;
    o.auth.staticToken = secretFromEnv(parser, u"token-env"_s, &error);
    o.auth.clientId = parser.value(u"client-id"_s);
    o.auth.clientSecret = secretFromEnv(parser, u"client-secret-env"_s, &error);
    if (o.auth.clientId.isEmpty() != o.auth.clientSecret.isEmpty() && error.isEmpty())
        error = u"--client-id and --client-secret-env go together"_s;
    if (!error.isEmpty()) {
        printError(u"resosync-cli simulate: "_s + error);
        return ExitUsage;
    }

    sim::FeedSimulator simulator(o);
    if (!simulator.start(quint16(*port), &error)) {
        printError(u"resosync-cli simulate: "_s + error);
        return ExitUnavailable;
    }
    if (o.renderedBytes > 0) {
        const double seconds = simulator.prerender();
        printError(
            u"Rendered the records' JSON in %1 s (up to %2 MB kept)."_s.arg(seconds, 0, 'f', 1)
                .arg(o.renderedBytes >> 20));
    }
    printOut(simulator.baseUrl().toString());
    const auto &data = simulator.data();
    printError(u"Serving %1 properties, %2 media, %3 rooms, %4 open houses (seed %5)."_s
                   .arg(data.aliveCount(reso::Resource::Property))
                   .arg(data.aliveCount(reso::Resource::Media))
                   .arg(data.aliveCount(reso::Resource::PropertyRooms))
                   .arg(data.aliveCount(reso::Resource::OpenHouse))
                   .arg(o.seed));
    if (!o.auth.clientId.isEmpty())
        printError(u"OAuth2 token endpoint: "_s + simulator.tokenUrl().toString());
    printError(u"Admin: GET /admin/stats, POST /admin/mutate?updateProperties=N&"
               "insertProperties=N&deleteProperties=N&updateMedia=N&deleteMedia=N&seed=N. "
               "Ctrl+C stops."_s);

    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, QCoreApplication::instance(), [] {
        if (g_stopRequested)
            QCoreApplication::quit();
    });
    poll.start(100);
    QCoreApplication::exec();
    simulator.stop();
    printError(u"Simulator stopped."_s);
    return ExitSuccess;
}

} // namespace resosync::cli
