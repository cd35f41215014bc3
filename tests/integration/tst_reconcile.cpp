// Deletions: `--mode reconcile` (key sweeps for vendors that only stop returning a record) and
// MLS Grid's MlgCanView=false, end to end against the real simulator and a real PostgreSQL.
// Every test ends by comparing the database with the feed, record by record.
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "SyncHarness.h"
#include "TestDatabase.h"
#include "reso/QueryUrl.h"
#include "sim/FeedSimulator.h"
#include "sync/SyncEngine.h"

#include <QJsonObject>
#include <QReadLocker>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;
using test::startSimulator;

namespace {

constexpr int kProperties = 300;
constexpr int kKeyPage = 97; ///< small, so every sweep takes several pages

using Outcome = test::SyncOutcome;
using test::applySchema;
using test::compareAllReplicas;
using test::rowCounts;
using test::runSync;

sim::SimulatorOptions simOptions(int properties = kProperties) {
    return test::simulatorOptions(properties);
}

sync::SyncRequest requestFor(const sim::FeedSimulator &simulator, const QString &conninfo,
                             sync::SyncMode mode) {
    sync::SyncRequest r = test::simulatorRequest(simulator, conninfo, mode, {100, 60, 50, 0, 3});
    r.reconcile.keyPageSize = kKeyPage;
    return r;
}

qint64 rows(const QString &conninfo, Resource resource) {
    return test::queryValue(
               conninfo, u"SELECT count(*) FROM public.\"%1\""_s.arg(reso::resourceName(resource)))
        .toLongLong();
}

QString problems(const Outcome &o) {
    return test::describe(o);
}

QJsonObject reconcileOf(const Outcome &o, Resource resource) {
    return o.report.toJson()[u"reconcile"_s][reso::resourceName(resource)].toObject();
}

/// A database holding a complete replica of `simulator`.
void fullSync(const sim::FeedSimulator &simulator, const QString &conninfo) {
    QCOMPARE(applySchema(conninfo), QString());
    const Outcome full = runSync(requestFor(simulator, conninfo, sync::SyncMode::Full));
    QVERIFY2(full.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(full)));
}

} // namespace

class TestReconcile final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reconcileDeletesWhatTheFeedNoLongerHas() {
        test::TestDatabase db(u"reconcile"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto simulator = startSimulator(simOptions());
        fullSync(*simulator, db.conninfo());
        if (QTest::currentTestFailed())
            return;

        // Listings vanish with their children: nothing else in the feed changes.
        const QMap<Resource, qint64> before = rowCounts(db.conninfo());
        const sim::MutationResult gone = simulator->mutate({11, 0, 0, 12, 0, 0});
        QCOMPARE(gone.deletedProperties, 12);
        simulator->resetStats();
        const Outcome run =
            runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Reconcile));
        QVERIFY2(run.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(run)));
        const QString difference = compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));

        // The report's deletions are the simulator's, resource by resource.
        const QJsonObject resources = run.report.toJson()[u"resources"_s].toObject();
        for (Resource r : reso::kAllResources) {
            const qint64 vanished = before[r] - test::feedRecords(*simulator, r).size();
            QCOMPARE(resources[reso::resourceName(r)][u"deleted"_s].toInteger(), vanished);
        }
        QCOMPARE(reconcileOf(run, Resource::Property)[u"deleted"_s].toInteger(), 12);
        QCOMPARE(reconcileOf(run, Resource::Property)[u"keys_seen"_s].toInteger(),
                 kProperties - 12);
        QCOMPARE(reconcileOf(run, Resource::Property)[u"outcome"_s].toString(), u"deleted"_s);
        QCOMPARE(reconcileOf(run, Resource::Media)[u"keys_seen"_s].toInteger(),
                 test::feedRecords(*simulator, Resource::Media).size());
        // The listings' child_sync rows went with them; key-only pages, never whole records.
        QCOMPARE(test::queryValue(db.conninfo(),
                                  u"SELECT count(*) FROM resosync.child_sync c WHERE NOT EXISTS "
                                  "(SELECT 1 FROM public.\"Property\" p WHERE p.\"ListingKey\" = "
                                  "c.listing_key)"_s),
                 u"0"_s);
        const sim::SimulatorStats served = simulator->stats();
        QVERIFY(served.requests >= kProperties / kKeyPage + 1);
        QVERIFY2(served.bytesSent < 200 * served.recordsByResource.value(u"Media"_s) + 100'000,
                 qPrintable(u"%1 bytes for %2 media keys"_s.arg(served.bytesSent)
                                .arg(served.recordsByResource.value(u"Media"_s))));

        // Media vanish on their own; a second reconcile of Media alone finds exactly those.
        const qint64 mediaBefore = rows(db.conninfo(), Resource::Media);
        const sim::MutationResult photos = simulator->mutate({12, 0, 0, 0, 0, 40});
        QCOMPARE(photos.deletedMedia, 40);
        sync::SyncRequest mediaOnly =
            requestFor(*simulator, db.conninfo(), sync::SyncMode::Reconcile);
        mediaOnly.resources = {Resource::Media};
        const Outcome second = runSync(mediaOnly);
        QVERIFY2(second.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(second)));
        QCOMPARE(second.report.metrics.progress(Resource::Media).deleted, 40);
        QCOMPARE(rows(db.conninfo(), Resource::Media), mediaBefore - 40);
        const QString mediaDifference =
            test::compareReplica(*simulator, db.conninfo(), Resource::Media);
        QVERIFY2(mediaDifference.isEmpty(), qPrintable(mediaDifference));

        // Nothing left to delete: a rerun deletes nothing.
        const Outcome again =
            runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Reconcile));
        QVERIFY2(again.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(again)));
        for (Resource r : reso::kAllResources)
            QCOMPARE(again.report.metrics.progress(r).deleted, 0);
    }

    void theGuardRefusesAMassDeleteUnlessConfirmed() {
        test::TestDatabase db(u"reconcile_guard"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto simulator = startSimulator(simOptions());
        fullSync(*simulator, db.conninfo());
        if (QTest::currentTestFailed())
            return;
        const QMap<Resource, qint64> before = rowCounts(db.conninfo());

        // The same feed restarted with a third of its listings missing (same seed: the first
        // 200 listings and their children are identical).
        simulator.reset();
        auto smaller = startSimulator(simOptions(200));
        const Outcome refused =
            runSync(requestFor(*smaller, db.conninfo(), sync::SyncMode::Reconcile));
        QCOMPARE(int(refused.outcome), int(sync::RunOutcome::Refused));
        for (Resource r : reso::kAllResources)
            QCOMPARE(rows(db.conninfo(), r), before[r]);
        const QJsonObject property = reconcileOf(refused, Resource::Property);
        QCOMPARE(property[u"outcome"_s].toString(), u"refused"_s);
        QCOMPARE(property[u"deleted"_s].toInteger(), 100);
        QCOMPARE(property[u"local_rows"_s].toInteger(), kProperties);
        QVERIFY2(refused.report.problems.join(u' ').contains(u"--confirm"_s),
                 qPrintable(problems(refused)));
        QCOMPARE(refused.report.status, u"failed"_s);

        // Confirmed, the same sweep deletes them.
        sync::SyncRequest confirmed =
            requestFor(*smaller, db.conninfo(), sync::SyncMode::Reconcile);
        confirmed.reconcile.confirmed = true;
        const Outcome deleted = runSync(confirmed);
        QVERIFY2(deleted.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(deleted)));
        QCOMPARE(reconcileOf(deleted, Resource::Property)[u"deleted"_s].toInteger(), 100);
        const QString difference = compareAllReplicas(*smaller, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));

        // An empty feed: refused even with a generous share, allowed only when confirmed.
        smaller.reset();
        auto empty = startSimulator(simOptions(0));
        sync::SyncRequest generous = requestFor(*empty, db.conninfo(), sync::SyncMode::Reconcile);
        generous.reconcile.maxDeleteShare = 1.0;
        generous.resources = {Resource::Property};
        const Outcome emptyRefused = runSync(generous);
        QCOMPARE(int(emptyRefused.outcome), int(sync::RunOutcome::Refused));
        QVERIFY2(emptyRefused.report.problems.join(u' ').contains(u"listed no keys"_s),
                 qPrintable(problems(emptyRefused)));
        QCOMPARE(rows(db.conninfo(), Resource::Property), 200);
        generous.reconcile.confirmed = true;
        const Outcome wiped = runSync(generous);
        QVERIFY2(wiped.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(wiped)));
        for (Resource r : reso::kAllResources)
            QCOMPARE(rows(db.conninfo(), r), 0);
    }

    void aFailedKeyPageDeletesNothing() {
        test::TestDatabase db(u"reconcile_failed_page"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto simulator = startSimulator(simOptions());
        fullSync(*simulator, db.conninfo());
        if (QTest::currentTestFailed())
            return;
        simulator->mutate({13, 0, 0, 10, 0, 0});
        const qint64 before = rows(db.conninfo(), Resource::Property);

        // The first key page (no $filter) fits the server's URL limit; the next ones, which
        // continue after a key, do not: the sweep breaks after one good page.
        const QUrl first = reso::queryUrl(simulator->baseUrl(), u"Property",
                                          {{u"$select"_s, u"ListingKey"_s},
                                           {u"$orderby"_s, u"ListingKey asc"_s},
                                           {u"$top"_s, QString::number(kKeyPage)},
                                           {u"$count"_s, u"true"_s}});
        sim::FaultOptions faults;
        faults.maxUrlLength =
            int(first.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority).size());
        simulator->setFaults(faults);
        simulator->resetStats();
        sync::SyncRequest request =
            requestFor(*simulator, db.conninfo(), sync::SyncMode::Reconcile);
        request.resources = {Resource::Property};
        request.reconcile.confirmed = true; // not the guard: the incomplete list stops it
        const Outcome run = runSync(request);
        QCOMPARE(int(run.outcome), int(sync::RunOutcome::Failed));
        QCOMPARE(simulator->stats().byStatus.value(200), 1);
        QCOMPARE(simulator->stats().byStatus.value(414), 1);
        const QJsonObject property = reconcileOf(run, Resource::Property);
        QCOMPARE(property[u"outcome"_s].toString(), u"failed"_s);
        QCOMPARE(property[u"keys_seen"_s].toInteger(), kKeyPage);
        QCOMPARE(property[u"deleted"_s].toInteger(), 0);
        QCOMPARE(rows(db.conninfo(), Resource::Property), before);
        QVERIFY2(run.report.problems.join(u' ').contains(u"nothing was deleted"_s),
                 qPrintable(problems(run)));

        // Once the feed answers again, the same reconcile ends equal to it.
        simulator->setFaults({});
        request.reconcile.confirmed = false;
        const Outcome rerun = runSync(request);
        QVERIFY2(rerun.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(rerun)));
        const QString difference = compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void mlgCanViewFalseDeletesLocally() {
        test::TestDatabase db(u"mlgcanview"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        sim::SimulatorOptions o = simOptions();
        o.mlgCanView = true;
        auto simulator = startSimulator(o);
        QCOMPARE(applySchema(db.conninfo()), QString());
        sync::SyncRequest full = requestFor(*simulator, db.conninfo(), sync::SyncMode::Full);
        full.profile.deletions = reso::DeletionSignal::MlgCanView;
        const Outcome first = runSync(full);
        QVERIFY2(first.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(first)));
        QVERIFY(
            test::queryValue(db.conninfo(),
                             u"SELECT record->>'MlgCanView' FROM public.\"Property\" LIMIT 1"_s) ==
            u"true"_s);

        const QMap<Resource, qint64> before = rowCounts(db.conninfo());
        const sim::MutationResult changed = simulator->mutate({21, 6, 0, 10, 4, 25});
        QCOMPARE(changed.deletedProperties, 10);
        QCOMPARE(changed.deletedMedia, 25);
        // The withdrawn records are still served, flagged: the feed did not shrink.
        QCOMPARE(simulator->data().aliveCount(Resource::Property), kProperties);

        sync::SyncRequest incremental =
            requestFor(*simulator, db.conninfo(), sync::SyncMode::Incremental);
        incremental.profile.deletions = reso::DeletionSignal::MlgCanView;
        const Outcome second = runSync(incremental);
        QVERIFY2(second.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(second)));
        const QString difference = compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        for (Resource r : reso::kAllResources) {
            const qint64 vanished = before[r] - test::feedRecords(*simulator, r).size();
            QCOMPARE(second.report.metrics.progress(r).deleted, vanished);
        }
        QCOMPARE(second.report.metrics.progress(Resource::Property).deleted, 10);
        QVERIFY(second.report.metrics.progress(Resource::Media).deleted >= 25);

        // The cursor moved past the withdrawn records: the next run has nothing to fetch.
        simulator->resetStats();
        const Outcome idle = runSync(incremental);
        QVERIFY2(idle.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(idle)));
        QCOMPARE(simulator->stats().recordsByResource.value(u"Property"_s), 0);
        QCOMPARE(simulator->stats().requests, 1);
    }

    void withoutTheSignalMlgCanViewIsJustAField() {
        // A profile that sweeps keys stores what the feed sends, flag and all.
        test::TestDatabase db(u"mlgcanview_ignored"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        sim::SimulatorOptions o = simOptions(40);
        o.mlgCanView = true;
        auto simulator = startSimulator(o);
        QCOMPARE(applySchema(db.conninfo()), QString());
        simulator->mutate({5, 0, 0, 3, 0, 0});
        const Outcome run = runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Full));
        QVERIFY2(run.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(run)));
        QCOMPARE(rows(db.conninfo(), Resource::Property), 40);
        QCOMPARE(test::queryValue(db.conninfo(), u"SELECT count(*) FROM public.\"Property\" WHERE "
                                                 "record->>'MlgCanView' = 'false'"_s),
                 u"3"_s);
    }
};

QTEST_GUILESS_MAIN(TestReconcile)
#include "tst_reconcile.moc"
