#include "db/IndexAdvisor.h"

#include "db/Connection.h"
#include "db/PgText.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <thread>

namespace resosync::db {

using namespace Qt::StringLiterals;

namespace {

const QStringList &syncTables() {
    static const QStringList tables{u"Property"_s, u"Media"_s, u"PropertyRooms"_s, u"OpenHouse"_s};
    return tables;
}

std::string str(const QString &text) {
    return text.toStdString();
}

QString qstr(const pqxx::field &field) {
    return field.is_null() ? QString() : QString::fromUtf8(field.c_str());
}

/// The names of the sync's own queries (see measuredQueries()) each recommended index serves.
QStringList queriesServedBy(const QString &index) {
    static const QHash<QString, QStringList> served{
        {u"idx_property_listing_key"_s, {u"property key stream"_s}},
        {u"idx_property_modification_timestamp"_s, {u"property cursor order"_s}},
        {u"idx_property_contract_status"_s, {u"ContractStatus filter"_s}},
        {u"idx_media_resource_key"_s, {u"media lookup by listing"_s, u"media child delete"_s}},
        {u"idx_media_modification_timestamp"_s, {u"media changes since timestamp"_s}},
        {u"idx_media_resource_timestamp"_s,
         {u"media lookup by listing and timestamp"_s, u"media lookup by listing"_s,
          u"media child delete"_s}},
        {u"idx_property_rooms_listing_key"_s, {u"rooms child delete"_s}},
        {u"idx_openhouse_listing_key"_s, {u"open house child delete"_s}},
    };
    return served.value(index);
}

/// An index as the catalog has it, on one of the sync's tables in schema public.
struct ExistingIndex {
    QString table;
    QString name;
    bool valid = false;
    bool primary = false;
    QStringList columns; ///< plain columns in key order; empty for expression or partial ones
    qint64 sizeBytes = 0;
};

QList<ExistingIndex> existingIndexes(pqxx::transaction_base &tx) {
    // Only plain btree indexes without a predicate can serve a recommended one.
    const pqxx::result rows = tx.exec(
        "SELECT c.relname, i.relname, x.indisvalid, x.indisprimary, "
        "       CASE WHEN x.indpred IS NULL AND x.indexprs IS NULL AND am.amname = 'btree' "
        "            THEN array_to_string(ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) "
        "                 WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a "
        "                 ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.ord), "
        "                 chr(31)) END, "
        "       pg_relation_size(i.oid) "
        "FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' "
        "  AND c.relname IN ('Property', 'Media', 'PropertyRooms', 'OpenHouse') "
        "ORDER BY x.indisprimary DESC, i.relname");
    QList<ExistingIndex> list;
    for (const auto &row : rows) {
        ExistingIndex index;
        index.table = qstr(row[0]);
        index.name = qstr(row[1]);
        index.valid = row[2].as<bool>();
        index.primary = row[3].as<bool>();
        if (!row[4].is_null())
            index.columns = qstr(row[4]).split(QChar(31), Qt::SkipEmptyParts);
        index.sizeBytes = row[5].as<qint64>();
        list.append(std::move(index));
    }
    return list;
}

/// The index a failure left behind: whether `name` exists in public and is invalid.
bool leftInvalid(pqxx::connection &connection, const QString &name) {
    pqxx::nontransaction tx(connection);
    const pqxx::result rows =
        tx.exec_params("SELECT x.indisvalid FROM pg_index x "
                       "WHERE x.indexrelid = to_regclass('public.' || quote_ident($1))",
                       str(name));
    return !rows.empty() && !rows[0][0].as<bool>();
}

std::string dropSql(const QString &name) {
    return str(u"DROP INDEX CONCURRENTLY IF EXISTS public.\"%1\""_s.arg(name));
}

bool isPrivilegeFailure(const std::exception &error) {
    if (dynamic_cast<const pqxx::insufficient_privilege *>(&error))
        return true;
    if (const auto *sql = dynamic_cast<const pqxx::sql_error *>(&error)) {
        if (sql->sqlstate() == "42501")
            return true;
    }
    const QString what = QString::fromUtf8(error.what());
    return what.contains("must be owner of"_L1) || what.contains("permission denied"_L1);
}

// --- EXPLAIN ----------------------------------------------------------------------------

struct PlanSummary {
    QStringList nodes;
    bool usesIndex = false;
};

void describePlan(const QJsonObject &node, PlanSummary &summary) {
    const QString type = node.value("Node Type"_L1).toString();
    QString text = type;
    const QString index = node.value("Index Name"_L1).toString();
    if (!index.isEmpty())
        text += u" using "_s + index;
    const QString relation = node.value("Relation Name"_L1).toString();
    if (!relation.isEmpty())
        text += u" on "_s + relation;
    summary.nodes.append(text);
    if (type.contains("Index"_L1))
        summary.usesIndex = true;
    for (const QJsonValue &child : node.value("Plans"_L1).toArray())
        describePlan(child.toObject(), summary);
}

struct SyncQuery {
    QString name;
    QString sql;                     ///< with $1, $2 ... for the sampled values
    std::vector<std::string> params; ///< the sampled values, sent as parameters
};

/// A text[] parameter for `keys` (used as `$n::text[]`).
std::string textArray(const QStringList &keys) {
    std::vector<QByteArray> elements;
    for (const QString &key : keys)
        elements.push_back(key.toUtf8());
    return PgText::arrayLiteral(elements);
}

/// The sync's own queries with representative parameters taken from the data: 50 parent
/// keys sampled at random (seeded, so reruns pick the same ones) and timestamps near the end.
/// The values travel as statement parameters, never spliced into the SQL.
QList<SyncQuery> measuredQueries(pqxx::transaction_base &tx) {
    tx.exec("SELECT setseed(0.42)");
    const auto sample = [&tx](const char *sql) {
        QStringList keys;
        for (const auto &row : tx.exec(sql))
            keys.append(qstr(row[0]));
        if (keys.isEmpty())
            keys.append(u"no-such-key"_s);
        return keys;
    };
    const QStringList listings =
        sample("SELECT \"ListingKey\" FROM public.\"Property\" ORDER BY random() LIMIT 50");
    const QStringList mediaParents =
        sample("SELECT k FROM (SELECT DISTINCT \"ResourceRecordKey\" AS k FROM public.\"Media\" "
               "WHERE \"ResourceRecordKey\" IS NOT NULL) s ORDER BY random() LIMIT 50");
    const QStringList roomParents =
        sample("SELECT k FROM (SELECT DISTINCT \"ListingKey\" AS k FROM public.\"PropertyRooms\" "
               "WHERE \"ListingKey\" IS NOT NULL) s ORDER BY random() LIMIT 50");
    const QStringList openHouseParents =
        sample("SELECT k FROM (SELECT DISTINCT \"ListingKey\" AS k FROM public.\"OpenHouse\" "
               "WHERE \"ListingKey\" IS NOT NULL) s ORDER BY random() LIMIT 50");
    const auto percentile = [&tx](const char *sql) {
        const pqxx::result rows = tx.exec(sql);
        return rows.empty() || rows[0][0].is_null() ? std::string("2000-01-01T00:00:00Z")
                                                    : std::string(rows[0][0].c_str());
    };
    // The newest 1% of rows: what an incremental sync asks for.
    const std::string propertySince =
        percentile("SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY "
                   "\"ModificationTimestamp\") FROM public.\"Property\"");
    const std::string mediaSince =
        percentile("SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY "
                   "\"MediaModificationTimestamp\") FROM public.\"Media\"");
    const std::string mediaMid =
        percentile("SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY "
                   "\"MediaModificationTimestamp\") FROM public.\"Media\"");
    const pqxx::result statusRows =
        tx.exec("SELECT \"ContractStatus\" FROM public.\"Property\" "
                "WHERE \"ContractStatus\" IS NOT NULL GROUP BY 1 "
                "ORDER BY (\"ContractStatus\" = 'Active') DESC, count(*) LIMIT 1");
    const std::string status = statusRows.empty() ? "Active" : statusRows[0][0].c_str();

    const std::string mediaKeys = textArray(mediaParents);
    const auto childDelete = [](const QString &table, const QString &parent, const QString &key,
                                const QStringList &parents) {
        // core/db/MergeSql.cpp, deleteUnseenChildren: a batch that kept none of the children.
        return SyncQuery{
            QString(),
            u"DELETE FROM public.\"%1\" WHERE \"%2\" = ANY($1::text[]) "
            "AND \"%3\" NOT IN (SELECT unnest(ARRAY['none']::text[]))"_s.arg(table, parent, key),
            {textArray(parents)}};
    };
    const auto named = [](const QString &name, SyncQuery query) {
        query.name = name;
        return query;
    };
    return {
        {u"property key stream"_s,
         u"SELECT \"ListingKey\" FROM public.\"Property\" WHERE \"ListingKey\" > $1 "
         "ORDER BY \"ListingKey\" LIMIT 1000"_s,
         {str(listings.first())}},
        {u"property cursor order"_s,
         u"SELECT \"ListingKey\", \"ModificationTimestamp\" FROM public.\"Property\" WHERE "
         "\"ModificationTimestamp\" >= $1::timestamptz ORDER BY \"ModificationTimestamp\", "
         "\"ListingKey\" LIMIT 1000"_s,
         {propertySince}},
        {u"ContractStatus filter"_s,
         u"SELECT \"ListingKey\" FROM public.\"Property\" WHERE \"ContractStatus\" = $1"_s,
         {status}},
        {u"media lookup by listing"_s,
         u"SELECT \"MediaKey\" FROM public.\"Media\" WHERE \"ResourceRecordKey\" = "
         "ANY($1::text[])"_s,
         {mediaKeys}},
        {u"media lookup by listing and timestamp"_s,
         u"SELECT \"MediaKey\", \"MediaModificationTimestamp\" FROM public.\"Media\" WHERE "
         "\"ResourceRecordKey\" = ANY($1::text[]) AND \"MediaModificationTimestamp\" >= "
         "$2::timestamptz ORDER BY \"ResourceRecordKey\", \"MediaModificationTimestamp\""_s,
         {mediaKeys, mediaMid}},
        {u"media changes since timestamp"_s,
         u"SELECT \"MediaKey\" FROM public.\"Media\" WHERE \"MediaModificationTimestamp\" >= "
         "$1::timestamptz ORDER BY \"MediaModificationTimestamp\" LIMIT 1000"_s,
         {mediaSince}},
        named(u"media child delete"_s,
              childDelete(u"Media"_s, u"ResourceRecordKey"_s, u"MediaKey"_s, mediaParents)),
        named(u"rooms child delete"_s,
              childDelete(u"PropertyRooms"_s, u"ListingKey"_s, u"RoomKey"_s, roomParents)),
        named(u"open house child delete"_s,
              childDelete(u"OpenHouse"_s, u"ListingKey"_s, u"OpenHouseKey"_s, openHouseParents)),
    };
}

/// The statement as shown to a person: the SQL, then its parameters' values.
QString shownSql(const SyncQuery &query) {
    QString shown = query.sql;
    for (std::size_t i = 0; i < query.params.size(); ++i) {
        QString value = QString::fromStdString(query.params[i]);
        if (value.size() > 120)
            value = value.left(117) + u"..."_s;
        shown += u"\n-- $%1 = %2"_s.arg(i + 1).arg(value);
    }
    return shown;
}

QueryMeasurement measureOnce(pqxx::connection &connection, const SyncQuery &query) {
    // In a transaction that is rolled back: the child deletes must not delete.
    pqxx::work tx(connection);
    const pqxx::result rows =
        tx.exec_params(str(u"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "_s + query.sql),
                       pqxx::prepare::make_dynamic_params(query.params));
    tx.abort();
    const QJsonObject root =
        QJsonDocument::fromJson(QByteArray(rows[0][0].c_str())).array().first().toObject();
    const QJsonObject plan = root.value("Plan"_L1).toObject();
    PlanSummary summary;
    describePlan(plan, summary);
    QueryMeasurement measurement;
    measurement.name = query.name;
    measurement.sql = shownSql(query);
    measurement.planShape = summary.nodes.mid(0, 4).join(u" > "_s);
    measurement.usesIndex = summary.usesIndex;
    measurement.executionMs = root.value("Execution Time"_L1).toDouble();
    measurement.sharedHitBlocks = plan.value("Shared Hit Blocks"_L1).toInteger();
    measurement.sharedReadBlocks = plan.value("Shared Read Blocks"_L1).toInteger();
    return measurement;
}

} // namespace

QString indexStateName(IndexState state) {
    switch (state) {
    case IndexState::Present:
        return u"present"_s;
    case IndexState::Missing:
        return u"missing"_s;
    case IndexState::Invalid:
        return u"invalid"_s;
    case IndexState::Redundant:
        return u"redundant"_s;
    }
    return u"missing"_s;
}

IndexAdvisor::IndexAdvisor(QString conninfo)
    : m_conninfo(std::move(conninfo)) {}

const QList<RecommendedIndex> &IndexAdvisor::recommended() {
    static const QList<RecommendedIndex> list = [] {
        QFile file(u":/sql/indexes.sql"_s);
        if (!file.open(QIODevice::ReadOnly))
            qFatal("ResoSync: resource :/sql/indexes.sql is missing");
        static const QRegularExpression statement(
            uR"re(^CREATE INDEX CONCURRENTLY IF NOT EXISTS (\w+) ON "(\w+)" \(([^)]*)\);\s*$)re"_s);
        QList<RecommendedIndex> indexes;
        for (const QString &line : QString::fromUtf8(file.readAll()).split(u'\n')) {
            const QRegularExpressionMatch match = statement.match(line.trimmed());
            if (!match.hasMatch())
                continue;
            RecommendedIndex index;
            index.name = match.captured(1);
            index.table = match.captured(2);
            QStringList quoted;
            for (const QString &column : match.captured(3).split(u',')) {
                QString name = column.trimmed();
                if (name.startsWith(u'"') && name.endsWith(u'"'))
                    name = name.mid(1, name.size() - 2);
                index.columns.append(name);
                quoted.append(u"\"%1\""_s.arg(name));
            }
            // Schema-qualified: unqualified names would resolve against the role's own schema.
            index.createSql =
                u"CREATE INDEX CONCURRENTLY IF NOT EXISTS %1 ON public.\"%2\" (%3)"_s.arg(
                    index.name, index.table, quoted.join(u", "_s));
            indexes.append(std::move(index));
        }
        if (indexes.isEmpty())
            qFatal("ResoSync: no index statements found in :/sql/indexes.sql");
        return indexes;
    }();
    return list;
}

InspectReport IndexAdvisor::inspect() const {
    InspectReport report;
    DbError error;
    const auto connection = openConnection(m_conninfo, &error);
    if (!connection) {
        report.error = error;
        return report;
    }
    report.database = describeConnection(*connection);
    const DbAction action{u"inspecting the recommended indexes"_s,
                          u"SELECT on the tables public.\"Property\", \"Media\", "
                          "\"PropertyRooms\" and \"OpenHouse\"."_s};
    report.error = runGuarded(action, m_conninfo, [&] {
        pqxx::read_transaction tx(*connection);
        const QList<ExistingIndex> existing = existingIndexes(tx);
        for (const RecommendedIndex &index : recommended()) {
            IndexStatus status;
            status.index = index;
            status.servesQueries = queriesServedBy(index.name);
            const auto same = std::find_if(existing.begin(), existing.end(), [&](const auto &e) {
                return e.table == index.table && e.name == index.name;
            });
            if (same != existing.end()) {
                status.state = same->valid ? IndexState::Present : IndexState::Invalid;
                status.sizeBytes = same->sizeBytes;
            } else {
                for (const ExistingIndex &other : existing) {
                    if (other.table == index.table && other.valid &&
                        other.columns.mid(0, index.columns.size()) == index.columns) {
                        status.state = IndexState::Redundant;
                        status.servedBy =
                            other.primary ? u"primary key %1"_s.arg(other.name) : other.name;
                        status.sizeBytes = other.sizeBytes;
                        break;
                    }
                }
            }
            report.indexes.append(std::move(status));
        }
        for (const QString &table : syncTables()) {
            TableStats stats;
            stats.table = table;
            const pqxx::row row = tx.exec1(
                str(u"SELECT count(*), pg_total_relation_size('public.\"%1\"') FROM public.\"%1\""_s
                        .arg(table)));
            stats.rows = row[0].as<qint64>();
            stats.totalBytes = row[1].as<qint64>();
            report.tables.append(stats);
        }
    });
    return report;
}

ExplainReport IndexAdvisor::explain() const {
    return explain(5);
}

ExplainReport IndexAdvisor::explain(int runs) const {
    ExplainReport report;
    DbError error;
    const auto connection = openConnection(m_conninfo, &error);
    if (!connection) {
        report.error = error;
        return report;
    }
    const DbAction action{u"measuring the sync's queries with EXPLAIN ANALYZE"_s,
                          u"SELECT and DELETE on the tables public.\"Property\", \"Media\", "
                          "\"PropertyRooms\" and \"OpenHouse\" (the deletes are rolled back)."_s};
    report.error = runGuarded(action, m_conninfo, [&] {
        QList<SyncQuery> queries;
        {
            pqxx::read_transaction tx(*connection);
            queries = measuredQueries(tx);
        }
        for (const SyncQuery &query : queries) {
            QList<QueryMeasurement> samples;
            for (int i = 0; i < std::max(1, runs); ++i)
                samples.append(measureOnce(*connection, query));
            std::sort(samples.begin(), samples.end(),
                      [](const auto &a, const auto &b) { return a.executionMs < b.executionMs; });
            report.measurements.append(samples.at(samples.size() / 2));
        }
    });
    return report;
}

QJsonArray IndexAdvisor::measurementsJson(const ExplainReport &report) {
    QJsonArray list;
    for (const QueryMeasurement &m : report.measurements) {
        list.append(QJsonObject{{u"name"_s, m.name},
                                {u"sql"_s, m.sql},
                                {u"planShape"_s, m.planShape},
                                {u"usesIndex"_s, m.usesIndex},
                                {u"executionMs"_s, m.executionMs},
                                {u"sharedHitBlocks"_s, m.sharedHitBlocks},
                                {u"sharedReadBlocks"_s, m.sharedReadBlocks}});
    }
    return list;
}

std::optional<DbError> IndexAdvisor::saveResult(const QJsonObject &summary) const {
    DbError error;
    const auto connection = openConnection(m_conninfo, &error);
    if (!connection)
        return error;
    const DbAction action{u"saving the index results"_s,
                          u"INSERT on resosync.index_results and USAGE on its sequence."_s};
    return runGuarded(action, m_conninfo, [&] {
        pqxx::work tx(*connection);
        tx.exec_params("INSERT INTO resosync.index_results (summary) VALUES ($1::jsonb)",
                       QJsonDocument(summary).toJson(QJsonDocument::Compact).toStdString());
        tx.commit();
    });
}

QString IndexAdvisor::plannedSql(const InspectReport &report, bool repairInvalid) {
    QStringList statements;
    for (const IndexStatus &status : report.indexes) {
        if (status.state == IndexState::Missing) {
            statements.append(status.index.createSql + u';');
        } else if (status.state == IndexState::Invalid && repairInvalid) {
            statements.append(QString::fromStdString(dropSql(status.index.name)) + u';');
            statements.append(status.index.createSql + u';');
        }
    }
    return statements.isEmpty() ? QString() : statements.join(u'\n') + u'\n';
}

ApplyResult IndexAdvisor::apply(const std::atomic_bool &cancel,
                                const std::function<void(const BuildProgress &)> &progress,
                                bool repairInvalid) const {
    ApplyResult result;
    const InspectReport report = inspect();
    if (report.error) {
        result.error = report.error;
        return result;
    }
    QList<IndexStatus> work;
    for (const IndexStatus &status : report.indexes) {
        if (status.state == IndexState::Missing ||
            (status.state == IndexState::Invalid && repairInvalid))
            work.append(status);
        else
            result.skipped.append(status.index.name);
    }
    if (work.isEmpty())
        return result;

    DbError error;
    const auto builder = openConnection(m_conninfo, &error);
    const auto monitor = builder ? openConnection(m_conninfo, &error) : nullptr;
    if (!builder || !monitor) {
        result.error = error;
        return result;
    }
    const DbAction monitorAction{u"watching an index build"_s, QString()};
    int builderPid = 0;
    if (auto failed = runGuarded(monitorAction, m_conninfo, [&] {
            pqxx::nontransaction tx(*builder);
            builderPid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
        })) {
        result.error = failed;
        return result;
    }

    const QString privilegeHint =
        u"ownership of the table (CREATE INDEX and DROP INDEX need the table's owner or a "
        "member of its role). Hand this SQL to a DBA, or run it as the owner:\n%1"_s.arg(
            plannedSql(report, repairInvalid));

    for (int i = 0; i < work.size(); ++i) {
        if (cancel.load()) {
            result.cancelled = true;
            break;
        }
        const IndexStatus &status = work.at(i);
        const bool repair = status.state == IndexState::Invalid;
        const DbAction action{
            u"%1 index %2"_s.arg(repair ? u"repairing"_s : u"building"_s, status.index.name),
            privilegeHint};

        std::atomic_bool done{false};
        std::exception_ptr failure;
        std::thread build([&] {
            try {
                pqxx::nontransaction tx(*builder);
                if (repair)
                    tx.exec(dropSql(status.index.name));
                tx.exec(str(status.index.createSql));
            } catch (...) {
                failure = std::current_exception();
            }
            done.store(true);
        });

        bool cancelSent = false;
        std::optional<DbError> monitorError;
        auto nextPoll = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
        while (!done.load()) {
            if (cancel.load() && !cancelSent) {
                cancelSent = true;
                monitorError = runGuarded(monitorAction, m_conninfo, [&] {
                    pqxx::nontransaction tx(*monitor);
                    tx.exec_params("SELECT pg_cancel_backend($1)", builderPid);
                });
            }
            if (std::chrono::steady_clock::now() >= nextPoll && progress && !monitorError) {
                BuildProgress current;
                current.index = status.index.name;
                current.position = i + 1;
                current.count = int(work.size());
                current.phase = repair ? u"dropping the invalid index"_s : u"starting"_s;
                monitorError = runGuarded(monitorAction, m_conninfo, [&] {
                    pqxx::nontransaction tx(*monitor);
                    const pqxx::result rows = tx.exec_params(
                        "SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total "
                        "FROM pg_stat_progress_create_index WHERE pid = $1",
                        builderPid);
                    if (!rows.empty()) {
                        current.phase = qstr(rows[0][0]);
                        current.blocksDone = rows[0][1].as<qint64>(0);
                        current.blocksTotal = rows[0][2].as<qint64>(0);
                        current.tuplesDone = rows[0][3].as<qint64>(0);
                        current.tuplesTotal = rows[0][4].as<qint64>(0);
                    }
                });
                if (!done.load())
                    progress(current);
                nextPoll = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        build.join();

        if (!failure) {
            (repair ? result.repaired : result.built).append(status.index.name);
            if (cancel.load()) {
                // The cancel came too late for this one: it is built; stop before the next.
                result.cancelled = i + 1 < work.size();
                if (result.cancelled)
                    break;
            }
            continue;
        }

        // Leave nothing half-done: a failed or cancelled CONCURRENTLY build leaves an
        // invalid index behind.
        const DbAction cleanup{
            u"dropping the invalid index %1 a failed build left"_s.arg(status.index.name),
            privilegeHint};
        const std::optional<DbError> cleanupError = runGuarded(cleanup, m_conninfo, [&] {
            if (leftInvalid(*builder, status.index.name)) {
                pqxx::nontransaction tx(*builder);
                tx.exec(dropSql(status.index.name));
            }
        });

        if (cancelSent) {
            result.cancelled = true;
            if (cleanupError)
                result.error = cleanupError;
            break;
        }
        std::optional<DbError> buildError =
            runGuarded(action, m_conninfo, [&] { std::rethrow_exception(failure); });
        bool privilege = false;
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception &e) {
            privilege = isPrivilegeFailure(e);
        } catch (...) {
        }
        if (privilege) {
            DbError denied = *buildError;
            denied.kind = DbErrorKind::InsufficientPrivilege;
            denied.sqlState = u"42501"_s;
            if (!denied.message.contains(u"Hand this SQL"_s))
                denied.message += u"\nThe role needs "_s + privilegeHint;
            result.error = denied;
            result.sqlForDba = plannedSql(report, repairInvalid);
            break; // the same role will be refused the rest too
        }
        if (!result.error)
            result.error = buildError;
        if (buildError && buildError->kind == DbErrorKind::Unreachable)
            break;
    }
    return result;
}

} // namespace resosync::db
