#include "cli/IndexesCommand.h"

#include "db/IndexAdvisor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <csignal>

namespace resosync::cli {

using namespace Qt::StringLiterals;
using db::ApplyResult;
using db::DbError;
using db::ExplainReport;
using db::IndexAdvisor;
using db::IndexStatus;
using db::InspectReport;
using db::QueryMeasurement;

namespace {

std::atomic_bool g_cancel{false};

extern "C" void cancelOnSignal(int) {
    g_cancel.store(true);
}

QString bytes(qint64 size) {
    if (size >= 1024 * 1024)
        return u"%1 MB"_s.arg(double(size) / (1024.0 * 1024.0), 0, 'f', 1);
    if (size >= 1024)
        return u"%1 kB"_s.arg(double(size) / 1024.0, 0, 'f', 0);
    return u"%1 B"_s.arg(size);
}

QJsonObject errorJson(const DbError &error) {
    return {{u"kind"_s, db::errorKindName(error.kind)},
            {u"message"_s, error.message},
            {u"sqlState"_s, error.sqlState}};
}

QJsonObject inspectJson(const InspectReport &report) {
    QJsonArray indexes;
    for (const IndexStatus &status : report.indexes) {
        indexes.append(QJsonObject{
            {u"name"_s, status.index.name},
            {u"table"_s, status.index.table},
            {u"columns"_s, QJsonArray::fromStringList(status.index.columns)},
            {u"state"_s, db::indexStateName(status.state)},
            {u"servedBy"_s, status.servedBy},
            {u"sizeBytes"_s, status.sizeBytes},
            {u"servesQueries"_s, QJsonArray::fromStringList(status.servesQueries)},
            {u"sql"_s, status.index.createSql},
        });
    }
    QJsonArray tables;
    for (const auto &table : report.tables) {
        tables.append(QJsonObject{{u"table"_s, table.table},
                                  {u"rows"_s, table.rows},
                                  {u"totalBytes"_s, table.totalBytes}});
    }
    return {{u"database"_s, report.database}, {u"indexes"_s, indexes}, {u"tables"_s, tables}};
}

void printStatus(const InspectReport &report) {
    printOut(u"Recommended indexes in %1:"_s.arg(report.database));
    printOut(u"  %1 %2 %3 %4 %5"_s.arg(u"index"_s, -38)
                 .arg(u"table"_s, -14)
                 .arg(u"state"_s, -10)
                 .arg(u"served by"_s, -26)
                 .arg(u"size"_s));
    for (const IndexStatus &status : report.indexes) {
        const bool sized = status.state != db::IndexState::Missing;
        printOut(u"  %1 %2 %3 %4 %5"_s.arg(status.index.name, -38)
                     .arg(status.index.table, -14)
                     .arg(db::indexStateName(status.state), -10)
                     .arg(status.servedBy.isEmpty() ? u"-"_s : status.servedBy, -26)
                     .arg(sized ? bytes(status.sizeBytes) : u"-"_s));
    }
    printOut(u"Tables:"_s);
    for (const auto &table : report.tables) {
        printOut(u"  %1 %2 rows  %3"_s.arg(table.table, -14)
                     .arg(table.rows, 12)
                     .arg(bytes(table.totalBytes), 10));
    }
}

void printMeasurements(const ExplainReport &report) {
    for (const QueryMeasurement &m : report.measurements) {
        printOut(u"  %1 %2 ms  hit %3 read %4  %5"_s.arg(m.name, -38)
                     .arg(m.executionMs, 9, 'f', 3)
                     .arg(m.sharedHitBlocks, 6)
                     .arg(m.sharedReadBlocks, 6)
                     .arg(m.planShape));
    }
}

void printComparison(const ExplainReport &before, const ExplainReport &after) {
    printOut(u"Before -> after (median of 5 runs each):"_s);
    for (int i = 0; i < before.measurements.size() && i < after.measurements.size(); ++i) {
        const QueryMeasurement &b = before.measurements.at(i);
        const QueryMeasurement &a = after.measurements.at(i);
        const QString ratio =
            a.executionMs > 0 ? u"x%1"_s.arg(b.executionMs / a.executionMs, 0, 'f', 1) : u"-"_s;
        printOut(u"  %1 %2 ms -> %3 ms  %4  %5"_s.arg(b.name, -38)
                     .arg(b.executionMs, 9, 'f', 3)
                     .arg(a.executionMs, 9, 'f', 3)
                     .arg(ratio, -7)
                     .arg(a.planShape));
    }
}

} // namespace

QString IndexesCommand::name() const {
    return u"indexes"_s;
}

QString IndexesCommand::summary() const {
    return u"Inspect the recommended indexes (status), measure the sync's queries (explain), "
           "build the missing ones concurrently (apply) and rebuild invalid ones too (repair)."_s;
}

int IndexesCommand::run(const QStringList &arguments) {
    QCommandLineParser parser;
    parser.addPositionalArgument(
        u"action"_s,
        u"status: each recommended index (present, missing, invalid, redundant) and the table "
        "sizes; explain: the sync's queries under EXPLAIN ANALYZE; apply: build the missing "
        "indexes with CREATE INDEX CONCURRENTLY, measuring before and after; repair: as apply, "
        "and also drop and rebuild invalid ones."_s,
        u"status|explain|apply|repair"_s);
    const QCommandLineOption dbOption(
        u"db"_s,
        u"PostgreSQL connection string: libpq key=value pairs or a postgresql:// URI. Default: "
        "the RESOSYNC_DB environment variable, else libpq's PG* variables and ~/.pgpass."_s,
        u"conninfo"_s);
    const QCommandLineOption jsonOption(u"json"_s, u"Print the result as JSON on stdout."_s);
    const QCommandLineOption sqlOption(
        u"print-sql"_s,
        u"Print the statements apply (or repair) would run, for a DBA, and exit without "
        "running them."_s);
    parser.addOption(dbOption);
    parser.addOption(jsonOption);
    parser.addOption(sqlOption);
    if (const int exit = parse(parser, arguments); exit >= 0)
        return exit;

    const QStringList positional = parser.positionalArguments();
    const QStringList actions{u"status"_s, u"explain"_s, u"apply"_s, u"repair"_s};
    if (positional.size() != 1 || !actions.contains(positional.first())) {
        printError(
            u"resosync-cli indexes: say what to do, one of status, explain, apply or "
            "repair (got '%1'; see 'resosync-cli indexes --help')"_s.arg(positional.join(u' ')));
        return ExitUsage;
    }
    const QString action = positional.first();
    const QString command = u"indexes "_s + action;
    const bool json = parser.isSet(jsonOption);
    const bool repair = action == "repair"_L1 || action == "status"_L1;
    const QString conninfo =
        parser.isSet(dbOption) ? parser.value(dbOption) : qEnvironmentVariable("RESOSYNC_DB");
    const IndexAdvisor advisor(conninfo);

    const InspectReport report = advisor.inspect();
    if (report.error) {
        if (json)
            printOut(
                QString::fromUtf8(QJsonDocument(QJsonObject{{u"command"_s, command},
                                                            {u"ok"_s, false},
                                                            {u"error"_s, errorJson(*report.error)}})
                                      .toJson(QJsonDocument::Indented)
                                      .trimmed()));
        printError(u"resosync-cli indexes: "_s + report.error->message);
        return exitCodeFor(report.error->kind);
    }

    if (parser.isSet(sqlOption)) {
        const QString sql = IndexAdvisor::plannedSql(report, repair);
        if (json)
            printOut(QString::fromUtf8(
                QJsonDocument(
                    QJsonObject{{u"command"_s, command}, {u"ok"_s, true}, {u"sql"_s, sql}})
                    .toJson(QJsonDocument::Indented)
                    .trimmed()));
        else
            printOut(sql.isEmpty() ? u"-- nothing to build"_s : sql.trimmed());
        return ExitSuccess;
    }

    QJsonObject out{{u"command"_s, command}, {u"ok"_s, true}};
    if (action == "status"_L1) {
        out.insert(u"status"_s, inspectJson(report));
        if (json)
            printOut(QString::fromUtf8(QJsonDocument(out).toJson().trimmed()));
        else
            printStatus(report);
        return ExitSuccess;
    }

    const ExplainReport before = advisor.explain();
    if (before.error) {
        printError(u"resosync-cli indexes: "_s + before.error->message);
        return exitCodeFor(before.error->kind);
    }
    if (action == "explain"_L1) {
        out.insert(u"measurements"_s, IndexAdvisor::measurementsJson(before));
        if (json) {
            printOut(QString::fromUtf8(QJsonDocument(out).toJson().trimmed()));
        } else {
            printOut(u"The sync's queries in %1 (median of 5 runs):"_s.arg(report.database));
            printMeasurements(before);
        }
        return ExitSuccess;
    }

    // apply / repair: Ctrl-C cancels the build in progress and drops what it left.
    std::signal(SIGINT, cancelOnSignal);
    std::signal(SIGTERM, cancelOnSignal);
    QString lastLine;
    const ApplyResult result = advisor.apply(
        g_cancel,
        [&lastLine](const db::BuildProgress &p) {
            QString detail;
            if (p.blocksTotal > 0) {
                detail = u" %1% (%2/%3 blocks)"_s.arg(100 * p.blocksDone / p.blocksTotal)
                             .arg(p.blocksDone)
                             .arg(p.blocksTotal);
            } else if (p.tuplesTotal > 0) {
                detail = u" %1% (%2/%3 tuples)"_s.arg(100 * p.tuplesDone / p.tuplesTotal)
                             .arg(p.tuplesDone)
                             .arg(p.tuplesTotal);
            }
            const QString line =
                u"[%1/%2] %3: %4%5"_s.arg(p.position).arg(p.count).arg(p.index, p.phase, detail);
            if (line != lastLine)
                printError(line);
            lastLine = line;
        },
        repair);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    const ExplainReport after = advisor.explain();
    out.insert(u"built"_s, QJsonArray::fromStringList(result.built));
    out.insert(u"repaired"_s, QJsonArray::fromStringList(result.repaired));
    out.insert(u"skipped"_s, QJsonArray::fromStringList(result.skipped));
    out.insert(u"cancelled"_s, result.cancelled);
    out.insert(u"before"_s, IndexAdvisor::measurementsJson(before));
    if (!after.error)
        out.insert(u"after"_s, IndexAdvisor::measurementsJson(after));
    if (result.error) {
        out.insert(u"ok"_s, false);
        out.insert(u"error"_s, errorJson(*result.error));
        out.insert(u"sqlForDba"_s, result.sqlForDba);
    }

    // Kept with the run history, so a later sync can be compared with the one before.
    if (!result.built.isEmpty() || !result.repaired.isEmpty()) {
        const QJsonObject summary{{u"before"_s, out.value(u"before"_s)},
                                  {u"after"_s, out.value(u"after"_s)},
                                  {u"built"_s, out.value(u"built"_s)},
                                  {u"repaired"_s, out.value(u"repaired"_s)}};
        if (const auto failed = advisor.saveResult(summary)) {
            printError(u"resosync-cli indexes: warning: the results were not saved: "_s +
                       failed->message);
        }
    }
    if (json) {
        printOut(QString::fromUtf8(QJsonDocument(out).toJson().trimmed()));
    } else {
        printOut(u"Built: %1; repaired: %2; skipped (present, redundant or invalid): %3"_s.arg(
            result.built.isEmpty() ? u"none"_s : result.built.join(u", "_s),
            result.repaired.isEmpty() ? u"none"_s : result.repaired.join(u", "_s),
            result.skipped.isEmpty() ? u"none"_s : result.skipped.join(u", "_s)));
        if (!after.error)
            printComparison(before, after);
    }
    if (result.error) {
        printError(u"resosync-cli indexes: "_s + result.error->message);
        if (!result.sqlForDba.isEmpty())
            printError(u"SQL for a DBA:\n"_s + result.sqlForDba.trimmed());
        return exitCodeFor(result.error->kind);
    }
    if (result.cancelled) {
        printError(u"resosync-cli indexes: cancelled; no invalid index left behind"_s);
        return ExitPartial;
    }
    return ExitSuccess;
}

} // namespace resosync::cli
