#include "cli/SchemaCommand.h"

#include "db/SchemaMigrator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace resosync::cli {

using namespace Qt::StringLiterals;
using db::Migration;
using db::SchemaReport;

namespace {

QStringList labels(const QList<Migration> &migrations) {
    QStringList list;
    for (const Migration &migration : migrations)
        list.append(migration.label());
    return list;
}

QJsonObject toJson(const QString &action, const SchemaReport &report) {
    QJsonObject json{
        {u"command"_s, QString(u"schema "_s + action)},
        {u"ok"_s, report.ok()},
        {u"database"_s, report.database},
        {u"versionBefore"_s, report.versionBefore},
        {u"version"_s, report.version},
        {u"latestVersion"_s, report.latestVersion},
        {u"applied"_s, QJsonArray::fromStringList(labels(report.applied))},
        {u"pending"_s, QJsonArray::fromStringList(labels(report.pending))},
    };
    if (report.error) {
        json.insert(u"error"_s, QJsonObject{{u"kind"_s, db::errorKindName(report.error->kind)},
                                            {u"message"_s, report.error->message},
                                            {u"sqlState"_s, report.error->sqlState}});
    }
    return json;
}

QString applySummary(const SchemaReport &report) {
    if (report.applied.isEmpty()) {
        return u"Schema already at version %1; nothing to apply (%2)"_s.arg(report.version)
            .arg(report.database);
    }
    const QString was =
        report.versionBefore > 0 ? u"was %1; "_s.arg(report.versionBefore) : QString();
    return u"Schema at version %1 (%2applied: %3) in %4"_s.arg(report.version)
        .arg(was, labels(report.applied).join(", "_L1), report.database);
}

QString statusSummary(const SchemaReport &report) {
    const QString state = report.pending.isEmpty()
                              ? u"up to date"_s
                              : u"pending: %1; run 'resosync-cli schema apply'"_s.arg(
                                    labels(report.pending).join(", "_L1));
    return u"Schema at version %1 (latest known: %2); %3 (%4)"_s.arg(report.version)
        .arg(report.latestVersion)
        .arg(state, report.database);
}

} // namespace

QString SchemaCommand::name() const {
    return u"schema"_s;
}

QString SchemaCommand::summary() const {
    return u"Install or upgrade the database schema (apply), or show its version (status)."_s;
}

int SchemaCommand::run(const QStringList &arguments) {
    QCommandLineParser parser;
    parser.addPositionalArgument(u"action"_s,
                                 u"apply: install or upgrade the schema (idempotent); status: "
                                 "show the installed version and what is pending."_s,
                                 u"apply|status"_s);
    const QCommandLineOption dbOption(
        u"db"_s,
        u"PostgreSQL connection string: libpq key=value pairs or a postgresql:// URI. Default: "
        "the RESOSYNC_DB environment variable, else libpq's PG* variables and ~/.pgpass."_s,
        u"conninfo"_s);
    const QCommandLineOption jsonOption(u"json"_s, u"Print the result as JSON on stdout."_s);
    parser.addOption(dbOption);
    parser.addOption(jsonOption);
    if (const int exit = parse(parser, arguments); exit >= 0)
        return exit;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        printError(positional.isEmpty()
                       ? u"resosync-cli schema: say what to do, 'apply' or 'status' (see "
                         "'resosync-cli schema --help')"_s
                       : u"resosync-cli schema: one action at a time, 'apply' or 'status' (got "
                         "'%1')"_s.arg(positional.join(u' ')));
        return ExitUsage;
    }
    const QString action = positional.first();
    if (action != "apply"_L1 && action != "status"_L1) {
        printError(u"resosync-cli schema: unknown action '%1'; expected 'apply' or 'status' "
                   "(see 'resosync-cli schema --help')"_s.arg(action));
        return ExitUsage;
    }

    // An empty connection string lets libpq take everything from PG* and ~/.pgpass.
    const QString conninfo =
        parser.isSet(dbOption) ? parser.value(dbOption) : qEnvironmentVariable("RESOSYNC_DB");
    const db::SchemaMigrator migrator(conninfo);
    const SchemaReport report = action == "apply"_L1 ? migrator.apply() : migrator.status();

    if (parser.isSet(jsonOption))
        printOut(QString::fromUtf8(
            QJsonDocument(toJson(action, report)).toJson(QJsonDocument::Indented).trimmed()));
    if (!report.ok()) {
        if (!report.applied.isEmpty()) {
            printError(u"resosync-cli schema: applied before the failure: %1 (now at version "
                       "%2)"_s.arg(labels(report.applied).join(", "_L1))
                           .arg(report.version));
        }
        printError(u"resosync-cli schema: "_s + report.error->message);
        return exitCodeFor(report.error->kind);
    }
    if (!parser.isSet(jsonOption))
        printOut(action == "apply"_L1 ? applySummary(report) : statusSummary(report));
    return ExitSuccess;
}

} // namespace resosync::cli
