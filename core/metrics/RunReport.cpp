#include "metrics/RunReport.h"

#include "metrics/MetricsFormat.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <vector>

namespace resosync::metrics {

using namespace Qt::StringLiterals;

namespace {

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
    QJsonObject reconcileJson;
    for (const ReconcileSummary &r : reconcile) {
        reconcileJson.insert(r.resource, QJsonObject{
                                             {u"keys_seen"_s, r.keysSeen},
                                             {u"local_rows"_s, r.localRows},
                                             {u"deleted"_s, r.deleted},
                                             {u"children_deleted"_s, r.childrenDeleted},
                                             {u"seconds"_s, rounded(r.seconds, 3)},
                                             {u"outcome"_s, r.outcome},
                                         });
    }
    QJsonObject json{
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
             {u"failed"_s, m.batches.failed},
             {u"avg_ms"_s, rounded(m.batches.avgMs, 3)},
             {u"parallel_max"_s, m.batches.parallelMax},
             {u"parallel_efficiency"_s, rounded(m.batches.parallelEfficiency, 1)},
             {u"records_per_s"_s, rounded(m.batches.recordsPerSecond, 1)},
         }},
        {u"validation"_s,
         QJsonObject{
             {u"count"_s, m.validation.count},
             {u"cache_hits"_s, m.validation.cacheHits},
             {u"cache_hit_rate"_s, rounded(m.validation.cacheHitRate(), 4)},
         }},
        {u"problems"_s, problemsJson},
    };
    if (!reconcile.isEmpty())
        json.insert(u"reconcile"_s, reconcileJson);
    return json;
}

RunConfig RunConfig::fromJson(const QJsonObject &json) {
    RunConfig config;
    config.batchSize = json[u"batch_size"_s].toInt(config.batchSize);
    config.propertyBatchSize = json[u"property_batch_size"_s].toInt(config.propertyBatchSize);
    config.dbBatchSize = json[u"db_batch_size"_s].toInt(config.dbBatchSize);
    config.throttleMs = json[u"throttle_ms"_s].toInt(config.throttleMs);
    config.concurrency = json[u"concurrency"_s].toInt(config.concurrency);
    config.profile = json[u"profile"_s].toString(config.profile);
    config.mode = json[u"mode"_s].toString(config.mode);
    config.adaptive = json[u"adaptive"_s].toBool(false);
    for (const QJsonValue &resource : json[u"resources"_s].toArray())
        config.resources << resource.toString();
    return config;
}

RunReport RunReport::fromJson(const QJsonObject &json) {
    RunReport report;
    report.runId = json[u"run_id"_s].toInteger();
    report.status = json[u"status"_s].toString();
    report.durationSeconds = json[u"duration_s"_s].toDouble();
    report.config = RunConfig::fromJson(json[u"config"_s].toObject());
    MetricsSnapshot &m = report.metrics;

    const QJsonObject resources = json[u"resources"_s].toObject();
    for (reso::Resource resource : reso::kAllResources) {
        const QJsonObject p = resources[reso::resourceName(resource)].toObject();
        ResourceProgress &progress = m.resources[std::size_t(resource)];
        progress.fetched = p[u"fetched"_s].toInteger();
        progress.upserted = p[u"upserted"_s].toInteger();
        progress.deleted = p[u"deleted"_s].toInteger();
        progress.rejected = p[u"rejected"_s].toInteger();
    }

    const QJsonObject api = json[u"api"_s].toObject();
    m.api.requests = api[u"requests"_s].toInteger();
    m.api.succeeded = api[u"succeeded"_s].toInteger();
    m.api.failed = api[u"failed"_s].toInteger();
    m.api.retries = api[u"retries"_s].toInteger();
    m.api.rateLimited = api[u"rate_limited"_s].toInteger();
    m.api.avgMs = api[u"avg_ms"_s].toDouble();
    m.api.p50Ms = api[u"p50_ms"_s].toDouble();
    m.api.p95Ms = api[u"p95_ms"_s].toDouble();
    m.api.p99Ms = api[u"p99_ms"_s].toDouble();
    m.api.bytes = api[u"bytes"_s].toInteger();

    const QJsonObject db = json[u"db"_s].toObject();
    m.db.queries = db[u"queries"_s].toInteger();
    m.db.succeeded = db[u"succeeded"_s].toInteger();
    m.db.failed = db[u"failed"_s].toInteger();
    m.db.avgMs = db[u"avg_ms"_s].toDouble();
    m.db.p95Ms = db[u"p95_ms"_s].toDouble();
    const QJsonObject byKind = db[u"by_kind"_s].toObject();
    for (int kind = 0; kind < kDbStatementKinds; ++kind) {
        const QJsonObject k = byKind[dbStatementName(DbStatement(kind))].toObject();
        DbKindSummary &summary = m.db.byKind[std::size_t(kind)];
        summary.count = k[u"count"_s].toInteger();
        summary.failed = k[u"failed"_s].toInteger();
        summary.avgMs = k[u"avg_ms"_s].toDouble();
        summary.p95Ms = k[u"p95_ms"_s].toDouble();
    }

    const QJsonObject memory = json[u"memory"_s].toObject();
    m.memory.currentMb = memory[u"current_mb"_s].toDouble();
    m.memory.peakMb = memory[u"peak_mb"_s].toDouble();
    m.memory.avgMb = memory[u"avg_mb"_s].toDouble();

    const QJsonObject batches = json[u"batches"_s].toObject();
    m.batches.count = batches[u"count"_s].toInteger();
    m.batches.failed = batches[u"failed"_s].toInteger();
    m.batches.avgMs = batches[u"avg_ms"_s].toDouble();
    m.batches.parallelMax = batches[u"parallel_max"_s].toInt();
    m.batches.parallelEfficiency = batches[u"parallel_efficiency"_s].toDouble();
    m.batches.recordsPerSecond = batches[u"records_per_s"_s].toDouble();

    const QJsonObject validation = json[u"validation"_s].toObject();
    m.validation.count = validation[u"count"_s].toInteger();
    // Summaries saved before cache_hits was kept have only the rate (4 decimals): the count
    // it implies is exact up to 10,000 validations.
    m.validation.cacheHits =
        validation.contains(u"cache_hits"_s)
            ? validation[u"cache_hits"_s].toInteger()
            : qRound64(validation[u"cache_hit_rate"_s].toDouble() * double(m.validation.count));

    for (const QJsonValue &problem : json[u"problems"_s].toArray())
        report.problems << problem.toString();
    // A JSON object has no order: reconciles ran in resource order, Property first.
    const QJsonObject reconcile = json[u"reconcile"_s].toObject();
    for (reso::Resource resource : reso::kAllResources) {
        const QString name = reso::resourceName(resource);
        if (!reconcile.contains(name))
            continue;
        const QJsonObject r = reconcile[name].toObject();
        report.reconcile << ReconcileSummary{name,
                                             r[u"keys_seen"_s].toInteger(),
                                             r[u"local_rows"_s].toInteger(),
                                             r[u"deleted"_s].toInteger(),
                                             r[u"children_deleted"_s].toInteger(),
                                             r[u"seconds"_s].toDouble(),
                                             r[u"outcome"_s].toString()};
    }
    return report;
}

QString RunReport::toText() const {
    // The figures as the saved summary keeps them (times to the microsecond, memory to 0.1 MB):
    // a rounding edge such as 9.9996 ms must print the same now and when the run is reopened
    // from history.
    const RunReport stored = fromJson(toJson());
    const MetricsSnapshot &m = stored.metrics;
    QString text;
    auto line = [&text](const QString &content) { text += content + u'\n'; };

    line(u"===== PERFORMANCE METRICS SUMMARY ====="_s);
    line("API Requests: "_L1 + QString::number(m.api.requests) + " total, "_L1 +
         formatPercentOf(m.api.succeeded, m.api.requests) + " success rate, "_L1 +
         formatMillis(m.api.avgMs) + " avg (p50 "_L1 + formatMillis(m.api.p50Ms) + ", p95 "_L1 +
         formatMillis(m.api.p95Ms) + ", p99 "_L1 + formatMillis(m.api.p99Ms) + "), "_L1 +
         QString::number(m.api.retries) + " retries, "_L1 + QString::number(m.api.rateLimited) +
         " rate-limited, "_L1 + formatBytesAsMb(m.api.bytes));
    line("Database Queries: "_L1 + QString::number(m.db.queries) + " total, "_L1 +
         formatPercentOf(m.db.succeeded, m.db.queries) + " success rate, "_L1 +
         formatMillis(m.db.avgMs) + " avg (p95 "_L1 + formatMillis(m.db.p95Ms) + u')');
    line("Memory Usage: "_L1 + formatWholeMb(m.memory.currentMb) + " current, "_L1 +
         formatWholeMb(m.memory.peakMb) + " peak, "_L1 + formatWholeMb(m.memory.avgMb) + " avg"_L1);
    line("Batch Processing: "_L1 + formatBatches(m.batches.count, m.batches.failed) + ", "_L1 +
         formatMillis(m.batches.avgMs) + " avg, "_L1 + QString::number(m.batches.parallelMax) +
         " parallel max, "_L1 + formatWholePercent(m.batches.parallelEfficiency) +
         " parallel efficiency, "_L1 + formatRecordsPerSecond(m.batches.recordsPerSecond) +
         " records/s"_L1);
    line("Property Validation: "_L1 + QString::number(m.validation.count) + " validations, "_L1 +
         formatPercentOf(m.validation.cacheHits, m.validation.count) + " cache hit rate"_L1);
    for (reso::Resource resource : reportedResources(stored.config.resources)) {
        const ResourceProgress &p = m.progress(resource);
        line(reso::resourceName(resource) + ": "_L1 + QString::number(p.fetched) + " fetched, "_L1 +
             QString::number(p.upserted) + " upserted, "_L1 + QString::number(p.deleted) +
             " deleted, "_L1 + QString::number(p.rejected) + " rejected"_L1);
    }
    for (const ReconcileSummary &r : stored.reconcile) {
        const QString children =
            r.childrenDeleted > 0
                ? " (and "_L1 + QString::number(r.childrenDeleted) + " child rows)"_L1
                : QString();
        line("Reconcile "_L1 + r.resource + ": "_L1 + QString::number(r.keysSeen) +
             " keys in the feed, "_L1 + QString::number(r.localRows) + " rows stored, "_L1 +
             QString::number(r.deleted) +
             (r.outcome == "refused"_L1  ? " to delete: REFUSED, nothing deleted"_L1
              : r.outcome == "failed"_L1 ? " deleted: FAILED, nothing deleted"_L1
                                         : " deleted"_L1) +
             children + " in "_L1 + QString::number(r.seconds, 'f', 1) + " s"_L1);
    }
    const QString run =
        stored.runId > 0 ? " (run "_L1 + QString::number(stored.runId) + u')' : QString();
    line("Status: "_L1 + (stored.status.isEmpty() ? u"unknown"_s : stored.status) + " in "_L1 +
         QString::number(stored.durationSeconds, 'f', 1) + " s"_L1 + run);
    for (const QString &problem : stored.problems)
        line("Problem: "_L1 + problem);
    return text;
}

} // namespace resosync::metrics
