#include "db/RunHistory.h"

#include "db/Connection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>

namespace resosync::db {

using namespace Qt::StringLiterals;

namespace {

// The columns every run listing reads, in the order entryFromRow() expects. Times travel as
// milliseconds since the epoch (extract gives an exact numeric since PostgreSQL 14), so no
// time zone or date style of the session can change them.
constexpr const char *kRunColumns =
    "r.run_id, round(extract(epoch FROM r.started_at) * 1000)::bigint, "
    "round(extract(epoch FROM r.finished_at) * 1000)::bigint, r.status, r.mode, "
    "array_to_json(r.resources)::text, r.feed, r.summary::text, r.error";

const QString kReadPrivileges = u"SELECT on resosync.runs, resosync.run_samples and "
                                "resosync.run_events:\n  GRANT SELECT ON resosync.runs, "
                                "resosync.run_samples, resosync.run_events TO <role>;"_s;

QString text(const pqxx::field &field) {
    return field.is_null() ? QString() : QString::fromUtf8(field.c_str(), int(field.size()));
}

QDateTime utcTime(const pqxx::field &field) {
    return field.is_null() ? QDateTime()
                           : QDateTime::fromMSecsSinceEpoch(field.as<qint64>(), Qt::UTC);
}

QJsonObject jsonObject(const pqxx::field &field) {
    return field.is_null()
               ? QJsonObject()
               : QJsonDocument::fromJson(QByteArray(field.c_str(), int(field.size()))).object();
}

RunListEntry entryFromRow(const pqxx::row &row) {
    RunListEntry entry;
    entry.runId = row[0].as<qint64>();
    entry.startedAt = utcTime(row[1]);
    entry.finishedAt = utcTime(row[2]);
    entry.status = text(row[3]);
    entry.mode = text(row[4]);
    for (const QJsonValue &resource : QJsonDocument::fromJson(text(row[5]).toUtf8()).array())
        entry.resources << resource.toString();
    entry.feed = text(row[6]);
    const QJsonObject summary = jsonObject(row[7]);
    entry.error = text(row[8]);
    if (!summary.isEmpty()) {
        const metrics::RunReport report = metrics::RunReport::fromJson(summary);
        for (const metrics::ResourceProgress &progress : report.metrics.resources) {
            entry.recordsFetched += progress.fetched;
            entry.recordsWritten += progress.upserted;
        }
        entry.recordsPerSecond = report.metrics.batches.recordsPerSecond;
        entry.durationSeconds = report.durationSeconds;
        entry.report = report;
    } else if (entry.finishedAt.isValid() && entry.startedAt.isValid()) {
        entry.durationSeconds = double(entry.startedAt.msecsTo(entry.finishedAt)) / 1000.0;
    }
    return entry;
}

DbError noSuchRun(qint64 runId, const QString &doing) {
    return DbError{DbErrorKind::Failed,
                   u"Failed while %1: resosync.runs has no run %2 (it may have been deleted "
                   "meanwhile). Refresh the history."_s.arg(doing)
                       .arg(runId),
                   {}};
}

/// Opens a connection and runs `work` in it, turning every failure into a DbError.
template<typename Work>
std::optional<DbError> withConnection(const QString &conninfo, const DbAction &action,
                                      Work &&work) {
    DbError error;
    const auto connection = openConnection(conninfo, &error);
    if (!connection)
        return error;
    return runGuarded(action, conninfo, [&] { work(*connection); });
}

} // namespace

RunHistory::RunHistory(QString conninfo)
    : m_conninfo(std::move(conninfo)) {}

RunPage RunHistory::listRuns(int limit, int offset) const {
    RunPage page;
    page.error = withConnection(
        m_conninfo, {u"listing past runs"_s, kReadPrivileges}, [&](pqxx::connection &c) {
            pqxx::read_transaction tx(c);
            page.totalRuns = tx.exec1("SELECT count(*) FROM resosync.runs")[0].as<qint64>();
            const pqxx::result rows = tx.exec_params(
                std::string("SELECT ") + kRunColumns +
                    " FROM resosync.runs r ORDER BY r.run_id DESC LIMIT $1 OFFSET $2",
                std::max(0, limit), std::max(0, offset));
            for (const pqxx::row &row : rows)
                page.runs.append(entryFromRow(row));
        });
    if (page.error)
        page.runs.clear();
    return page;
}

RecordedRun RunHistory::loadRun(qint64 runId) const {
    RecordedRun recorded;
    const QString doing = u"loading run %1"_s.arg(runId);
    bool found = false;
    recorded.error = withConnection(m_conninfo, {doing, kReadPrivileges}, [&](pqxx::connection &c) {
        pqxx::read_transaction tx(c);
        const pqxx::result run = tx.exec_params(std::string("SELECT ") + kRunColumns +
                                                    " FROM resosync.runs r WHERE r.run_id = $1",
                                                runId);
        if (run.empty())
            return;
        found = true;
        recorded.run = entryFromRow(run[0]);
        // Times relative to the run's start: beginRun stores the start on the clock samples
        // and events are timed by, so these are the recorder's own milliseconds.
        for (const pqxx::row &row : tx.exec_params(
                 "SELECT s.series, round(extract(epoch FROM s.at - r.started_at) * 1000)::bigint, "
                 "s.value FROM resosync.run_samples s JOIN resosync.runs r USING (run_id) "
                 "WHERE s.run_id = $1 ORDER BY s.series, s.at",
                 runId))
            recorded.series[text(row[0])].append({row[1].as<qint64>(), row[2].as<double>()});
        for (const pqxx::row &row : tx.exec_params(
                 "SELECT round(extract(epoch FROM e.at - r.started_at) * 1000)::bigint, e.label "
                 "FROM resosync.run_events e JOIN resosync.runs r USING (run_id) "
                 "WHERE e.run_id = $1 ORDER BY e.seq",
                 runId))
            recorded.events.append({row[0].as<qint64>(), text(row[1])});
    });
    if (!recorded.error && !found)
        recorded.error = noSuchRun(runId, doing);
    return recorded;
}

std::optional<DbError> RunHistory::deleteRun(qint64 runId) const {
    const QString doing = u"deleting run %1"_s.arg(runId);
    bool found = false;
    auto error = withConnection(
        m_conninfo,
        {doing, u"DELETE on resosync.runs (its samples and events are deleted with it):\n  "
                "GRANT DELETE ON resosync.runs TO <role>;"_s},
        [&](pqxx::connection &c) {
            pqxx::work tx(c);
            found = tx.exec_params("DELETE FROM resosync.runs WHERE run_id = $1", runId)
                        .affected_rows() == 1;
            tx.commit();
        });
    if (!error && !found)
        error = noSuchRun(runId, doing);
    return error;
}

RunTrends RunHistory::trends(int lastRuns, bool succeededOnly) const {
    RunTrends trends;
    trends.error = withConnection(
        m_conninfo, {u"reading the trends of past runs"_s, kReadPrivileges},
        [&](pqxx::connection &c) {
            pqxx::read_transaction tx(c);
            const pqxx::result rows = tx.exec_params(
                std::string("SELECT ") + kRunColumns +
                    " FROM resosync.runs r WHERE r.summary IS NOT NULL"
                    " AND (NOT $2 OR r.status = 'succeeded') ORDER BY r.run_id DESC LIMIT $1",
                std::max(0, lastRuns), succeededOnly);
            for (const pqxx::row &row : rows) {
                const RunListEntry entry = entryFromRow(row);
                if (!entry.report)
                    continue; // a summary that is not a JSON object
                const metrics::MetricsSnapshot &m = entry.report->metrics;
                trends.points.prepend({entry.runId, entry.startedAt, entry.status,
                                       entry.recordsPerSecond, m.api.p95Ms, m.db.avgMs,
                                       m.memory.peakMb});
            }
        });
    if (trends.error)
        trends.points.clear();
    return trends;
}

} // namespace resosync::db
