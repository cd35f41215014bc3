#include "db/SyncStore.h"

#include "db/Connection.h"
#include "db/PgText.h"
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
        connection = openConnection(conninfo, &error);
        if (!connection)
            return error;
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

    /// Runs `work` on the connection; after a broken connection (the server rolled back
    /// whatever was not committed) retries once on a new one. A break during COMMIT is
    /// reported (OutcomeUnknown), never retried.
    template<typename Work> std::optional<DbError> run(const DbAction &action, Work &&work) {
        for (int attempt = 0;; ++attempt) {
            if (auto error = ensureOpen())
                return error;
            auto error = runGuarded(action, conninfo, work);
            if (!error || isOpen() || error->kind == DbErrorKind::OutcomeUnknown || attempt > 0) {
                if (error && !isOpen())
                    connection.reset();
                return error;
            }
            connection.reset();
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
    // The URL without credentials: no user info, and no query (tokens travel there too).
    const QString feedText =
        feed.isEmpty()
            ? QString()
            : feed.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment)
                  .toString();
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
        const pqxx::row row = tx.exec_params1(
            "INSERT INTO resosync.runs (mode, resources, feed, config, started_at) "
            "VALUES (NULLIF($1, ''), $2::text[], NULLIF($3, ''), $4::jsonb, "
            "COALESCE(NULLIF($5, '')::timestamptz, now())) RETURNING run_id",
            PgText::validText(config.mode.toUtf8()).toStdString(), resourceArray,
            PgText::validText(feedText.toUtf8()).toStdString(), configText, startedText);
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

} // namespace resosync::db
