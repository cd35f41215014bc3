// BatchWriter and SyncStore against a real PostgreSQL: the merge rules (replays, ordering,
// duplicates, chunking), records the database refuses, checkpoints, reconnects, child
// deletions, runs and samples, and the property key source.
#include "TestDatabase.h"

#include "db/BatchWriter.h"
#include "db/SchemaMigrator.h"
#include "db/SyncStore.h"
#include "metrics/MetricsRecorder.h"
#include "reso/FieldCatalog.h"
#include "reso/Resource.h"
#include "reso/Timestamp.h"
#include "sync/PageParser.h"
#include "sync/ParsedPage.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <pqxx/pqxx>

#include <algorithm>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using resosync::db::BatchWriter;
using resosync::db::Checkpoint;
using resosync::db::DbError;
using resosync::db::ParentKey;
using resosync::db::SchemaMigrator;
using resosync::db::SyncStore;
using resosync::db::WriteResult;
using resosync::metrics::DbStatement;
using resosync::metrics::MetricsRecorder;
using resosync::reso::Resource;
using resosync::reso::Timestamp;
using resosync::sync::ParsedPage;
using resosync::sync::ParsedRecord;
using resosync::test::TestDatabase;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000'000; // 2023-11-14T22:13:20Z, in microseconds
constexpr qint64 kSecond = 1'000'000;

/// COPY text format escaping, written apart from the writer's own so that the two check
/// each other.
QByteArray copyEscaped(const QByteArray &value) {
    QByteArray out;
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else
            out += c;
    }
    return out;
}

QByteArray ts(qint64 usecs) {
    return Timestamp::fromUsecs(usecs).toUtf8();
}

/// A record as the parser hands it over: typed values by column name (absent means null)
/// and the record's JSON as received.
struct TestRecord {
    Resource resource = Resource::Property;
    QHash<QString, QByteArray> values;
    QByteArray json;
};

ParsedRecord parsedRecord(const TestRecord &record) {
    const auto &info = resosync::reso::resourceInfo(record.resource);
    ParsedRecord parsed;
    parsed.key = record.values.value(QString(info.keyField));
    if (!info.parentKeyField.isEmpty())
        parsed.parentKey = record.values.value(QString(info.parentKeyField));
    if (const auto stamp = Timestamp::parse(record.values.value(u"ModificationTimestamp"_s)))
        parsed.modifiedUsecs = stamp->usecs();
    QByteArray line;
    for (const auto &column : resosync::reso::FieldCatalog::columns(record.resource)) {
        const auto value = record.values.constFind(column.field.name);
        line += value == record.values.cend() ? "\\N"_ba : copyEscaped(*value);
        line += '\t';
    }
    line += record.json.isNull() ? "\\N"_ba : copyEscaped(record.json);
    parsed.copyLine = line;
    return parsed;
}

ParsedPage makePage(Resource resource, const QList<TestRecord> &records) {
    ParsedPage page;
    page.resource = resource;
    for (const TestRecord &record : records)
        page.records.push_back(parsedRecord(record));
    return page;
}

QByteArray json(const QJsonObject &object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// A listing modified at `usecs` (none when empty) whose record carries `version` as "v".
TestRecord listing(const QByteArray &key, std::optional<qint64> usecs,
                   const QByteArray &version = "1") {
    TestRecord record;
    record.resource = Resource::Property;
    record.values.insert(u"ListingKey"_s, key);
    record.values.insert(u"StandardStatus"_s, "Active");
    record.values.insert(u"ListPrice"_s, "459900.10");
    record.values.insert(u"City"_s, "Zürich");
    record.values.insert(u"BedroomsTotal"_s, "3");
    record.values.insert(u"ListingContractDate"_s, "2024-02-29");
    record.values.insert(u"PublicRemarks"_s,
                         "Tab\there, a new\nline, a back\\slash and \"quotes\"");
    QJsonObject object{{u"ListingKey"_s, QString::fromUtf8(key)},
                       {u"v"_s, QString::fromUtf8(version)},
                       {u"ListPrice"_s, 459900.10},
                       {u"PublicRemarks"_s, u"Tab\there, a new\nline, a back\\slash"_s}};
    if (usecs) {
        record.values.insert(u"ModificationTimestamp"_s, ts(*usecs));
        object.insert(u"ModificationTimestamp"_s, QString::fromLatin1(ts(*usecs)));
    }
    record.json = json(object);
    return record;
}

/// A child of listing `parent` (Media, PropertyRooms or OpenHouse).
TestRecord child(Resource resource, const QByteArray &key, const QByteArray &parent, qint64 usecs,
                 const QByteArray &version = "1") {
    const auto &info = resosync::reso::resourceInfo(resource);
    TestRecord record;
    record.resource = resource;
    record.values.insert(QString(info.keyField), key);
    record.values.insert(QString(info.parentKeyField), parent);
    record.values.insert(u"ModificationTimestamp"_s, ts(usecs));
    if (resource == Resource::Media) {
        record.values.insert(u"ResourceName"_s, "Property");
        record.values.insert(u"MediaURL"_s, "https://media.example.com/" + key + ".jpg");
        record.values.insert(u"Order"_s, "1");
        record.values.insert(u"Permission"_s, "{Public,\"IDX only\"}");
    }
    record.json = json(QJsonObject{{QString(info.keyField), QString::fromUtf8(key)},
                                   {QString(info.parentKeyField), QString::fromUtf8(parent)},
                                   {u"ModificationTimestamp"_s, QString::fromLatin1(ts(usecs))},
                                   {u"v"_s, QString::fromUtf8(version)}});
    return record;
}

/// A Media record of about 1 KB, as vendors send them.
TestRecord heavyMedia(int ordinal, qint64 usecs) {
    const QByteArray key = "M" + QByteArray::number(ordinal).rightJustified(7, '0');
    const QByteArray parent = "L" + QByteArray::number(ordinal / 25).rightJustified(6, '0');
    TestRecord record = child(Resource::Media, key, parent, usecs);
    const QByteArray description =
        "Sunny living room with a view of the garden; oak floors, built-in shelves, and a "
        "fireplace. Photographed in the afternoon light. ";
    record.values.insert(u"MediaModificationTimestamp"_s, ts(usecs));
    record.values.insert(u"MediaCategory"_s, "Photo");
    record.values.insert(u"MediaType"_s, "image/jpeg");
    record.values.insert(u"Order"_s, QByteArray::number(ordinal % 25));
    record.values.insert(u"ShortDescription"_s, description.left(60));
    record.values.insert(u"LongDescription"_s, description + description);
    record.values.insert(u"ImageWidth"_s, "2048");
    record.values.insert(u"ImageHeight"_s, "1536");
    record.values.insert(u"PreferredPhotoYN"_s, ordinal % 25 == 0 ? "true" : "false");
    QJsonObject object = QJsonDocument::fromJson(record.json).object();
    object.insert(u"MediaURL"_s, QString::fromUtf8(record.values.value(u"MediaURL"_s)));
    object.insert(u"LongDescription"_s, QString::fromUtf8(description + description));
    object.insert(u"ShortDescription"_s, QString::fromUtf8(description.left(60)));
    object.insert(u"ImageWidth"_s, 2048);
    object.insert(u"ImageHeight"_s, 1536);
    object.insert(u"MediaCategory"_s, u"Photo"_s);
    object.insert(u"ResourceName"_s, u"Property"_s);
    record.json = json(object);
    return record;
}

std::string str(QLatin1StringView name) {
    return std::string(name.data(), std::size_t(name.size()));
}

/// How PostgreSQL's to_char(..., 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') prints `usecs`.
QByteArray sixDigits(qint64 usecs) {
    QByteArray text = Timestamp::fromUsecs(usecs).toUtf8();
    if (text.size() == 24) // whole milliseconds: Timestamp prints three digits
        text.insert(23, "000");
    return text;
}

QString errorText(const std::optional<DbError> &error) {
    return error ? error->message : QString();
}

QByteArray text(const pqxx::field &field) {
    return field.is_null() ? QByteArray() : QByteArray(field.c_str(), int(field.size()));
}

/// The test's own connection, for setting up and checking what the writer did.
class Sql final {
public:
    explicit Sql(const QString &conninfo)
        : m_connection(conninfo.toStdString()) {}

    template<typename... Args> pqxx::result run(const std::string &sql, Args &&...args) {
        pqxx::nontransaction tx(m_connection);
        return tx.exec_params(sql, std::forward<Args>(args)...);
    }
    template<typename... Args> qint64 number(const std::string &sql, Args &&...args) {
        return run(sql, std::forward<Args>(args)...)[0][0].template as<qint64>();
    }
    /// First column -> second column of every row.
    template<typename... Args>
    QMap<QByteArray, QByteArray> map(const std::string &sql, Args &&...args) {
        QMap<QByteArray, QByteArray> out;
        for (const pqxx::row &row : run(sql, std::forward<Args>(args)...))
            out.insert(text(row[0]), text(row[1]));
        return out;
    }

private:
    pqxx::connection m_connection;
};

} // namespace

class TestBatchWriter final : public QObject {
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<Sql> m_sql;

    QString conninfo() const { return m_db->conninfo(); }

    WriteResult write(BatchWriter &writer, const ParsedPage &page, int dbBatchSize = 100,
                      qint64 runId = 0, const std::optional<Checkpoint> &checkpoint = {}) {
        return writer.writePage(page, dbBatchSize, runId, checkpoint);
    }

    /// ListingKey -> the record's version marker, of every stored listing.
    QMap<QByteArray, QByteArray> propertyVersions() {
        return m_sql->map("SELECT \"ListingKey\", record->>'v' FROM public.\"Property\"");
    }

    std::optional<Checkpoint> loadCheckpoint(Resource resource) {
        SyncStore store(conninfo());
        std::optional<Checkpoint> checkpoint;
        const auto error = store.loadCheckpoint(resource, &checkpoint);
        if (error)
            qWarning("%s", qPrintable(error->message));
        return checkpoint;
    }

private Q_SLOTS:
    void initTestCase() {
        m_db = std::make_unique<TestDatabase>(u"batchwriter"_s);
        QVERIFY2(m_db->isValid(), qPrintable(m_db->error()));
        const auto report = SchemaMigrator(conninfo()).apply();
        QVERIFY2(report.ok(), qPrintable(errorText(report.error)));
        m_sql = std::make_unique<Sql>(conninfo());
    }

    void init() {
        m_sql->run("TRUNCATE public.\"Property\", public.\"Media\", public.\"PropertyRooms\", "
                   "public.\"OpenHouse\", resosync.sync_cursor, resosync.child_sync, "
                   "resosync.rejects, resosync.runs CASCADE");
    }

    void cleanupTestCase() {
        m_sql.reset();
        m_db.reset();
    }

    // ---- merge rules ----

    void replayingAPageChangesNothing_data() {
        QTest::addColumn<int>("dbBatchSize");
        QTest::newRow("in one chunk") << 5000;
        QTest::newRow("in chunks of 7") << 7;
    }
    void replayingAPageChangesNothing() {
        QFETCH(int, dbBatchSize);
        QList<TestRecord> records;
        for (int i = 0; i < 50; ++i)
            records << child(Resource::Media, "M" + QByteArray::number(i), "L1", kT0 + i);
        const ParsedPage page = makePage(Resource::Media, records);
        BatchWriter writer(conninfo(), nullptr);

        const WriteResult first = write(writer, page, dbBatchSize);
        QVERIFY2(first.ok(), qPrintable(errorText(first.error)));
        QCOMPARE(first.upserted, 50);
        const std::string snapshotSql =
            "SELECT \"MediaKey\", record::text || replicated_at::text FROM public.\"Media\"";
        const auto before = m_sql->map(snapshotSql);
        QCOMPARE(before.size(), 50);

        const WriteResult again = write(writer, page, dbBatchSize);
        QVERIFY2(again.ok(), qPrintable(errorText(again.error)));
        QCOMPARE(again.upserted, 0);
        QCOMPARE(m_sql->map(snapshotSql), before);
    }

    void newRowsAreCopiedStraightInAndStoredOnesMerged() {
        resosync::metrics::MetricsRecorder recorder;
        BatchWriter writer(conninfo(), &recorder);
        QList<TestRecord> records;
        for (int i = 0; i < 20; ++i)
            records << child(Resource::Media, "D" + QByteArray::number(i), "L1", kT0 + i);
        QVERIFY(write(writer, makePage(Resource::Media, records), 10).ok());
        const auto merges = [&] {
            return recorder.snapshot().db.byKind[std::size_t(DbStatement::Merge)].count;
        };
        QCOMPARE(merges(), 0); // all new: two direct COPYs
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Media\""), 20);

        // half stored (older), half new: the chunk with a stored key merges, guarded
        QList<TestRecord> mixed;
        for (int i = 10; i < 30; ++i)
            mixed << child(Resource::Media, "D" + QByteArray::number(i), "L1", kT0 + 100 + i);
        const WriteResult result = write(writer, makePage(Resource::Media, mixed), 10);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(result.upserted, 20);
        QCOMPARE(merges(), 1);
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Media\""), 30);
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Media\" WHERE "
                               "\"ModificationTimestamp\" >= $1::timestamptz",
                               ts(kT0 + 100).toStdString()),
                 20);
    }

    void rowsExpectedNewButStoredAreStillMergedWithTheGuard() {
        // A first load skips the probe (StoredRows::NoneExpected). Should rows be stored after
        // all, the direct COPY fails on the key, the savepoint undoes it, and the guarded
        // merge keeps the newer of each pair: nothing is duplicated or regressed.
        resosync::metrics::MetricsRecorder recorder;
        BatchWriter writer(conninfo(), &recorder);
        QList<TestRecord> stored;
        for (int i = 0; i < 10; ++i)
            stored << child(Resource::Media, "E" + QByteArray::number(i), "L1", kT0 + 50);
        QVERIFY(write(writer, makePage(Resource::Media, stored), 100).ok());
        QList<TestRecord> incoming; // E0-E4 older than stored, E5-E9 newer, E10-E14 new
        for (int i = 0; i < 15; ++i)
            incoming << child(Resource::Media, "E" + QByteArray::number(i), "L1",
                              i < 5 ? kT0 : kT0 + 100);
        const WriteResult result =
            writer.writePage(makePage(Resource::Media, incoming), 100, 0, std::nullopt,
                             BatchWriter::StoredRows::NoneExpected);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(result.upserted, 10);
        QCOMPARE(recorder.snapshot().db.byKind[std::size_t(DbStatement::Merge)].count, 1);
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Media\""), 15);
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Media\" WHERE "
                               "\"ModificationTimestamp\" = $1::timestamptz",
                               ts(kT0 + 50).toStdString()),
                 5); // E0-E4 kept their newer stored version
    }

    void aRowStoredByAnotherWriterMeanwhileFallsBackToTheMerge() {
        // Another transaction inserts D1 and holds it uncommitted: the writer's probe does not
        // see it, its direct COPY waits on the key, then fails when the other commits. The
        // savepoint undoes the COPY and the guarded merge keeps the newer of the two.
        pqxx::connection other(conninfo().toStdString());
        pqxx::work holder(other);
        holder.exec("INSERT INTO public.\"Media\" (\"MediaKey\", \"ResourceRecordKey\", "
                    "\"ModificationTimestamp\", record) VALUES ('D1', 'L1', "
                    "'2001-01-01T00:00:00Z', '{\"v\": \"other\"}')");
        BatchWriter writer(conninfo(), nullptr);
        const ParsedPage page =
            makePage(Resource::Media, {child(Resource::Media, "D0", "L1", kT0),
                                       child(Resource::Media, "D1", "L1", kT0)});
        QFuture<WriteResult> written = QtConcurrent::run([&] { return write(writer, page, 100); });
        QTRY_VERIFY(m_sql->number("SELECT count(*) FROM pg_stat_activity WHERE "
                                  "wait_event_type = 'Lock' AND datname = current_database()") > 0);
        holder.commit();
        const WriteResult result = written.result();
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Media\""), 2);
        // kT0 is later than 2001: the writer's version wins the guard
        QCOMPARE(m_sql
                     ->map("SELECT \"MediaKey\", record->>'v' FROM public.\"Media\" "
                           "WHERE \"MediaKey\" = 'D1'")
                     .value("D1"_ba),
                 "1"_ba);
    }

    void typedColumnsHoldTheValuesAndTheRecordItsJson() {
        BatchWriter writer(conninfo(), nullptr);
        const TestRecord record = listing("L1", kT0);
        const WriteResult result = write(writer, makePage(Resource::Property, {record}));
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        const pqxx::row row =
            m_sql->run("SELECT \"ListPrice\"::text, \"City\", \"BedroomsTotal\", "
                       "\"ListingContractDate\"::text, \"PublicRemarks\", record = $1::jsonb, "
                       "\"StandardStatus\", \"ClosePrice\" IS NULL FROM public.\"Property\"",
                       record.json.toStdString())[0];
        QCOMPARE(text(row[0]), "459900.10"_ba);
        QCOMPARE(QString::fromUtf8(text(row[1])), u"Zürich"_s);
        QCOMPARE(row[2].as<int>(), 3);
        QCOMPARE(text(row[3]), "2024-02-29"_ba);
        QCOMPARE(text(row[4]), "Tab\there, a new\nline, a back\\slash and \"quotes\""_ba);
        QVERIFY(row[5].as<bool>());
        QCOMPARE(text(row[6]), "Active"_ba);
        QVERIFY(row[7].as<bool>());
    }

    void parsedRecordsStoreTheJsonbOfTheRecordAsReceived() {
        // The parser hands PostgreSQL each record's members in jsonb's key order; what is
        // stored must be exactly the jsonb of the record as received: a key given twice keeps
        // its last value, escaped keys sort by what they say, nested objects are untouched.
        const QList<QByteArray> received{
            R"({"MediaKey":"M1","ResourceRecordKey":"L1","ModificationTimestamp":)"
            R"("2024-01-02T03:04:05.678Z","Order":1,"X":{"b":1,"a":[2,{"d":1,"c":2}]},"Order":2})",
            R"({ "\u00e9":1, "zz":"two", "\u0041":3, "B":null, "MediaKey" : "M2" ,)"
            R"( "ResourceRecordKey":"L1", "ModificationTimestamp":"2024-01-02T03:04:05.678Z",)"
            "\n\t "
            R"("Permission":["a","b"], "A\u0041":"tab\there" })",
            R"({"Order":7,"MediaKey":"M3","ResourceRecordKey":"L1",)"
            R"("ModificationTimestamp":"2024-01-02T03:04:05.678Z"})", // already in order
        };
        resosync::sync::PageParser parser;
        ParsedPage page;
        resosync::sync::PageError error;
        QVERIFY2(parser.parse(Resource::Media, R"({"value":[)" + received.join(',') + "]}", &page,
                              &error),
                 qPrintable(error.message));
        QCOMPARE(page.rejects.size(), std::size_t(0));
        BatchWriter writer(conninfo(), nullptr);
        const WriteResult result = write(writer, page);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        for (const QByteArray &json : received) {
            const pqxx::row row = m_sql->run(
                "SELECT count(*) FILTER (WHERE record = $1::jsonb) FROM public.\"Media\"",
                json.toStdString())[0];
            QVERIFY2(row[0].as<int>() == 1, json.constData());
        }
        QCOMPARE(m_sql->map("SELECT \"MediaKey\", record->>'Order' FROM public.\"Media\" "
                            "WHERE \"MediaKey\" <> 'M2'"),
                 (QMap<QByteArray, QByteArray>{{"M1", "2"}, {"M3", "7"}}));
    }

    void storedRowIsReplacedOnlyByANewerVersion_data() {
        QTest::addColumn<qint64>("stored");   // -1: no timestamp
        QTest::addColumn<qint64>("incoming"); // -1: no timestamp
        QTest::addColumn<bool>("sameRecord");
        QTest::addColumn<bool>("replaced");
        const qint64 none = -1;
        QTest::newRow("an older version is ignored") << kT0 + 2 << kT0 + 1 << false << false;
        QTest::newRow("a newer version replaces") << kT0 + 1 << kT0 + 2 << false << true;
        QTest::newRow("the same timestamp with another record replaces")
            << kT0 << kT0 << false << true;
        QTest::newRow("the same timestamp and record is a no-op") << kT0 << kT0 << true << false;
        QTest::newRow("a timestamp replaces none") << none << kT0 << false << true;
        QTest::newRow("no timestamp never replaces one") << kT0 << none << false << false;
        QTest::newRow("no timestamp replaces none when the record differs")
            << none << none << false << true;
        QTest::newRow("no timestamp and the same record is a no-op")
            << none << none << true << false;
    }
    void storedRowIsReplacedOnlyByANewerVersion() {
        QFETCH(qint64, stored);
        QFETCH(qint64, incoming);
        QFETCH(bool, sameRecord);
        QFETCH(bool, replaced);
        const auto stamp = [](qint64 usecs) {
            return usecs < 0 ? std::nullopt : std::optional<qint64>(usecs);
        };
        BatchWriter writer(conninfo(), nullptr);
        QVERIFY(write(writer, makePage(Resource::Property, {listing("L1", stamp(stored), "old")}))
                    .ok());
        const WriteResult result =
            write(writer, makePage(Resource::Property,
                                   {listing("L1", stamp(incoming), sameRecord ? "old" : "new")}));
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(result.upserted, replaced ? 1 : 0);
        QCOMPARE(propertyVersions().value("L1"), replaced ? "new"_ba : "old"_ba);
    }

    void duplicatesInAPageKeepTheNewest_data() {
        QTest::addColumn<int>("dbBatchSize");
        for (const int size : {1, 2, 7, 100, 5000})
            QTest::addRow("in chunks of %d", size) << size;
    }
    void duplicatesInAPageKeepTheNewest() {
        QFETCH(int, dbBatchSize);
        BatchWriter writer(conninfo(), nullptr);
        const ParsedPage page =
            makePage(Resource::Property,
                     {listing("L1", kT0 + 2, "b"), listing("L2", kT0, "only"),
                      listing("L1", kT0 + 3, "c"), listing("L1", kT0 + 1, "a"),
                      // an equal timestamp later in the page wins, as it would on a later page
                      listing("L1", kT0 + 3, "c-later"), listing("L1", std::nullopt, "none")});
        const WriteResult result = write(writer, page, dbBatchSize);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        const QMap<QByteArray, QByteArray> expected{{"L1", "c-later"}, {"L2", "only"}};
        QCOMPARE(propertyVersions(), expected);
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Property\""), 2);
    }

    void chunkSizesGiveTheSameResult_data() {
        QTest::addColumn<int>("dbBatchSize");
        for (const int size : {1, 7, 100, 5000})
            QTest::addRow("in chunks of %d", size) << size;
    }
    void chunkSizesGiveTheSameResult() {
        QFETCH(int, dbBatchSize);
        // Two pages of 300 Media with duplicates and out-of-order versions; the expected
        // final state is worked out here: per key the newest version, the last among equals.
        QMap<QByteArray, std::pair<qint64, QByteArray>> expected;
        quint32 state = 12345;
        const auto next = [&state](quint32 bound) {
            state = state * 1103515245u + 12345u;
            return (state >> 8) % bound;
        };
        BatchWriter writer(conninfo(), nullptr);
        qint64 upserted = 0;
        for (int pageNumber = 0; pageNumber < 2; ++pageNumber) {
            QList<TestRecord> records;
            for (int i = 0; i < 300; ++i) {
                const QByteArray key = "M" + QByteArray::number(next(120));
                const qint64 usecs = kT0 + qint64(next(40)) * 1000;
                const QByteArray version = QByteArray::number(pageNumber * 1000 + i);
                records << child(Resource::Media, key, "L" + QByteArray::number(next(9)), usecs,
                                 version);
                const auto known = expected.constFind(key);
                if (known == expected.cend() || known->first <= usecs)
                    expected.insert(key, {usecs, version});
            }
            const WriteResult result =
                write(writer, makePage(Resource::Media, records), dbBatchSize);
            QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
            upserted += result.upserted;
        }
        QMap<QByteArray, QByteArray> expectedVersions;
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            expectedVersions.insert(it.key(), it->second + "@" + ts(it->first));
        QCOMPARE(m_sql->map("SELECT \"MediaKey\", (record->>'v') || '@' || "
                            "(record->>'ModificationTimestamp') FROM public.\"Media\""),
                 expectedVersions);
        QVERIFY(upserted >= expected.size());
    }

    // ---- values the database refuses ----

    void refusedRecordIsRejectedAndTheRestStored_data() {
        QTest::addColumn<int>("dbBatchSize");
        QTest::addColumn<QString>("column"); // "record" for the JSON itself
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("reason");
        struct Bad {
            const char *name;
            QString column;
            QByteArray value;
            QString reason;
        };
        const QList<Bad> bad{
            {"a price too large for numeric(14,2)", u"ListPrice"_s, "1e20",
             u"numeric field overflow"_s},
            {"an invalid date", u"ListingContractDate"_s, "2024-02-30",
             u"date/time field value out of range"_s},
            {"a malformed timestamp", u"ModificationTimestamp"_s, "last tuesday",
             u"invalid input syntax for type timestamp"_s},
            {"text where a number belongs", u"BedroomsTotal"_s, "three",
             u"invalid input syntax for type bigint"_s},
            {"a record that is not JSON", u"record"_s, "{\"ListingKey\": oops",
             u"invalid input syntax for type json"_s},
            {"invalid UTF-8", u"City"_s, "Z\xfcrich", u"invalid byte sequence"_s},
        };
        for (const Bad &b : bad) {
            for (const int size : {1, 7, 5000})
                QTest::addRow("%s, in chunks of %d", b.name, size)
                    << size << b.column << b.value << b.reason;
        }
    }
    void refusedRecordIsRejectedAndTheRestStored() {
        QFETCH(int, dbBatchSize);
        QFETCH(QString, column);
        QFETCH(QByteArray, value);
        QFETCH(QString, reason);
        QList<TestRecord> records;
        for (int i = 0; i < 20; ++i)
            records << listing("L" + QByteArray::number(100 + i), kT0 + i);
        TestRecord &bad = records[11];
        if (column == "record"_L1)
            bad.json = value;
        else
            bad.values.insert(column, value);
        const QByteArray badKey = "L111";
        const QByteArray badJson = bad.json;
        BatchWriter writer(conninfo(), nullptr);
        const Checkpoint checkpoint{kT0 + 19, "L119", kT0 + 100 * kSecond, 0};

        const WriteResult result =
            write(writer, makePage(Resource::Property, records), dbBatchSize, 0, checkpoint);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(result.upserted, 19);
        QCOMPARE(result.rejected, 1);
        const auto stored = propertyVersions();
        QCOMPARE(stored.size(), 19);
        QVERIFY(!stored.contains(badKey));

        const pqxx::result rejects =
            m_sql->run("SELECT record_key, reason, payload, resource, run_id IS NULL "
                       "FROM resosync.rejects");
        QCOMPARE(rejects.size(), std::size_t(1));
        QCOMPARE(text(rejects[0][0]), badKey);
        const QString storedReason = QString::fromUtf8(text(rejects[0][1]));
        QVERIFY2(storedReason.contains(reason), qPrintable(storedReason));
        QVERIFY2(storedReason.contains(u"SQLSTATE"_s), qPrintable(storedReason));
        QCOMPARE(text(rejects[0][2]), badJson);
        QCOMPARE(text(rejects[0][3]), "Property"_ba);
        QVERIFY(rejects[0][4].as<bool>());

        const auto saved = loadCheckpoint(Resource::Property);
        QVERIFY(saved);
        QCOMPARE(saved->cursorUsecs, kT0 + 19);
        QCOMPARE(saved->cursorKey, "L119"_ba);
    }

    void severalRefusedRecordsAreEachRejected() {
        QList<TestRecord> records;
        for (int i = 0; i < 50; ++i)
            records << listing("L" + QByteArray::number(100 + i), kT0 + i);
        for (const int index : {3, 4, 20, 49}) // two in one chunk, one at the page's end
            records[index].values.insert(u"YearBuilt"_s, "nineteen-ten");
        BatchWriter writer(conninfo(), nullptr);
        const WriteResult result = write(writer, makePage(Resource::Property, records), 7);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(result.upserted, 46);
        QCOMPARE(result.rejected, 4);
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Property\""), 46);
        const auto rejected = m_sql->map("SELECT record_key, reason FROM resosync.rejects");
        QCOMPARE(rejected.keys(), (QList<QByteArray>{"L103", "L104", "L120", "L149"}));
        for (const QByteArray &why : rejected)
            QVERIFY2(why.contains("YearBuilt"), why.constData()); // COPY names the column
    }

    void parserRejectsAreStored() {
        SyncStore store(conninfo());
        QVERIFY2(!store.open(), "open");
        qint64 runId = 0;
        QVERIFY(!store.beginRun({}, QUrl(u"https://api.example.com/odata"_s), &runId));

        ParsedPage page = makePage(Resource::Media, {child(Resource::Media, "M1", "L1", kT0)});
        page.rejects.push_back({"M2", u"ModificationTimestamp: 'soon' is not a timestamp"_s,
                                R"({"MediaKey":"M2","ModificationTimestamp":"soon"})"});
        static const char broken[] = "{\"a\":\"nul\0 and \xff\"}";
        page.rejects.push_back({{}, u"no MediaKey"_s, QByteArray(broken, sizeof(broken) - 1)});
        BatchWriter writer(conninfo(), nullptr);
        const WriteResult result = write(writer, page, 100, runId);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(result.upserted, 1);
        QCOMPARE(result.rejected, 2);

        const pqxx::result rows =
            m_sql->run("SELECT record_key, reason, payload, run_id, resource FROM "
                       "resosync.rejects ORDER BY reject_id");
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(text(rows[0][0]), "M2"_ba);
        QCOMPARE(text(rows[0][1]), "ModificationTimestamp: 'soon' is not a timestamp"_ba);
        QCOMPARE(text(rows[0][2]), R"({"MediaKey":"M2","ModificationTimestamp":"soon"})"_ba);
        QCOMPARE(rows[0][3].as<qint64>(), runId);
        QCOMPARE(text(rows[0][4]), "Media"_ba);
        QVERIFY(rows[1][0].is_null());
        // NUL and the invalid byte are replaced (U+FFFD), the rest kept
        QCOMPARE(QString::fromUtf8(text(rows[1][2])), u"{\"a\":\"nul\uFFFD and \uFFFD\"}"_s);
    }

    // ---- checkpoints ----

    void checkpointIsCommittedWithTheRowsAndNeverMovesBackwards() {
        BatchWriter writer(conninfo(), nullptr);
        const qint64 fence = kT0 + 3600 * kSecond;
        int n = 0;
        const auto writeWith = [&](qint64 cursor, const QByteArray &key) {
            ++n;
            const ParsedPage page =
                makePage(Resource::Property, {listing("P" + QByteArray::number(n), kT0 + n)});
            return write(writer, page, 100, 7, Checkpoint{cursor, key, fence, 7});
        };
        QVERIFY(!loadCheckpoint(Resource::Property));
        QVERIFY(writeWith(kT0 + 5, "K5").ok());
        auto saved = loadCheckpoint(Resource::Property);
        QVERIFY(saved);
        QCOMPARE(saved->cursorUsecs, kT0 + 5);
        QCOMPARE(saved->cursorKey, "K5"_ba);
        QCOMPARE(saved->fenceUsecs, fence);
        QCOMPARE(saved->runId, 7);

        struct Step {
            qint64 cursor;
            QByteArray key;
            qint64 expectedCursor;
            QByteArray expectedKey;
        };
        const QList<Step> steps{
            {kT0 + 4, "K9", kT0 + 5, "K5"},    // an older timestamp: stays
            {kT0 + 5, "K4", kT0 + 5, "K5"},    // same timestamp, smaller key: stays
            {kT0 + 5, "K5", kT0 + 5, "K5"},    // the same pair: stays
            {kT0 + 5, "K6", kT0 + 5, "K6"},    // same timestamp, larger key: moves
            {kT0 + 5, "K60", kT0 + 5, "K60"},  // bytewise, not by number
            {kT0 + 6, "A", kT0 + 6, "A"},      // later timestamp, any key: moves
            {kT0 + 6 - 1, "Z", kT0 + 6, "A"}}; // a microsecond earlier: stays
        for (const Step &step : steps) {
            const WriteResult result = writeWith(step.cursor, step.key);
            QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
            saved = loadCheckpoint(Resource::Property);
            QVERIFY(saved);
            QCOMPARE(saved->cursorUsecs, step.expectedCursor);
            QCOMPARE(saved->cursorKey, step.expectedKey);
        }
        // every page's rows were stored whatever became of its checkpoint
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Property\""), n);
        // other resources keep their own cursor
        QVERIFY(!loadCheckpoint(Resource::Media));
    }

    void failedPageStoresNeitherRowsNorCheckpoint() {
        BatchWriter writer(conninfo(), nullptr);
        ParsedPage page = makePage(Resource::Property, {listing("L1", kT0)});
        // a run that does not exist: the rejects' foreign key fails the whole transaction
        page.rejects.push_back({"L2", u"bad"_s, "{}"});
        const WriteResult result = write(writer, page, 100, 424242, Checkpoint{kT0, "L1", 0, 0});
        QVERIFY(!result.ok());
        QVERIFY2(result.error->message.contains(u"writing a page of 1 Property records"_s),
                 qPrintable(result.error->message));
        QCOMPARE(result.error->sqlState, u"23503"_s);
        QCOMPARE(result.upserted, 0);
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Property\""), 0);
        QVERIFY(!loadCheckpoint(Resource::Property));
        // and the writer goes on
        page.rejects.clear();
        QVERIFY(write(writer, page, 100, 0, Checkpoint{kT0, "L1", 0, 0}).ok());
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Property\""), 1);
        QVERIFY(loadCheckpoint(Resource::Property));
    }

    void microsecondsSurviveExactly_data() {
        QTest::addColumn<qint64>("usecs");
        QTest::newRow("one microsecond past a second") << kT0 + 1;
        QTest::newRow("the last microsecond of a second") << kT0 + 999'999;
        QTest::newRow("whole milliseconds") << kT0 + 123'000;
        QTest::newRow("a microsecond before 1970") << qint64(-1);
        QTest::newRow("a microsecond after the epoch") << qint64(1);
        QTest::newRow("the last microsecond of 9999") << qint64(253'402'300'799'999'999);
    }
    void microsecondsSurviveExactly() {
        QFETCH(qint64, usecs);
        BatchWriter writer(conninfo(), nullptr);
        const WriteResult result =
            write(writer, makePage(Resource::Property, {listing("L1", usecs)}), 100, 0,
                  Checkpoint{usecs, "L1", usecs, 0});
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        // what PostgreSQL holds, printed by PostgreSQL
        QCOMPARE(
            text(m_sql->run("SELECT to_char(\"ModificationTimestamp\" AT TIME ZONE 'UTC', "
                            "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM public.\"Property\"")[0][0]),
            sixDigits(usecs));
        const auto saved = loadCheckpoint(Resource::Property);
        QVERIFY(saved);
        QCOMPARE(saved->cursorUsecs, usecs);
        QCOMPARE(saved->fenceUsecs, usecs);

        SyncStore store(conninfo());
        QVERIFY(!store.open());
        std::vector<ParentKey> parents;
        QVERIFY(!store.nextParents(Resource::Media, {}, 10, true, &parents));
        QCOMPARE(parents.size(), std::size_t(1));
        QCOMPARE(parents[0].modifiedUsecs, usecs);
        // child_sync keeps the timestamp exactly: the listing is no longer pending
        QVERIFY(writer.completeChildBatch(Resource::Media, parents, {}, 0).ok());
        QVERIFY(!store.nextParents(Resource::Media, {}, 10, true, &parents));
        QCOMPARE(parents.size(), std::size_t(0));
    }

    // ---- connections ----

    void reconnectsAfterTheConnectionIsKilled() {
        MetricsRecorder recorder;
        recorder.start(1);
        BatchWriter writer(conninfo(), &recorder);
        QVERIFY(write(writer, makePage(Resource::Media, {child(Resource::Media, "M1", "L1", kT0)}))
                    .ok());
        // connections of earlier tests may take a moment to go away
        const std::string ours = "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                 "current_database() AND application_name = 'resosync-writer'";
        QTRY_COMPARE(m_sql->number(ours), 1);
        const pqxx::result killed =
            m_sql->run("SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                       "AND application_name = 'resosync-writer'");
        QCOMPARE(killed.size(), std::size_t(1));
        const int pid = killed[0][0].as<int>();
        QTRY_COMPARE(m_sql->number("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid), 0);

        // a new connection, with its own staging table and prepared statements
        for (int i = 2; i <= 3; ++i) {
            const WriteResult result =
                write(writer,
                      makePage(Resource::Media,
                               {child(Resource::Media, "M" + QByteArray::number(i), "L1", kT0)}),
                      100, 0, Checkpoint{kT0, "M" + QByteArray::number(i), 0, 0});
            QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
            QCOMPARE(result.upserted, 1);
        }
        QCOMPARE(m_sql->number("SELECT count(*) FROM public.\"Media\""), 3);
        QCOMPARE(loadCheckpoint(Resource::Media)->cursorKey, "M3"_ba);

        // every statement was timed, by kind (new rows go by direct COPY: no merge)
        const auto db = recorder.snapshot().db;
        for (const DbStatement kind : {DbStatement::Copy, DbStatement::Checkpoint})
            QVERIFY2(db.byKind[std::size_t(kind)].count >= 2,
                     qPrintable(resosync::metrics::dbStatementName(kind)));
        QVERIFY(db.byKind[std::size_t(DbStatement::Copy)].count >= 3);
        recorder.stop();
    }

    void unreachableDatabaseIsAnErrorNotAnException() {
        BatchWriter writer(u"host=127.0.0.1 port=1 connect_timeout=2"_s, nullptr);
        const WriteResult result =
            write(writer, makePage(Resource::Property, {listing("L1", kT0)}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error->kind, resosync::db::DbErrorKind::Unreachable);
        std::vector<QByteArray> found;
        QVERIFY(writer.existingProperties({"L1"}, &found));
    }

    // ---- children ----

    void completeChildBatchDeletesOnlyUnseenChildren_data() {
        QTest::addColumn<int>("childResource");
        for (const Resource resource :
             {Resource::Media, Resource::PropertyRooms, Resource::OpenHouse})
            QTest::newRow(resosync::reso::resourceInfo(resource).name.data()) << int(resource);
    }
    void completeChildBatchDeletesOnlyUnseenChildren() {
        QFETCH(int, childResource);
        const auto resource = Resource(childResource);
        const auto &info = resosync::reso::resourceInfo(resource);
        QList<TestRecord> records;
        for (const QByteArray parent : {"P1", "P2", "P3"})
            for (int i = 1; i <= 4; ++i)
                records << child(resource, parent + "-C" + QByteArray::number(i), parent, kT0);
        BatchWriter writer(conninfo(), nullptr);
        QVERIFY(write(writer, makePage(resource, records)).ok());

        const std::vector<ParentKey> parents{{"P1", kT0 + 1}, {"P2", kT0 + 2}};
        const std::vector<QByteArray> seen{"P1-C1", "P1-C2", "P2-C1", "P2-C2",
                                           "P2-C3", "P2-C4", "P3-C1", "elsewhere"};
        auto result = writer.completeChildBatch(resource, parents, seen, 0);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(result.deleted, 2);
        const auto keys = [&] {
            return text(m_sql->run("SELECT string_agg(k, ',' ORDER BY k) FROM (SELECT \"" +
                                   str(info.keyField) + "\" AS k FROM public.\"" + str(info.name) +
                                   "\") s")[0][0]);
        };
        QCOMPARE(keys(), "P1-C1,P1-C2,P2-C1,P2-C2,P2-C3,P2-C4,P3-C1,P3-C2,P3-C3,P3-C4"_ba);

        const auto synced = m_sql->map(
            "SELECT listing_key, to_char(property_timestamp AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM resosync.child_sync WHERE resource = $1",
            str(info.name));
        const QMap<QByteArray, QByteArray> expected{{"P1", "2023-11-14T22:13:20.000001Z"},
                                                    {"P2", "2023-11-14T22:13:20.000002Z"}};
        QCOMPARE(synced, expected);

        // nothing seen at all: every child of the batch goes; a second run updates child_sync
        result = writer.completeChildBatch(resource, {{"P2", kT0 + 5}}, {}, 0);
        QVERIFY2(result.ok(), qPrintable(errorText(result.error)));
        QCOMPARE(result.deleted, 4);
        QCOMPARE(keys(), "P1-C1,P1-C2,P3-C1,P3-C2,P3-C3,P3-C4"_ba);
        QCOMPARE(m_sql->number("SELECT count(*) FROM resosync.child_sync "
                               "WHERE listing_key = 'P2' AND property_timestamp = $1::timestamptz",
                               ts(kT0 + 5).toStdString()),
                 1);
    }

    void existingPropertiesFindsTheStoredKeys() {
        BatchWriter writer(conninfo(), nullptr);
        const QByteArray odd = "we\"ird,{key} \\ NULL";
        QVERIFY(write(writer, makePage(Resource::Property,
                                       {listing("L1", kT0), listing("L2", kT0), listing(odd, kT0)}))
                    .ok());
        std::vector<QByteArray> found;
        const auto error = writer.existingProperties({"L2", "L404", "L1", odd, "NULL"}, &found);
        QVERIFY2(!error, qPrintable(errorText(error)));
        std::sort(found.begin(), found.end());
        QCOMPARE(found, (std::vector<QByteArray>{"L1", "L2", odd}));
    }

    // ---- SyncStore ----

    void storeRefusesADatabaseWithoutTheSchema() {
        TestDatabase empty(u"batchwriter no schema"_s);
        QVERIFY2(empty.isValid(), qPrintable(empty.error()));
        SyncStore store(empty.conninfo());
        const auto error = store.open();
        QVERIFY(error);
        QVERIFY2(error->message.contains(u"resosync-cli schema apply"_s),
                 qPrintable(error->message));
    }

    void runIsRecordedWithoutCredentials() {
        SyncStore store(conninfo());
        QVERIFY(!store.open());
        resosync::metrics::RunConfig config;
        config.dbBatchSize = 2000;
        config.mode = u"full"_s;
        config.resources = {u"Property"_s, u"Media"_s};
        qint64 runId = 0;
        auto error = store.beginRun(
            config, QUrl(u"https://sync:hunter2@api.example.com/reso/odata?access_token=tok#x"_s),
            &runId);
        QVERIFY2(!error, qPrintable(errorText(error)));
        QVERIFY(runId > 0);
        pqxx::row row = m_sql->run("SELECT feed, status, mode, array_to_string(resources, ','), "
                                   "config->>'db_batch_size', finished_at IS NULL "
                                   "FROM resosync.runs WHERE run_id = $1",
                                   runId)[0];
        QCOMPARE(text(row[0]), "https://api.example.com/reso/odata"_ba);
        QCOMPARE(text(row[1]), "running"_ba);
        QCOMPARE(text(row[2]), "full"_ba);
        QCOMPARE(text(row[3]), "Property,Media"_ba);
        QCOMPARE(text(row[4]), "2000"_ba);
        QVERIFY(row[5].as<bool>());
        QCOMPARE(m_sql->number("SELECT count(*) FROM resosync.runs WHERE feed::text LIKE "
                               "'%hunter2%' OR config::text LIKE '%hunter2%'"),
                 0);

        error = store.finishRun(runId, u"failed"_s, QJsonObject{{u"upserted"_s, 5}},
                                u"the feed went away"_s);
        QVERIFY2(!error, qPrintable(errorText(error)));
        row = m_sql->run("SELECT status, summary->>'upserted', error, finished_at IS NOT NULL "
                         "FROM resosync.runs WHERE run_id = $1",
                         runId)[0];
        QCOMPARE(text(row[0]), "failed"_ba);
        QCOMPARE(text(row[1]), "5"_ba);
        QCOMPARE(text(row[2]), "the feed went away"_ba);
        QVERIFY(row[3].as<bool>());

        QVERIFY(store.finishRun(runId, u"exploded"_s, {}, {})); // not a status
        QVERIFY(store.finishRun(runId + 1000, u"succeeded"_s, {}, {}));
    }

    void samplesAreAppendedAndDuplicatesIgnored() {
        SyncStore store(conninfo());
        QVERIFY(!store.open());
        qint64 runId = 0;
        QVERIFY(!store.beginRun({}, QUrl(), &runId));
        const qint64 start = kT0 + 123'456;
        auto error = store.appendSamples(runId, u"db.merge.avg_ms"_s,
                                         {{0, 1.5}, {250, 2.25}, {500, 0.1}}, start);
        QVERIFY2(!error, qPrintable(errorText(error)));
        error = store.appendSamples(runId, u"db.merge.avg_ms"_s, {{500, 9.0}, {750, 3.0}}, start);
        QVERIFY2(!error, qPrintable(errorText(error)));
        QVERIFY(!store.appendSamples(runId, u"memory.rss_mb"_s, {{0, 40.0}}, start));
        QVERIFY(!store.appendSamples(runId, u"memory.rss_mb"_s, {}, start));

        const auto samples =
            m_sql->map("SELECT to_char(at AT TIME ZONE 'UTC', 'HH24:MI:SS.US'), value::text "
                       "FROM resosync.run_samples WHERE run_id = $1 AND series = 'db.merge.avg_ms'",
                       runId);
        const QMap<QByteArray, QByteArray> expected{{"22:13:20.123456", "1.5"},
                                                    {"22:13:20.373456", "2.25"},
                                                    {"22:13:20.623456", "0.1"},
                                                    {"22:13:20.873456", "3"}};
        QCOMPARE(samples, expected);
        QCOMPARE(m_sql->number("SELECT count(*) FROM resosync.run_samples"), 5);
    }

    void checkpointCanBeReset() {
        BatchWriter writer(conninfo(), nullptr);
        QVERIFY(
            write(writer, makePage(Resource::OpenHouse, {}), 100, 0, Checkpoint{kT0, "O1", 0, 0})
                .ok());
        QVERIFY(
            write(writer, makePage(Resource::Media, {}), 100, 0, Checkpoint{kT0, "M1", 0, 0}).ok());
        SyncStore store(conninfo());
        QVERIFY(!store.open());
        std::optional<Checkpoint> saved;
        QVERIFY(!store.loadCheckpoint(Resource::OpenHouse, &saved));
        QVERIFY(saved);
        QCOMPARE(saved->cursorKey, "O1"_ba);
        QCOMPARE(saved->fenceUsecs, 0);
        QVERIFY(!store.resetCheckpoint(Resource::OpenHouse));
        QVERIFY(!store.loadCheckpoint(Resource::OpenHouse, &saved));
        QVERIFY(!saved);
        QVERIFY(!store.loadCheckpoint(Resource::Media, &saved));
        QVERIFY(saved);
    }

    void nextParentsPagesThroughEveryKeyInOrder_data() {
        QTest::addColumn<int>("limit");
        for (const int limit : {1, 7, 50, 1000})
            QTest::addRow("%d at a time", limit) << limit;
    }
    void nextParentsPagesThroughEveryKeyInOrder() {
        QFETCH(int, limit);
        QList<TestRecord> records;
        for (int i = 0; i < 50; ++i)
            records << listing("L" + QByteArray::number((i * 37) % 50), kT0 + i);
        BatchWriter writer(conninfo(), nullptr);
        QVERIFY(write(writer, makePage(Resource::Property, records)).ok());
        SyncStore store(conninfo());
        QVERIFY(!store.open());

        QList<QByteArray> walked;
        QByteArray after;
        for (int round = 0; round < 100; ++round) {
            std::vector<ParentKey> parents;
            const auto error = store.nextParents(Resource::Media, after, limit, false, &parents);
            QVERIFY2(!error, qPrintable(errorText(error)));
            QVERIFY(int(parents.size()) <= limit);
            if (parents.empty())
                break;
            for (const ParentKey &parent : parents)
                walked << parent.key;
            after = parents.back().key;
        }
        QList<QByteArray> expected;
        for (const pqxx::row &row :
             m_sql->run("SELECT \"ListingKey\" FROM public.\"Property\" ORDER BY 1"))
            expected << text(row[0]);
        QCOMPARE(expected.size(), 50);
        QCOMPARE(walked, expected);
        qint64 count = -1;
        QVERIFY(!store.countParents(Resource::Media, false, &count));
        QCOMPARE(count, 50);
    }

    void onlyChangedParentsFollowChildSync() {
        QList<TestRecord> records;
        for (int i = 0; i < 10; ++i)
            records << listing("L" + QByteArray::number(i), kT0 + i * kSecond + 7);
        BatchWriter writer(conninfo(), nullptr);
        QVERIFY(write(writer, makePage(Resource::Property, records)).ok());
        SyncStore store(conninfo());
        QVERIFY(!store.open());
        const auto pending = [&](Resource child) {
            QList<QByteArray> keys;
            QByteArray after;
            for (;;) {
                std::vector<ParentKey> parents;
                if (const auto error = store.nextParents(child, after, 3, true, &parents)) {
                    qWarning("%s", qPrintable(error->message));
                    return QList<QByteArray>{"error"};
                }
                if (parents.empty())
                    return keys;
                for (const ParentKey &parent : parents)
                    keys << parent.key;
                after = parents.back().key;
            }
        };
        const auto pendingCount = [&](Resource child) {
            qint64 count = -1;
            const auto error = store.countParents(child, true, &count);
            return error ? -1 : count;
        };
        QCOMPARE(pendingCount(Resource::Media), 10);

        std::vector<ParentKey> firstFour;
        QVERIFY(!store.nextParents(Resource::Media, {}, 4, true, &firstFour));
        QCOMPARE(firstFour.size(), std::size_t(4));
        QVERIFY(writer.completeChildBatch(Resource::Media, firstFour, {}, 0).ok());
        QCOMPARE(pendingCount(Resource::Media), 6);
        QCOMPARE(pending(Resource::Media), (QList<QByteArray>{"L4", "L5", "L6", "L7", "L8", "L9"}));
        // another child resource keeps its own record
        QCOMPARE(pendingCount(Resource::PropertyRooms), 10);

        // a listing that changed since is pending again
        QVERIFY(
            write(writer, makePage(Resource::Property, {listing("L2", kT0 + 99 * kSecond)})).ok());
        QCOMPARE(pendingCount(Resource::Media), 7);
        QCOMPARE(pending(Resource::Media),
                 (QList<QByteArray>{"L2", "L4", "L5", "L6", "L7", "L8", "L9"}));
        qint64 all = -1;
        QVERIFY(!store.countParents(Resource::Media, false, &all));
        QCOMPARE(all, 10);
    }

    // ---- throughput (printed, not asserted) ----

    void throughputByDbBatchSize() {
        constexpr int kRows = 20'000;
        constexpr int kPageSize = 5'000;
        const auto pages = [&](qint64 base) {
            std::vector<ParsedPage> out;
            for (int first = 0; first < kRows; first += kPageSize) {
                QList<TestRecord> records;
                for (int i = first; i < first + kPageSize; ++i)
                    records << heavyMedia(i, base + i);
                out.push_back(makePage(Resource::Media, records));
            }
            return out;
        };
        const std::vector<ParsedPage> inserts = pages(kT0);
        const std::vector<ParsedPage> updates = pages(kT0 + 3600 * kSecond);
        qint64 lineBytes = 0;
        for (const ParsedPage &page : inserts)
            for (const ParsedRecord &record : page.records)
                lineBytes += record.copyLine.size();
        qInfo("writePage throughput: %d Media rows of ~%lld bytes, pages of %d, one writer", kRows,
              lineBytes / kRows, kPageSize);
        for (const int dbBatchSize : {100, 2000, 5000}) {
            m_sql->run("TRUNCATE public.\"Media\"");
            MetricsRecorder recorder;
            BatchWriter writer(conninfo(), &recorder);
            const auto timeAll = [&](const std::vector<ParsedPage> &all, qint64 *upserted) {
                QElapsedTimer timer;
                timer.start();
                for (const ParsedPage &page : all) {
                    const WriteResult result = writer.writePage(page, dbBatchSize, 0, std::nullopt);
                    if (!result.ok())
                        qWarning("%s", qPrintable(errorText(result.error)));
                    *upserted += result.upserted;
                }
                return double(timer.nsecsElapsed()) / 1e9;
            };
            qint64 inserted = 0, updated = 0, replayed = 0;
            const double insertSeconds = timeAll(inserts, &inserted);
            const double updateSeconds = timeAll(updates, &updated);
            const double replaySeconds = timeAll(updates, &replayed);
            QCOMPARE(inserted, kRows);
            QCOMPARE(updated, kRows);
            QCOMPARE(replayed, 0);
            qInfo("  dbBatchSize %5d: insert %7.0f rows/s, update %7.0f rows/s, "
                  "unchanged replay %7.0f rows/s",
                  dbBatchSize, kRows / insertSeconds, kRows / updateSeconds, kRows / replaySeconds);
            const auto db = recorder.snapshot().db;
            QStringList kinds;
            for (const DbStatement kind :
                 {DbStatement::Copy, DbStatement::Merge, DbStatement::Other}) {
                const auto &k = db.byKind[std::size_t(kind)];
                kinds << u"%1 %2 x %3 ms"_s.arg(resosync::metrics::dbStatementName(kind))
                             .arg(k.count)
                             .arg(k.avgMs, 0, 'f', 1);
            }
            qInfo("    statements: %s", qPrintable(kinds.join(u", "_s)));
        }
    }
};

QTEST_GUILESS_MAIN(TestBatchWriter)
#include "tst_batchwriter.moc"
