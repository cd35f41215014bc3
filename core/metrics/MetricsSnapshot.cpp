#include "metrics/MetricsSnapshot.h"

namespace resosync::metrics {

using namespace Qt::StringLiterals;

QString dbStatementName(DbStatement kind) {
    // snake_case, because the names become JSON keys (db.by_kind.<name>) and series names
    // (db.<name>.avg_ms) that scripts and stored run samples refer to: never rename one.
    switch (kind) {
    case DbStatement::Copy:
        return u"copy"_s;
    case DbStatement::Merge:
        return u"merge"_s;
    case DbStatement::Delete:
        return u"delete"_s;
    case DbStatement::Checkpoint:
        return u"checkpoint"_s;
    case DbStatement::KeyStream:
        return u"key_stream"_s;
    case DbStatement::Reject:
        return u"reject"_s;
    case DbStatement::RunLog:
        return u"run_log"_s;
    case DbStatement::Other:
        return u"other"_s;
    }
    return u"other"_s;
}

QString dbTimeSeriesName(DbStatement kind) {
    return "db."_L1 + dbStatementName(kind) + ".avg_ms"_L1;
}

} // namespace resosync::metrics
