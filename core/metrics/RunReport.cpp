#include "metrics/RunReport.h"

#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <vector>

namespace resosync::metrics {

using namespace Qt::StringLiterals;

namespace {

constexpr double kBytesPerMb = 1024.0 * 1024.0;

// The resources a report covers: those the run was configured with, in the canonical order
// (so two reports line up), or all four when the configuration names none it recognizes.
std::vector<reso::Resource> reportedResources(const QStringList &names) {
    std::vector<reso::Resource> resources;
    for (reso::Resource resource : reso::kAllResources) {
        const bool named = std::any_of(names.begin(), names.end(), [&](const QString &name) {
            return reso::resourceFromName(name) == resource;
        });
        if (named)
            resources.push_back(resource);
    }
    if (resources.empty())
        resources.assign(reso::kAllResources.begin(), reso::kAllResources.end());
    return resources;
}

// JSON carries figures a person reads or compares; 1250.3333333 ms says nothing more than
// 1250.333 and makes diffs between runs noisy.
double rounded(double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

QString millis(double ms) {
    // Database statements often take well under 10 ms: "0.4ms" says more than "0ms".
    if (ms < 10)
        return QString::number(ms, 'f', 1) + "ms"_L1;
    return QString::number(qRound64(ms)) + "ms"_L1;
}

QString percentOf(qint64 part, qint64 whole) {
    if (whole <= 0)
        return u"n/a"_s;
    const double percent = 100.0 * double(part) / double(whole);
    // Rounding must not hide the rare event the figure is about: 1 failure in 1000 requests
    // is "99.9%", not "100%", and 1 cache hit in 1000 is "0.1%", not "0%".
    if (part < whole && qRound(percent) >= 100)
        return QString::number(std::floor(percent * 10) / 10, 'f', 1) + u'%';
    if (part > 0 && qRound(percent) <= 0)
        return QString::number(std::max(0.1, std::ceil(percent * 10) / 10), 'f', 1) + u'%';
    return QString::number(qRound(percent)) + u'%';
}

QString wholeMb(double mb) {
    return QString::number(qRound64(mb)) + "MB"_L1;
}

} // namespace

QJsonObject RunConfig::toJson() const {
    return QJsonObject{{u"batch_size"_s, batchSize},
                       {u"property_batch_size"_s, propertyBatchSize},
                       {u"db_batch_size"_s, dbBatchSize},
                       {u"throttle_ms"_s, throttleMs},
                       {u"concurrency"_s, concurrency},
                       {u"profile"_s, profile},
                       {u"mode"_s, mode},
                       {u"resources"_s, QJsonArray::fromStringList(resources)},
                       {u"adaptive"_s, adaptive}};
}

QJsonObject RunReport::toJson() const {
    const MetricsSnapshot &m = metrics;
    const std::vector<reso::Resource> reported = reportedResources(config.resources);

    QJsonArray configResources;
    QJsonObject resourcesJson;
    QJsonObject reportedConfig = config.toJson();
    for (reso::Resource resource : reported) {
        const ResourceProgress &p = m.progress(resource);
        configResources.append(reso::resourceName(resource));
        resourcesJson.insert(reso::resourceName(resource), QJsonObject{
                                                               {u"fetched"_s, p.fetched},
                                                               {u"upserted"_s, p.upserted},
                                                               {u"deleted"_s, p.deleted},
                                                               {u"rejected"_s, p.rejected},
                                                           });
    }

    QJsonObject byKind;
    for (int kind = 0; kind < kDbStatementKinds; ++kind) {
        const DbKindSummary &k = m.db.byKind[std::size_t(kind)];
        // Every kind, even unused ones: consumers read fixed paths (db.by_kind.merge.p95_ms).
        byKind.insert(dbStatementName(DbStatement(kind)), QJsonObject{
                                                              {u"count"_s, k.count},
                                                              {u"failed"_s, k.failed},
                                                              {u"avg_ms"_s, rounded(k.avgMs, 3)},
                                                              {u"p95_ms"_s, rounded(k.p95Ms, 3)},
                                                          });
    }

    QJsonArray problemsJson;
    for (const QString &problem : problems)
        problemsJson.append(problem);

    reportedConfig.insert(u"resources"_s, configResources); // the resources reported, in order
    return QJsonObject{
        {u"run_id"_s, runId},
        {u"status"_s, status},
        {u"duration_s"_s, rounded(durationSeconds, 3)},
        {u"config"_s, reportedConfig},
        {u"resources"_s, resourcesJson},
        {u"api"_s,
         QJsonObject{
             {u"requests"_s, m.api.requests},
             {u"succeeded"_s, m.api.succeeded},
             {u"failed"_s, m.api.failed},
             {u"retries"_s, m.api.retries},
             {u"rate_limited"_s, m.api.rateLimited},
             {u"avg_ms"_s, rounded(m.api.avgMs, 3)},
             {u"p50_ms"_s, rounded(m.api.p50Ms, 3)},
             {u"p95_ms"_s, rounded(m.api.p95Ms, 3)},
             {u"p99_ms"_s, rounded(m.api.p99Ms, 3)},
             {u"bytes"_s, m.api.bytes},
         }},
        {u"db"_s,
         QJsonObject{
             {u"queries"_s, m.db.queries},
             {u"succeeded"_s, m.db.succeeded},
             {u"failed"_s, m.db.failed},
             {u"avg_ms"_s, rounded(m.db.avgMs, 3)},
             {u"p95_ms"_s, rounded(m.db.p95Ms, 3)},
             {u"by_kind"_s, byKind},
         }},
        {u"memory"_s,
         QJsonObject{
             {u"current_mb"_s, rounded(m.memory.currentMb, 1)},
             {u"peak_mb"_s, rounded(m.memory.peakMb, 1)},
             {u"avg_mb"_s, rounded(m.memory.avgMb, 1)},
         }},
        {u"batches"_s,
         QJsonObject{
             {u"count"_s, m.batches.count},
             {u"avg_ms"_s, rounded(m.batches.avgMs, 3)},
             {u"parallel_max"_s, m.batches.parallelMax},
             {u"parallel_efficiency"_s, rounded(m.batches.parallelEfficiency, 1)},
         }},
        {u"validation"_s,
         QJsonObject{
             {u"count"_s, m.validation.count},
             {u"cache_hit_rate"_s, rounded(m.validation.cacheHitRate(), 4)},
         }},
        {u"problems"_s, problemsJson},
    };
}

QString RunReport::toText() const {
    const MetricsSnapshot &m = metrics;
    // en_US for the thousands separator in records/s ("41,000"); QLocale::c() omits it.
    const QLocale english(QLocale::English, QLocale::UnitedStates);
    QString text;
    auto line = [&text](const QString &content) { text += content + u'\n'; };

    line(u"===== PERFORMANCE METRICS SUMMARY ====="_s);
    line("API Requests: "_L1 + QString::number(m.api.requests) + " total, "_L1 +
         percentOf(m.api.succeeded, m.api.requests) + " success rate, "_L1 + millis(m.api.avgMs) +
         " avg (p50 "_L1 + millis(m.api.p50Ms) + ", p95 "_L1 + millis(m.api.p95Ms) + ", p99 "_L1 +
         millis(m.api.p99Ms) + "), "_L1 + QString::number(m.api.retries) + " retries, "_L1 +
         QString::number(m.api.rateLimited) + " rate-limited, "_L1 +
         QString::number(double(m.api.bytes) / kBytesPerMb, 'f', 1) + " MB"_L1);
    line("Database Queries: "_L1 + QString::number(m.db.queries) + " total, "_L1 +
         percentOf(m.db.succeeded, m.db.queries) + " success rate, "_L1 + millis(m.db.avgMs) +
         " avg (p95 "_L1 + millis(m.db.p95Ms) + u')');
    line("Memory Usage: "_L1 + wholeMb(m.memory.currentMb) + " current, "_L1 +
         wholeMb(m.memory.peakMb) + " peak, "_L1 + wholeMb(m.memory.avgMb) + " avg"_L1);
    const QString failedBatches = m.batches.failed > 0
                                      ? " ("_L1 + QString::number(m.batches.failed) + " failed)"_L1
                                      : QString();
    line("Batch Processing: "_L1 + QString::number(m.batches.count) + " batches"_L1 +
         failedBatches + ", "_L1 + millis(m.batches.avgMs) + " avg, "_L1 +
         QString::number(m.batches.parallelMax) + " parallel max, "_L1 +
         QString::number(qRound(m.batches.parallelEfficiency)) + "% parallel efficiency, "_L1 +
         english.toString(qRound64(m.batches.recordsPerSecond)) + " records/s"_L1);
    line("Property Validation: "_L1 + QString::number(m.validation.count) + " validations, "_L1 +
         percentOf(m.validation.cacheHits, m.validation.count) + " cache hit rate"_L1);
    for (reso::Resource resource : reportedResources(config.resources)) {
        const ResourceProgress &p = m.progress(resource);
        line(reso::resourceName(resource) + ": "_L1 + QString::number(p.fetched) + " fetched, "_L1 +
             QString::number(p.upserted) + " upserted, "_L1 + QString::number(p.deleted) +
             " deleted, "_L1 + QString::number(p.rejected) + " rejected"_L1);
    }
    const QString run = runId > 0 ? " (run "_L1 + QString::number(runId) + u')' : QString();
    line("Status: "_L1 + (status.isEmpty() ? u"unknown"_s : status) + " in "_L1 +
         QString::number(durationSeconds, 'f', 1) + " s"_L1 + run);
    for (const QString &problem : problems)
        line("Problem: "_L1 + problem);
    return text;
}

} // namespace resosync::metrics
