#include "db/SyncStore.h"

#include "db/Connection.h"
#include "db/MergeSql.h"
#include "db/PgText.h"
#include "db/ReconnectBackoff.h"
#include "db/SchemaMigrator.h"
#include "reso/Timestamp.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <cmath>

namespace resosync::db {

using namespace Qt::StringLiterals;

namespace {

/// `column` (timestamptz) as exact microseconds since the epoch (bigint). Whole seconds and
/// the microseconds within the second are taken apart, so the result never passes through a
/// double (date_part() and older servers' extract() return one, which loses microseconds);
/// offsets are whole seconds, so the session's time zone cannot change the fraction.
std::string usecsOf(const std::string &column) {
    return "(floor(extract(epoch FROM " + column +
           "))::bigint * 1000000 + extract(microseconds FROM " + column + ")::bigint % 1000000)";
}

qint64 usecsField(const pqxx::field &field) {
    return field.is_null() ? 0 : field.as<qint64>();
}

QByteArray bytesField(const pqxx::field &field) {
    return field.is_null() ? QByteArray()
                           : QByteArray(field.c_str(), static_cast<qsizetype>(field.size()));
}

/// A float8 in text PostgreSQL reads back to the same double.
QByteArray float8Text(double value) {
    if (std::isnan(value))
        return "NaN"_ba;
    if (std::isinf(value))
        return value > 0 ? "Infinity"_ba : "-Infinity"_ba;
    return QByteArray::number(value, 'g', 17);
}

std::string compactJson(const QJsonObject &object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString();
}

/// The feed as stored: without credentials (no user info, and no query: tokens travel there
/// too).
std::string feedText(const QUrl &feed) {
    if (feed.isEmpty())
        return {};
    const QString text =
        feed.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment).toString();
    return PgText::validText(text.toUtf8()).toStdString();
}

std::string resourceText(reso::Resource resource) {
    return reso::resourceName(resource).toStdString();
}

/// The key source's query. With `onlyChanged`, `$1` is the child resource; then come the key
/// to start after and the limit (listing) or nothing more (count).
std::string parentsSql(bool onlyChanged, bool count) {
    std::string sql = count ? "SELECT count(*) FROM public.\"Property\" p"
                            : "SELECT p.\"ListingKey\", " + usecsOf("p.\"ModificationTimestamp\"") +
                                  " FROM public.\"Property\" p";
    int parameter = 1;
    std::vector<std::string> conditions;
    if (onlyChanged) {
        sql += " LEFT JOIN resosync.child_sync c ON c.resource = $1 AND c.listing_key = "
               "p.\"ListingKey\"";
        ++parameter;
        conditions.push_back("c.property_timestamp IS DISTINCT FROM p.\"ModificationTimestamp\"");
    }
    if (!count)
        conditions.insert(conditions.begin(), "p.\"ListingKey\" > $" + std::to_string(parameter++));
    for (std::size_t i = 0; i < conditions.size(); ++i)
        sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
    // Keyset paging on the primary key (its index gives the order; the database's collation
    // is used both for > and ORDER BY, so the pages neither overlap nor skip).
    if (!count)
        sql += " ORDER BY p.\"ListingKey\" LIMIT $" + std::to_string(parameter);
    return sql;
}

} // namespace

struct SyncStore::Impl {
    QString conninfo;
    std::unique_ptr<pqxx::connection> connection;

    bool isOpen() const { return connection && connection->is_open(); }

    std::optional<DbError> ensureOpen() {
        if (isOpen())
            return std::nullopt;
        connection.reset();
        DbError error;
        connection = openConnection(conninfo, &error, u"resosync-store"_s);
        if (!connection)
            return error;
        ReconnectBackoff::noteReachable(conninfo);
        const auto failure = runGuarded({u"preparing the store's connection"_s, {}}, conninfo, [&] {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
            connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
            connection->set_client_encoding("UTF8");
        });
        if (failure)
            connection.reset();
        return failure;
    }

    /// Runs `work` on the connection. After a broken connection (the server rolled back
    /// whatever was not committed) it is retried on a new one, waiting out a server restart
    /// (ReconnectBackoff); a statement timeout is retried a few times. A break during COMMIT
    /// is reported (OutcomeUnknown), never retried: recording a run is not idempotent.
    template<typename Work> std::optional<DbError> run(const DbAction &action, Work &&work) {
        ReconnectBackoff backoff;
        for (;;) {
            if (auto error = ensureOpen()) {
                if (ReconnectBackoff::wasReachable(conninfo) &&
                    backoff.waitToReconnect(error->kind))
                    continue;
                return error;
            }
            auto error = runGuarded(action, conninfo, work);
            if (!error)
                return std::nullopt;
            if (isOpen()) {
                if (isTimeoutState(error->sqlState.toStdString()) && backoff.waitAfterTimeout())
                    continue;
                return error;
            }
            connection.reset();
            if (error->kind == DbErrorKind::OutcomeUnknown || !backoff.waitToReconnect())
                return error;
        }
    }
};

SyncStore::SyncStore(QString conninfo)
    : d(std::make_unique<Impl>()) {
    d->conninfo = std::move(conninfo);
}

SyncStore::~SyncStore() = default;

std::optional<DbError> SyncStore::open() {
    const SchemaReport schema = SchemaMigrator(d->conninfo).status();
    if (schema.error)
        return schema.error;
    if (schema.version < schema.latestVersion) {
        DbError error;
        error.kind = DbErrorKind::SchemaOutdated;
        error.message =
            schema.version == 0
                ? u"ResoSync's schema is not installed in %1.\nRun `resosync-cli schema apply` "
                  "with the same connection to install it."_s.arg(schema.database)
                : u"ResoSync's schema in %1 is version %2; this version of ResoSync needs %3.\n"
                  "Run `resosync-cli schema apply` with the same connection to upgrade it."_s
                      .arg(schema.database)
                      .arg(schema.version)
                      .arg(schema.latestVersion);
        return error;
    }
    d->connection.reset();
    return d->ensureOpen();
}

std::optional<DbError> SyncStore::beginRun(const metrics::RunConfig &config, const QUrl &feed,
                                           qint64 *runId, qint64 startedUsecs) {
    std::vector<QByteArray> resources;
    for (const QString &resource : config.resources)
        resources.push_back(resource.toUtf8());
    const std::string resourceArray = PgText::arrayLiteral(resources);
    const std::string configText = compactJson(config.toJson());
    const std::string startedText =
        startedUsecs > 0 ? reso::Timestamp::fromUsecs(startedUsecs).toUtf8().toStdString()
                         : std::string();
    return d->run({u"recording the start of a run"_s, u"INSERT on resosync.runs."_s}, [&] {
        pqxx::work tx(*d->connection);
        const pqxx::row row =
            tx.exec_params1("INSERT INTO resosync.runs (mode, resources, feed, config, started_at) "
                            "VALUES (NULLIF($1, ''), $2::text[], NULLIF($3, ''), $4::jsonb, "
                            "COALESCE(NULLIF($5, '')::timestamptz, now())) RETURNING run_id",
                            PgText::validText(config.mode.toUtf8()).toStdString(), resourceArray,
                            feedText(feed), configText, startedText);
        tx.commit();
        if (runId)
            *runId = row[0].as<qint64>();
    });
}

std::optional<DbError> SyncStore::finishRun(qint64 runId, const QString &status,
                                            const QJsonObject &summary, const QString &error) {
    const std::string summaryText = summary.isEmpty() ? std::string() : compactJson(summary);
    const DbAction action{u"recording the end of run %1"_s.arg(runId),
                          u"UPDATE on resosync.runs."_s};
    bool found = true;
    auto failure = d->run(action, [&] {
        pqxx::work tx(*d->connection);
        const pqxx::result updated =
            tx.exec_params("UPDATE resosync.runs SET finished_at = now(), status = $2, "
                           "summary = NULLIF($3, '')::jsonb, error = NULLIF($4, '') "
                           "WHERE run_id = $1",
                           runId, status.toStdString(), summaryText,
                           PgText::validText(error.toUtf8()).toStdString());
        tx.commit();
        found = updated.affected_rows() == 1;
    });
    if (!failure && !found) {
        failure = DbError{
            DbErrorKind::Failed,
            u"Failed while %1: resosync.runs has no run %2."_s.arg(action.description).arg(runId),
            {}};
    }
    return failure;
}

std::optional<DbError> SyncStore::appendSamples(qint64 runId, const QString &series,
                                                const QList<metrics::SeriesPoint> &points,
                                                qint64 runStartUsecs) {
    if (points.isEmpty())
        return std::nullopt;
    std::vector<QByteArray> times;
    std::vector<QByteArray> values;
    times.reserve(static_cast<std::size_t>(points.size()));
    values.reserve(static_cast<std::size_t>(points.size()));
    for (const metrics::SeriesPoint &point : points) {
        times.push_back(reso::Timestamp::fromUsecs(runStartUsecs + point.atMs * 1000).toUtf8());
        values.push_back(float8Text(point.value));
    }
    const std::string timeArray = PgText::arrayLiteral(times);
    const std::string valueArray = PgText::arrayLiteral(values);
    return d->run({u"storing %1 samples of %2"_s.arg(points.size()).arg(series),
                   u"INSERT on resosync.run_samples."_s},
                  [&] {
                      pqxx::work tx(*d->connection);
                      tx.exec_params("INSERT INTO resosync.run_samples (run_id, at, series, value) "
                                     "SELECT $1, u.at, $2, u.value "
                                     "FROM unnest($3::timestamptz[], $4::float8[]) AS u(at, value) "
                                     "ON CONFLICT DO NOTHING",
                                     runId, PgText::validText(series.toUtf8()).toStdString(),
                                     timeArray, valueArray);
                      tx.commit();
                  });
}

std::optional<DbError> SyncStore::appendEvents(qint64 runId, const QList<metrics::RunEvent> &events,
                                               qint64 runStartUsecs) {
    if (events.isEmpty())
        return std::nullopt;
    std::vector<QByteArray> positions;
    std::vector<QByteArray> times;
    std::vector<QByteArray> labels;
    for (qsizetype i = 0; i < events.size(); ++i) {
        positions.push_back(QByteArray::number(i));
        times.push_back(reso::Timestamp::fromUsecs(runStartUsecs + events[i].atMs * 1000).toUtf8());
        labels.push_back(events[i].label.toUtf8());
    }
    const std::string positionArray = PgText::arrayLiteral(positions);
    const std::string timeArray = PgText::arrayLiteral(times);
    const std::string labelArray = PgText::arrayLiteral(labels); // validText per element
    return d->run({u"storing the %1 marked events of run %2"_s.arg(events.size()).arg(runId),
                   u"INSERT on resosync.run_events."_s},
                  [&] {
                      pqxx::work tx(*d->connection);
                      tx.exec_params("INSERT INTO resosync.run_events (run_id, seq, at, label) "
                                     "SELECT $1, u.seq, u.at, u.label FROM unnest($2::int[], "
                                     "$3::timestamptz[], $4::text[]) AS u(seq, at, label) "
                                     "ON CONFLICT DO NOTHING",
                                     runId, positionArray, timeArray, labelArray);
                      tx.commit();
                  });
}

std::optional<DbError> SyncStore::loadCheckpoint(reso::Resource resource,
                                                 std::optional<Checkpoint> *checkpoint) {
    if (checkpoint)
        checkpoint->reset();
    return d->run({u"reading the %1 checkpoint"_s.arg(reso::resourceName(resource)),
                   u"SELECT on resosync.sync_cursor."_s},
                  [&] {
                      pqxx::read_transaction tx(*d->connection);
                      const pqxx::result rows =
                          tx.exec_params("SELECT " + usecsOf("cursor_timestamp") +
                                             ", cursor_key, " + usecsOf("fence") +
                                             ", run_id FROM resosync.sync_cursor "
                                             "WHERE resource = $1 AND cursor_timestamp IS NOT NULL",
                                         resourceText(resource));
                      tx.commit();
                      if (rows.empty() || !checkpoint)
                          return;
                      Checkpoint loaded;
                      loaded.cursorUsecs = usecsField(rows[0][0]);
                      loaded.cursorKey = bytesField(rows[0][1]);
                      loaded.fenceUsecs = usecsField(rows[0][2]);
                      loaded.runId = usecsField(rows[0][3]);
                      *checkpoint = loaded;
                  });
}

std::optional<DbError> SyncStore::resetCheckpoint(reso::Resource resource) {
    return d->run({u"resetting the %1 checkpoint"_s.arg(reso::resourceName(resource)),
                   u"DELETE on resosync.sync_cursor."_s},
                  [&] {
                      pqxx::work tx(*d->connection);
                      tx.exec_params("DELETE FROM resosync.sync_cursor WHERE resource = $1",
                                     resourceText(resource));
                      tx.commit();
                  });
}

std::optional<DbError> SyncStore::nextParents(reso::Resource child, const QByteArray &afterKey,
                                              int limit, bool onlyChanged,
                                              std::vector<ParentKey> *parents) {
    if (parents)
        parents->clear();
    if (limit <= 0)
        return std::nullopt;
    const DbAction action{u"reading the next %1 listing keys"_s.arg(limit),
                          u"SELECT on public.\"Property\" and resosync.child_sync."_s};
    return d->run(action, [&] {
        if (parents)
            parents->clear();
        pqxx::nontransaction tx(*d->connection);
        const std::string after = PgText::validText(afterKey).toStdString();
        const pqxx::result rows =
            onlyChanged ? tx.exec_params(parentsSql(true, false), resourceText(child), after, limit)
                        : tx.exec_params(parentsSql(false, false), after, limit);
        if (!parents)
            return;
        parents->reserve(rows.size());
        for (const pqxx::row &row : rows)
            parents->push_back({bytesField(row[0]), usecsField(row[1])});
    });
}

std::optional<DbError> SyncStore::countParents(reso::Resource child, bool onlyChanged,
                                               qint64 *count) {
    const DbAction action{u"counting listings"_s,
                          u"SELECT on public.\"Property\" and resosync.child_sync."_s};
    return d->run(action, [&] {
        pqxx::nontransaction tx(*d->connection);
        const pqxx::row row = onlyChanged
                                  ? tx.exec_params1(parentsSql(true, true), resourceText(child))
                                  : tx.exec1(parentsSql(false, true));
        if (count)
            *count = row[0].as<qint64>();
    });
}

std::optional<DbError> SyncStore::hasRows(reso::Resource resource, bool *any) {
    const MergeSql &sql = MergeSql::of(resource);
    const DbAction action{u"checking whether %1 holds rows"_s.arg(reso::resourceName(resource)),
                          u"SELECT on %1."_s.arg(QString::fromStdString(sql.targetTable))};
    return d->run(action, [&] {
        pqxx::nontransaction tx(*d->connection);
        *any = tx.exec1("SELECT EXISTS (SELECT 1 FROM " + sql.targetTable + ")")[0].as<bool>();
    });
}

std::optional<DbError> SyncStore::loadFeedCapabilities(const QUrl &feed,
                                                       FeedCapabilities *capabilities) {
    *capabilities = {};
    return d->run({u"reading what earlier runs learned about the feed"_s,
                   u"SELECT on resosync.feed_capabilities."_s},
                  [&] {
                      pqxx::read_transaction tx(*d->connection);
                      const pqxx::result rows = tx.exec_params(
                          "SELECT supports_in, max_url_length FROM resosync.feed_capabilities "
                          "WHERE feed_url = $1",
                          feedText(feed));
                      tx.commit();
                      *capabilities = {};
                      if (rows.empty())
                          return;
                      if (!rows[0][0].is_null())
                          capabilities->supportsIn = rows[0][0].as<bool>();
                      if (!rows[0][1].is_null())
                          capabilities->maxUrlLength = rows[0][1].as<int>();
                  });
}

std::optional<DbError> SyncStore::saveFeedCapabilities(const QUrl &feed,
                                                       const FeedCapabilities &capabilities,
                                                       const QString &note) {
    // Parameters as text, '' for "unchanged": libpqxx 6.4 has no std::optional parameters.
    const std::string supportsIn =
        capabilities.supportsIn ? (*capabilities.supportsIn ? "true" : "false") : "";
    const std::string maxUrl =
        capabilities.maxUrlLength ? std::to_string(*capabilities.maxUrlLength) : "";
    return d->run({u"remembering what the run learned about the feed"_s,
                   u"INSERT and UPDATE on resosync.feed_capabilities."_s},
                  [&] {
                      pqxx::work tx(*d->connection);
                      tx.exec_params(
                          "INSERT INTO resosync.feed_capabilities AS f "
                          "(feed_url, supports_in, max_url_length, note) "
                          "VALUES ($1, NULLIF($2, '')::boolean, NULLIF($3, '')::integer, $4) "
                          "ON CONFLICT (feed_url) DO UPDATE SET "
                          "supports_in = COALESCE(EXCLUDED.supports_in, f.supports_in), "
                          "max_url_length = COALESCE(EXCLUDED.max_url_length, f.max_url_length), "
                          "note = EXCLUDED.note, learned_at = now()",
                          feedText(feed), supportsIn, maxUrl,
                          PgText::validText(note.toUtf8()).toStdString());
                      tx.commit();
                  });
}

std::optional<DbError> SyncStore::recordRequests(const QUrl &feed, const QList<qint64> &startsMs) {
    if (startsMs.isEmpty())
        return std::nullopt;
    std::vector<QByteArray> starts;
    starts.reserve(std::size_t(startsMs.size()));
    for (const qint64 ms : startsMs)
        starts.push_back(QByteArray::number(ms));
    const std::string startArray = PgText::arrayLiteral(starts);
    return d->run({u"recording %1 requests to the feed"_s.arg(startsMs.size()),
                   u"INSERT, UPDATE and DELETE on resosync.feed_requests."_s},
                  [&] {
                      pqxx::work tx(*d->connection);
                      tx.exec_params(
                          "INSERT INTO resosync.feed_requests AS r "
                          "(feed_url, minute, requests, last_start) "
                          "SELECT $1::text, date_trunc('minute', s.at), count(*), max(s.at) "
                          "FROM (SELECT to_timestamp(ms / 1000.0) AS at "
                          "      FROM unnest($2::bigint[]) AS u(ms)) s "
                          "GROUP BY date_trunc('minute', s.at) "
                          "ON CONFLICT (feed_url, minute) DO UPDATE SET "
                          "requests = r.requests + EXCLUDED.requests, "
                          "last_start = greatest(r.last_start, EXCLUDED.last_start)",
                          feedText(feed), startArray);
                      tx.exec_params("DELETE FROM resosync.feed_requests WHERE feed_url = $1 "
                                     "AND last_start < now() - interval '1 day 1 minute'",
                                     feedText(feed));
                      tx.commit();
                  });
}

std::optional<DbError> SyncStore::loadRequestHistory(const QUrl &feed, qint64 sinceMs,
                                                     QList<qint64> *startsMs) {
    startsMs->clear();
    return d->run({u"reading the requests earlier runs made to the feed"_s,
                   u"SELECT on resosync.feed_requests."_s},
                  [&] {
                      pqxx::read_transaction tx(*d->connection);
                      const pqxx::result rows = tx.exec_params(
                          "SELECT requests, round(extract(epoch FROM last_start) * 1000)::bigint "
                          "FROM resosync.feed_requests WHERE feed_url = $1 "
                          "AND last_start > to_timestamp($2::bigint / 1000.0) ORDER BY minute",
                          feedText(feed), sinceMs);
                      tx.commit();
                      startsMs->clear();
                      for (const pqxx::row &row : rows) {
                          const int requests = row[0].as<int>();
                          const qint64 at = row[1].as<qint64>();
                          for (int i = 0; i < requests; ++i)
                              startsMs->append(at);
                      }
                  });
}

} // namespace resosync::db
