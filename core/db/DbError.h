#pragma once

#include <QString>

#include <pqxx/except>

#include <exception>
#include <optional>
#include <utility>

namespace resosync::db {

/// Why a database call failed, as far as a caller decides anything on it (exit status,
/// retry, what to tell the user). The message says the rest.
enum class DbErrorKind {
    InvalidConninfo,       ///< libpq cannot parse the connection string
    Unreachable,           ///< no server answers there, unknown host, no such database, lost
    AuthenticationFailed,  ///< the server refused the login: password, pg_hba.conf, no such role
    InsufficientPrivilege, ///< SQLSTATE 42501: the role lacks a privilege the action needs
    OutcomeUnknown,        ///< the connection broke during COMMIT: it may or may not have happened
    SchemaTooNew,          ///< the database's schema is newer than this binary knows
    SchemaConflict,        ///< objects exist that ResoSync's schema would create
    SchemaOutdated,        ///< the schema is not installed or older than this binary needs
    Failed,                ///< anything else; the message carries the server's reason
};

/// What a failure means for whoever asked, decided once for every caller: the CLI's exit
/// statuses and the sync's outcome both follow it.
enum class DbErrorClass {
    BadSettings, ///< the settings or the database must change first (connection string, schema)
    Unavailable, ///< could not run: no server, login refused, a privilege missing
    Failed,      ///< ran and failed: the server refused a statement, or the outcome is unknown
};
DbErrorClass classify(DbErrorKind kind);

/// A failed database call, ready to show: no stack trace, no secret.
struct DbError {
    DbErrorKind kind = DbErrorKind::Failed;
    /// What failed (against which host/port/database, password redacted), the reason libpq or
    /// the server gave (first line), and what to check. May span lines.
    QString message;
    QString sqlState; ///< the server's SQLSTATE when it sent one, e.g. "42501"
};

/// A stable lower-case name of `kind` for machine-readable output, e.g. "unreachable".
QString errorKindName(DbErrorKind kind);

/// What a database call was doing, so its failure can say so.
struct DbAction {
    QString description;   ///< e.g. "applying migration 0001_initial"
    QString privilegeHint; ///< the privileges it needs, shown on SQLSTATE 42501
};

/// A connection attempt that failed (libpqxx reports every such failure as broken_connection).
DbError connectError(const pqxx::broken_connection &error, const QString &conninfo);
/// The server refused a statement for want of a privilege (SQLSTATE 42501). libpqxx 6.4 throws
/// this one without its SQLSTATE, so it has its own catch.
DbError privilegeError(const pqxx::insufficient_privilege &error, const DbAction &action,
                       const QString &conninfo);
/// The server refused a statement.
DbError sqlError(const pqxx::sql_error &error, const DbAction &action, const QString &conninfo);
/// An open connection broke; the server rolled back what was not committed.
DbError lostConnectionError(const pqxx::broken_connection &error, const DbAction &action,
                            const QString &conninfo);
/// The connection broke while committing.
DbError inDoubtError(const pqxx::in_doubt_error &error, const DbAction &action,
                     const QString &conninfo);
/// Anything else libpqxx or the standard library threw.
DbError unexpectedError(const std::exception &error, const DbAction &action,
                        const QString &conninfo);

/// Runs `work` on an open connection and turns what it throws into a DbError, catching the
/// narrowest libpqxx errors first. Returns nothing when `work` succeeded.
template<typename Work>
std::optional<DbError> runGuarded(const DbAction &action, const QString &conninfo, Work &&work) {
    try {
        std::forward<Work>(work)();
        return std::nullopt;
    } catch (const pqxx::in_doubt_error &e) {
        return inDoubtError(e, action, conninfo);
    } catch (const pqxx::broken_connection &e) {
        return lostConnectionError(e, action, conninfo);
    } catch (const pqxx::insufficient_privilege &e) {
        return privilegeError(e, action, conninfo);
    } catch (const pqxx::sql_error &e) {
        return sqlError(e, action, conninfo);
    } catch (const std::exception &e) {
        return unexpectedError(e, action, conninfo);
    }
}

} // namespace resosync::db
