#include "bench/CopyFloor.h"

#include "db/Connection.h"
#include "db/MergeSql.h"

#include <QElapsedTimer>
#include <QTemporaryFile>

#include <algorithm>
#include <string>
#include <vector>

#include <pqxx/nontransaction>
#include <pqxx/tablereader>
#include <pqxx/tablewriter>
#include <pqxx/transaction>

namespace resosync::bench {

using namespace Qt::StringLiterals;

namespace {

constexpr std::size_t kBlockBytes = 64 * 1024; // as the sync's BatchWriter sends COPY data
const std::string kFloorTable = "public.\"resosync_copy_floor\"";

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
// tablereader/tablewriter are deprecated but are libpqxx 6.4's only raw COPY; they splice the
// table name raw, so it arrives quoted.

/// Writes the table's COPY text to `file`, one line per row; returns the rows.
qint64 exportRows(pqxx::connection &connection, const db::MergeSql &sql, QFile &file) {
    pqxx::work tx(connection);
    pqxx::tablereader reader(tx, sql.targetTable, sql.copyColumns.cbegin(), sql.copyColumns.cend());
    std::string line;
    qint64 rows = 0;
    while (reader.get_raw_line(line)) {
        // One row per line in the file, whether or not the reader kept the line's end.
        if (!line.empty() && line.back() == '\n')
            line.pop_back();
        if (line.empty())
            continue;
        line += '\n';
        file.write(line.data(), qint64(line.size()));
        ++rows;
    }
    reader.complete();
    tx.commit();
    file.flush();
    return rows;
}

/// COPYs `file` into the floor table; returns the bytes sent. Reads the file in blocks and
/// sends whole lines, so the client costs the measurement next to nothing.
qint64 copyRows(pqxx::transaction_base &tx, const db::MergeSql &sql, QFile &file) {
    pqxx::tablewriter writer(tx, kFloorTable, sql.copyColumns.cbegin(), sql.copyColumns.cend());
    std::vector<char> buffer(kBlockBytes);
    std::string pending; // what was read and not yet sent: at most one partial line
    std::string block;
    qint64 bytes = 0;
    qint64 read = 0;
    while ((read = file.read(buffer.data(), qint64(buffer.size()))) > 0) {
        pending.append(buffer.data(), std::size_t(read));
        const std::size_t lastNewline = pending.rfind('\n');
        if (lastNewline == std::string::npos)
            continue;
        block.assign(pending, 0, lastNewline); // write_raw_line adds the last newline
        pending.erase(0, lastNewline + 1);
        bytes += qint64(block.size());
        writer.write_raw_line(block);
    }
    if (!pending.empty()) {
        bytes += qint64(pending.size());
        writer.write_raw_line(pending);
    }
    writer.complete();
    return bytes;
}
#pragma GCC diagnostic pop

/// One timed COPY of `file` into a fresh floor table, dropped afterwards; returns seconds.
double timedCopy(pqxx::connection &connection, const db::MergeSql &sql, FloorTable table,
                 QFile &file, qint64 *bytes) {
    {
        pqxx::nontransaction setup(connection);
        setup.exec("DROP TABLE IF EXISTS " + kFloorTable);
        setup.exec(std::string(table == FloorTable::Unlogged ? "CREATE UNLOGGED TABLE "
                                                             : "CREATE TABLE ") +
                   kFloorTable + " (LIKE " + sql.targetTable + " INCLUDING ALL)");
    }
    file.seek(0);
    QElapsedTimer timer;
    timer.start();
    pqxx::work tx(connection);
    *bytes = copyRows(tx, sql, file);
    tx.commit();
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    pqxx::nontransaction cleanup(connection);
    cleanup.exec("DROP TABLE " + kFloorTable);
    return seconds;
}

} // namespace

FloorResult measureCopyFloor(const QString &conninfo, reso::Resource resource, FloorTable table,
                             int attempts) {
    FloorResult result;
    db::DbError error;
    auto connection = db::openConnection(conninfo, &error);
    if (!connection) {
        result.error = error;
        return result;
    }
    const db::MergeSql &sql = db::MergeSql::of(resource);
    QTemporaryFile file;
    if (!file.open()) {
        result.error = db::DbError{};
        result.error->message =
            u"The database floor needs a temporary file: %1"_s.arg(file.errorString());
        return result;
    }
    result.error = db::runGuarded(
        {u"measuring the COPY floor of %1"_s.arg(reso::resourceName(resource)), {}}, conninfo, [&] {
            result.rows = exportRows(*connection, sql, file);
            for (int attempt = 0; attempt < std::max(1, attempts); ++attempt) {
                const double seconds = timedCopy(*connection, sql, table, file, &result.bytes);
                result.seconds = attempt == 0 ? seconds : std::min(result.seconds, seconds);
                result.slowestSeconds = std::max(result.slowestSeconds, seconds);
                ++result.attempts;
            }
        });
    return result;
}

} // namespace resosync::bench
