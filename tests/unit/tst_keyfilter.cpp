// Key filters for child queries and the vendor profiles whose limits they obey.
#include "reso/FeedProfile.h"
#include "reso/KeyFilter.h"
#include "reso/QueryUrl.h"

#include <QElapsedTimer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::FeedProfile;

namespace {

const QUrl kBase(u"https://api.example.com/reso/odata"_s);

/// `count` distinct keys of about `length` characters; `awkward` mixes in characters that
/// percent-encode to three bytes (quotes, spaces, '+', '%', non-ASCII).
QStringList makeKeys(int count, int length, bool awkward) {
    static const QString plain = u"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-._~"_s;
    static const QString odd = u"'\u00e9 +/%&,()\u20ac\""_s;
    QStringList keys;
    for (int i = 0; i < count; ++i) {
        QString key = u"K%1-"_s.arg(i, 5, 10, QChar(u'0'));
        for (int j = 0; key.size() < length; ++j) {
            const QString &alphabet = (awkward && (i + j) % 3 == 0) ? odd : plain;
            key += alphabet[(i * 7 + j * 13) % alphabet.size()];
        }
        keys << key;
    }
    return keys;
}

qsizetype targetLength(const QString &resource, const QString &field, const QStringList &keys,
                       const reso::QueryOptions &options, bool useIn) {
    reso::QueryOptions all = options;
    all.append({u"$filter"_s, reso::keyFilter(field, keys, useIn)});
    return reso::queryUrl(kBase, resource, all)
        .toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority)
        .size();
}

FeedProfile profileWith(int maxUrlLength, int maxOrTerms) {
    FeedProfile profile = *FeedProfile::byName(u"generic"_s);
    profile.maxUrlLength = maxUrlLength;
    profile.maxOrTerms = maxOrTerms;
    return profile;
}

} // namespace

class TestKeyFilter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void filterSpellsInListsAndOrChains_data() {
        QTest::addColumn<QStringList>("keys");
        QTest::addColumn<bool>("useIn");
        QTest::addColumn<QString>("expected");
        QTest::newRow("one key in an in-list")
            << QStringList{u"L1"_s} << true << u"ListingKey in ('L1')"_s;
        QTest::newRow("three keys in an in-list") << QStringList{u"L1"_s, u"L2"_s, u"L3"_s} << true
                                                  << u"ListingKey in ('L1','L2','L3')"_s;
        QTest::newRow("one key as an or chain")
            << QStringList{u"L1"_s} << false << u"ListingKey eq 'L1'"_s;
        QTest::newRow("two keys as an or chain") << QStringList{u"L1"_s, u"L2"_s} << false
                                                 << u"ListingKey eq 'L1' or ListingKey eq 'L2'"_s;
        QTest::newRow("a quote in a key is doubled in an in-list")
            << QStringList{u"O'Brien"_s, u"x"_s} << true << u"ListingKey in ('O''Brien','x')"_s;
        QTest::newRow("a quote in a key is doubled in an or chain")
            << QStringList{u"it's"_s} << false << u"ListingKey eq 'it''s'"_s;
        QTest::newRow("no keys give no filter") << QStringList{} << true << QString();
    }
    void filterSpellsInListsAndOrChains() {
        QFETCH(QStringList, keys);
        QFETCH(bool, useIn);
        QFETCH(QString, expected);
        QCOMPARE(reso::keyFilter(u"ListingKey"_s, keys, useIn), expected);
    }

    void groupsStayWithinTheUrlCapAndKeepTheKeys_data() {
        QTest::addColumn<int>("cap");
        QTest::addColumn<int>("keyLength");
        QTest::addColumn<bool>("awkward");
        QTest::addColumn<bool>("useIn");
        QTest::addColumn<int>("maxOrTerms");
        QTest::addColumn<int>("count");
        for (const int cap : {300, 1000, 7168}) {
            for (const int keyLength : {11, 40}) {
                for (const bool awkward : {false, true}) {
                    for (const bool useIn : {true, false}) {
                        QTest::addRow("cap %d, %d-char %s keys, %s", cap, keyLength,
                                      awkward ? "awkward" : "plain", useIn ? "in" : "or chain")
                            << cap << keyLength << awkward << useIn << 0 << 500;
                    }
                }
            }
        }
        QTest::newRow("or chain of at most 5 terms under a roomy cap")
            << 7168 << 11 << false << false << 5 << 123;
        QTest::newRow("an in-list ignores the or-term limit")
            << 7168 << 11 << false << true << 5 << 123;
        QTest::newRow("the cap binds before the term limit")
            << 300 << 40 << true << false << 50 << 200;
    }
    void groupsStayWithinTheUrlCapAndKeepTheKeys() {
        QFETCH(int, cap);
        QFETCH(int, keyLength);
        QFETCH(bool, awkward);
        QFETCH(bool, useIn);
        QFETCH(int, maxOrTerms);
        QFETCH(int, count);
        const QStringList keys = makeKeys(count, keyLength, awkward);
        const reso::QueryOptions options{{u"$top"_s, u"2000"_s},
                                         {u"$select"_s, u"MediaKey,MediaURL,Order"_s}};
        const FeedProfile profile = profileWith(cap, maxOrTerms);
        const QString field = u"ResourceRecordKey"_s;
        const QList<QStringList> groups =
            reso::splitKeysForUrl(kBase, u"Media"_s, field, keys, options, profile, useIn);

        QStringList joined;
        for (qsizetype i = 0; i < groups.size(); ++i) {
            const QStringList &group = groups[i];
            QVERIFY(!group.isEmpty());
            joined += group;
            const qsizetype length = targetLength(u"Media"_s, field, group, options, useIn);
            QVERIFY2(length <= cap || group.size() == 1,
                     qPrintable(
                         u"group %1 of %2 keys: %3 bytes"_s.arg(i).arg(group.size()).arg(length)));
            if (!useIn && maxOrTerms > 0)
                QVERIFY(group.size() <= maxOrTerms);
            // Greedy: the next group's first key would not have fitted into this group.
            if (i + 1 < groups.size()) {
                const QStringList grown = group + QStringList{groups[i + 1].first()};
                const bool termsFull = !useIn && maxOrTerms > 0 && grown.size() > maxOrTerms;
                QVERIFY2(termsFull || targetLength(u"Media"_s, field, grown, options, useIn) > cap,
                         qPrintable(u"group %1 could have taken one more key"_s.arg(i)));
            }
        }
        QCOMPARE(joined, keys);
    }

    void aKeyLongerThanTheCapGetsAGroupOfItsOwn() {
        QStringList keys = makeKeys(10, 11, false);
        keys.insert(4, QString(400, u'X'));
        const QList<QStringList> groups = reso::splitKeysForUrl(
            kBase, u"Media"_s, u"ResourceRecordKey"_s, keys, {}, profileWith(300, 0), true);
        QStringList joined;
        for (const QStringList &group : groups)
            joined += group;
        QCOMPARE(joined, keys);
        const auto alone = std::find_if(groups.begin(), groups.end(), [](const QStringList &g) {
            return g.contains(QString(400, u'X'));
        });
        QVERIFY(alone != groups.end());
        QCOMPARE(alone->size(), 1);
    }

    void noKeysGiveNoGroups() {
        QVERIFY(reso::splitKeysForUrl(kBase, u"Media"_s, u"ResourceRecordKey"_s, {}, {},
                                      profileWith(300, 0), true)
                    .isEmpty());
    }

    void fiveHundredKeysAreSplitInLinearTime() {
        // A quadratic split (a URL per key and group) takes seconds here; linear takes ~1 ms.
        const QStringList keys = makeKeys(500, 40, true);
        QElapsedTimer timer;
        timer.start();
        int groups = 0;
        for (int round = 0; round < 20; ++round)
            groups = int(reso::splitKeysForUrl(kBase, u"Media"_s, u"ResourceRecordKey"_s, keys,
                                               {{u"$top"_s, u"2000"_s}}, profileWith(7168, 0), true)
                             .size());
        QVERIFY(groups > 1);
        QVERIFY2(timer.elapsed() < 2000, qPrintable(u"%1 ms"_s.arg(timer.elapsed())));
    }

    void builtInProfilesAreSane_data() {
        QTest::addColumn<QString>("name");
        for (const FeedProfile &profile : FeedProfile::builtIn())
            QTest::newRow(qPrintable(profile.name)) << profile.name;
    }
    void builtInProfilesAreSane() {
        QFETCH(QString, name);
        const auto found = FeedProfile::byName(name);
        QVERIFY(found);
        const FeedProfile &p = *found;
        QCOMPARE(p.name, name.toLower());
        QVERIFY(!p.displayName.isEmpty());
        QVERIFY(p.maxTop > 0);
        QVERIFY(p.maxTopKeyOnly >= p.maxTop);
        QVERIFY(p.batchSize > 0 && p.batchSize <= p.maxTop);
        QVERIFY(p.propertyBatchSize > 0);
        QVERIFY(p.dbBatchSize > 0);
        QVERIFY(p.throttleMs >= 0);
        QVERIFY(p.concurrency >= 1 && p.concurrency <= p.maxConcurrency);
        QVERIFY(p.maxUrlLength >= 2000 && p.maxUrlLength <= 8192);
        QVERIFY(p.maxOrTerms >= 0);
        QVERIFY(p.requestTimeoutMs >= 10'000);
        QVERIFY(p.limits.perSecond >= 0 && p.limits.perHour >= 0 && p.limits.perDay >= 0);
        if (p.limits.perSecond > 0 && p.limits.perHour > 0)
            QVERIFY(p.limits.perHour <= p.limits.perSecond * 3600);
        for (const auto &[header, value] : p.headers) {
            // QNAM decompresses only when it negotiated gzip itself.
            QVERIFY(header.compare("Accept-Encoding", Qt::CaseInsensitive) != 0);
            QVERIFY(header.compare("Authorization", Qt::CaseInsensitive) != 0);
        }
    }

    void vendorProfilesCarryTheirKnownRules() {
        const FeedProfile mlsgrid = *FeedProfile::byName(u"mlsgrid"_s);
        QCOMPARE(mlsgrid.maxTop, 5000);
        QCOMPARE(mlsgrid.maxOrTerms, 5);
        QCOMPARE(mlsgrid.limits.perSecond, 2.0);
        QCOMPARE(mlsgrid.limits.perHour, 7200);
        QCOMPARE(mlsgrid.limits.perDay, 40000);
        QVERIFY(mlsgrid.limits.bytesPerHour >= 4'000'000'000LL);
        QCOMPARE(mlsgrid.deletions, reso::DeletionSignal::MlgCanView);

        const FeedProfile trestle = *FeedProfile::byName(u"trestle"_s);
        QCOMPARE(trestle.maxTopKeyOnly, 300'000);
        QCOMPARE(trestle.auth, reso::AuthKind::ClientCredentials);
        QCOMPARE(trestle.limits.perSecond, 3.0);

        const FeedProfile bridge = *FeedProfile::byName(u"bridge"_s);
        QCOMPARE(bridge.maxTop, 200);
        QCOMPARE(bridge.batchSize, 200); // the seed's 2000, clamped
        QVERIFY(!bridge.supportsOrderBy);
        QVERIFY(bridge.limits.perHour > 0);

        const FeedProfile spark = *FeedProfile::byName(u"spark"_s);
        QVERIFY(!spark.supportsIn);

        const FeedProfile simulator = *FeedProfile::byName(u"simulator"_s);
        QCOMPARE(simulator.auth, reso::AuthKind::None);
        QCOMPARE(simulator.throttleMs, 0);
        QCOMPARE(simulator.concurrency, 3);
        QCOMPARE(simulator.maxTop, 5000);
        QVERIFY(!simulator.compressResponses); // loopback: gzip would only cost CPU
        for (const FeedProfile &vendor : {mlsgrid, trestle, bridge, spark})
            QVERIFY(vendor.compressResponses); // MLS Grid requires it; all save bandwidth
    }

    void profilesAreFoundByNameInAnyCase_data() {
        QTest::addColumn<QString>("asked");
        QTest::addColumn<QString>("found");
        QTest::newRow("lower case") << u"trestle"_s << u"trestle"_s;
        QTest::newRow("mixed case") << u"MlsGrid"_s << u"mlsgrid"_s;
        QTest::newRow("upper case with spaces") << u" SIMULATOR "_s << u"simulator"_s;
        QTest::newRow("unknown") << u"zillow"_s << QString();
        QTest::newRow("empty") << QString() << QString();
    }
    void profilesAreFoundByNameInAnyCase() {
        QFETCH(QString, asked);
        QFETCH(QString, found);
        const auto profile = FeedProfile::byName(asked);
        QCOMPARE(profile.has_value(), !found.isEmpty());
        if (profile)
            QCOMPARE(profile->name, found);
    }

    void builtInNamesListEveryProfile() {
        QCOMPARE(FeedProfile::builtInNames(),
                 u"generic, mlsgrid, trestle, bridge, spark, simulator"_s);
    }
};

QTEST_GUILESS_MAIN(TestKeyFilter)
#include "tst_keyfilter.moc"
