#include "bench/ScratchDatabase.h"

#include "db/Connection.h"
#include "db/SchemaMigrator.h"

#include <QUrl>

#include <pqxx/nontransaction>

namespace resosync::bench {

using namespace Qt::StringLiterals;

namespace {

std::optional<db::DbError> dropAndCreate(const QString &adminConninfo, const QString &name,
                                         bool create) {
    db::DbError error;
    auto connection = db::openConnection(adminConninfo, &error);
    if (!connection)
        return error;
    const QString action = create ? u"creating the benchmark database %1"_s.arg(name)
                                  : u"dropping the benchmark database %1"_s.arg(name);
    return db::runGuarded({action, {}}, adminConninfo, [&] {
        // CREATE/DROP DATABASE cannot run inside a transaction block.
        pqxx::nontransaction tx(*connection);
        const std::string quoted = tx.quote_name(name.toStdString());
        tx.exec("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
        if (create)
            tx.exec("CREATE DATABASE " + quoted);
    });
}

} // namespace

QString withDatabase(const QString &conninfo, const QString &dbname) {
    const QString trimmed = conninfo.trimmed();
    if (trimmed.startsWith("postgresql://"_L1) || trimmed.startsWith("postgres://"_L1)) {
        QUrl url(trimmed);
        url.setPath(u'/' + dbname);
        return url.toString(QUrl::FullyEncoded);
    }
    QString escaped = dbname;
    escaped.replace(u'\\', "\\\\"_L1).replace(u'\'', "\\'"_L1);
    return trimmed + u" dbname='"_s + escaped + u'\'';
}

std::unique_ptr<ScratchDatabase> ScratchDatabase::create(const QString &adminConninfo,
                                                         const QString &name, db::DbError *error) {
    if (auto failure = dropAndCreate(adminConninfo, name, true)) {
        if (error)
            *error = *failure;
        return nullptr;
    }
    std::unique_ptr<ScratchDatabase> scratch(
        new ScratchDatabase(adminConninfo, name, withDatabase(adminConninfo, name)));
    const db::SchemaReport schema = db::SchemaMigrator(scratch->conninfo()).apply();
    if (schema.error) {
        if (error)
            *error = *schema.error;
        return nullptr;
    }
    return scratch;
}

ScratchDatabase::ScratchDatabase(QString adminConninfo, QString name, QString conninfo)
    : m_adminConninfo(std::move(adminConninfo))
    , m_name(std::move(name))
    , m_conninfo(std::move(conninfo)) {}

ScratchDatabase::~ScratchDatabase() {
    // Best effort: a failed drop leaves a database the next run's create drops first.
    dropAndCreate(m_adminConninfo, m_name, false);
}

} // namespace resosync::bench
