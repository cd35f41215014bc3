#pragma once

#include <QString>

namespace resosync::test {

/// A fresh, empty database on the throwaway test cluster, dropped when this goes away.
///
/// The cluster is started by the `postgres` CTest fixture, which writes its connection
/// string to the file named by RESOSYNC_TEST_PG_CONNINFO_FILE. Without it the test fails
/// with a message saying how to run it (a database test must never pass by skipping).
class TestDatabase final {
public:
    explicit TestDatabase(const QString &purpose);
    ~TestDatabase();
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    bool isValid() const { return !m_conninfo.isEmpty(); }
    QString error() const { return m_error; }
    /// libpq connection string of the fresh database.
    QString conninfo() const { return m_conninfo; }
    QString name() const { return m_name; }
    /// libpq connection string of the cluster's maintenance database (`postgres`).
    static QString maintenanceConninfo(QString *error = nullptr);

    /// A login role that must give its password, although the cluster trusts everyone else:
    /// creates `role` (or sets its password) and puts scram-sha-256 rules for it ahead of the
    /// cluster's trust rules in pg_hba.conf, then reloads the server. Returns a connection
    /// string over TCP (127.0.0.1) to `database` as `role`, WITHOUT the password; empty with
    /// `error` set on failure.
    static QString passwordRoleConninfo(const QString &role, const QString &password,
                                        const QString &database, QString *error);

private:
    QString m_name;
    QString m_conninfo;
    QString m_error;
};

} // namespace resosync::test
