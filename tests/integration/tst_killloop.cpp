// kill -9 of `resosync-cli sync` at random points, 20 times, then a run to completion (issue
// #6): the database ends equal to the feed, nothing duplicated, nothing lost, and every rerun
// resumes from the checkpoint instead of starting over. Half the kills come after a random
// delay (seeded), half the moment the writer is seen inside a transaction (COPY, merge,
// commit). After every kill the checkpoints are checked against what is stored: a cursor is
// never past a row that is not in the database.
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "SyncHarness.h"
#include "TestDatabase.h"
#include "reso/Timestamp.h"
#include "sim/FeedSimulator.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QReadLocker>
#include <QRegularExpression>
#include <QTest>
#include <QUrlQuery>

#include <pqxx/pqxx>

#include <thread>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;

namespace {

constexpr int kKills = 20;
constexpr quint32 kSeed = 20240617;
constexpr std::array kChildren{Resource::Media, Resource::PropertyRooms, Resource::OpenHouse};

QStringList syncArgs(const QUrl &feed, const QString &conninfo, const QString &mode) {
    // Small pages and chunks: many transactions, so kills land in every phase.
    return test::cliSyncArguments(feed, conninfo, mode,
                                  {u"--batch-size"_s, u"40"_s, u"--property-batch-size"_s, u"20"_s,
                                   u"--db-batch-size"_s, u"5"_s, u"--concurrency"_s, u"2"_s});
}

/// A value from the database, or empty.
QString value(pqxx::connection &connection, const std::string &sql) {
    pqxx::nontransaction tx(connection);
    const pqxx::result r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? QString()
                                          : QString::fromStdString(r[0][0].as<std::string>());
}

bool writerInTransaction(pqxx::connection &connection) {
    return value(connection, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                             "current_database() AND application_name = 'resosync-writer' "
                             "AND xact_start IS NOT NULL") != "0"_L1;
}

struct Cursor {
    qint64 usecs = 0;
    QString key;
    bool exists = false;
};

Cursor propertyCursor(pqxx::connection &connection) {
    pqxx::nontransaction tx(connection);
    const pqxx::result r =
        tx.exec("SELECT floor(extract(epoch FROM cursor_timestamp))::bigint * 1000000 + "
                "extract(microseconds FROM cursor_timestamp)::bigint % 1000000, cursor_key "
                "FROM resosync.sync_cursor WHERE resource = 'Property'");
    if (r.empty())
        return {};
    return {r[0][0].as<qint64>(), QString::fromStdString(r[0][1].as<std::string>()), true};
}

/// Listings whose `child` records were completely synced at the listing's timestamp in the
/// feed now: nothing of them is missing, and an incremental run must not ask for them again.
QSet<QString> completeListings(const sim::FeedSimulator &simulator, pqxx::connection &connection,
                               Resource child) {
    QHash<QString, qint64> synced;
    {
        pqxx::nontransaction tx(connection);
        for (const auto &row : tx.exec_params(
                 "SELECT listing_key, floor(extract(epoch FROM property_timestamp))::bigint * "
                 "1000000 + extract(microseconds FROM property_timestamp)::bigint % 1000000 "
                 "FROM resosync.child_sync WHERE resource = $1",
                 reso::resourceName(child).toStdString()))
            synced.insert(QString::fromStdString(row[0].as<std::string>()), row[1].as<qint64>());
    }
    QSet<QString> complete;
    const sim::FeedData &data = simulator.data();
    QReadLocker lock(&data.lock());
    for (const sim::RecordState &p : data.records(Resource::Property)) {
        const QString key = sim::FeedData::keyFor(Resource::Property, p.ordinal);
        if (p.alive && synced.value(key, -1) == p.modifiedUsecs)
            complete.insert(key);
    }
    return complete;
}

QString decodedFilter(const QByteArray &target) {
    const QUrl url = QUrl::fromEncoded("http://feed" + target);
    return QUrlQuery(url).queryItemValue(u"$filter"_s, QUrl::FullyDecoded);
}

/// The checkpoints never run ahead of the data: every feed record at or before the Property
/// cursor is stored, and every listing recorded as complete has all its children stored.
QString checkpointsHold(const sim::FeedSimulator &simulator, const QString &conninfo,
                        pqxx::connection &connection) {
    const Cursor cursor = propertyCursor(connection);
    const QMap<QString, QByteArray> stored = test::storedRecords(conninfo, Resource::Property);
    QMap<Resource, QMap<QString, QByteArray>> storedChildren;
    QMap<Resource, QSet<QString>> complete;
    for (Resource child : kChildren) {
        storedChildren[child] = test::storedRecords(conninfo, child);
        complete[child] = completeListings(simulator, connection, child);
    }
    const sim::FeedData &data = simulator.data();
    QReadLocker lock(&data.lock());
    for (const sim::RecordState &p : data.records(Resource::Property)) {
        const QString key = sim::FeedData::keyFor(Resource::Property, p.ordinal);
        const bool covered =
            cursor.exists && (p.modifiedUsecs < cursor.usecs ||
                              (p.modifiedUsecs == cursor.usecs && key <= cursor.key));
        if (covered && !stored.contains(key))
            return u"the cursor (%1, %2) is past %3, which is not stored"_s.arg(cursor.usecs)
                .arg(cursor.key, key);
        for (Resource child : kChildren) {
            if (!complete[child].contains(key))
                continue;
            for (quint32 c : data.childrenOf(child, p.ordinal)) {
                if (!data.records(child)[c].alive)
                    continue;
                const QString childKey =
                    sim::FeedData::keyFor(child, data.records(child)[c].ordinal);
                if (!storedChildren[child].contains(childKey))
                    return u"listing %1 is recorded complete for %2, but %3 is not stored"_s.arg(
                        key, reso::resourceName(child), childKey);
            }
        }
    }
    return {};
}

/// What an incremental rerun asked for that was already stored before it started: the
/// first Property query must continue after the saved cursor, and no listing whose children
/// were complete may be asked for again.
QString resumedFromCheckpoint(const sim::SimulatorStats &served, const Cursor &cursor,
                              const QMap<Resource, QSet<QString>> &complete) {
    bool firstProperty = true;
    static const QRegularExpression quoted(u"'([^']*)'"_s);
    for (const sim::RequestLogEntry &request : served.requestLog) {
        const QString filter = decodedFilter(request.target);
        if (request.resource == "Property"_L1) {
            if (firstProperty && cursor.exists &&
                !filter.contains(u"ListingKey gt '%1'"_s.arg(cursor.key)))
                return u"the first Property query did not continue after the cursor %1: %2"_s.arg(
                    cursor.key, filter);
            firstProperty = false;
            continue;
        }
        const auto child = reso::resourceFromName(request.resource);
        if (!child || !complete.contains(*child))
            continue;
        for (auto m = quoted.globalMatch(filter); m.hasNext();) {
            const QString key = m.next().captured(1);
            if (complete[*child].contains(key))
                return u"%1 of listing %2 were asked for again, though complete"_s.arg(
                    request.resource, key);
        }
    }
    return {};
}

} // namespace

class TestKillLoop final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(qEnvironmentVariable("RESOSYNC_CLI")),
                 "RESOSYNC_CLI must name resosync-cli");
    }

    void twentyKillsThenARunToCompletionEndEqual() {
        test::TestDatabase db(u"killloop"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(test::applySchema(db.conninfo()), QString());
        sim::SimulatorOptions o;
        o.seed = 17;
        o.logRequests = true; // to check what each rerun asked for
        o.properties = 100;
        o.faults.latencyMs = 8; // fetches take a moment too, so some kills land there
        auto simulator = test::startSimulator(o);
        pqxx::connection watch(db.conninfo().toStdString());
        QRandomGenerator random(kSeed);
        qInfo("kill -9 loop seed %u", kSeed);

        int inTransaction = 0, elsewhere = 0, resumedRuns = 0, completed = 0;
        QElapsedTimer clock;
        clock.start();
        for (int run = 1; inTransaction + elsewhere < kKills && run <= 3 * kKills; ++run) {
            const Cursor cursor = propertyCursor(watch);
            QMap<Resource, QSet<QString>> complete;
            for (Resource child : kChildren)
                complete[child] = completeListings(*simulator, watch, child);
            simulator->resetStats();
            const QString mode = cursor.exists ? u"incremental"_s : u"full"_s;
            QProcess sync;
            sync.start(qEnvironmentVariable("RESOSYNC_CLI"),
                       syncArgs(simulator->baseUrl(), db.conninfo(), mode));
            QVERIFY(sync.waitForStarted());
            if (run % 2 == 0) {
                // The moment the writer holds a transaction open: COPY, merge or commit.
                QElapsedTimer waited;
                waited.start();
                while (!writerInTransaction(watch) && waited.elapsed() < 10'000 &&
                       sync.state() == QProcess::Running)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            } else {
                QTest::qWait(int(random.bounded(100, 1200)));
            }
            const bool transactionOpen = writerInTransaction(watch);
            if (sync.state() != QProcess::Running) {
                // It finished first: the feed changes (as it does between real runs) so that
                // the next runs have work to be interrupted in.
                QVERIFY2(sync.exitCode() == 0, sync.readAllStandardError().constData());
                ++completed;
                simulator->mutate({quint64(run), 15, 5, 0, 60, 10});
                continue;
            }
            sync.kill(); // SIGKILL
            QVERIFY(sync.waitForFinished(10'000));
            (transactionOpen ? inTransaction : elsewhere) += 1;

            const QString held = checkpointsHold(*simulator, db.conninfo(), watch);
            QVERIFY2(held.isEmpty(), qPrintable(u"after run %1: %2"_s.arg(run).arg(held)));
            if (cursor.exists) {
                const QString resumed = resumedFromCheckpoint(simulator->stats(), cursor, complete);
                QVERIFY2(resumed.isEmpty(), qPrintable(u"run %1: %2"_s.arg(run).arg(resumed)));
                ++resumedRuns;
            }
        }
        QCOMPARE(inTransaction + elsewhere, kKills);
        const qint64 loopMs = clock.elapsed();

        // The last run, to completion.
        const Cursor cursor = propertyCursor(watch);
        const QString mode = cursor.exists ? u"incremental"_s : u"full"_s;
        QProcess last;
        last.start(qEnvironmentVariable("RESOSYNC_CLI"),
                   syncArgs(simulator->baseUrl(), db.conninfo(), mode));
        QVERIFY(last.waitForFinished(120'000));
        QVERIFY2(last.exitStatus() == QProcess::NormalExit && last.exitCode() == 0,
                 last.readAllStandardError().constData());
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        QCOMPARE(value(watch, "SELECT count(*) FROM resosync.rejects"), u"0"_s);
        QVERIFY2(inTransaction >= 3 && elsewhere >= 3,
                 qPrintable(u"kills with a transaction open %1, elsewhere %2"_s.arg(inTransaction)
                                .arg(elsewhere)));
        QVERIFY(resumedRuns >= kKills / 2);
        qInfo("kill -9 loop: %d kills (%d with the writer inside a transaction, %d during fetch "
              "or between pages) in %lld ms, %d reruns resumed from the checkpoint, %d runs "
              "completed before their kill (the feed then changed); final run %s; records "
              "lost 0, duplicated 0",
              inTransaction + elsewhere, inTransaction, elsewhere, loopMs, resumedRuns, completed,
              qPrintable(mode));
    }
};

QTEST_GUILESS_MAIN(TestKillLoop)
#include "tst_killloop.moc"
