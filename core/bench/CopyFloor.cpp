#include "bench/CopyFloor.h"

#include "db/Connection.h"
#include "db/MergeSql.h"

#include <QElapsedTimer>
#include <QTemporaryFile>

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

/// COPYs `file` into the floor table; returns the bytes sent.
qint64 copyRows(pqxx::transaction_base &tx, const db::MergeSql &sql, QFile &file) {
    pqxx::tablewriter writer(tx, kFloorTable, sql.copyColumns.cbegin(), sql.copyColumns.cend());
    std::string block;
    block.reserve(kBlockBytes + 4096);
    qint64 bytes = 0;
    QByteArray line;
    while (!(line = file.readLine()).isEmpty()) {
        if (!block.empty())
            block += '\n';
        block.append(line.constData(), std::size_t(line.size() - 1)); // without its newline
        if (block.size() >= kBlockBytes) {
            bytes += qint64(block.size());
            writer.write_raw_line(block);
            block.clear();
        }
    }
    if (!block.empty()) {
        bytes += qint64(block.size());
        writer.write_raw_line(block);
    }
    writer.complete();
    return bytes;
}
#pragma GCC diagnostic pop

} // namespace

FloorResult measureCopyFloor(const QString &conninfo, reso::Resource resource, FloorTable table) {
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
            {
                pqxx::nontransaction setup(*connection);
                setup.exec("DROP TABLE IF EXISTS " + kFloorTable);
                setup.exec(std::string(table == FloorTable::Unlogged ? "CREATE UNLOGGED TABLE "
                                                                     : "CREATE TABLE ") +
                           kFloorTable + " (LIKE " + sql.targetTable + " INCLUDING ALL)");
            }
            file.seek(0);
            QElapsedTimer timer;
            timer.start();
            pqxx::work tx(*connection);
            result.bytes = copyRows(tx, sql, file);
            tx.commit();
            result.seconds = double(timer.nsecsElapsed()) / 1e9;
            pqxx::nontransaction cleanup(*connection);
            cleanup.exec("DROP TABLE " + kFloorTable);
        });
    return result;
}

} // namespace resosync::bench
