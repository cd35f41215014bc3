#include "metrics/RunComparison.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace resosync::metrics {

using namespace Qt::StringLiterals;

namespace {

constexpr double kBytesPerMb = 1024.0 * 1024.0;

/// A figure read from a report: a number (shown with `decimals`) or none ("n/a").
using Figure = std::function<std::optional<double>(const RunReport &)>;

std::optional<double> percent(qint64 part, qint64 whole) {
    if (whole <= 0)
        return std::nullopt;
    return 100.0 * double(part) / double(whole);
}

qint64 totalOf(const RunReport &report, qint64 ResourceProgress::*field) {
    qint64 total = 0;
    for (const ResourceProgress &progress : report.metrics.resources)
        total += progress.*field;
    return total;
}

/// The resources either report covers, in the canonical order.
QList<reso::Resource> resourcesOf(const RunReport &a, const RunReport &b) {
    QList<reso::Resource> resources;
    for (reso::Resource resource : reso::kAllResources) {
        const QString name = reso::resourceName(resource);
        if (a.config.resources.contains(name) || b.config.resources.contains(name))
            resources.append(resource);
    }
    return resources;
}

QString csvField(const QString &field) {
    if (!field.contains(u',') && !field.contains(u'"') && !field.contains(u'\n'))
        return field;
    QString quoted = field;
    quoted.replace(u"\""_s, u"\"\""_s);
    return u'"' + quoted + u'"';
}

QString runTitle(const RunReport &report) {
    return u"#%1 (%2, %3 s)"_s.arg(report.runId)
        .arg(report.status.isEmpty() ? u"unknown"_s : report.status)
        .arg(report.durationSeconds, 0, 'f', 1);
}

/// Builds the rows section by section.
class RowBuilder {
public:
    RowBuilder(const RunReport &a, const RunReport &b, QList<ComparisonRow> &rows)
        : m_a(a)
        , m_b(b)
        , m_rows(rows) {}

    void section(const QString &name) { m_section = name; }

    void number(const QString &metric, const Figure &figure, int decimals, BetterWhen better) {
        ComparisonRow row{m_section, metric, {}, {}, figure(m_a), figure(m_b), better};
        row.a = shown(row.valueA, decimals);
        row.b = shown(row.valueB, decimals);
        m_rows.append(row);
    }

    void count(const QString &metric, const std::function<qint64(const RunReport &)> &figure,
               BetterWhen better = BetterWhen::Unknown) {
        number(
            metric, [figure](const RunReport &r) { return std::optional<double>(figure(r)); }, 0,
            better);
    }

    void text(const QString &metric, const std::function<QString(const RunReport &)> &figure) {
        m_rows.append({m_section, metric, figure(m_a), figure(m_b), {}, {}, BetterWhen::Unknown});
    }

private:
    static QString shown(std::optional<double> value, int decimals) {
        return value ? QString::number(*value, 'f', decimals) : u"n/a"_s;
    }

    const RunReport &m_a;
    const RunReport &m_b;
    QList<ComparisonRow> &m_rows;
    QString m_section;
};

void addConfig(RowBuilder &rows) {
    rows.section(u"Config"_s);
    rows.count(u"Batch size"_s, [](const RunReport &r) { return r.config.batchSize; });
    rows.count(u"Property batch size"_s,
               [](const RunReport &r) { return r.config.propertyBatchSize; });
    rows.count(u"DB batch size"_s, [](const RunReport &r) { return r.config.dbBatchSize; });
    rows.count(u"Throttle (ms)"_s, [](const RunReport &r) { return r.config.throttleMs; });
    rows.count(u"Concurrency"_s, [](const RunReport &r) { return r.config.concurrency; });
    rows.text(u"Profile"_s, [](const RunReport &r) { return r.config.profile; });
    rows.text(u"Mode"_s, [](const RunReport &r) { return r.config.mode; });
    rows.text(u"Resources"_s, [](const RunReport &r) { return r.config.resources.join(u' '); });
}

void addRun(RowBuilder &rows) {
    rows.section(u"Run"_s);
    rows.text(u"Status"_s, [](const RunReport &r) { return r.status; });
    rows.number(
        u"Duration (s)"_s, [](const RunReport &r) { return r.durationSeconds; }, 1,
        BetterWhen::Lower);
    rows.count(u"Records fetched"_s,
               [](const RunReport &r) { return totalOf(r, &ResourceProgress::fetched); });
    rows.count(u"Records written"_s,
               [](const RunReport &r) { return totalOf(r, &ResourceProgress::upserted); });
    rows.count(
        u"Problems"_s, [](const RunReport &r) { return qint64(r.problems.size()); },
        BetterWhen::Lower);
}

void addApi(RowBuilder &rows) {
    rows.section(u"API"_s);
    rows.count(u"Requests"_s, [](const RunReport &r) { return r.metrics.api.requests; });
    rows.count(u"Succeeded"_s, [](const RunReport &r) { return r.metrics.api.succeeded; });
    rows.count(
        u"Failed"_s, [](const RunReport &r) { return r.metrics.api.failed; }, BetterWhen::Lower);
    rows.number(
        u"Success rate (%)"_s,
        [](const RunReport &r) { return percent(r.metrics.api.succeeded, r.metrics.api.requests); },
        1, BetterWhen::Higher);
    rows.count(
        u"Retries"_s, [](const RunReport &r) { return r.metrics.api.retries; }, BetterWhen::Lower);
    rows.count(
        u"Rate-limited (429)"_s, [](const RunReport &r) { return r.metrics.api.rateLimited; },
        BetterWhen::Lower);
    rows.number(
        u"Average (ms)"_s, [](const RunReport &r) { return r.metrics.api.avgMs; }, 2,
        BetterWhen::Lower);
    rows.number(
        u"p50 (ms)"_s, [](const RunReport &r) { return r.metrics.api.p50Ms; }, 2,
        BetterWhen::Lower);
    rows.number(
        u"p95 (ms)"_s, [](const RunReport &r) { return r.metrics.api.p95Ms; }, 2,
        BetterWhen::Lower);
    rows.number(
        u"p99 (ms)"_s, [](const RunReport &r) { return r.metrics.api.p99Ms; }, 2,
        BetterWhen::Lower);
    rows.number(
        u"Received (MB)"_s,
        [](const RunReport &r) { return double(r.metrics.api.bytes) / kBytesPerMb; }, 1,
        BetterWhen::Unknown);
}

void addDatabase(RowBuilder &rows, const RunReport &a, const RunReport &b) {
    rows.section(u"Database"_s);
    rows.count(u"Queries"_s, [](const RunReport &r) { return r.metrics.db.queries; });
    rows.count(
        u"Failed"_s, [](const RunReport &r) { return r.metrics.db.failed; }, BetterWhen::Lower);
    rows.number(
        u"Success rate (%)"_s,
        [](const RunReport &r) { return percent(r.metrics.db.succeeded, r.metrics.db.queries); }, 1,
        BetterWhen::Higher);
    rows.number(
        u"Average (ms)"_s, [](const RunReport &r) { return r.metrics.db.avgMs; }, 3,
        BetterWhen::Lower);
    rows.number(
        u"p95 (ms)"_s, [](const RunReport &r) { return r.metrics.db.p95Ms; }, 3, BetterWhen::Lower);
    for (int kind = 0; kind < kDbStatementKinds; ++kind) {
        const auto k = std::size_t(kind);
        // A kind neither run used would add four rows of zeros.
        if (a.metrics.db.byKind[k].count == 0 && b.metrics.db.byKind[k].count == 0)
            continue;
        rows.section(u"Database: "_s + dbStatementName(DbStatement(kind)));
        rows.count(u"Statements"_s,
                   [k](const RunReport &r) { return r.metrics.db.byKind[k].count; });
        rows.count(
            u"Failed"_s, [k](const RunReport &r) { return r.metrics.db.byKind[k].failed; },
            BetterWhen::Lower);
        rows.number(
            u"Average (ms)"_s, [k](const RunReport &r) { return r.metrics.db.byKind[k].avgMs; }, 3,
            BetterWhen::Lower);
        rows.number(
            u"p95 (ms)"_s, [k](const RunReport &r) { return r.metrics.db.byKind[k].p95Ms; }, 3,
            BetterWhen::Lower);
    }
}

void addMemoryAndBatches(RowBuilder &rows) {
    rows.section(u"Memory"_s);
    rows.number(
        u"Current (MB)"_s, [](const RunReport &r) { return r.metrics.memory.currentMb; }, 1,
        BetterWhen::Lower);
    rows.number(
        u"Peak (MB)"_s, [](const RunReport &r) { return r.metrics.memory.peakMb; }, 1,
        BetterWhen::Lower);
    rows.number(
        u"Average (MB)"_s, [](const RunReport &r) { return r.metrics.memory.avgMb; }, 1,
        BetterWhen::Lower);

    rows.section(u"Batches"_s);
    rows.count(u"Count"_s, [](const RunReport &r) { return r.metrics.batches.count; });
    rows.count(
        u"Failed"_s, [](const RunReport &r) { return r.metrics.batches.failed; },
        BetterWhen::Lower);
    // A batch's time grows with its size, so a longer batch is not worse by itself.
    rows.number(
        u"Average (ms)"_s, [](const RunReport &r) { return r.metrics.batches.avgMs; }, 2,
        BetterWhen::Unknown);
    rows.count(u"Parallel max"_s,
               [](const RunReport &r) { return qint64(r.metrics.batches.parallelMax); });
    rows.number(
        u"Parallel efficiency (%)"_s,
        [](const RunReport &r) { return r.metrics.batches.parallelEfficiency; }, 1,
        BetterWhen::Higher);
    rows.number(
        u"Records/s"_s, [](const RunReport &r) { return r.metrics.batches.recordsPerSecond; }, 1,
        BetterWhen::Higher);

    rows.section(u"Validation"_s);
    rows.count(u"Checks"_s, [](const RunReport &r) { return r.metrics.validation.count; });
    rows.count(u"Cache hits"_s, [](const RunReport &r) { return r.metrics.validation.cacheHits; });
    rows.number(
        u"Cache hit rate (%)"_s,
        [](const RunReport &r) {
            return percent(r.metrics.validation.cacheHits, r.metrics.validation.count);
        },
        1, BetterWhen::Higher);
}

void addResources(RowBuilder &rows, const RunReport &a, const RunReport &b) {
    for (reso::Resource resource : resourcesOf(a, b)) {
        const auto i = std::size_t(resource);
        rows.section(u"Resource: "_s + reso::resourceName(resource));
        rows.count(u"Fetched"_s,
                   [i](const RunReport &r) { return r.metrics.resources[i].fetched; });
        rows.count(u"Written"_s,
                   [i](const RunReport &r) { return r.metrics.resources[i].upserted; });
        rows.count(u"Deleted"_s,
                   [i](const RunReport &r) { return r.metrics.resources[i].deleted; });
        rows.count(
            u"Rejected"_s, [i](const RunReport &r) { return r.metrics.resources[i].rejected; },
            BetterWhen::Lower);
    }
}

} // namespace

std::optional<double> ComparisonRow::ratio() const {
    if (!valueA || !valueB || *valueA == 0)
        return std::nullopt;
    return *valueB / *valueA;
}

QString ComparisonRow::ratioText() const {
    if (!valueA && !valueB)
        return {}; // text, not figures: there is no ratio to speak of
    const std::optional<double> r = ratio();
    if (!r)
        return u"n/a"_s;
    const double magnitude = std::abs(*r);
    if (magnitude >= 100)
        return QString::number(*r, 'f', 0);
    if (magnitude >= 0.01 || magnitude == 0)
        return QString::number(*r, 'f', 2);
    return QString::number(*r, 'g', 2); // 0.0041 rather than 0.00
}

ComparisonVerdict ComparisonRow::verdict() const {
    if (!valueA || !valueB)
        return a == b ? ComparisonVerdict::Same : ComparisonVerdict::Different;
    const double difference = *valueB - *valueA;
    const double scale = std::max(std::abs(*valueA), std::abs(*valueB));
    if (scale == 0 || std::abs(difference) <= RunComparison::kNoiseShare * scale)
        return ComparisonVerdict::Same;
    switch (betterWhen) {
    case BetterWhen::Higher:
        return difference > 0 ? ComparisonVerdict::Better : ComparisonVerdict::Worse;
    case BetterWhen::Lower:
        return difference < 0 ? ComparisonVerdict::Better : ComparisonVerdict::Worse;
    case BetterWhen::Unknown:
        break;
    }
    return ComparisonVerdict::Different;
}

RunComparison::RunComparison(RunReport a, RunReport b)
    : m_a(std::move(a))
    , m_b(std::move(b)) {
    RowBuilder rows(m_a, m_b, m_rows);
    addConfig(rows);
    addRun(rows);
    addApi(rows);
    addDatabase(rows, m_a, m_b);
    addMemoryAndBatches(rows);
    addResources(rows, m_a, m_b);
}

QString RunComparison::verdictName(ComparisonVerdict verdict) {
    switch (verdict) {
    case ComparisonVerdict::Same:
        return u"same"_s;
    case ComparisonVerdict::Better:
        return u"better"_s;
    case ComparisonVerdict::Worse:
        return u"worse"_s;
    case ComparisonVerdict::Different:
        return u"different"_s;
    }
    return u"different"_s;
}

QString RunComparison::toText() const {
    const QStringList headers{u"Section"_s, u"Metric"_s, u"Run A"_s,
                              u"Run B"_s,   u"B/A"_s,    u"B is"_s};
    QList<QStringList> table;
    for (const ComparisonRow &row : m_rows)
        table.append(
            {row.section, row.metric, row.a, row.b, row.ratioText(), verdictName(row.verdict())});
    QList<qsizetype> widths;
    for (const QString &header : headers)
        widths.append(header.size());
    for (const QStringList &line : std::as_const(table)) {
        for (qsizetype column = 0; column < line.size(); ++column)
            widths[column] = std::max(widths[column], line[column].size());
    }
    auto format = [&widths](const QStringList &line) -> QString {
        QString out;
        for (qsizetype column = 0; column < line.size(); ++column) {
            // Names left-aligned, figures right-aligned so their digits line up.
            const bool figure = column >= 2 && column <= 4;
            const QString cell = figure ? line[column].rightJustified(widths[column])
                                        : line[column].leftJustified(widths[column]);
            out += (column == 0 ? QString() : u"  "_s) + cell;
        }
        return out.trimmed() + u'\n';
    };
    QString text = u"Run A: "_s + runTitle(m_a) + u"\nRun B: "_s + runTitle(m_b) + u"\n\n"_s;
    text += format(headers);
    for (const QStringList &line : std::as_const(table))
        text += format(line);
    return text;
}

QString RunComparison::toCsv() const {
    QString csv = u"section,metric,run_a,run_b,ratio_b_over_a,verdict\r\n"_s;
    for (const ComparisonRow &row : m_rows) {
        const std::optional<double> r = row.ratio();
        const QStringList fields{row.section,
                                 row.metric,
                                 row.a,
                                 row.b,
                                 r ? QString::number(*r, 'g', 6) : QString(),
                                 verdictName(row.verdict())};
        QStringList quoted;
        for (const QString &field : fields)
            quoted << csvField(field);
        csv += quoted.join(u',') + u"\r\n"_s;
    }
    return csv;
}

} // namespace resosync::metrics
