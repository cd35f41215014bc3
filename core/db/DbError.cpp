#include "db/DbError.h"

#include "db/Conninfo.h"

#include <QStringList>

namespace resosync::db {

using namespace Qt::StringLiterals;

namespace {

/// The first non-empty line of a libpq/libpqxx message, without the server's severity prefix,
/// with the connection string's secrets cut out (libpq echoes parts of a malformed one).
QString firstLine(const char *what, const QString &conninfo) {
    const QStringList lines = QString::fromUtf8(what).split(u'\n', Qt::SkipEmptyParts);
    QString line = lines.isEmpty() ? u"(no reason given)"_s : lines.first().trimmed();
    for (const QLatin1StringView prefix : {"ERROR:"_L1, "FATAL:"_L1, "PANIC:"_L1}) {
        if (line.startsWith(prefix))
            line = line.mid(prefix.size()).trimmed();
    }
    return scrubSecrets(line, conninfo);
}

QString connectionStringNote(const QString &conninfo) {
    if (conninfo.trimmed().isEmpty())
        return u"(empty connection string: all settings from the PG* environment variables)"_s;
    return u"(connection string: %1)"_s.arg(redactedConninfo(conninfo));
}

struct Diagnosis {
    DbErrorKind kind;
    QString check;
};

/// Sorts libpq's reason for a failed connection into a kind and the thing to check. libpq has
/// no error codes for these, only its (English, stable since PostgreSQL 14) messages.
Diagnosis diagnoseConnectFailure(const QString &reason) {
    const auto has = [&reason](QLatin1StringView text) {
        return reason.contains(text, Qt::CaseInsensitive);
    };
    const bool reachedServer = has("connection to server"_L1);
    if (!reachedServer && (reason.startsWith("invalid "_L1) || has("missing \"=\""_L1) ||
                           has("unterminated quoted string"_L1) || has("end of string"_L1) ||
                           has("unexpected spaces"_L1) || has("extra key/value separator"_L1) ||
                           has("definition of service"_L1) || has("service file"_L1))) {
        return {DbErrorKind::InvalidConninfo,
                u"the connection string: libpq key=value pairs (host=... port=... dbname=... "
                "user=...) or a postgresql://user@host:port/dbname URI, and the service file "
                "if it names a service."_s};
    }
    if (has("password authentication failed"_L1) || has("no password supplied"_L1) ||
        has("SCRAM"_L1)) {
        return {DbErrorKind::AuthenticationFailed,
                u"the user name and password: password= in the connection string, the "
                "PGPASSWORD variable, or a matching line in ~/.pgpass (mode 0600)."_s};
    }
    if (has("no pg_hba.conf entry"_L1) || has("pg_hba.conf rejects"_L1)) {
        return {DbErrorKind::AuthenticationFailed,
                u"the server's pg_hba.conf: it has no rule admitting this client address, user "
                "and database (with this sslmode). Ask the server's administrator."_s};
    }
    if (has("peer authentication failed"_L1) || has("ident authentication failed"_L1)) {
        return {DbErrorKind::AuthenticationFailed,
                u"the operating-system user: peer authentication admits only the user of the "
                "same name. Connect over TCP (host=127.0.0.1) with a password instead."_s};
    }
    if (has("role \""_L1) && has("does not exist"_L1)) {
        return {DbErrorKind::AuthenticationFailed,
                u"user= (or PGUSER): that role does not exist on the server."_s};
    }
    if (has("authentication"_L1)) {
        return {DbErrorKind::AuthenticationFailed,
                u"the credentials and the server's authentication settings (pg_hba.conf)."_s};
    }
    if (has("database \""_L1) && has("does not exist"_L1)) {
        return {DbErrorKind::Unreachable,
                u"dbname= (or PGDATABASE): create the database first (createdb NAME) or name "
                "an existing one."_s};
    }
    if (has("could not translate host name"_L1)) {
        return {DbErrorKind::Unreachable, u"the host name (spelling, DNS)."_s};
    }
    if (has("timeout expired"_L1)) {
        return {DbErrorKind::Unreachable,
                u"that host and port: the server did not answer within connect_timeout "
                "(firewall, wrong address, server overloaded)."_s};
    }
    if (has("SSL"_L1)) {
        return {DbErrorKind::Unreachable,
                u"sslmode and the server's SSL configuration (certificates, ssl = on)."_s};
    }
    if (has("too many clients"_L1) || has("remaining connection slots"_L1)) {
        return {DbErrorKind::Unreachable,
                u"the server's max_connections: too many sessions are open."_s};
    }
    return {DbErrorKind::Unreachable,
            u"that PostgreSQL is running there and accepts connections on that host and port "
            "(listen_addresses and port in postgresql.conf, firewalls)."_s};
}

} // namespace

QString errorKindName(DbErrorKind kind) {
    switch (kind) {
    case DbErrorKind::InvalidConninfo:
        return u"invalid-conninfo"_s;
    case DbErrorKind::Unreachable:
        return u"unreachable"_s;
    case DbErrorKind::AuthenticationFailed:
        return u"authentication-failed"_s;
    case DbErrorKind::InsufficientPrivilege:
        return u"insufficient-privilege"_s;
    case DbErrorKind::OutcomeUnknown:
        return u"outcome-unknown"_s;
    case DbErrorKind::SchemaTooNew:
        return u"schema-too-new"_s;
    case DbErrorKind::SchemaConflict:
        return u"schema-conflict"_s;
    case DbErrorKind::SchemaOutdated:
        return u"schema-outdated"_s;
    case DbErrorKind::Failed:
        return u"failed"_s;
    }
    return u"failed"_s;
}

DbErrorClass classify(DbErrorKind kind) {
    switch (kind) {
    case DbErrorKind::InvalidConninfo:
    case DbErrorKind::SchemaTooNew:
    case DbErrorKind::SchemaConflict:
    case DbErrorKind::SchemaOutdated:
        return DbErrorClass::BadSettings;
    case DbErrorKind::Unreachable:
    case DbErrorKind::AuthenticationFailed:
    case DbErrorKind::InsufficientPrivilege:
        return DbErrorClass::Unavailable;
    case DbErrorKind::OutcomeUnknown:
    case DbErrorKind::Failed:
        return DbErrorClass::Failed;
    }
    return DbErrorClass::Failed;
}

DbError connectError(const pqxx::broken_connection &error, const QString &conninfo) {
    const QString reason = firstLine(error.what(), conninfo);
    const Diagnosis diagnosis = diagnoseConnectFailure(reason);
    DbError result;
    result.kind = diagnosis.kind;
    result.message = u"Could not connect to PostgreSQL at %1\n  %2.\nReason: %3\nCheck %4"_s.arg(
        describeTarget(conninfo), connectionStringNote(conninfo), reason, diagnosis.check);
    return result;
}

DbError privilegeError(const pqxx::insufficient_privilege &error, const DbAction &action,
                       const QString &conninfo) {
    DbError result;
    result.kind = DbErrorKind::InsufficientPrivilege;
    result.sqlState = u"42501"_s;
    result.message = u"Permission denied while %1 (%2).\nReason: %3\nThe role needs %4"_s.arg(
        action.description, describeTarget(conninfo), firstLine(error.what(), conninfo),
        action.privilegeHint.isEmpty() ? u"the privileges this statement uses."_s
                                       : action.privilegeHint);
    return result;
}

DbError sqlError(const pqxx::sql_error &error, const DbAction &action, const QString &conninfo) {
    if (const auto *privilege = dynamic_cast<const pqxx::insufficient_privilege *>(&error))
        return privilegeError(*privilege, action, conninfo);
    DbError result;
    result.sqlState = QString::fromStdString(error.sqlstate());
    const QStringView sqlClass = QStringView(result.sqlState).left(2);
    if (sqlClass == "28"_L1) {
        result.kind = DbErrorKind::AuthenticationFailed;
    } else if (sqlClass == "08"_L1 || sqlClass == "57"_L1 || result.sqlState == "3D000"_L1) {
        // connection exceptions, operator intervention (shutdown, crash), database vanished
        result.kind = DbErrorKind::Unreachable;
    } else {
        result.kind = DbErrorKind::Failed;
    }
    const QString state =
        result.sqlState.isEmpty() ? QString() : u" (SQLSTATE %1)"_s.arg(result.sqlState);
    result.message = u"Failed while %1 (%2).\nReason: %3%4"_s.arg(
        action.description, describeTarget(conninfo), firstLine(error.what(), conninfo), state);
    return result;
}

DbError lostConnectionError(const pqxx::broken_connection &error, const DbAction &action,
                            const QString &conninfo) {
    DbError result;
    result.kind = DbErrorKind::Unreachable;
    result.message =
        u"Lost the connection to PostgreSQL while %1 (%2); the server rolls back what was not "
        "committed.\nReason: %3\nCheck that the server is still running, then try again."_s.arg(
            action.description, describeTarget(conninfo), firstLine(error.what(), conninfo));
    return result;
}

DbError inDoubtError(const pqxx::in_doubt_error &error, const DbAction &action,
                     const QString &conninfo) {
    DbError result;
    result.kind = DbErrorKind::OutcomeUnknown;
    result.message =
        u"The connection to PostgreSQL broke while committing (%1, %2): it may or may not have "
        "taken effect.\nReason: %3"_s.arg(action.description, describeTarget(conninfo),
                                          firstLine(error.what(), conninfo));
    return result;
}

DbError unexpectedError(const std::exception &error, const DbAction &action,
                        const QString &conninfo) {
    DbError result;
    result.kind = DbErrorKind::Failed;
    result.message = u"Failed while %1 (%2).\nReason: %3"_s.arg(
        action.description, describeTarget(conninfo), firstLine(error.what(), conninfo));
    return result;
}

} // namespace resosync::db
