// The simulator's data: deterministic from a seed, plausible, and full of the traps
// (timestamp ties, awkward strings, full-precision timestamps) a replicator must survive.
#include "reso/Timestamp.h"
#include "sim/FeedData.h"
#include "sim/JsonWriter.h"
#include "sim/RecordGenerator.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <map>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;

namespace {

sim::SimulatorOptions optionsFor(quint64 seed, int properties) {
    sim::SimulatorOptions o;
    o.seed = seed;
    o.properties = properties;
    return o;
}

QByteArray recordJson(const sim::FeedData &data, Resource resource, std::size_t position) {
    const sim::RecordGenerator generator(data);
    QByteArray json;
    sim::JsonWriter::appendRecord(json,
                                  generator.generate(resource, data.records(resource)[position]));
    return json;
}

QByteArray feedDigest(const sim::FeedData &data) {
    const sim::RecordGenerator generator(data);
    QByteArray all;
    for (Resource r : reso::kAllResources) {
        for (const sim::RecordState &s : data.records(r)) {
            if (s.alive)
                sim::JsonWriter::appendRecord(all, generator.generate(r, s));
        }
    }
    return all;
}

} // namespace

class TestFeedGenerator final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameSeedGivesTheSameFeedByteForByte() {
        const sim::FeedData a(optionsFor(7, 200));
        const sim::FeedData b(optionsFor(7, 200));
        QCOMPARE(feedDigest(a), feedDigest(b));
        const sim::FeedData c(optionsFor(8, 200));
        QVERIFY(feedDigest(a) != feedDigest(c));
    }

    void childCountsArePlausible() {
        const sim::FeedData data(optionsFor(1, 2000));
        const double mediaPerListing = double(data.aliveCount(Resource::Media)) / 2000;
        QVERIFY2(mediaPerListing > 21 && mediaPerListing < 29,
                 qPrintable(u"media per listing %1"_s.arg(mediaPerListing)));
        for (quint32 p = 1; p <= 2000; ++p) {
            QVERIFY(data.childrenOf(Resource::Media, p).size() <= 60);
            QVERIFY(data.childrenOf(Resource::PropertyRooms, p).size() <= 12);
            const auto status = data.records(Resource::Property)[p - 1].status;
            if (!sim::FeedData::hasOpenHouses(status))
                QVERIFY(data.childrenOf(Resource::OpenHouse, p).empty());
        }
        QVERIFY(data.aliveCount(Resource::OpenHouse) > 0);
        QVERIFY(data.aliveCount(Resource::PropertyRooms) > 2000 * 4);
    }

    void keysHaveStableFormats_data() {
        QTest::addColumn<int>("resource");
        QTest::addColumn<QString>("pattern");
        QTest::newRow("ListingKey is L and ten digits")
            << int(Resource::Property) << u"^L\\d{10}$"_s;
        QTest::newRow("MediaKey is M and ten digits") << int(Resource::Media) << u"^M\\d{10}$"_s;
        QTest::newRow("RoomKey is R and ten digits")
            << int(Resource::PropertyRooms) << u"^R\\d{10}$"_s;
        QTest::newRow("OpenHouseKey is OH and ten digits")
            << int(Resource::OpenHouse) << u"^OH\\d{10}$"_s;
    }
    void keysHaveStableFormats() {
        QFETCH(int, resource);
        QFETCH(QString, pattern);
        const auto r = Resource(resource);
        const sim::FeedData data(optionsFor(1, 50));
        const QRegularExpression re(pattern);
        for (const sim::RecordState &s : data.records(r)) {
            const QString key = sim::FeedData::keyFor(r, s.ordinal);
            QVERIFY2(re.match(key).hasMatch(), qPrintable(key));
            QCOMPARE(data.positionOfKey(r, key), qint64(s.ordinal - 1));
        }
        QCOMPARE(data.positionOfKey(r, u"nope"), -1);
    }

    void recordsAreValidJsonWithDataDictionaryNames() {
        const sim::FeedData data(optionsFor(3, 100));
        for (Resource r : reso::kAllResources) {
            for (std::size_t i = 0; i < std::min<std::size_t>(data.records(r).size(), 300); ++i) {
                const QByteArray json = recordJson(data, r, i);
                QJsonParseError error{};
                const QJsonObject o = QJsonDocument::fromJson(json, &error).object();
                QVERIFY2(error.error == QJsonParseError::NoError, json.constData());
                const QString key = o.value(QString(reso::resourceInfo(r).keyField)).toString();
                QCOMPARE(key, sim::FeedData::keyFor(r, data.records(r)[i].ordinal));
                const QString stamp = o.value(u"ModificationTimestamp"_s).toString();
                const auto parsed = reso::Timestamp::parse(QStringView(stamp));
                QVERIFY2(parsed, qPrintable(stamp));
                QCOMPARE(parsed->usecs(), data.records(r)[i].modifiedUsecs);
                for (auto it = o.begin(); it != o.end(); ++it)
                    QVERIFY2(reso::DataDictionary::instance().field(r, it.key()),
                             qPrintable(it.key()));
            }
        }
    }

    void remarksCarryTheCharactersThatBreakPipelines() {
        const sim::FeedData data(optionsFor(1, 300));
        QByteArray all;
        for (std::size_t i = 0; i < 300; ++i)
            all += recordJson(data, Resource::Property, i);
        QVERIFY(all.contains("\\n"));  // newline, escaped
        QVERIFY(all.contains("\\\\")); // backslash, escaped
        QVERIFY(all.contains("\\\"")); // double quote, escaped
        QVERIFY(all.contains("O'"));   // single quote
        QVERIFY(all.contains("🏡"));    // outside the BMP
        QVERIFY(all.contains("日当たり"));
        QVERIFY(all.contains(":null"));
    }

    void timestampTiesAreLargerThanAPage() {
        const sim::FeedData data(optionsFor(1, 2000));
        std::map<qint64, int> groups;
        int subMillisecond = 0;
        for (const sim::RecordState &s : data.records(Resource::Property)) {
            ++groups[s.modifiedUsecs];
            subMillisecond += s.modifiedUsecs % 1000 != 0;
        }
        int largest = 0;
        for (const auto &[usecs, size] : groups)
            largest = std::max(largest, size);
        QVERIFY2(largest > 200, qPrintable(u"largest tie %1"_s.arg(largest)));
        QVERIFY2(subMillisecond > 20, "some timestamps carry microseconds");
    }

    void timeOrderIsByTimestampThenKey() {
        const sim::FeedData data(optionsFor(1, 500));
        for (Resource r : reso::kAllResources) {
            const auto &order = data.timeOrder(r);
            const auto &all = data.records(r);
            QCOMPARE(order.size(), all.size());
            for (std::size_t i = 1; i < order.size(); ++i) {
                const auto &a = all[order[i - 1]];
                const auto &b = all[order[i]];
                QVERIFY(
                    a.modifiedUsecs < b.modifiedUsecs ||
                    (a.modifiedUsecs == b.modifiedUsecs &&
                     sim::FeedData::keyFor(r, a.ordinal) < sim::FeedData::keyFor(r, b.ordinal)));
            }
        }
    }

    void mutationsAreDeterministicAndNewer() {
        sim::FeedData a(optionsFor(5, 300));
        sim::FeedData b(optionsFor(5, 300));
        const qint64 before = a.newestTimestamp().usecs();
        const sim::MutationSpec spec{42, 20, 10, 5, 30, 15};
        const sim::MutationResult ra = a.mutate(spec);
        b.mutate(spec);
        QCOMPARE(feedDigest(a), feedDigest(b));
        QCOMPARE(ra.updatedProperties, 20);
        QCOMPARE(ra.insertedProperties, 10);
        QCOMPARE(ra.deletedProperties, 5);
        QCOMPARE(ra.updatedMedia, 30);
        QCOMPARE(ra.deletedMedia, 15);
        QCOMPARE(a.aliveCount(Resource::Property), 305);
        int newer = 0;
        for (const sim::RecordState &s : a.records(Resource::Property))
            newer += s.alive && s.modifiedUsecs > before;
        // Updated, inserted, and the parents of changed media.
        QVERIFY2(newer >= 30, qPrintable(QString::number(newer)));
        // A deleted listing takes its children with it.
        for (const sim::RecordState &p : a.records(Resource::Property)) {
            if (p.alive)
                continue;
            for (Resource child : {Resource::Media, Resource::PropertyRooms, Resource::OpenHouse}) {
                for (quint32 c : a.childrenOf(child, p.ordinal))
                    QVERIFY(!a.records(child)[c].alive);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestFeedGenerator)
#include "tst_feedgenerator.moc"
