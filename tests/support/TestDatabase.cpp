#include "TestDatabase.h"

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>

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
