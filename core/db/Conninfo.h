#pragma once

#include <QString>
#include <QStringList>

namespace resosync::db {

/// Where a connection string points, for messages: libpq resolves the real target itself
/// (the string is always passed to it unchanged); this only names it for a human.
struct ConnectionTarget {
    QString host;     ///< host name(s), socket directory, or hostaddr; libpq's default if empty
    QString port;     ///< port(s); "5432" when nothing sets one
    QString database; ///< dbname; defaults to the user name as in libpq
    QString user;     ///< user; defaults to the operating-system user as in libpq
    QString service;  ///< pg_service.conf entry, when one is named (it may set all of the above)
};

/// A libpq connection string (`key=value ...` or a `postgresql://` URI) with every secret
/// replaced by `***`: the password in the user info and in `password=`, and the value of any
/// key that is not a known non-secret libpq option (a misspelt `pasword=` stays hidden too).
/// Safe for logs, messages and reports. An empty string stays empty.
QString redactedConninfo(const QString &conninfo);

/// True when `conninfo` itself carries something redactedConninfo() hides: a password (in the
/// URI's user info, `password=`, `?password=`) or the value of an unknown option.
bool holdsSecret(const QString &conninfo);

/// Why libpq cannot parse `conninfo` (syntax, unknown option), or empty when it can. Reads
/// nothing from the network, the environment or service files.
QString conninfoSyntaxError(const QString &conninfo);

/// `conninfo` with `password` added (later keywords win in libpq, so it replaces any
/// earlier one): ` password='...'` for keyword/value strings, a percent-encoded `password`
/// query parameter for URIs. An empty password leaves the string as it is.
QString withPassword(const QString &conninfo, const QString &password);

/// The host, port, database and user `conninfo` names, filled in from the PG* environment
/// variables and libpq's defaults as libpq would (service files are named, not read).
ConnectionTarget connectionTarget(const QString &conninfo);

/// `host 127.0.0.1, port 5432, database sales, user sync` for `conninfo`.
QString describeTarget(const QString &conninfo);

/// `message` with every secret of `conninfo` (and PGPASSWORD) cut out. libpq echoes parts of
/// a malformed connection string in its errors, so its messages pass through this.
QString scrubSecrets(QString message, const QString &conninfo);

} // namespace resosync::db
