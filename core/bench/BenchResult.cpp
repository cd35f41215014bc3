#include "bench/BenchResult.h"

#include <QJsonArray>
#include <QLocale>

#include <cmath>

namespace resosync::bench {

using namespace Qt::StringLiterals;

namespace {

double ratio(double a, double b) {
    return b > 0 ? a / b : 0;
}

QString whole(double value) {
    return QLocale::c().toString(qint64(std::llround(value)));
}

QString percent(double share) {
    return QString::number(share * 100, 'f', 0) + u'%';
}

QString seconds(double s) {
    return QString::number(s, 'f', 1);
}

QString cell(const QString &text, int width) {
    return text.leftJustified(width);
}

QString rcell(const QString &text, int width) {
    return text.rightJustified(width);
}

QJsonObject rowJson(const BenchRow &row) {
    return QJsonObject{{u"name"_s, row.name},
                       {u"scope"_s, row.scope},
                       {u"records"_s, row.records},
                       {u"seconds"_s, row.seconds},
                       {u"records_per_s"_s, row.recordsPerSecond()},
                       {u"requests"_s, row.requests},
                       {u"failed_requests"_s, row.failedRequests},
                       {u"bytes"_s, row.bytes},
                       {u"peak_mb"_s, row.peakMb},
                       {u"settings"_s, row.settings},
                       {u"attempts"_s, row.attempts},
                       {u"slowest_seconds"_s, row.slowestSeconds},
                       {u"lowest_peak_mb"_s, row.lowestPeakMb},
                       {u"highest_peak_mb"_s, row.highestPeakMb},
                       {u"error"_s, row.error}};
}

} // namespace

const BenchRow *BenchResult::row(const QString &name) const {
    for (const BenchRow &r : mediaRuns) {
        if (r.name == name)
            return &r;
    }
    return nullptr;
}

double BenchResult::mediaShareOfDatabaseFloor() const {
    const BenchRow *best = row(bestName);
    return best ? ratio(best->recordsPerSecond(), databaseFloor.rowsPerSecond()) : 0;
}

double BenchResult::latencyRatio() const {
    return ratio(latencyRun.seconds, latencyBoundSeconds);
}

QString BenchResult::toText() const {
    QString t;
    t += u"===== RESOSYNC BENCHMARK: %1 listings =====\n"_s.arg(whole(properties));
    t += u"Listings loaded first: %1 records in %2 s (%3/s)\n"_s.arg(
        whole(double(propertyLoad.records)), seconds(propertyLoad.seconds),
        whole(propertyLoad.recordsPerSecond()));
    if (renderedBytes > 0)
        t += u"The simulator runs in a process of its own; it rendered its records first (%1 s "
             "to start, up to %2 MB kept) and serves those bytes, as a remote server costs this "
             "machine nothing: its generator stays out of the figures.\n"_s.arg(
                 seconds(prerenderSeconds), whole(double(renderedBytes) / 1e6));
    else
        t += u"The simulator generates every page during the runs (its CPU competes with the "
             "sync's).\n"_s;
    t += u'\n';

    t += u"Media, every run from an empty table (the same %1 records):\n"_s.arg(
        whole(double(databaseFloor.rows)));
    t += cell(u"run"_s, 40) + rcell(u"s"_s, 7) + rcell(u"records/s"_s, 11) +
         rcell(u"of DB floor"_s, 13) + rcell(u"of feed floor"_s, 15) + rcell(u"requests"_s, 10) +
         u"  settings\n"_s;
    const double dbRate = databaseFloor.rowsPerSecond();
    const double feedRate = feedFloor.recordsPerSecond();
    // One row of the Media table: a floor or a run, with its rate against both floors.
    // Explicitly QString: with QT_USE_QSTRINGBUILDER an auto return type would be a builder
    // holding references to this call's temporaries.
    const auto mediaRow = [&](const QString &name, double secs, double rate,
                              const QString &requests, const QString &tail) -> QString {
        return cell(name, 40) + rcell(seconds(secs), 7) + rcell(whole(rate), 11) +
               rcell(percent(ratio(rate, dbRate)), 13) + rcell(percent(ratio(rate, feedRate)), 15) +
               rcell(requests, 10) + tail + u'\n';
    };
    const auto attempts = [](const FloorResult &floor) -> QString {
        return u"  fastest of %1 (slowest %2 s)"_s.arg(floor.attempts)
            .arg(seconds(floor.slowestSeconds));
    };
    t += mediaRow(u"database floor (plain COPY, unlogged)"_s, databaseFloor.seconds, dbRate, u"-"_s,
                  attempts(databaseFloor) +
                      u", %1 MB of COPY text"_s.arg(whole(double(databaseFloor.bytes) / 1e6)));
    t += mediaRow(u"durable floor (plain COPY, logged)"_s, loggedFloor.seconds,
                  loggedFloor.rowsPerSecond(), u"-"_s, attempts(loggedFloor));
    t += mediaRow(u"feed floor (fetch + parse, no database)"_s, feedFloor.seconds, feedRate,
                  whole(double(feedFloor.requests)), {});
    for (const BenchRow &r : mediaRuns) {
        t += mediaRow(r.name == bestName ? r.name + u" (best)"_s : r.name, r.seconds,
                      r.recordsPerSecond(), whole(double(r.requests)),
                      u"  "_s + r.settings +
                          (r.attempts > 1 ? u"; fastest of %1 (slowest %2 s)"_s.arg(r.attempts)
                                                .arg(seconds(r.slowestSeconds))
                                          : QString()) +
                          (r.error.isEmpty() ? QString() : u"  FAILED: "_s + r.error));
    }

    if (!memoryRuns.isEmpty()) {
        t += u"\nMemory: full sync of all resources, each in a resosync-cli process of its own; "
             "the attempt with the median peak, and the range of peaks:\n"_s;
        t += cell(u"size"_s, 18) + rcell(u"records"_s, 11) + rcell(u"s"_s, 8) +
             rcell(u"records/s"_s, 11) + rcell(u"JSON MB"_s, 9) + rcell(u"peak RSS MB"_s, 13) +
             rcell(u"range"_s, 14) + u'\n';
        const auto mb = [](double value) { return QString::number(value, 'f', 1); };
        for (const BenchRow &r : memoryRuns) {
            const QString range =
                r.attempts > 1 ? mb(r.lowestPeakMb) + u'-' + mb(r.highestPeakMb) : QString();
            t += cell(r.name, 18) + rcell(whole(double(r.records)), 11) +
                 rcell(seconds(r.seconds), 8) + rcell(whole(r.recordsPerSecond()), 11) +
                 rcell(whole(double(r.bytes) / 1e6), 9) + rcell(mb(r.peakMb), 13) +
                 rcell(range, 14) + (r.error.isEmpty() ? QString() : u"  FAILED: "_s + r.error) +
                 u'\n';
        }
    }

    if (latencyBoundSeconds > 0) {
        t +=
            u"\nLatency-bound (%1): %2 requests in %3 s; the rate limit allows no less than "
            "%4 s: %5 of the bound\n"_s.arg(latencyRun.settings, whole(double(latencyRun.requests)),
                                            seconds(latencyRun.seconds),
                                            seconds(latencyBoundSeconds), percent(latencyRatio()));
    }

    t += u"\nThe seed's claims, measured here:\n"_s;
    const BenchRow *one = row(u"concurrency 1"_s);
    const BenchRow *best = row(bestName);
    if (one && best) {
        t += u"  speed from parallel batches (seed: +200-300%): %1 is %2 of concurrency 1\n"_s.arg(
            bestName, percent(ratio(best->recordsPerSecond(), one->recordsPerSecond())));
    }
    if (!memoryRuns.isEmpty() && memoryRuns.first().bytes > 0) {
        const BenchRow &m = memoryRuns.first();
        t += u"  memory from streaming (seed: 60-80% less): peak %1 MB while %2 MB of JSON "
             "passed through: %3 less than holding it\n"_s.arg(
                 QString::number(m.peakMb, 'f', 0), whole(double(m.bytes) / 1e6),
                 percent(1 - ratio(m.peakMb * 1e6, double(m.bytes))));
    }
    if (best) {
        t += u"  API efficiency (seed: 85-90%): %1 of requests succeeded first time\n"_s.arg(
            percent(1 - ratio(double(best->failedRequests), double(best->requests))));
    }
    t += u"\nTargets (issue #7):\n"_s;
    t += u"  Media sync >= 60% of the database floor: %1 (%2 of the durable floor)\n"_s.arg(
        percent(mediaShareOfDatabaseFloor()),
        percent(best ? ratio(best->recordsPerSecond(), loggedFloor.rowsPerSecond()) : 0));
    if (latencyBoundSeconds > 0)
        t += u"  latency-bound wall time within 10% of the bound: %1 of it\n"_s.arg(
            percent(latencyRatio()));
    if (memoryRuns.size() >= 2) {
        const double small = memoryRuns.first().peakMb;
        const double large = memoryRuns.last().peakMb;
        t += u"  peak RSS < 150 MB at %1 and within 10% of %2 (medians): %3 MB vs %4 MB (%5)\n"_s
                 .arg(memoryRuns.last().name, memoryRuns.first().name,
                      QString::number(large, 'f', 1), QString::number(small, 'f', 1),
                      percent(ratio(large, small)));
    }
    if (bestReport)
        t += u"\nSummary block of the fastest Media run:\n"_s + bestReport->toText() + u'\n';
    if (!errors.isEmpty())
        t += u"\nProblems:\n  "_s + errors.join(u"\n  "_s) + u'\n';
    t += u"\nBenchmark took %1 s.\n"_s.arg(seconds(totalSeconds));
    return t;
}

QJsonObject BenchResult::toJson() const {
    QJsonArray media;
    for (const BenchRow &r : mediaRuns)
        media.append(rowJson(r));
    QJsonArray memory;
    for (const BenchRow &r : memoryRuns)
        memory.append(rowJson(r));
    return QJsonObject{
        {u"properties"_s, properties},
        {u"prerender_s"_s, prerenderSeconds},
        {u"rendered_bytes"_s, renderedBytes},
        {u"property_load"_s, rowJson(propertyLoad)},
        {u"media_runs"_s, media},
        {u"best"_s, bestName},
        {u"database_floor"_s, QJsonObject{{u"rows"_s, databaseFloor.rows},
                                          {u"seconds"_s, databaseFloor.seconds},
                                          {u"rows_per_s"_s, databaseFloor.rowsPerSecond()},
                                          {u"bytes"_s, databaseFloor.bytes},
                                          {u"attempts"_s, databaseFloor.attempts},
                                          {u"slowest_seconds"_s, databaseFloor.slowestSeconds}}},
        {u"logged_floor"_s, QJsonObject{{u"rows"_s, loggedFloor.rows},
                                        {u"seconds"_s, loggedFloor.seconds},
                                        {u"rows_per_s"_s, loggedFloor.rowsPerSecond()},
                                        {u"attempts"_s, loggedFloor.attempts},
                                        {u"slowest_seconds"_s, loggedFloor.slowestSeconds}}},
        {u"feed_floor"_s, QJsonObject{{u"records"_s, feedFloor.records},
                                      {u"seconds"_s, feedFloor.seconds},
                                      {u"records_per_s"_s, feedFloor.recordsPerSecond()},
                                      {u"requests"_s, feedFloor.requests}}},
        {u"memory_runs"_s, memory},
        {u"latency_run"_s, rowJson(latencyRun)},
        {u"latency_bound_s"_s, latencyBoundSeconds},
        {u"targets"_s, QJsonObject{{u"media_share_of_db_floor"_s, mediaShareOfDatabaseFloor()},
                                   {u"latency_ratio"_s, latencyRatio()}}},
        {u"summary"_s, bestReport ? bestReport->toJson() : QJsonObject{}},
        {u"errors"_s, QJsonArray::fromStringList(errors)},
        {u"total_s"_s, totalSeconds}};
}

} // namespace resosync::bench
