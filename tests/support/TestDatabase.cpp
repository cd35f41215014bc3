#include "TestDatabase.h"

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>
#include <QThread>

#include <pqxx/pqxx>

namespace resosync::test {

using namespace Qt::StringLiterals;

namespace {

void runMaintenance(const QString &sql) {
    pqxx::connection connection(TestDatabase::maintenanceConninfo().toStdString());
    pqxx::nontransaction tx(connection);
    tx.exec(sql.toStdString());
}

} // namespace

QString TestDatabase::maintenanceConninfo(QString *error) {
    const QString path = qEnvironmentVariable("RESOSYNC_TEST_PG_CONNINFO_FILE");
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        if (error)
            *error =
                u"No test PostgreSQL: '%1' is not readable. Run the tests with ctest (the "
                "'postgres' fixture starts a throwaway cluster) or scripts/test.sh."_s.arg(path);
        return {};
    }
    return QString::fromUtf8(file.readAll()).trimmed();
}

QString TestDatabase::passwordRoleConninfo(const QString &role, const QString &password,
                                           const QString &database, QString *error) {
    const QString base = maintenanceConninfo(error);
    const QRegularExpressionMatch port = QRegularExpression(u"port=(\\d+)"_s).match(base);
    if (base.isEmpty() || !port.hasMatch()) {
        if (error && error->isEmpty())
            *error = u"no port in the test cluster's connection string '%1'"_s.arg(base);
        return {};
    }
    try {
        pqxx::connection connection(base.toStdString());
        pqxx::work tx(connection);
        // Tests run in parallel: one editor of pg_hba.conf at a time.
        tx.exec("SELECT pg_advisory_xact_lock(727401)");
        const std::string name = role.toStdString();
        const bool exists =
            !tx.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", name).empty();
        tx.exec((exists ? "ALTER ROLE " : "CREATE ROLE ") + tx.quote_name(name) +
                " LOGIN PASSWORD " + tx.quote(password.toStdString()));
        const std::string path = tx.exec1("SELECT current_setting('hba_file')")[0].c_str();
        QString content = QString::fromStdString(
            tx.exec1("SELECT pg_read_file(current_setting('hba_file'))")[0].as<std::string>());
        const QString local = u"local all %1 scram-sha-256"_s.arg(role);
        const QString tcp = u"host all %1 127.0.0.1/32 scram-sha-256"_s.arg(role);
        if (!content.contains(tcp)) {
            if (content.contains(u'\\')) {
                if (error)
                    *error = u"pg_hba.conf holds a backslash; not rewriting it"_s;
                return {};
            }
            // First match wins: these lines go before the cluster's trust rules. COPY writes
            // one line per row (text format: tabs would be escaped, so none are kept).
            QStringList lines{local, tcp};
            lines += content.replace(u'\t', u' ').split(u'\n');
            std::string array = "ARRAY[";
            for (qsizetype i = 0; i < lines.size(); ++i)
                array += (i ? "," : "") + tx.quote(lines[i].toStdString());
            tx.exec("COPY (SELECT unnest(" + array + "]::text[])) TO " + tx.quote(path));
        }
        tx.exec("SELECT pg_reload_conf()");
        tx.commit();
    } catch (const std::exception &e) {
        if (error)
            *error =
                u"Could not set up password role %1: %2"_s.arg(role, QString::fromUtf8(e.what()));
        return {};
    }
    const QString conninfo = u"host=127.0.0.1 port=%1 dbname=%2 user=%3 connect_timeout=10"_s.arg(
        port.captured(1), database, role);
    // The reload takes effect asynchronously: wait until a login without password is refused.
    for (int attempt = 0; attempt < 50; ++attempt) {
        try {
            pqxx::connection probe(
                QString(conninfo + u" password=not-the-password"_s).toStdString());
        } catch (const std::exception &) {
            return conninfo;
        }
        QThread::msleep(100);
    }
    if (error)
        *error = u"pg_hba.conf rules for %1 did not take effect"_s.arg(role);
    return {};
}

TestDatabase::TestDatabase(const QString &purpose) {
    const QString base = maintenanceConninfo(&m_error);
    if (base.isEmpty())
        return;
    QString slug = purpose.toLower();
    slug.replace(QRegularExpression(u"[^a-z0-9]+"_s), u"_"_s);
    m_name = u"t_%1_%2"_s.arg(slug.left(40)).arg(QCoreApplication::applicationPid());
    try {
        runMaintenance(u"DROP DATABASE IF EXISTS \"%1\" WITH (FORCE)"_s.arg(m_name));
        runMaintenance(u"CREATE DATABASE \"%1\""_s.arg(m_name));
    } catch (const std::exception &e) {
        m_error =
            u"Could not create test database %1: %2"_s.arg(m_name, QString::fromUtf8(e.what()));
        return;
    }
    // Later keywords win in a libpq conninfo string.
    m_conninfo = base + u" dbname=%1"_s.arg(m_name);
}

TestDatabase::~TestDatabase() {
    if (m_conninfo.isEmpty())
        return;
    try {
        runMaintenance(u"DROP DATABASE IF EXISTS \"%1\" WITH (FORCE)"_s.arg(m_name));
    } catch (const std::exception &e) {
        qWarning("Could not drop test database %s: %s", qPrintable(m_name), e.what());
    }
}

} // namespace resosync::test
