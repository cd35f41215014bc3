#include "db/BatchWriter.h"

#include "db/Connection.h"
#include "db/MergeSql.h"
#include "db/PgText.h"
#include "db/ReconnectBackoff.h"
#include "metrics/MetricsRecorder.h"
#include "reso/Timestamp.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSet>
#include <QStringList>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/subtransaction>
#include <pqxx/tablewriter>
#include <pqxx/transaction>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace resosync::db {

using namespace Qt::StringLiterals;
using metrics::DbStatement;

namespace {

Q_LOGGING_CATEGORY(lcWriter, "resosync.db.writer")

/// How the writer's sessions show in pg_stat_activity (unless the connection string names one).
const QString kApplicationName = u"resosync-writer"_s;

/// COPY data is sent in blocks of about this many bytes.
constexpr std::size_t kCopyBlockBytes = 64 * 1024;

const std::string kRejectStatement = "resosync_insert_rejects";
const std::string kCheckpointStatement = "resosync_upsert_checkpoint";
const std::string kChildSyncStatement = "resosync_upsert_child_sync";
const std::string kExistingStatement = "resosync_existing_properties";

/// `$1` run (0: none), `$2` resource, `$3` keys, `$4` reasons, `$5` payloads (text[] each).
const std::string kRejectSql =
    "INSERT INTO resosync.rejects (run_id, resource, record_key, reason, payload) "
    "SELECT NULLIF($1::bigint, 0), $2, u.record_key, u.reason, u.payload "
    "FROM unnest($3::text[], $4::text[], $5::text[]) AS u(record_key, reason, payload)";

/// `$1` resource, `$2` cursor timestamp (text), `$3` cursor key ('' = none), `$4` fence
/// (text, '' = none), `$5` run (0 = none). Keys compare bytewise (COLLATE "C"), as a feed's
/// `$orderby=ListingKey` does, whatever the database's collation.
const std::string kCheckpointSql =
    "INSERT INTO resosync.sync_cursor AS c "
    "(resource, cursor_timestamp, cursor_key, fence, run_id, updated_at) "
    "VALUES ($1, $2::timestamptz, NULLIF($3, ''), NULLIF($4, '')::timestamptz, "
    "NULLIF($5::bigint, 0), now()) "
    "ON CONFLICT (resource) DO UPDATE SET cursor_timestamp = EXCLUDED.cursor_timestamp, "
    "cursor_key = EXCLUDED.cursor_key, fence = EXCLUDED.fence, run_id = EXCLUDED.run_id, "
    "updated_at = EXCLUDED.updated_at "
    "WHERE c.cursor_timestamp IS NULL OR c.cursor_timestamp < EXCLUDED.cursor_timestamp "
    "OR (c.cursor_timestamp = EXCLUDED.cursor_timestamp "
    "AND COALESCE(c.cursor_key, '') COLLATE \"C\" < COALESCE(EXCLUDED.cursor_key, '') "
    "COLLATE \"C\")";

/// `$1` child resource, `$2` listing keys (text[]), `$3` their timestamps (timestamptz[]),
/// `$4` run (0 = none). A listing named twice counts once, with its latest timestamp.
const std::string kChildSyncSql =
    "INSERT INTO resosync.child_sync (resource, listing_key, property_timestamp, run_id) "
    "SELECT DISTINCT ON (u.listing_key) $1, u.listing_key, u.property_timestamp, "
    "NULLIF($4::bigint, 0) "
    "FROM unnest($2::text[], $3::timestamptz[]) AS u(listing_key, property_timestamp) "
    "ORDER BY u.listing_key, u.property_timestamp DESC "
    "ON CONFLICT (resource, listing_key) DO UPDATE "
    "SET property_timestamp = EXCLUDED.property_timestamp, run_id = EXCLUDED.run_id";

const std::string kExistingSql =
    "SELECT \"ListingKey\" FROM public.\"Property\" WHERE \"ListingKey\" = ANY($1::text[])";

std::string mergeStatement(reso::Resource resource) {
    return "resosync_merge_" + reso::resourceName(resource).toStdString();
}

std::string mergeUniqueStatement(reso::Resource resource) {
    return "resosync_merge_unique_" + reso::resourceName(resource).toStdString();
}

std::string anyStoredStatement(reso::Resource resource) {
    return "resosync_any_stored_" + reso::resourceName(resource).toStdString();
}

std::string deleteStatement(reso::Resource resource) {
    return "resosync_delete_" + reso::resourceName(resource).toStdString();
}

/// Whether the server refused a statement because of the values in it rather than because of
/// the statement or the database's state: data exceptions (class 22: out of range, bad
/// format, invalid UTF-8...), integrity violations (class 23: a null key or record), and
/// program limits a single oversized value hits (54000: an index row too large for a key).
bool isRefusedValue(const pqxx::sql_error &error) {
    const std::string &state = error.sqlstate();
    return state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0 || state == "54000";
}

/// The server's reason for a rejected record, for a person: message, detail and context
/// (COPY names the column and shows the value), and the SQLSTATE.
QString serverReason(const pqxx::sql_error &error) {
    QStringList parts;
    const QStringList lines = QString::fromUtf8(error.what()).split(u'\n', Qt::SkipEmptyParts);
    for (const QString &raw : lines) {
        QString line = raw.trimmed();
        if (line.startsWith("ERROR:"_L1))
            line = line.mid(6).trimmed();
        else if (line.startsWith("DETAIL:"_L1) || line.startsWith("CONTEXT:"_L1))
            line = line.simplified();
        else if (!parts.isEmpty())
            continue; // a libpqxx "Query was: ..." echo or a wrapped statement
        if (!line.isEmpty())
            parts << line;
    }
    if (parts.isEmpty())
        parts << u"refused by the database"_s;
    QString reason = parts.join("; "_L1);
    if (!error.sqlstate().empty())
        reason += u" (SQLSTATE %1)"_s.arg(QString::fromStdString(error.sqlstate()));
    return reason;
}

QString describePage(const sync::ParsedPage &page) {
    return u"writing a page of %1 %2 records"_s.arg(page.records.size())
        .arg(reso::resourceName(page.resource));
}

const QString kWritePrivileges =
    u"INSERT and UPDATE on the RESO tables (public.\"Property\", \"Media\", "
    "\"PropertyRooms\", \"OpenHouse\"), INSERT on resosync.rejects, INSERT and UPDATE on "
    "resosync.sync_cursor, and TEMPORARY on the database (for the staging tables)."_s;
const QString kChildPrivileges =
    u"DELETE on the child resource's table and INSERT and UPDATE on resosync.child_sync."_s;

/// Times one statement into the recorder: a success when succeeded() was called, otherwise
/// (an exception left the scope) a failure.
class StatementTimer final {
public:
    StatementTimer(metrics::MetricsRecorder *recorder, DbStatement kind)
        : m_recorder(recorder)
        , m_kind(kind) {
        m_timer.start();
    }
    ~StatementTimer() {
        if (!m_recorded)
            record(false);
    }
    StatementTimer(const StatementTimer &) = delete;
    StatementTimer &operator=(const StatementTimer &) = delete;

    void succeeded() { record(true); }

private:
    void record(bool ok) {
        m_recorded = true;
        if (m_recorder)
            m_recorder->recordDbStatement(m_kind, double(m_timer.nsecsElapsed()) / 1e6, ok);
    }

    metrics::MetricsRecorder *m_recorder;
    DbStatement m_kind;
    QElapsedTimer m_timer;
    bool m_recorded = false;
};

/// A record the database refused while a page was isolated row by row.
struct RefusedRecord {
    std::size_t index = 0; ///< into ParsedPage::records
    QString reason;
};

/// How one attempt at a page goes: chunks from `isolateFrom` on are written inside savepoints
/// and split down to single rows when the database refuses them.
struct PageAttempt {
    std::optional<std::size_t> isolateFrom;
    std::optional<std::size_t> failedChunk; ///< out: the chunk a refused value failed
};

} // namespace

struct BatchWriter::Impl {
    QString conninfo;
    metrics::MetricsRecorder *metrics = nullptr;
    std::unique_ptr<pqxx::connection> connection;
    std::array<bool, reso::kAllResources.size()> stagingReady{};
    quint64 connectionSerial = 0; ///< counts connections opened: a sweep must keep its own
    quint64 sweepSerial = 0;      ///< the connection holding the key table, 0 = no sweep
    std::string sweepStart;       ///< the server's time when the sweep began (timestamptz)

    bool isOpen() const { return connection && connection->is_open(); }

    void drop() {
        connection.reset();
        stagingReady.fill(false);
    }

    /// Opens the connection unless it is open, and registers the prepared statements
    /// (libpqxx prepares each on the server at its first use).
    std::optional<DbError> ensureOpen() {
        if (isOpen())
            return std::nullopt;
        if (connection)
            qCInfo(lcWriter) << "reconnecting: the previous connection broke";
        drop();
        DbError error;
        connection = openConnection(conninfo, &error, kApplicationName);
        if (!connection)
            return error;
        ++connectionSerial;
        ReconnectBackoff::noteReachable(conninfo);
        const auto failure =
            runGuarded({u"preparing the writer's connection"_s, {}}, conninfo, [&] {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
                // A silent reconnect inside libpqxx would lose the staging tables unnoticed:
                // a broken connection surfaces here and is replaced as a whole.
                connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
                connection->set_client_encoding("UTF8");
                connection->prepare(kRejectStatement, kRejectSql);
                connection->prepare(kCheckpointStatement, kCheckpointSql);
                connection->prepare(kChildSyncStatement, kChildSyncSql);
                connection->prepare(kExistingStatement, kExistingSql);
                for (reso::Resource resource : reso::kAllResources) {
                    const MergeSql &sql = MergeSql::of(resource);
                    connection->prepare(mergeStatement(resource), sql.merge);
                    connection->prepare(mergeUniqueStatement(resource), sql.mergeUniqueKeys);
                    connection->prepare(anyStoredStatement(resource), sql.anyStored);
                    if (!sql.deleteUnseenChildren.empty())
                        connection->prepare(deleteStatement(resource), sql.deleteUnseenChildren);
                }
            });
        if (failure)
            drop();
        return failure;
    }

    /// Creates the resource's staging table on this connection, once (throws on failure).
    void ensureStaging(reso::Resource resource) {
        bool &ready = stagingReady[static_cast<std::size_t>(resource)];
        if (ready)
            return;
        StatementTimer timer(metrics, DbStatement::Other);
        pqxx::nontransaction tx(*connection);
        tx.exec(MergeSql::of(resource).createStaging);
        timer.succeeded();
        ready = true;
    }

    /// COPY the lines of records [begin, end) into `table` (quoted name and columns).
    void copyLines(pqxx::transaction_base &tx, const std::string &table,
                   const std::vector<std::string> &columns,
                   const std::vector<sync::ParsedRecord> &records, std::size_t begin,
                   std::size_t end) {
        StatementTimer timer(metrics, DbStatement::Copy);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        // tablewriter (deprecated, still in 6.4) takes preformatted lines, the cheapest
        // COPY libpqxx 6.4 offers; it splices the names raw, so they arrive quoted.
        pqxx::tablewriter writer(tx, table, columns.cbegin(), columns.cend());
        // Lines go out in blocks of about kCopyBlockBytes, one CopyData message each: few
        // calls, yet the server parses one block while the next is on its way (a single
        // multi-megabyte message would make it wait for all of it). No trailing newline:
        // write_copy_line() appends one (and would copy the block to strip ours).
        std::string block;
        block.reserve(kCopyBlockBytes + 4096);
        for (std::size_t i = begin; i < end; ++i) {
            const QByteArray &line = records[i].copyLine;
            if (!block.empty())
                block += '\n';
            block.append(line.constData(), static_cast<std::size_t>(line.size()));
            if (block.size() >= kCopyBlockBytes || i + 1 == end) {
                writer.write_raw_line(block);
                block.clear();
            }
        }
        writer.complete();
#pragma GCC diagnostic pop
        timer.succeeded();
    }

    /// Whether any key of records [begin, end) is stored already (one index probe per key).
    bool anyStored(pqxx::transaction_base &tx, const sync::ParsedPage &page, std::size_t begin,
                   std::size_t end) {
        std::vector<QByteArray> keys;
        keys.reserve(end - begin);
        for (std::size_t i = begin; i < end; ++i)
            keys.push_back(page.records[i].key);
        StatementTimer timer(metrics, DbStatement::Other);
        const pqxx::result found =
            tx.exec_prepared(anyStoredStatement(page.resource), PgText::arrayLiteral(keys));
        timer.succeeded();
        return found[0][0].as<bool>();
    }

    /// New rows only (none of their keys stored, each key once): COPY straight into the
    /// table, which is all the merge would do for them, at half the database's work (no
    /// staging write, no INSERT ... SELECT). A row another writer stored meanwhile makes the
    /// COPY fail on the primary key; the savepoint undoes it and the caller merges instead.
    std::optional<qint64> copyDirect(pqxx::dbtransaction &tx, const sync::ParsedPage &page,
                                     std::size_t begin, std::size_t end) {
        const MergeSql &sql = MergeSql::of(page.resource);
        try {
            pqxx::subtransaction savepoint(tx, "resosync_direct");
            copyLines(savepoint, sql.targetTable, sql.copyColumns, page.records, begin, end);
            savepoint.commit();
            return static_cast<qint64>(end - begin);
        } catch (const pqxx::unique_violation &) {
            return std::nullopt; // rolled back to the savepoint: merge these rows
        }
    }

    static bool uniqueKeys(const sync::ParsedPage &page, std::size_t begin, std::size_t end) {
        QSet<QByteArrayView> keys;
        keys.reserve(static_cast<qsizetype>(end - begin));
        for (std::size_t i = begin; i < end; ++i) {
            const QByteArrayView key = page.records[i].key;
            if (keys.contains(key))
                return false;
            keys.insert(key);
        }
        return true;
    }

    /// Runs a MergeSql cascading delete (one result row of counts per resource).
    DeletedRows cascadingDelete(pqxx::transaction_base &tx, const std::string &sql,
                                const std::string &first, const std::string &second = {}) {
        StatementTimer timer(metrics, DbStatement::Delete);
        const pqxx::row row =
            second.empty() ? tx.exec_params1(sql, first) : tx.exec_params1(sql, first, second);
        timer.succeeded();
        DeletedRows deleted{};
        for (std::size_t i = 0; i < deleted.size(); ++i)
            deleted[i] = row[static_cast<int>(i)].as<qint64>();
        return deleted;
    }

    /// Deletes the page's withdrawn records (MlgCanView false), unless stored newer.
    DeletedRows deleteWithdrawn(pqxx::transaction_base &tx, const sync::ParsedPage &page) {
        if (page.withdrawn.empty())
            return {};
        std::vector<QByteArray> keys, timestamps;
        keys.reserve(page.withdrawn.size());
        timestamps.reserve(page.withdrawn.size());
        for (const sync::ParsedRecord &record : page.withdrawn) {
            keys.push_back(record.key);
            timestamps.push_back(reso::Timestamp::fromUsecs(record.modifiedUsecs).toUtf8());
        }
        return cascadingDelete(tx, MergeSql::of(page.resource).deleteWithdrawn,
                               PgText::arrayLiteral(keys), PgText::arrayLiteral(timestamps));
    }

    /// Writes records [begin, end): new rows by direct COPY, others by COPY into staging and
    /// the guarded merge; returns the rows written.
    qint64 writeChunk(pqxx::dbtransaction &tx, const sync::ParsedPage &page, std::size_t begin,
                      std::size_t end, bool clearFirst, StoredRows stored) {
        const MergeSql &sql = MergeSql::of(page.resource);
        // Duplicates of a key need DISTINCT ON (newest wins); most chunks have none, and then
        // the merge skips sorting the whole rows.
        const bool unique = uniqueKeys(page, begin, end);
        if (unique && (stored == StoredRows::NoneExpected || !anyStored(tx, page, begin, end))) {
            if (const auto written = copyDirect(tx, page, begin, end))
                return *written;
        }
        if (clearFirst) {
            StatementTimer timer(metrics, DbStatement::Other);
            tx.exec(sql.clearStaging);
            timer.succeeded();
        }
        copyLines(tx, sql.stagingTable, sql.copyColumns, page.records, begin, end);
        StatementTimer timer(metrics, DbStatement::Merge);
        const pqxx::result merged = tx.exec_prepared(unique ? mergeUniqueStatement(page.resource)
                                                            : mergeStatement(page.resource));
        timer.succeeded();
        return static_cast<qint64>(merged.affected_rows());
    }

    /// Writes records [begin, end) inside a savepoint; when the database refuses a value,
    /// halves the range until the refused records stand alone, and lists those in `refused`.
    qint64 writeIsolated(pqxx::dbtransaction &tx, const sync::ParsedPage &page, std::size_t begin,
                         std::size_t end, StoredRows stored, std::vector<RefusedRecord> *refused) {
        try {
            pqxx::subtransaction savepoint(tx, "resosync_chunk");
            const qint64 written = writeChunk(savepoint, page, begin, end, true, stored);
            savepoint.commit();
            return written;
        } catch (const pqxx::sql_error &e) {
            // The savepoint has rolled back (its destructor ran): tx is usable again.
            if (!isRefusedValue(e))
                throw;
            if (end - begin == 1) {
                refused->push_back({begin, serverReason(e)});
                return 0;
            }
        }
        const std::size_t middle = begin + (end - begin) / 2;
        return writeIsolated(tx, page, begin, middle, stored, refused) +
               writeIsolated(tx, page, middle, end, stored, refused);
    }

    void writeRejects(pqxx::transaction_base &tx, const sync::ParsedPage &page, qint64 runId,
                      const std::vector<RefusedRecord> &refused) {
        if (page.rejects.empty() && refused.empty())
            return;
        std::vector<QByteArray> keys, reasons, payloads;
        const std::size_t count = page.rejects.size() + refused.size();
        keys.reserve(count);
        reasons.reserve(count);
        payloads.reserve(count);
        for (const sync::RejectedRecord &reject : page.rejects) {
            keys.push_back(reject.key.isEmpty() ? QByteArray() : reject.key);
            reasons.push_back(reject.reason.isEmpty() ? "rejected by the parser"_ba
                                                      : reject.reason.toUtf8());
            payloads.push_back(reject.payload.isNull() ? ""_ba : reject.payload);
        }
        for (const RefusedRecord &record : refused) {
            const sync::ParsedRecord &parsed = page.records[record.index];
            keys.push_back(parsed.key.isEmpty() ? QByteArray() : parsed.key);
            reasons.push_back(record.reason.toUtf8());
            // The record as received is the line's last field; a line without one (null or
            // malformed) is kept whole rather than lost.
            QByteArray payload = PgText::lastCopyField(parsed.copyLine);
            payloads.push_back(payload.isNull() ? parsed.copyLine : payload);
        }
        StatementTimer timer(metrics, DbStatement::Reject);
        tx.exec_prepared(kRejectStatement, runId, reso::resourceName(page.resource).toStdString(),
                         PgText::arrayLiteral(keys), PgText::arrayLiteral(reasons),
                         PgText::arrayLiteral(payloads));
        timer.succeeded();
    }

    void writeCheckpoint(pqxx::transaction_base &tx, reso::Resource resource,
                         const Checkpoint &checkpoint) {
        const std::string cursor =
            reso::Timestamp::fromUsecs(checkpoint.cursorUsecs).toUtf8().toStdString();
        const std::string fence =
            checkpoint.fenceUsecs == 0
                ? std::string()
                : reso::Timestamp::fromUsecs(checkpoint.fenceUsecs).toUtf8().toStdString();
        StatementTimer timer(metrics, DbStatement::Checkpoint);
        tx.exec_prepared(kCheckpointStatement, reso::resourceName(resource).toStdString(), cursor,
                         PgText::validText(checkpoint.cursorKey).toStdString(), fence,
                         checkpoint.runId);
        timer.succeeded();
    }

    /// Throws unless the connection is the one the current key sweep began on.
    void requireSweepConnection() const {
        if (sweepSerial == 0 || sweepSerial != connectionSerial)
            throw std::runtime_error(
                "the connection holding the key sweep's temporary table was lost (or no sweep "
                "was begun), so the keys listed so far are gone; nothing was deleted, run the "
                "reconcile again");
    }

    void commit(pqxx::dbtransaction &tx) {
        StatementTimer timer(metrics, DbStatement::Other);
        tx.commit();
        timer.succeeded();
    }

    /// One transaction for the whole page; throws what libpqxx throws.
    void writePageOnce(const sync::ParsedPage &page, std::size_t chunkSize, qint64 runId,
                       const std::optional<Checkpoint> &checkpoint, StoredRows stored,
                       PageAttempt *attempt, WriteResult *result) {
        if (!page.records.empty())
            ensureStaging(page.resource);
        pqxx::work tx(*connection);
        qint64 upserted = 0;
        std::vector<RefusedRecord> refused;
        const std::size_t total = page.records.size();
        std::size_t chunk = 0;
        for (std::size_t begin = 0; begin < total; begin += chunkSize, ++chunk) {
            const std::size_t end = std::min(total, begin + chunkSize);
            if (attempt->isolateFrom && chunk >= *attempt->isolateFrom) {
                upserted += writeIsolated(tx, page, begin, end, stored, &refused);
                continue;
            }
            try {
                // Staging is empty at the start of a transaction (ON COMMIT DELETE ROWS).
                upserted += writeChunk(tx, page, begin, end, chunk > 0, stored);
            } catch (const pqxx::sql_error &e) {
                if (isRefusedValue(e))
                    attempt->failedChunk = chunk;
                throw;
            }
        }
        writeRejects(tx, page, runId, refused);
        const DeletedRows deleted = deleteWithdrawn(tx, page);
        if (checkpoint)
            writeCheckpoint(tx, page.resource, *checkpoint);
        commit(tx);
        result->upserted = upserted;
        result->rejected = static_cast<qint64>(page.rejects.size() + refused.size());
        result->deleted = deleted;
        if (!refused.empty()) {
            // One line a page, not one a record: a vendor's bad batch can refuse thousands.
            const RefusedRecord &first = refused.front();
            qCWarning(lcWriter).noquote()
                << "the database refused" << refused.size() << reso::resourceName(page.resource)
                << "records (in resosync.rejects); the first,"
                << QString::fromUtf8(page.records[first.index].key) << ":" << first.reason;
        }
    }

    /// Runs `work` (one transaction) with the writer's error policy. Every transaction this
    /// writer runs is idempotent (guarded upserts that never regress a row, a checkpoint that
    /// only moves forward, deletes of keys the feed no longer has, lookups), so after a lost
    /// connection the work is retried whole on a new one (ReconnectBackoff: a restart or a
    /// terminated backend), also when the break came during COMMIT and its outcome is unknown:
    /// replaying a committed page changes nothing (a reject may then be listed twice). A
    /// statement or lock timeout is retried whole a few times, a deadlock or serialization
    /// failure twice. `retryAfterRefusedValue` is asked whether to retry after the server
    /// refused a value (the page writer's isolation); returns the final error.
    template<typename Work, typename OnRefusedValue>
    std::optional<DbError> run(const DbAction &action, Work &&work,
                               OnRefusedValue &&retryAfterRefusedValue) {
        constexpr int kRollbackRetries = 2;
        ReconnectBackoff backoff;
        int rollbacks = 0;
        for (;;) {
            if (auto error = ensureOpen()) {
                // Reopening during an outage (a restart): wait for the server to come back.
                if (ReconnectBackoff::wasReachable(conninfo) &&
                    backoff.waitToReconnect(error->kind))
                    continue;
                return error;
            }
            const auto lost = [&](const std::exception &e, bool inDoubt) -> std::optional<DbError> {
                drop();
                DbError error;
                if (const auto *doubt = dynamic_cast<const pqxx::in_doubt_error *>(&e))
                    error = inDoubtError(*doubt, action, conninfo);
                else if (const auto *broken = dynamic_cast<const pqxx::broken_connection *>(&e))
                    error = lostConnectionError(*broken, action, conninfo);
                else
                    error =
                        lostConnectionError(pqxx::broken_connection(e.what()), action, conninfo);
                if (!backoff.waitToReconnect())
                    return error;
                qCInfo(lcWriter).noquote()
                    << (inDoubt ? "the connection broke during COMMIT" : "connection lost")
                    << "while" << action.description << "- retrying it whole on a new connection"
                    << "(attempt" << backoff.reconnects() + 1 << ")";
                return std::nullopt;
            };
            try {
                work();
                return std::nullopt;
            } catch (const pqxx::in_doubt_error &e) {
                if (auto error = lost(e, true))
                    return error;
            } catch (const pqxx::statement_completion_unknown &e) {
                // SQLSTATE 40003: like a break during COMMIT, nobody knows what happened.
                if (auto error = lost(e, true))
                    return error;
            } catch (const pqxx::broken_connection &e) {
                if (auto error = lost(e, false))
                    return error;
            } catch (const pqxx::transaction_rollback &e) {
                if (!isOpen()) {
                    if (auto error = lost(e, false))
                        return error;
                } else if (++rollbacks > kRollbackRetries) {
                    // libpqxx 6.4 derives these from failure, without their SQLSTATE.
                    return unexpectedError(e, action, conninfo);
                }
            } catch (const pqxx::insufficient_privilege &e) {
                return privilegeError(e, action, conninfo);
            } catch (const pqxx::sql_error &e) {
                if (!isOpen()) {
                    if (auto error = lost(e, false))
                        return error;
                } else if (isTimeoutState(e.sqlstate())) {
                    if (!backoff.waitAfterTimeout())
                        return timeoutError(e, action, backoff.timeoutRetries());
                    qCInfo(lcWriter).noquote()
                        << action.description + u":"_s << serverReason(e) << "- retrying it whole";
                } else if (!(isRefusedValue(e) && retryAfterRefusedValue(e))) {
                    return sqlError(e, action, conninfo);
                }
            } catch (const std::exception &e) {
                if (!isOpen()) {
                    if (auto error = lost(e, false))
                        return error;
                } else {
                    // An unexpected state (COPY half done?): start the next call afresh.
                    drop();
                    return unexpectedError(e, action, conninfo);
                }
            }
        }
    }

    DbError timeoutError(const pqxx::sql_error &e, const DbAction &action, int retries) const {
        DbError error = sqlError(e, action, conninfo);
        error.message += u"\nIt timed out %1 times in a row. Check for sessions holding locks "
                         "on the table (pg_locks, pg_stat_activity), raise the role's "
                         "statement_timeout, or lower --db-batch-size."_s.arg(retries + 1);
        return error;
    }
};

BatchWriter::BatchWriter(QString conninfo, metrics::MetricsRecorder *metrics)
    : d(std::make_unique<Impl>()) {
    d->conninfo = std::move(conninfo);
    d->metrics = metrics;
}

BatchWriter::~BatchWriter() = default;

WriteResult BatchWriter::writePage(const sync::ParsedPage &page, int dbBatchSize, qint64 runId,
                                   const std::optional<Checkpoint> &checkpoint, StoredRows stored) {
    const std::size_t chunkSize = static_cast<std::size_t>(std::max(1, dbBatchSize));
    const DbAction action{describePage(page), kWritePrivileges};
    PageAttempt attempt;
    WriteResult result;
    const auto retryIsolated = [&](const pqxx::sql_error &e) {
        // Only a refused value in a chunk is isolated, and only once: a refusal in the rejects
        // or the checkpoint, or again after isolating, fails the page.
        if (attempt.isolateFrom || !attempt.failedChunk)
            return false;
        qCInfo(lcWriter).noquote() << describePage(page) << ": the database refused a value in"
                                   << "chunk" << *attempt.failedChunk << "(" << serverReason(e)
                                   << "); isolating the refused records";
        attempt.isolateFrom = attempt.failedChunk;
        return true;
    };
    result.error = d->run(
        action,
        [&] {
            attempt.failedChunk.reset();
            result = WriteResult();
            d->writePageOnce(page, chunkSize, runId, checkpoint, stored, &attempt, &result);
        },
        retryIsolated);
    if (result.error) {
        result.upserted = 0;
        result.rejected = 0;
    }
    return result;
}

CompleteResult BatchWriter::completeChildBatch(reso::Resource child,
                                               const std::vector<ParentKey> &parents,
                                               const std::vector<QByteArray> &seenKeys,
                                               qint64 runId, VanishedChildren vanished) {
    CompleteResult result;
    const QString childName = reso::resourceName(child);
    const DbAction action{
        u"deleting %1 records the feed no longer has, for %2 listings"_s.arg(childName).arg(
            parents.size()),
        kChildPrivileges};
    if (child == reso::Resource::Property) {
        result.error =
            DbError{DbErrorKind::Failed,
                    u"Failed while %1: Property is not a child resource."_s.arg(action.description),
                    {}};
        return result;
    }
    if (parents.empty())
        return result;
    std::vector<QByteArray> parentKeys;
    std::vector<QByteArray> timestamps;
    parentKeys.reserve(parents.size());
    timestamps.reserve(parents.size());
    for (const ParentKey &parent : parents) {
        parentKeys.push_back(parent.key);
        timestamps.push_back(reso::Timestamp::fromUsecs(parent.modifiedUsecs).toUtf8());
    }
    const std::string parentArray = PgText::arrayLiteral(parentKeys);
    const std::string timestampArray = PgText::arrayLiteral(timestamps);
    const std::string seenArray =
        vanished == VanishedChildren::Delete ? PgText::arrayLiteral(seenKeys) : std::string();
    const std::string childText = childName.toStdString();
    result.error = d->run(
        action,
        [&] {
            pqxx::work tx(*d->connection);
            qint64 deleted = 0;
            if (vanished == VanishedChildren::Delete) {
                StatementTimer timer(d->metrics, DbStatement::Delete);
                deleted = static_cast<qint64>(
                    tx.exec_prepared(deleteStatement(child), parentArray, seenArray)
                        .affected_rows());
                timer.succeeded();
            }
            {
                StatementTimer timer(d->metrics, DbStatement::Checkpoint);
                tx.exec_prepared(kChildSyncStatement, childText, parentArray, timestampArray,
                                 runId);
                timer.succeeded();
            }
            d->commit(tx);
            result.deleted = deleted;
        },
        [](const pqxx::sql_error &) { return false; });
    if (result.error)
        result.deleted = 0;
    return result;
}

std::optional<DbError> BatchWriter::beginKeySweep() {
    const DbAction action{u"preparing a temporary table for the feed's keys"_s,
                          u"TEMPORARY on the database."_s};
    d->sweepSerial = 0;
    return d->run(
        action,
        [&] {
            pqxx::work tx(*d->connection);
            StatementTimer timer(d->metrics, DbStatement::Other);
            tx.exec(std::string("CREATE TEMP TABLE IF NOT EXISTS ") + MergeSql::kFeedKeysTable +
                    " (key text NOT NULL)");
            tx.exec(std::string("TRUNCATE ") + MergeSql::kFeedKeysTable);
            d->sweepStart = tx.exec1("SELECT now()::text")[0].as<std::string>();
            timer.succeeded();
            d->commit(tx);
            d->sweepSerial = d->connectionSerial;
        },
        [](const pqxx::sql_error &) { return false; });
}

std::optional<DbError> BatchWriter::copyKeys(const sync::ParsedPage &page) {
    const DbAction action{
        u"storing %1 %2 keys of the feed in a temporary table"_s.arg(page.records.size())
            .arg(reso::resourceName(page.resource)),
        u"TEMPORARY on the database."_s};
    static const std::vector<std::string> kKeyColumn{"key"};
    return d->run(
        action,
        [&] {
            d->requireSweepConnection();
            pqxx::work tx(*d->connection);
            if (!page.records.empty())
                d->copyLines(tx, MergeSql::kFeedKeysTable, kKeyColumn, page.records, 0,
                             page.records.size());
            d->commit(tx);
        },
        [](const pqxx::sql_error &) { return false; });
}

SweepResult BatchWriter::finishKeySweep(reso::Resource resource, const DeleteGuard &guard) {
    const MergeSql &sql = MergeSql::of(resource);
    const QString name = reso::resourceName(resource);
    const DbAction action{u"deleting the %1 records the feed no longer lists"_s.arg(name),
                          resource == reso::Resource::Property
                              ? u"SELECT and DELETE on public.\"Property\", DELETE on \"Media\", "
                                "\"PropertyRooms\", \"OpenHouse\" and resosync.child_sync."_s
                              : u"SELECT and DELETE on public.\"%1\"."_s.arg(name)};
    SweepResult result;
    result.error = d->run(
        action,
        [&] {
            d->requireSweepConnection();
            result = SweepResult();
            pqxx::work tx(*d->connection);
            {
                StatementTimer timer(d->metrics, DbStatement::Other);
                // Temporary tables are never analyzed by autovacuum: without statistics the
                // planner guesses the key list small and may choose a nested loop.
                tx.exec(std::string("ANALYZE ") + MergeSql::kFeedKeysTable);
                result.keysSeen =
                    tx.exec1(std::string("SELECT count(*) FROM ") + MergeSql::kFeedKeysTable)[0]
                        .as<qint64>();
                result.localRows =
                    tx.exec1("SELECT count(*) FROM " + sql.targetTable)[0].as<qint64>();
                timer.succeeded();
            }
            if (result.keysSeen == 0 && result.localRows > 0 && !guard.confirmed) {
                // An empty answer is far likelier a broken feed than an empty MLS.
                result.deleted[static_cast<std::size_t>(resource)] = result.localRows;
                result.refused = true;
                return; // rolls back: nothing changed
            }
            result.deleted = d->cascadingDelete(tx, sql.deleteUnlisted, d->sweepStart);
            const auto own = double(result.deleted[static_cast<std::size_t>(resource)]);
            if (!guard.confirmed && own > guard.maxShare * double(result.localRows)) {
                result.refused = true;
                return; // rolls back: nothing deleted
            }
            d->commit(tx);
        },
        [](const pqxx::sql_error &) { return false; });
    if (result.error)
        result.deleted = {};
    return result;
}

std::optional<DbError> BatchWriter::existingProperties(const std::vector<QByteArray> &keys,
                                                       std::vector<QByteArray> *found) {
    if (found)
        found->clear();
    if (keys.empty())
        return std::nullopt;
    const std::string keyArray = PgText::arrayLiteral(keys);
    const DbAction action{u"looking up %1 listing keys"_s.arg(keys.size()),
                          u"SELECT on public.\"Property\"."_s};
    return d->run(
        action,
        [&] {
            if (found)
                found->clear();
            StatementTimer timer(d->metrics, DbStatement::Other);
            pqxx::nontransaction tx(*d->connection);
            const pqxx::result rows = tx.exec_prepared(kExistingStatement, keyArray);
            timer.succeeded();
            if (!found)
                return;
            found->reserve(rows.size());
            for (const pqxx::row &row : rows)
                found->push_back(QByteArray(row[0].c_str(), static_cast<qsizetype>(row[0].size())));
        },
        [](const pqxx::sql_error &) { return false; });
}

void BatchWriter::close() {
    d->drop();
}

} // namespace resosync::db
