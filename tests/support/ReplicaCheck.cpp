#include "ReplicaCheck.h"

#include "sim/FeedSimulator.h"
#include "sim/JsonWriter.h"
#include "sim/RecordGenerator.h"

#include <QJsonDocument>
#include <QReadLocker>
#include <QStringList>

#include <pqxx/pqxx>

namespace resosync::test {

using namespace Qt::StringLiterals;

QMap<QString, QByteArray> feedRecords(const sim::FeedSimulator &simulator,
                                      reso::Resource resource) {
    const sim::FeedData &data = simulator.data();
    QReadLocker locker(&data.lock());
    const sim::RecordGenerator generator(data);
    QMap<QString, QByteArray> records;
    for (const sim::RecordState &state : data.records(resource)) {
        if (!state.alive || !state.canView)
            continue; // gone, or served with MlgCanView false: not for a replica
        QByteArray json;
        sim::JsonWriter::appendRecord(json, generator.generate(resource, state));
        records.insert(sim::FeedData::keyFor(resource, state.ordinal), json);
    }
    return records;
}

QMap<QString, QByteArray> storedRecords(const QString &conninfo, reso::Resource resource) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::read_transaction tx(connection);
    const reso::ResourceInfo &info = reso::resourceInfo(resource);
    const std::string sql = "SELECT " + tx.quote_name(QString(info.keyField).toStdString()) +
                            ", record::text FROM public." +
                            tx.quote_name(QString(info.name).toStdString());
    QMap<QString, QByteArray> records;
    for (const auto &row : tx.exec(sql))
        records.insert(QString::fromStdString(row[0].as<std::string>()),
                       QByteArray::fromStdString(row[1].as<std::string>()));
    return records;
}

QString compareReplica(const sim::FeedSimulator &simulator, const QString &conninfo,
                       reso::Resource resource, const QSet<QString> &absentFromReplica) {
    const QMap<QString, QByteArray> feed = feedRecords(simulator, resource);
    const QMap<QString, QByteArray> stored = storedRecords(conninfo, resource);
    QStringList missing, extra, different;
    for (auto it = feed.begin(); it != feed.end(); ++it) {
        if (absentFromReplica.contains(it.key()))
            continue;
        const auto found = stored.find(it.key());
        if (found == stored.end())
            missing << it.key();
        else if (QJsonDocument::fromJson(found.value()) != QJsonDocument::fromJson(it.value()))
            different << it.key();
    }
    for (auto it = stored.begin(); it != stored.end(); ++it) {
        if (!feed.contains(it.key()) || absentFromReplica.contains(it.key()))
            extra << it.key();
    }
    if (missing.isEmpty() && extra.isEmpty() && different.isEmpty())
        return {};
    return u"%1: feed %2, replica %3; missing %4 %5; extra %6 %7; different %8 %9"_s
        .arg(reso::resourceName(resource))
        .arg(feed.size() - absentFromReplica.size())
        .arg(stored.size())
        .arg(missing.size())
        .arg(missing.mid(0, 5).join(u','))
        .arg(extra.size())
        .arg(extra.mid(0, 5).join(u','))
        .arg(different.size())
        .arg(different.mid(0, 5).join(u','));
}

QString compareAllReplicas(const sim::FeedSimulator &simulator, const QString &conninfo,
                           const QSet<QString> &absentFromReplica) {
    QStringList differences;
    for (reso::Resource resource : reso::kAllResources) {
        const QString difference = compareReplica(simulator, conninfo, resource, absentFromReplica);
        if (!difference.isEmpty())
            differences << difference;
    }
    return differences.join(u"; "_s);
}

QString queryValue(const QString &conninfo, const QString &sql) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::read_transaction tx(connection);
    const pqxx::result r = tx.exec(sql.toStdString());
    if (r.empty() || r[0][0].is_null())
        return {};
    return QString::fromStdString(r[0][0].as<std::string>());
}

} // namespace resosync::test
