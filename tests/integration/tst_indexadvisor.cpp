// IndexAdvisor against a real PostgreSQL with enough rows that plans change (5,000 listings,
// 200,000 media): inspection (missing, present, redundant, invalid), the measured plan change,
// concurrent builds while a writer keeps inserting, a role without the privilege, and cancel.
#include "TestDatabase.h"

#include "db/IndexAdvisor.h"
#include "db/SchemaMigrator.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <thread>

using namespace Qt::StringLiterals;
using resosync::db::ApplyResult;
using resosync::db::BuildProgress;
using resosync::db::DbErrorKind;
using resosync::db::IndexAdvisor;
using resosync::db::IndexState;
using resosync::db::IndexStatus;
using resosync::db::InspectReport;
using resosync::db::QueryMeasurement;
using resosync::db::SchemaMigrator;
using resosync::test::TestDatabase;

namespace {

void execute(const QString &conninfo, const std::string &sql) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::nontransaction tx(connection);
    tx.exec(sql);
}

qint64 scalar(const QString &conninfo, const std::string &sql) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<qint64>();
}

/// Schema plus `listings` properties, `media` media rows spread over them, rooms and open
/// houses, loaded with one INSERT ... SELECT generate_series each, then ANALYZE.
void loadData(const QString &conninfo, int listings, int media) {
    const auto report = SchemaMigrator(conninfo).apply();
    QVERIFY2(report.ok(), qPrintable(report.error->message));
    const std::string l = std::to_string(listings);
    execute(conninfo, "INSERT INTO public.\"Property\" (\"ListingKey\", \"ModificationTimestamp\", "
                      "\"ContractStatus\", record) SELECT 'L' || lpad(i::text, 8, '0'), "
                      "timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute', "
                      "CASE WHEN i % 10 = 0 THEN 'Active' WHEN i % 10 = 1 THEN 'Pending' "
                      "ELSE 'Closed' END, '{}'::jsonb FROM generate_series(1, " +
                          l + ") i");
    execute(conninfo,
            "INSERT INTO public.\"Media\" (\"MediaKey\", \"ResourceRecordKey\", "
            "\"MediaModificationTimestamp\", record) SELECT 'M' || lpad(i::text, 9, '0'), "
            "'L' || lpad((1 + i % " +
                l +
                ")::text, 8, '0'), "
                "timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second', '{}'::jsonb "
                "FROM generate_series(1, " +
                std::to_string(media) + ") i");
    execute(conninfo, "INSERT INTO public.\"PropertyRooms\" (\"RoomKey\", \"ListingKey\", record) "
                      "SELECT 'R' || i, 'L' || lpad((1 + i % " +
                          l +
                          ")::text, 8, '0'), '{}'::jsonb "
                          "FROM generate_series(1, " +
                          std::to_string(listings * 4) + ") i");
    execute(conninfo, "INSERT INTO public.\"OpenHouse\" (\"OpenHouseKey\", \"ListingKey\", record) "
                      "SELECT 'O' || i, 'L' || lpad((1 + i % " +
                          l +
                          ")::text, 8, '0'), '{}'::jsonb "
                          "FROM generate_series(1, " +
                          l + ") i");
    execute(conninfo, "ANALYZE");
}

const IndexStatus &statusOf(const InspectReport &report, const QString &name) {
    for (const IndexStatus &status : report.indexes) {
        if (status.index.name == name)
            return status;
    }
    qFatal("no status for %s", qPrintable(name));
}

qint64 invalidIndexes(const QString &conninfo) {
    return scalar(conninfo, "SELECT count(*) FROM pg_index WHERE NOT indisvalid");
}

const QueryMeasurement &measurementOf(const QList<QueryMeasurement> &list, const QString &name) {
    for (const QueryMeasurement &measurement : list) {
        if (measurement.name == name)
            return measurement;
    }
    qFatal("no measurement for %s", qPrintable(name));
}

} // namespace

class TestIndexAdvisor final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recommendedComesFromIndexesSql() {
        const auto &list = IndexAdvisor::recommended();
        QCOMPARE(list.size(), 8);
        QCOMPARE(list.first().name, u"idx_property_listing_key"_s);
        QCOMPARE(list.first().table, u"Property"_s);
        const auto &composite = list.at(5);
        QCOMPARE(composite.name, u"idx_media_resource_timestamp"_s);
        QCOMPARE(composite.columns,
                 QStringList({u"ResourceRecordKey"_s, u"MediaModificationTimestamp"_s}));
        QVERIFY(composite.createSql.contains(u"ON public.\"Media\""_s));
    }

    void statusOnFreshSchema() {
        TestDatabase db(u"indexes_fresh"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        loadData(db.conninfo(), 100, 1000);
        const InspectReport report = IndexAdvisor(db.conninfo()).inspect();
        QVERIFY2(!report.error, qPrintable(report.error ? report.error->message : QString()));
        QCOMPARE(report.indexes.size(), 8);
        for (const IndexStatus &status : report.indexes) {
            if (status.index.name == "idx_property_listing_key"_L1) {
                QCOMPARE(status.state, IndexState::Redundant);
                QCOMPARE(status.servedBy, u"primary key Property_pkey"_s);
            } else {
                QCOMPARE(status.state, IndexState::Missing);
            }
            QVERIFY(!status.servesQueries.isEmpty());
        }
        QCOMPARE(report.tables.size(), 4);
        QCOMPARE(report.tables.at(1).table, u"Media"_s);
        QCOMPARE(report.tables.at(1).rows, 1000);
        QVERIFY(report.tables.at(1).totalBytes > 0);
        const QString sql = IndexAdvisor::plannedSql(report);
        QCOMPARE(sql.count(u"CREATE INDEX CONCURRENTLY"_s), 7);
        QVERIFY(!sql.contains(u"idx_property_listing_key"_s));
    }

    void statusAfterPartialApply() {
        TestDatabase db(u"indexes_partial"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        loadData(db.conninfo(), 100, 1000);
        const auto &list = IndexAdvisor::recommended();
        execute(db.conninfo(), list.at(3).createSql.toStdString()); // idx_media_resource_key
        execute(db.conninfo(), list.at(7).createSql.toStdString()); // idx_openhouse_listing_key
        const InspectReport report = IndexAdvisor(db.conninfo()).inspect();
        QVERIFY(!report.error);
        QCOMPARE(statusOf(report, u"idx_media_resource_key"_s).state, IndexState::Present);
        QVERIFY(statusOf(report, u"idx_media_resource_key"_s).sizeBytes > 0);
        QCOMPARE(statusOf(report, u"idx_openhouse_listing_key"_s).state, IndexState::Present);
        QCOMPARE(statusOf(report, u"idx_property_contract_status"_s).state, IndexState::Missing);
        QCOMPARE(IndexAdvisor::plannedSql(report).count(u"CREATE INDEX"_s), 5);
    }

    void redundantIndexIsNamed() {
        TestDatabase db(u"indexes_redundant"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        loadData(db.conninfo(), 100, 1000);
        execute(db.conninfo(), "CREATE INDEX media_by_parent_and_key ON public.\"Media\" "
                               "(\"ResourceRecordKey\", \"MediaKey\")");
        const InspectReport report = IndexAdvisor(db.conninfo()).inspect();
        QVERIFY(!report.error);
        const IndexStatus &status = statusOf(report, u"idx_media_resource_key"_s);
        QCOMPARE(status.state, IndexState::Redundant);
        QCOMPARE(status.servedBy, u"media_by_parent_and_key"_s);
        // Leading columns must equal all of the recommended ones: the composite is not served.
        QCOMPARE(statusOf(report, u"idx_media_resource_timestamp"_s).state, IndexState::Missing);
        QVERIFY(!IndexAdvisor::plannedSql(report).contains(u"idx_media_resource_key "_s));
    }

    void invalidIndexIsRepaired() {
        TestDatabase db(u"indexes_invalid"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        loadData(db.conninfo(), 100, 1000);
        // A concurrent unique build fails on the duplicate parents and leaves the index invalid.
        QVERIFY_THROWS_EXCEPTION(pqxx::sql_error,
                                 execute(db.conninfo(),
                                         "CREATE UNIQUE INDEX CONCURRENTLY idx_media_resource_key "
                                         "ON public.\"Media\" (\"ResourceRecordKey\")"));
        QCOMPARE(invalidIndexes(db.conninfo()), 1);
        const IndexAdvisor advisor(db.conninfo());
        const InspectReport report = advisor.inspect();
        QCOMPARE(statusOf(report, u"idx_media_resource_key"_s).state, IndexState::Invalid);
        QVERIFY(IndexAdvisor::plannedSql(report).contains(
            u"DROP INDEX CONCURRENTLY IF EXISTS public.\"idx_media_resource_key\";\n"
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_media_resource_key"_s));

        // Without repair it is left alone.
        std::atomic_bool cancel{false};
        const ApplyResult without = advisor.apply(cancel, {}, false);
        QVERIFY(!without.error);
        QVERIFY(without.skipped.contains(u"idx_media_resource_key"_s));
        QCOMPARE(invalidIndexes(db.conninfo()), 1);

        const ApplyResult result = advisor.apply(cancel, {}, true);
        QVERIFY2(!result.error, qPrintable(result.error ? result.error->message : QString()));
        QCOMPARE(result.repaired, QStringList{u"idx_media_resource_key"_s});

        // The results are kept with the run history (migration 0002).
        const auto saved = advisor.saveResult(
            QJsonObject{{u"repaired"_s, QJsonArray::fromStringList(result.repaired)}});
        QVERIFY2(!saved, qPrintable(saved ? saved->message : QString()));
        QCOMPARE(scalar(db.conninfo(), "SELECT count(*) FROM resosync.index_results WHERE "
                                       "summary->'repaired' ? 'idx_media_resource_key' "
                                       "AND applied_at IS NOT NULL"),
                 1);
        QCOMPARE(invalidIndexes(db.conninfo()), 0);
        QCOMPARE(statusOf(advisor.inspect(), u"idx_media_resource_key"_s).state,
                 IndexState::Present);
    }

    void explainShowsThePlanChange() {
        TestDatabase db(u"indexes_explain"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        loadData(db.conninfo(), 5000, 200000);
        const IndexAdvisor advisor(db.conninfo());
        const auto before = advisor.explain(3);
        QVERIFY2(!before.error, qPrintable(before.error ? before.error->message : QString()));
        QCOMPARE(before.measurements.size(), 9);
        const QueryMeasurement lookupBefore =
            measurementOf(before.measurements, u"media lookup by listing"_s);
        QVERIFY2(lookupBefore.planShape.contains(u"Seq Scan on Media"_s),
                 qPrintable(lookupBefore.planShape));
        QVERIFY(!lookupBefore.usesIndex);
        // The key stream is served by the primary key from the start.
        QVERIFY(measurementOf(before.measurements, u"property key stream"_s).usesIndex);

        std::atomic_bool cancel{false};
        QList<BuildProgress> seen;
        const ApplyResult applied =
            advisor.apply(cancel, [&seen](const BuildProgress &p) { seen.append(p); });
        QVERIFY2(!applied.error, qPrintable(applied.error ? applied.error->message : QString()));
        QCOMPARE(applied.built.size(), 7);
        QVERIFY(!seen.isEmpty());
        QCOMPARE(seen.last().count, 7);

        // The child deletes were rolled back.
        QCOMPARE(scalar(db.conninfo(), "SELECT count(*) FROM public.\"Media\""), 200000);
        const auto after = advisor.explain(3);
        QVERIFY(!after.error);
        const QueryMeasurement lookupAfter =
            measurementOf(after.measurements, u"media lookup by listing"_s);
        QVERIFY2(lookupAfter.usesIndex, qPrintable(lookupAfter.planShape));
        QVERIFY2(measurementOf(after.measurements, u"media child delete"_s).usesIndex,
                 qPrintable(measurementOf(after.measurements, u"media child delete"_s).planShape));
        for (int i = 0; i < before.measurements.size(); ++i) {
            const auto &b = before.measurements.at(i);
            const auto &a = after.measurements.at(i);
            qInfo("%-40s %9.3f ms -> %9.3f ms  (x%.1f)  %s -> %s", qPrintable(b.name),
                  b.executionMs, a.executionMs,
                  a.executionMs > 0 ? b.executionMs / a.executionMs : 0.0, qPrintable(b.planShape),
                  qPrintable(a.planShape));
        }
    }

    void applyWhileAWriterInserts() {
        TestDatabase db(u"indexes_concurrent"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        loadData(db.conninfo(), 2000, 50000);
        std::atomic_bool stop{false};
        std::atomic_int inserted{0};
        QString writerError;
        std::thread writer([&] {
            try {
                pqxx::connection connection(db.conninfo().toStdString());
                for (int i = 0; !stop.load(); ++i) {
                    pqxx::work tx(connection);
                    tx.exec("INSERT INTO public.\"Media\" (\"MediaKey\", \"ResourceRecordKey\", "
                            "\"MediaModificationTimestamp\", record) VALUES ('W" +
                            std::to_string(i) + "', 'L00000001', now(), '{}'::jsonb)");
                    tx.commit();
                    inserted.fetch_add(1);
                }
            } catch (const std::exception &e) {
                writerError = QString::fromUtf8(e.what());
            }
        });
        std::atomic_bool cancel{false};
        const ApplyResult result = IndexAdvisor(db.conninfo()).apply(cancel, {});
        stop.store(true);
        writer.join();
        QVERIFY2(writerError.isEmpty(), qPrintable(writerError));
        QVERIFY2(!result.error, qPrintable(result.error ? result.error->message : QString()));
        QCOMPARE(result.built.size(), 7);
        QVERIFY(inserted.load() > 0);
        QCOMPARE(invalidIndexes(db.conninfo()), 0);
    }

    void roleWithoutPrivilegeGetsTheSql() {
        TestDatabase db(u"indexes_privilege"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        loadData(db.conninfo(), 100, 1000);
        const QString role = db.name() + u"_reader"_s;
        const std::string dropRole = "DROP ROLE IF EXISTS \"" + role.toStdString() + "\"";
        execute(TestDatabase::maintenanceConninfo(), dropRole);
        execute(TestDatabase::maintenanceConninfo(),
                "CREATE ROLE \"" + role.toStdString() + "\" LOGIN");
        execute(db.conninfo(),
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"" + role.toStdString() + "\"");
        ApplyResult result;
        {
            std::atomic_bool cancel{false};
            result = IndexAdvisor(db.conninfo() + u" user="_s + role).apply(cancel, {});
        }
        execute(db.conninfo(), "DROP OWNED BY \"" + role.toStdString() + "\"");
        execute(TestDatabase::maintenanceConninfo(), dropRole);
        QVERIFY(result.error);
        QCOMPARE(result.error->kind, DbErrorKind::InsufficientPrivilege);
        QVERIFY2(result.error->message.contains(u"owner"_s), qPrintable(result.error->message));
        QVERIFY(result.built.isEmpty());
        QCOMPARE(result.sqlForDba.count(u"CREATE INDEX CONCURRENTLY IF NOT EXISTS"_s), 7);
        QCOMPARE(invalidIndexes(db.conninfo()), 0);
        qInfo("%s\n%s", qPrintable(result.error->message), qPrintable(result.sqlForDba));
    }

    void cancelLeavesNoInvalidIndex() {
        TestDatabase db(u"indexes_cancel"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        loadData(db.conninfo(), 1000, 20000);
        std::atomic_bool cancel{false};
        std::atomic_bool blocking{false};
        // An open writing transaction holds the first build in "waiting for writers", so the
        // cancel surely arrives while it runs; it commits shortly after the cancel is set.
        std::thread blocker([&] {
            pqxx::connection connection(db.conninfo().toStdString());
            pqxx::work tx(connection);
            tx.exec("INSERT INTO public.\"Property\" (\"ListingKey\", record) "
                    "VALUES ('blocker', '{}'::jsonb)");
            blocking.store(true);
            while (!cancel.load())
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            tx.commit();
        });
        while (!blocking.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        QString firstPhase;
        const ApplyResult result =
            IndexAdvisor(db.conninfo()).apply(cancel, [&](const BuildProgress &progress) {
                if (firstPhase.isEmpty())
                    firstPhase = progress.phase;
                cancel.store(true);
            });
        blocker.join();
        QVERIFY(result.cancelled);
        QVERIFY2(!result.error, qPrintable(result.error ? result.error->message : QString()));
        QVERIFY(result.built.isEmpty());
        QCOMPARE(invalidIndexes(db.conninfo()), 0);
        const InspectReport report = IndexAdvisor(db.conninfo()).inspect();
        QCOMPARE(statusOf(report, u"idx_property_modification_timestamp"_s).state,
                 IndexState::Missing);
        qInfo("cancelled in phase: %s", qPrintable(firstPhase));
    }
};

QTEST_GUILESS_MAIN(TestIndexAdvisor)
#include "tst_indexadvisor.moc"
