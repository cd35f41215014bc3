#pragma once

#include "db/DbError.h"
#include "reso/Resource.h"

#include <QString>

#include <optional>

namespace resosync::bench {

/// What the database alone can take: the rows of one replica table, COPYed into an unlogged
/// table of the same shape (same columns, same primary key) with nothing else going on.
struct FloorResult {
    qint64 rows = 0;
    qint64 bytes = 0;   ///< COPY text sent
    double seconds = 0; ///< the fastest attempt's COPY alone (export and table setup excluded)
    double slowestSeconds = 0; ///< the slowest attempt's, to show how noisy the machine was
    int attempts = 0;
    double rowsPerSecond() const { return seconds > 0 ? double(rows) / seconds : 0; }
    std::optional<db::DbError> error;
};

/// Whether the floor's table writes the WAL: the floor is unlogged (the database's
/// raw speed); a logged one is what any durable write, the sync's included, must also pay.
enum class FloorTable { Unlogged, Logged };

/// Measures the database floor for `resource` on `conninfo`: exports the table's rows as COPY
/// text (the columns the sync's COPY fills) to a temporary file, then times a plain COPY of
/// that file into `[UNLOGGED] ... (LIKE <table> INCLUDING ALL)`, in 64 KB blocks like the
/// sync's writer; the clone is dropped afterwards. A floor is a limit, so the fastest of
/// `attempts` counts: on a shared machine one slow attempt would flatter every ratio to it.
/// Client memory stays constant (a block at a time).
FloorResult measureCopyFloor(const QString &conninfo, reso::Resource resource,
                             FloorTable table = FloorTable::Unlogged, int attempts = 3);

} // namespace resosync::bench
