// PageParser: OData pages into COPY rows for the staging tables, with every value PostgreSQL
// would refuse caught here as a reject that names the field, the value and what was expected.
#include "reso/FieldCatalog.h"
#include "reso/Timestamp.h"
#include "sim/FeedData.h"
#include "sim/JsonWriter.h"
#include "sim/RecordGenerator.h"
#include "sync/PageParser.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <ctime>
#include <optional>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;
using sync::PageError;
using sync::PageParser;
using sync::ParsedPage;

namespace {

/// A COPY column: std::nullopt is `\N`.
using Column = std::optional<QByteArray>;

/// Undoes COPY text-format escaping (the parser only ever writes \\, \t, \n, \r and \N).
Column copyUnescape(const QByteArray &field) {
    if (field == "\\N")
        return std::nullopt;
    QByteArray out;
    out.reserve(field.size());
    for (qsizetype i = 0; i < field.size(); ++i) {
        const char c = field[i];
        if (c != '\\' || i + 1 == field.size()) {
            out += c;
            continue;
        }
        switch (field[++i]) {
        case 't':
            out += '\t';
            break;
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case '\\':
            out += '\\';
            break;
        default:
            out += '\\';
            out += field[i];
        }
    }
    return out;
}

QList<Column> copyColumns(const QByteArray &line) {
    QList<Column> columns;
    for (const QByteArray &field : line.split('\t'))
        columns.append(copyUnescape(field));
    return columns;
}

qsizetype columnIndex(Resource resource, QStringView name) {
    const auto &columns = reso::FieldCatalog::columns(resource);
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (columns[i].field.name == name)
            return i;
    }
    return -1;
}

QByteArray shown(const Column &c) {
    return c ? *c : QByteArray("\\N");
}

/// The top-level keys of a JSON object as they stand in it (escapes kept), in order.
QList<QByteArray> topLevelKeys(const QByteArray &json) {
    QList<QByteArray> keys;
    int depth = 0;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == '"') {
            const qsizetype start = i + 1;
            for (++i; i < json.size() && json[i] != '"'; ++i) {
                if (json[i] == '\\')
                    ++i;
            }
            qsizetype next = i + 1;
            while (next < json.size() && QChar::isSpace(uchar(json[next])))
                ++next;
            if (depth == 1 && next < json.size() && json[next] == ':')
                keys.append(json.mid(start, i - start));
        }
    }
    return keys;
}

/// Whether `json`'s top-level keys (none escaped) stand in jsonb's order: shorter first,
/// then bytewise.
bool inJsonbKeyOrder(const QByteArray &json) {
    const QList<QByteArray> keys = topLevelKeys(json);
    for (qsizetype i = 1; i < keys.size(); ++i) {
        const QByteArray &a = keys[i - 1];
        const QByteArray &b = keys[i];
        if (a.size() > b.size() || (a.size() == b.size() && a > b))
            return false;
    }
    return true;
}

/// The same JSON value, whatever the order of members and the whitespace between them.
bool sameJson(const QByteArray &a, const QByteArray &b) {
    QJsonParseError errorA, errorB;
    const QJsonDocument docA = QJsonDocument::fromJson(a, &errorA);
    const QJsonDocument docB = QJsonDocument::fromJson(b, &errorB);
    return errorA.error == QJsonParseError::NoError && errorB.error == QJsonParseError::NoError &&
           docA == docB;
}

// --- the simulator's pages ---------------------------------------------------------------

struct SimPage {
    QByteArray body;
    std::vector<QByteArray> records; ///< each record's JSON exactly as in the body
    std::vector<sim::Record> fields;
    std::vector<qint64> modifiedUsecs;
};

const QByteArray kNextLink = "https://sim.example/Property?$skip=100&$top=100";

SimPage simulatorPage(Resource resource, std::size_t count, quint64 seed = 1) {
    sim::SimulatorOptions options;
    options.seed = seed;
    // Enough listings for `count` records: about 25 photos and 6 rooms per listing; open
    // houses only for active ones.
    const int listings = resource == Resource::Property    ? int(count)
                         : resource == Resource::OpenHouse ? int(count) * 4
                                                           : int(count) / 4;
    options.properties = std::max(40, listings);
    const sim::FeedData data(options);
    const sim::RecordGenerator generator(data);
    SimPage page;
    page.body = R"({"@odata.context":"x","value":[)";
    for (const sim::RecordState &state : data.records(resource)) {
        if (page.records.size() == count)
            break;
        if (!state.alive)
            continue;
        sim::Record record = generator.generate(resource, state);
        QByteArray json;
        sim::JsonWriter::appendRecord(json, record);
        if (!page.records.empty())
            page.body += ',';
        page.body += json;
        page.records.push_back(json);
        page.fields.push_back(std::move(record));
        page.modifiedUsecs.push_back(state.modifiedUsecs);
    }
    page.body += R"(],"@odata.nextLink":")" + kNextLink + "\"}";
    return page;
}

const sim::FieldValue *fieldOf(const sim::Record &record, QStringView name) {
    for (const sim::Field &field : record) {
        if (field.name == name)
            return &field.value;
    }
    return nullptr;
}

/// What the column should hold for a simulator value, written independently of the parser.
Column expectedColumn(const sim::FieldValue &value) {
    return std::visit(
        [](const auto &v) -> Column {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return std::nullopt;
            } else if constexpr (std::is_same_v<T, bool>) {
                return QByteArray(v ? "t" : "f");
            } else if constexpr (std::is_same_v<T, sim::Number>) {
                return v.text;
            } else if constexpr (std::is_same_v<T, QString>) {
                return v.toUtf8();
            } else if constexpr (std::is_same_v<T, reso::Timestamp>) {
                return v.toUtf8();
            } else if constexpr (std::is_same_v<T, sim::Date>) {
                return reso::formatDate(v.days).toUtf8();
            } else if constexpr (std::is_same_v<T, QStringList>) {
                QByteArray literal = "{";
                for (qsizetype i = 0; i < v.size(); ++i) {
                    QByteArray element = v[i].toUtf8();
                    element.replace("\\", "\\\\").replace("\"", "\\\"");
                    literal += (i > 0 ? ",\"" : "\"") + element + '"';
                }
                return literal + '}';
            }
        },
        value);
}

// --- hand-written records ---
// (moc reads raw string literals as ordinary ones: those holding \" or ' are spelled
// out.)-------------------------------------------------------------

/// A valid record of `resource` with `members` (raw JSON members) appended: a member named
/// twice is read last-wins, as jsonb does, so `members` can override the base fields.
QByteArray record(Resource resource, QByteArrayView members = {}, QByteArrayView key = "1") {
    QByteArray json;
    switch (resource) {
    case Resource::Property:
        json = R"({"ListingKey":"L)" + key.toByteArray() + R"(","StandardStatus":"Active")";
        break;
    case Resource::Media:
        json = R"({"MediaKey":"M)" + key.toByteArray() + R"(","ResourceRecordKey":"L1")";
        break;
    case Resource::PropertyRooms:
        json = R"({"RoomKey":"R)" + key.toByteArray() + R"(","ListingKey":"L1")";
        break;
    case Resource::OpenHouse:
        json = R"({"OpenHouseKey":"OH)" + key.toByteArray() + R"(","ListingKey":"L1")";
        break;
    }
    json += R"(,"ModificationTimestamp":"2024-01-02T03:04:05.678Z")";
    if (!members.isEmpty())
        json += ',' + members.toByteArray();
    return json + '}';
}

/// A record without one of the base fields, for the "missing" rejects.
QByteArray recordWithout(Resource resource, const QByteArray &member) {
    QByteArray json = record(resource);
    const qsizetype at = json.indexOf(member);
    Q_ASSERT(at > 0);
    qsizetype end = json.indexOf(',', at);
    if (end < 0)
        end = json.size() - 1;
    else
        ++end;
    json.remove(at, end - at);
    if (json.endsWith(",}"))
        json.remove(json.size() - 2, 1);
    return json;
}

QByteArray pageOf(const QList<QByteArray> &records) {
    return R"({"value":[)" + records.join(',') + "]}";
}

ParsedPage mustParse(PageParser &parser, Resource resource, const QByteArray &body) {
    ParsedPage page;
    PageError error;
    if (!parser.parse(resource, body, &page, &error))
        qWarning().noquote() << "page refused:" << error.message;
    return page;
}

} // namespace

class TestPageParser final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesEverySimulatorRecord_data() {
        QTest::addColumn<int>("resource");
        QTest::addColumn<int>("count");
        QTest::newRow("a Property page of 300 listings parses every record")
            << int(Resource::Property) << 300;
        QTest::newRow("a Media page of 1000 photos parses every record")
            << int(Resource::Media) << 1000;
        QTest::newRow("a PropertyRooms page of 500 rooms parses every record")
            << int(Resource::PropertyRooms) << 500;
        QTest::newRow("an OpenHouse page of 100 open houses parses every record")
            << int(Resource::OpenHouse) << 100;
    }
    void parsesEverySimulatorRecord() {
        QFETCH(int, resource);
        QFETCH(int, count);
        const auto r = Resource(resource);
        const SimPage sim = simulatorPage(r, std::size_t(count));
        QCOMPARE(sim.records.size(), std::size_t(count));

        PageParser parser;
        ParsedPage page;
        PageError error;
        QVERIFY2(parser.parse(r, sim.body, &page, &error), qPrintable(error.message));
        QCOMPARE(page.resource, r);
        QCOMPARE(page.bytes, sim.body.size());
        QCOMPARE(page.nextLink, kNextLink);
        QCOMPARE(page.count, -1);
        for (const sync::RejectedRecord &reject : page.rejects)
            qWarning().noquote() << reject.reason << reject.payload;
        QCOMPARE(page.rejects.size(), std::size_t(0));
        QCOMPARE(page.records.size(), sim.records.size());

        const reso::ResourceInfo &info = reso::resourceInfo(r);
        const auto &catalog = reso::FieldCatalog::columns(r);
        for (std::size_t i = 0; i < page.records.size(); ++i) {
            const sync::ParsedRecord &parsed = page.records[i];
            const sim::Record &fields = sim.fields[i];
            QCOMPARE(parsed.key,
                     std::get<QString>(*fieldOf(fields, QString(info.keyField))).toUtf8());
            if (info.parentKeyField.isEmpty()) {
                QVERIFY(parsed.parentKey.isEmpty());
            } else {
                QCOMPARE(
                    parsed.parentKey,
                    std::get<QString>(*fieldOf(fields, QString(info.parentKeyField))).toUtf8());
            }
            QCOMPARE(parsed.modifiedUsecs, sim.modifiedUsecs[i]);

            QVERIFY(!parsed.copyLine.contains('\n'));
            QVERIFY(!parsed.copyLine.contains('\r'));
            const QList<Column> columns = copyColumns(parsed.copyLine);
            QCOMPARE(columns.size(), catalog.size() + 1);
            // The record column: the record's members, in jsonb's key order.
            QVERIFY(sameJson(shown(columns.last()), sim.records[i]));
            QVERIFY2(inJsonbKeyOrder(shown(columns.last())), columns.last()->constData());
            QCOMPARE(shown(columns.last()).size(), sim.records[i].size()); // no byte lost
            for (qsizetype c = 0; c < catalog.size(); ++c) {
                const QString &name = catalog[c].field.name;
                const sim::FieldValue *value = fieldOf(fields, name);
                if (!value && name == "ContractStatus"_L1)
                    value = fieldOf(fields, u"StandardStatus");
                const Column expected = value ? expectedColumn(*value) : std::nullopt;
                QVERIFY2(columns[c] == expected, qPrintable(u"%1 of %2: %3 instead of %4"_s.arg(
                                                     name, QString::fromUtf8(parsed.key),
                                                     QString::fromUtf8(shown(columns[c])),
                                                     QString::fromUtf8(shown(expected)))));
            }
        }
    }

    void convertsColumnValues_data() {
        QTest::addColumn<int>("resource");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QByteArray>("members");
        QTest::addColumn<QByteArray>("expected"); // \N for NULL

        const int p = int(Resource::Property), m = int(Resource::Media);
        const int rooms = int(Resource::PropertyRooms), oh = int(Resource::OpenHouse);
        // text
        QTest::newRow("a string is stored unescaped")
            << p << u"PublicRemarks"_s
            << QByteArray("\"PublicRemarks\":\"say \\\"hi\\\" \\\\ now\"")
            << QByteArray(R"(say "hi" \ now)");
        QTest::newRow("unicode escapes become UTF-8, surrogate pairs included")
            << p << u"City"_s << QByteArray(R"("City":"Caf\u00e9 \ud83c\udfe1")")
            << QByteArray("Café 🏡");
        QTest::newRow("raw UTF-8 passes through")
            << p << u"City"_s << QByteArray(R"("City":"日当たり Königs")")
            << QByteArray("日当たり Königs");
        QTest::newRow("a number in a text column keeps its token")
            << p << u"StreetNumber"_s << QByteArray(R"("StreetNumber":1.50E+3)")
            << QByteArray("1.50E+3");
        QTest::newRow("a boolean in a text column keeps its token")
            << p << u"StreetName"_s << QByteArray(R"("StreetName":false)") << QByteArray("false");
        QTest::newRow("null text is NULL")
            << p << u"City"_s << QByteArray(R"("City":null)") << QByteArray("\\N");
        QTest::newRow("an absent field is NULL")
            << p << u"City"_s << QByteArray() << QByteArray("\\N");
        QTest::newRow("an empty string is an empty string, not NULL")
            << p << u"City"_s << QByteArray(R"("City":"")") << QByteArray("");
        QTest::newRow("a field named twice keeps the last value, as jsonb does")
            << p << u"City"_s << QByteArray(R"("City":"First","City":"Second")")
            << QByteArray("Second");
        QTest::newRow("fields outside the catalog are left to the record")
            << p << u"City"_s
            << QByteArray(R"("CityRegion":"Elsewhere","Foo":{"a":[1,2.5e3,null]})")
            << QByteArray("\\N");
        // bigint
        QTest::newRow("a bigint keeps its digits")
            << p << u"BedroomsTotal"_s << QByteArray(R"("BedroomsTotal":3)") << QByteArray("3");
        QTest::newRow("the largest bigint fits")
            << p << u"YearBuilt"_s << QByteArray(R"("YearBuilt":9223372036854775807)")
            << QByteArray("9223372036854775807");
        QTest::newRow("the smallest bigint fits")
            << p << u"YearBuilt"_s << QByteArray(R"("YearBuilt":-9223372036854775808)")
            << QByteArray("-9223372036854775808");
        QTest::newRow("a Media Order is a bigint")
            << m << u"Order"_s << QByteArray(R"("Order":12)") << QByteArray("12");
        // numeric(p,s)
        QTest::newRow("a decimal keeps its exact text, trailing zero included")
            << p << u"ListPrice"_s << QByteArray(R"("ListPrice":459900.10)")
            << QByteArray("459900.10");
        QTest::newRow("a decimal with an exponent is passed on for PostgreSQL to read")
            << p << u"ListPrice"_s << QByteArray(R"("ListPrice":4.5999E5)")
            << QByteArray("4.5999E5");
        QTest::newRow("a decimal just below its precision after rounding fits")
            << p << u"ListPrice"_s << QByteArray(R"("ListPrice":999999999999.994)")
            << QByteArray("999999999999.994");
        QTest::newRow("a negative coordinate fits numeric(12,8)")
            << p << u"Longitude"_s << QByteArray(R"("Longitude":-122.41941550)")
            << QByteArray("-122.41941550");
        QTest::newRow("a tiny decimal rounds to zero and fits")
            << p << u"Latitude"_s << QByteArray(R"("Latitude":1e-20)") << QByteArray("1e-20");
        QTest::newRow("a room length is numeric")
            << rooms << u"RoomLength"_s << QByteArray(R"("RoomLength":12.5)") << QByteArray("12.5");
        // boolean
        QTest::newRow("true is t") << m << u"PreferredPhotoYN"_s
                                   << QByteArray(R"("PreferredPhotoYN":true)") << QByteArray("t");
        QTest::newRow("false is f")
            << oh << u"AppointmentRequiredYN"_s << QByteArray(R"("AppointmentRequiredYN":false)")
            << QByteArray("f");
        // timestamptz
        QTest::newRow("a timestamp without fraction gets milliseconds")
            << p << u"ModificationTimestamp"_s
            << QByteArray(R"("ModificationTimestamp":"2021-05-21T06:28:34Z")")
            << QByteArray("2021-05-21T06:28:34.000Z");
        QTest::newRow("an offset timestamp is converted to UTC")
            << p << u"OriginalEntryTimestamp"_s
            << QByteArray(R"("OriginalEntryTimestamp":"2021-05-21T08:28:34.5+02:00")")
            << QByteArray("2021-05-21T06:28:34.500Z");
        QTest::newRow("seven fraction digits keep exactly the microseconds")
            << oh << u"OpenHouseStartTime"_s
            << QByteArray(R"("OpenHouseStartTime":"2021-05-21T06:28:34.1234567Z")")
            << QByteArray("2021-05-21T06:28:34.123456Z");
        // date
        QTest::newRow("a date is kept as is")
            << p << u"ListingContractDate"_s << QByteArray(R"("ListingContractDate":"2024-02-29")")
            << QByteArray("2024-02-29");
        // text[]
        QTest::newRow("an array of strings becomes a text[] literal")
            << m << u"Permission"_s << QByteArray(R"("Permission":["Public","Private"])")
            << QByteArray(R"({"Public","Private"})");
        QTest::newRow("an empty array is an empty text[]")
            << m << u"Permission"_s << QByteArray(R"("Permission":[])") << QByteArray("{}");
        QTest::newRow("quotes, backslashes, commas and braces in elements are escaped")
            << m << u"Permission"_s
            << QByteArray("\"Permission\":[\"a\\\"b\",\"c\\\\d\",\"e,{f}\"]")
            << QByteArray("{\"a\\\"b\",\"c\\\\d\",\"e,{f}\"}");
        QTest::newRow("a null element stays NULL and the word NULL stays text")
            << m << u"Permission"_s << QByteArray(R"("Permission":["NULL",null])")
            << QByteArray(R"({"NULL",NULL})");
        QTest::newRow("an older comma-separated string is split into the array")
            << rooms << u"RoomFeatures"_s
            << QByteArray(R"("RoomFeatures":"Fireplace, Walk-In Closet,Vaulted")")
            << QByteArray(R"({"Fireplace","Walk-In Closet","Vaulted"})");
        QTest::newRow("an empty comma-separated string is an empty text[]")
            << rooms << u"RoomFeatures"_s << QByteArray(R"("RoomFeatures":"")") << QByteArray("{}");
        QTest::newRow("a null collection is NULL")
            << rooms << u"RoomFeatures"_s << QByteArray(R"("RoomFeatures":null)")
            << QByteArray("\\N");
        // ContractStatus
        QTest::newRow("ContractStatus falls back to StandardStatus when absent")
            << p << u"ContractStatus"_s << QByteArray() << QByteArray("Active");
        QTest::newRow("ContractStatus falls back to StandardStatus when null")
            << p << u"ContractStatus"_s << QByteArray(R"("ContractStatus":null)")
            << QByteArray("Active");
        QTest::newRow("ContractStatus is the record's own when present")
            << p << u"ContractStatus"_s << QByteArray(R"("ContractStatus":"UnderContract")")
            << QByteArray("UnderContract");
        QTest::newRow("ContractStatus is NULL when StandardStatus is null too")
            << p << u"ContractStatus"_s << QByteArray(R"("StandardStatus":null)")
            << QByteArray("\\N");
    }
    void convertsColumnValues() {
        QFETCH(int, resource);
        QFETCH(QString, column);
        QFETCH(QByteArray, members);
        QFETCH(QByteArray, expected);
        const auto r = Resource(resource);
        const QByteArray json = record(r, members);
        PageParser parser;
        const ParsedPage page = mustParse(parser, r, pageOf({json}));
        for (const sync::RejectedRecord &reject : page.rejects)
            qWarning().noquote() << reject.reason;
        QCOMPARE(page.records.size(), std::size_t(1));
        const QList<Column> columns = copyColumns(page.records[0].copyLine);
        const qsizetype at = columnIndex(r, column);
        QVERIFY(at >= 0);
        QCOMPARE(columns.size(), reso::FieldCatalog::columns(r).size() + 1);
        QCOMPARE(QString::fromUtf8(shown(columns[at])), QString::fromUtf8(expected));
        QVERIFY2(sameJson(shown(columns.last()), json), columns.last()->constData());
    }

    void rejectsRecordsPostgresWouldRefuse_data() {
        QTest::addColumn<int>("resource");
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("reason"); // a fragment of the reason
        QTest::addColumn<QByteArray>("key");

        const int p = int(Resource::Property), m = int(Resource::Media);
        const int rooms = int(Resource::PropertyRooms), oh = int(Resource::OpenHouse);
        const auto prop = [](const char *members) { return record(Resource::Property, members); };
        const auto media = [](const char *members) { return record(Resource::Media, members); };
        // bigint
        QTest::newRow("a bigint with a fraction is refused")
            << p << prop(R"("BedroomsTotal":3.5)")
            << u"BedroomsTotal = 3.5: expected a whole number without fraction"_s
            << QByteArray("L1");
        QTest::newRow("a bigint with an exponent is refused")
            << p << prop(R"("BedroomsTotal":1e2)") << u"BedroomsTotal = 1e2: expected a whole"_s
            << QByteArray("L1");
        QTest::newRow("a bigint past 64 bits is refused")
            << p << prop(R"("PhotosCount":9223372036854775808)")
            << u"PhotosCount = 9223372036854775808: expected a whole number within 64 bits"_s
            << QByteArray("L1");
        QTest::newRow("a bigint given as a string is refused")
            << p << prop(R"("YearBuilt":"1990")")
            << u"YearBuilt = \"1990\": expected a whole JSON number for bigint (a string given)"_s
            << QByteArray("L1");
        // numeric
        QTest::newRow("a numeric(14,2) needing 13 integer digits is refused")
            << p << prop(R"("ListPrice":1234567890123)")
            << u"ListPrice = 1234567890123: expected at most 12 digits before the decimal point "
               "(numeric(14,2))"_s
            << QByteArray("L1");
        QTest::newRow("a numeric that rounds up past its precision is refused")
            << p << prop(R"("ListPrice":999999999999.995)")
            << u"ListPrice = 999999999999.995: expected at most 12 digits"_s << QByteArray("L1");
        QTest::newRow("a numeric whose exponent takes it past its precision is refused")
            << p << prop(R"("Latitude":1.5E4)")
            << u"Latitude = 1.5E4: expected at most 4 digits before the decimal point "
               "(numeric(12,8))"_s
            << QByteArray("L1");
        QTest::newRow("a numeric given as a string is refused")
            << p << prop(R"("ListPrice":"459900")")
            << u"ListPrice = \"459900\": expected a JSON number for numeric(14,2) "
               "(a string given)"_s
            << QByteArray("L1");
        // boolean
        QTest::newRow("a boolean given as a string is refused")
            << m << media(R"("PreferredPhotoYN":"yes")")
            << u"PreferredPhotoYN = \"yes\": expected true or false (a string given)"_s
            << QByteArray("M1");
        QTest::newRow("a boolean given as a number is refused")
            << m << media(R"("PreferredPhotoYN":1)")
            << u"PreferredPhotoYN = 1: expected true or false (a number given)"_s
            << QByteArray("M1");
        // timestamptz
        QTest::newRow("a ModificationTimestamp in month 13 is refused")
            << p << prop(R"("ModificationTimestamp":"2024-13-01T00:00:00Z")")
            << u"ModificationTimestamp = \"2024-13-01T00:00:00Z\": expected an Edm.DateTimeOffset"_s
            << QByteArray("L1");
        QTest::newRow("a timestamp that is a word is refused")
            << p << prop(R"("OriginalEntryTimestamp":"yesterday")")
            << u"OriginalEntryTimestamp = \"yesterday\": expected an Edm.DateTimeOffset"_s
            << QByteArray("L1");
        QTest::newRow("a timestamp in year zero, which PostgreSQL lacks, is refused")
            << p << prop(R"("PhotosChangeTimestamp":"0000-06-01T00:00:00Z")")
            << u"PhotosChangeTimestamp = \"0000-06-01T00:00:00Z\""_s << QByteArray("L1");
        QTest::newRow("a timestamp given as epoch seconds is refused")
            << oh << record(Resource::OpenHouse, R"("OpenHouseEndTime":1700000000)")
            << u"OpenHouseEndTime = 1700000000: expected an Edm.DateTimeOffset string (a number "
               "given)"_s
            << QByteArray("OH1");
        // date
        QTest::newRow("February 30th is refused")
            << p << prop(R"("CloseDate":"2024-02-30")")
            << u"CloseDate = \"2024-02-30\": expected an Edm.Date such as 2024-05-21"_s
            << QByteArray("L1");
        QTest::newRow("a date without dashes is refused")
            << p << prop(R"("OnMarketDate":"20240101")") << u"OnMarketDate = \"20240101\""_s
            << QByteArray("L1");
        QTest::newRow("a date with a time is refused")
            << oh << record(Resource::OpenHouse, R"("OpenHouseDate":"2024-01-01T10:00:00Z")")
            << u"OpenHouseDate = \"2024-01-01T10:00:00Z\": expected an Edm.Date"_s
            << QByteArray("OH1");
        // NUL and surrogates
        QTest::newRow("a NUL character in a text column is refused, naming the field")
            << p << prop(R"("PublicRemarks":"a\u0000b")")
            << u"PublicRemarks = \"a\\u0000b\": expected text without U+0000"_s << QByteArray("L1");
        QTest::newRow("a NUL character in a collection is refused")
            << m << media(R"("Permission":["Pub\u0000lic"])")
            << u"Permission = \"Pub\\u0000lic\": expected text without U+0000"_s
            << QByteArray("M1");
        QTest::newRow("a NUL escape outside the columns is refused, since jsonb refuses it")
            << p << prop(R"("Foo":"x\u0000")") << u"holds the escape \\u0000"_s << QByteArray("L1");
        QTest::newRow("an unpaired high surrogate is refused")
            << p << prop(R"("Foo":"\ud83c")") << u"unpaired UTF-16 surrogate"_s << QByteArray("L1");
        QTest::newRow("an unpaired low surrogate is refused")
            << p << prop(R"("Foo":["\udfe1"])") << u"unpaired UTF-16 surrogate"_s
            << QByteArray("L1");
        QTest::newRow("a high surrogate followed by a letter is refused")
            << p << prop(R"("Foo":{"k":"\ud83cx"})") << u"unpaired UTF-16 surrogate"_s
            << QByteArray("L1");
        QTest::newRow("an escaped backslash before u0000 is text, not a NUL")
            << p << prop(R"("Foo":"\\u0000","BedroomsTotal":"x")") << u"BedroomsTotal = \"x\""_s
            << QByteArray("L1");
        // keys, parents, cursor
        QTest::newRow("a Property without ListingKey is refused")
            << p << recordWithout(Resource::Property, R"("ListingKey":"L1")")
            << u"ListingKey is missing: every Property record needs its key"_s << QByteArray();
        QTest::newRow("an empty key is refused")
            << p << prop(R"("ListingKey":"")") << u"ListingKey is empty"_s << QByteArray();
        QTest::newRow("a null key is refused")
            << rooms << record(Resource::PropertyRooms, R"("RoomKey":null)") << u"RoomKey is null"_s
            << QByteArray();
        QTest::newRow("a photo without its listing is refused")
            << m << recordWithout(Resource::Media, R"("ResourceRecordKey":"L1")")
            << u"ResourceRecordKey is missing: a Media record names its listing there"_s
            << QByteArray("M1");
        QTest::newRow("a room with a null listing is refused")
            << rooms << record(Resource::PropertyRooms, R"("ListingKey":null)")
            << u"ListingKey is null"_s << QByteArray("R1");
        QTest::newRow("an open house with an empty listing is refused")
            << oh << record(Resource::OpenHouse, R"("ListingKey":"")") << u"ListingKey is empty"_s
            << QByteArray("OH1");
        QTest::newRow("a record without ModificationTimestamp is refused")
            << p
            << recordWithout(Resource::Property,
                             R"("ModificationTimestamp":"2024-01-02T03:04:05.678Z")")
            << u"ModificationTimestamp is missing"_s << QByteArray("L1");
        QTest::newRow("a null ModificationTimestamp is refused")
            << m << media(R"("ModificationTimestamp":null)") << u"ModificationTimestamp is null"_s
            << QByteArray("M1");
        // wrong shapes
        QTest::newRow("an object in a text column is refused")
            << p << prop(R"("City":{"name":"Springfield"})")
            << u"City = {…}: expected a string for text (an object given)"_s << QByteArray("L1");
        QTest::newRow("an array of objects for a collection is refused")
            << m << media(R"("Permission":[{"a":1}])")
            << u"Permission = {…}: expected an array of strings (text[]), not of an object"_s
            << QByteArray("M1");
        QTest::newRow("a number for a collection is refused")
            << m << media(R"("Permission":5)")
            << u"Permission = 5: expected an array of strings for text[] (a number given)"_s
            << QByteArray("M1");
        QTest::newRow("several bad values are all named")
            << p << prop(R"("BedroomsTotal":"two","ListPrice":true)")
            << u"BedroomsTotal = \"two\": expected a whole JSON number for bigint (a string "
               "given); ListPrice = true"_s
            << QByteArray("L1");
        // JSON that simdjson skips without validating, and jsonb refuses
        QTest::newRow("a number with a leading zero in another field is refused")
            << p << prop(R"("Foo":01)") << u"the record is not valid JSON at field Foo"_s
            << QByteArray("L1");
        QTest::newRow("a misspelled atom is refused")
            << p << prop(R"("Foo":[tru])") << u"the record is not valid JSON at field Foo"_s
            << QByteArray("L1");
        QTest::newRow("a lone minus sign deep inside is refused")
            << p << prop(R"("Foo":{"a":[1,{"b":-}]})")
            << u"the record is not valid JSON at field Foo"_s << QByteArray("L1");
        QTest::newRow("a malformed number in a column is refused")
            << p << prop(R"("ListPrice":1.)")
            << u"the record is not valid JSON at field ListPrice"_s << QByteArray("L1");
        QTest::newRow("a number past what jsonb can store is refused")
            << p << prop(R"("Foo":1e200000)")
            << u"Foo = 1e200000: expected a number PostgreSQL can store"_s << QByteArray("L1");
        QTest::newRow("a number with too many decimals for jsonb is refused")
            << p << prop(R"("Foo":[1e-16384])")
            << u"Foo = 1e-16384: expected a number PostgreSQL can store"_s << QByteArray("L1");
        QTest::newRow("a record that is a number is refused")
            << p << QByteArray("42") << u"the record is a number, not a JSON object: 42"_s
            << QByteArray();
        QTest::newRow("a record that is an array is refused")
            << m << QByteArray(R"(["MediaKey","M1"])")
            << u"the record is an array, not a JSON object"_s << QByteArray();
        QTest::newRow("a record that is null is refused")
            << rooms << QByteArray("null") << u"the record is null, not a JSON object"_s
            << QByteArray();
    }
    void rejectsRecordsPostgresWouldRefuse() {
        QFETCH(int, resource);
        QFETCH(QByteArray, json);
        QFETCH(QString, reason);
        QFETCH(QByteArray, key);
        const auto r = Resource(resource);
        // The bad record sits between two good ones, which still land.
        const QByteArray before = record(r, {}, "100");
        const QByteArray after = record(r, {}, "200");
        PageParser parser;
        ParsedPage page;
        PageError error;
        QVERIFY2(parser.parse(r, pageOf({before, json, after}), &page, &error),
                 qPrintable(error.message));
        QCOMPARE(page.records.size(), std::size_t(2));
        QVERIFY(sameJson(shown(copyColumns(page.records[0].copyLine).last()), before));
        QVERIFY(sameJson(shown(copyColumns(page.records[1].copyLine).last()), after));
        QCOMPARE(page.rejects.size(), std::size_t(1));
        const sync::RejectedRecord &reject = page.rejects[0];
        QVERIFY2(reject.reason.contains(reason),
                 qPrintable(u"reason: %1\nexpected: %2"_s.arg(reject.reason, reason)));
        QCOMPARE(reject.payload, json);
        QCOMPARE(reject.key, key);
    }

    void escapesValuesAndRawJsonForCopy_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("remarks"); // the PublicRemarks column, unescaped

        QTest::newRow("tabs, newlines and carriage returns in a value")
            << record(Resource::Property, R"("PublicRemarks":"a\tb\nc\rd")")
            << QByteArray("a\tb\nc\rd");
        QTest::newRow("backslashes and quotes in a value")
            << record(Resource::Property,
                      "\"PublicRemarks\":\"C:\\\\listing\\\\ \\\"q\\\" end \\\\\"")
            << QByteArray(R"(C:\listing\ "q" end \)");
        QTest::newRow("text that looks like COPY's NULL marker stays text")
            << record(Resource::Property, R"("PublicRemarks":"\\N")") << QByteArray("\\N");
        QTest::newRow("unicode, escaped and raw")
            << record(Resource::Property, R"("PublicRemarks":"🏡 \u65e5 café \u2014 \/")")
            << QByteArray("🏡 日 café — /");
        QTest::newRow("control characters other than tab and newline pass through")
            << record(Resource::Property, R"("PublicRemarks":"bell\u0007 \b\f")")
            << QByteArray("bell\x07 \b\f");
        QTest::newRow("a pretty-printed record keeps its tabs and newlines in record")
            << QByteArray("{\n\t\"ListingKey\" : \"L1\",\r\n\t\"ModificationTimestamp\":\t"
                          "\"2024-01-02T03:04:05.678Z\",\n\t\"PublicRemarks\": \"x\\ty\"\n}")
            << QByteArray("x\ty");
    }
    void escapesValuesAndRawJsonForCopy() {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, remarks);
        PageParser parser;
        // Whitespace around the record in the page is not part of it.
        const QByteArray body = "{ \"value\" : [ \n " + json + " \n\t] }\n";
        const ParsedPage page = mustParse(parser, Resource::Property, body);
        QCOMPARE(page.rejects.size(), std::size_t(0));
        QCOMPARE(page.records.size(), std::size_t(1));
        const QByteArray &line = page.records[0].copyLine;
        QVERIFY(!line.contains('\n'));
        QVERIFY(!line.contains('\r'));
        const auto &catalog = reso::FieldCatalog::columns(Resource::Property);
        QCOMPARE(line.count('\t'), catalog.size());
        const QList<Column> columns = copyColumns(line);
        QCOMPARE(shown(columns[columnIndex(Resource::Property, u"PublicRemarks")]), remarks);
        QVERIFY(sameJson(shown(columns.last()), json));
    }

    void ordersRecordMembersAsJsonbDoes_data() {
        QTest::addColumn<QByteArray>("received");
        QTest::addColumn<QByteArray>("stored"); // the record column, unescaped
        const QByteArray stamp = R"("ModificationTimestamp":"2024-01-02T03:04:05.678Z")";
        const QByteArray base = R"("MediaKey":"M1","ResourceRecordKey":"L1",)" + stamp;
        QTest::newRow("shorter keys first, then bytewise")
            << R"({"Order":1,"ImageWidth":640,)" + base + R"(,"MediaURL":"u"})"
            << R"({"Order":1,"MediaKey":"M1","MediaURL":"u","ImageWidth":640,)"
               R"("ResourceRecordKey":"L1",)" +
                   stamp + "}";
        QTest::newRow("whitespace between members goes, inside a member it stays")
            << "{ \"Permission\" : [ \"a\", \"b\" ] ,\n\t" + base + " }"
            << R"({"MediaKey":"M1","Permission" : [ "a", "b" ],"ResourceRecordKey":"L1",)" + stamp +
                   "}";
        QTest::newRow("nested objects are left as they are")
            << "{" + base + R"(,"X":{"b":1,"a":2}})"
            << R"({"X":{"b":1,"a":2},)" + base + "}";
        QTest::newRow("a key given twice keeps its order, so the last still wins")
            << "{" + base + R"(,"Order":1,"Order":2})"
            << R"({"Order":1,"Order":2,)" + base + "}";
        QTest::newRow("escaped keys sort by what they say")
            << "{" + base + R"(,"B":2,"AA":3,"\u0041":1})"
            << R"({"\u0041":1,"B":2,"AA":3,)" + base + "}";
        QTest::newRow("UTF-8 after ASCII of the same length (bytewise)")
            << "{" + base + R"(,"é":1,"zz":2})"
            << R"({"zz":2,"é":1,)" + base + "}";
        QTest::newRow("already in order: the bytes as received")
            << R"({ "MediaKey" : "M1",  "ResourceRecordKey":"L1" ,)" + stamp + " }"
            << R"({ "MediaKey" : "M1",  "ResourceRecordKey":"L1" ,)" + stamp + " }";
        QTest::newRow("tabs and newlines inside a member are still escaped for COPY")
            << "{" + base + ",\"A\":\"x\\ty\",\"Order\"\t:\n2}"
            << "{\"A\":\"x\\ty\",\"Order\"\t:\n2," + base + "}";
    }
    void ordersRecordMembersAsJsonbDoes() {
        QFETCH(QByteArray, received);
        QFETCH(QByteArray, stored);
        PageParser parser;
        const ParsedPage page = mustParse(parser, Resource::Media, pageOf({received}));
        QCOMPARE(page.rejects.size(), std::size_t(0));
        QCOMPARE(page.records.size(), std::size_t(1));
        const QByteArray &line = page.records[0].copyLine;
        QVERIFY(!line.contains('\n'));
        QCOMPARE(line.count('\t'), reso::FieldCatalog::columns(Resource::Media).size());
        QCOMPARE(shown(copyColumns(line).last()), stored);
    }

    void keepsDuplicateKeysAsSeparateRecords() {
        const QByteArray first = record(Resource::Media, R"("Order":1)");
        const QByteArray second = record(Resource::Media, R"("Order":2)");
        PageParser parser;
        const ParsedPage page = mustParse(parser, Resource::Media, pageOf({first, second}));
        QCOMPARE(page.records.size(), std::size_t(2));
        QCOMPARE(page.records[0].key, QByteArray("M1"));
        QCOMPARE(page.records[1].key, QByteArray("M1"));
        QVERIFY(sameJson(shown(copyColumns(page.records[0].copyLine).last()), first));
        QVERIFY(sameJson(shown(copyColumns(page.records[1].copyLine).last()), second));
    }

    void readsNextLinkAndCount_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("nextLink");
        QTest::addColumn<qint64>("count");
        QTest::addColumn<int>("records");

        const QByteArray one = record(Resource::Property);
        QTest::newRow("a last page has no nextLink and no count")
            << QByteArray(R"({"value":[]})") << QByteArray() << qint64(-1) << 0;
        QTest::newRow("the nextLink is returned unescaped, otherwise verbatim")
            << QByteArray("{\"value\":[],\"@odata.nextLink\":\"https:\\/\\/h\\/"
                          "Property?$skip=5\\u0026$top=5&"
                          "$filter=City%20eq%20'A'\"}")
            << QByteArray("https://h/Property?$skip=5&$top=5&$filter=City%20eq%20'A'") << qint64(-1)
            << 0;
        QTest::newRow("a null nextLink means the last page")
            << QByteArray(R"({"value":[],"@odata.nextLink":null})") << QByteArray() << qint64(-1)
            << 0;
        QTest::newRow("the count is read as a number")
            << QByteArray(R"({"@odata.count":123456,"value":[]})") << QByteArray() << qint64(123456)
            << 0;
        QTest::newRow("the count is read as an IEEE754Compatible string")
            << QByteArray(R"({"@odata.count":"9007199254740993","value":[]})") << QByteArray()
            << qint64(9007199254740993LL) << 0;
        QTest::newRow("members come in any order")
            << QByteArray(R"({"@odata.nextLink":"n","@odata.count":2,"value":[)" + one + "," + one +
                          R"(],"@odata.context":"metadata"})")
            << QByteArray("n") << qint64(2) << 2;
        QTest::newRow("unknown members are ignored")
            << QByteArray(R"({"@odata.context":"x","extra":{"deep":[1,{"a":null}]},"value":[)" +
                          one + "]}")
            << QByteArray() << qint64(-1) << 1;
        QTest::newRow("a UTF-8 byte order mark is skipped")
            << QByteArray("\xEF\xBB\xBF{\"value\":[" + one + "]}") << QByteArray() << qint64(-1)
            << 1;
    }
    void readsNextLinkAndCount() {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, nextLink);
        QFETCH(qint64, count);
        QFETCH(int, records);
        PageParser parser;
        ParsedPage page;
        PageError error;
        QVERIFY2(parser.parse(Resource::Property, body, &page, &error), qPrintable(error.message));
        QCOMPARE(page.nextLink, nextLink);
        QCOMPARE(page.count, count);
        QCOMPARE(page.records.size(), std::size_t(records));
        QCOMPARE(page.rejects.size(), std::size_t(0));
        QCOMPARE(page.bytes, body.size());
    }

    void refusesBrokenPages_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message"); // a fragment of the message

        QTest::newRow("an empty body") << QByteArray() << u"the response body is empty"_s;
        QTest::newRow("a body of whitespace")
            << QByteArray(" \r\n\t") << u"the response body is only whitespace"_s;
        QTest::newRow("an HTML error page from a proxy")
            << QByteArray("\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx"
                          "</body></html>")
            << u"the response is not JSON (it looks like an HTML page: <html> <head><title>502 "
               "Bad Gateway</title>"_s;
        QTest::newRow("a plain-text error")
            << QByteArray("Service Unavailable")
            << u"the response is not JSON (it starts with: Service Unavailable)"_s;
        QTest::newRow("an OData error body")
            << QByteArray(R"({"error":{"code":"InvalidFilter","message":"The $filter is bad"}})")
            << u"the server answered with an OData error instead of records: code "
               "InvalidFilter: The $filter is bad"_s;
        QTest::newRow("an OData v3 error body with a message object")
            << QByteArray(
                   R"({"error":{"code":429,"message":{"lang":"en-US","value":"Slow down"}}})")
            << u"code 429: Slow down"_s;
        QTest::newRow("an array instead of an object")
            << QByteArray("[]") << u"the response is a JSON array, not an OData object"_s;
        QTest::newRow("a single string instead of an object")
            << QByteArray(R"("hello")") << u"the response is a single JSON value"_s;
        QTest::newRow("value that is not an array")
            << QByteArray(R"({"value":3})") << u"\"value\" is a number, not an array"_s;
        QTest::newRow("an object without value")
            << QByteArray(R"({"@odata.context":"x"})") << u"has no \"value\" array"_s;
        QTest::newRow("a nextLink that is not a string")
            << QByteArray(R"({"value":[],"@odata.nextLink":5})")
            << u"@odata.nextLink is a number, not a URL string"_s;
        QTest::newRow("something after the object")
            << QByteArray(R"({"value":[]} {"value":[]})") << u"malformed JSON (25 bytes"_s;
        QTest::newRow("a missing comma between records")
            << QByteArray(R"({"value":[{"ListingKey":"L1"} {"ListingKey":"L2"}]})")
            << u"cut short or is malformed JSON"_s;
        QTest::newRow("invalid UTF-8")
            << QByteArray("{\"value\":[{\"City\":\"\xC3\x28\"}]}") << u"UTF-8"_s;

        const QByteArray real = simulatorPage(Resource::Property, 20).body;
        for (const double share : {0.0, 0.1, 0.5, 0.9, 0.999}) {
            const qsizetype cut = std::max<qsizetype>(1, qsizetype(double(real.size()) * share));
            QTest::addRow("a real page cut after %lld of %lld bytes", qlonglong(cut),
                          qlonglong(real.size()))
                << real.left(cut)
                << u"the response was cut short or is malformed JSON (%1 bytes"_s.arg(cut);
        }
        QTest::newRow("a real page missing only its last brace")
            << real.chopped(1) << u"cut short"_s;
    }
    void refusesBrokenPages() {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        PageParser parser;
        ParsedPage page;
        PageError error;
        QVERIFY(!parser.parse(Resource::Property, body, &page, &error));
        QVERIFY2(error.message.contains(message),
                 qPrintable(u"message: %1\nexpected: %2"_s.arg(error.message, message)));
        QVERIFY(page.records.empty());
        QVERIFY(page.rejects.empty());
        QVERIFY(page.nextLink.isEmpty());
        // The same parser goes on to parse good pages.
        QVERIFY(
            parser.parse(Resource::Property, pageOf({record(Resource::Property)}), &page, &error));
        QCOMPARE(page.records.size(), std::size_t(1));
    }

    void survivesRandomDamage() {
        // Truncations, byte flips, insertions and deletions of real pages: a parse either
        // fails with a message or yields well-formed rows; it never crashes (run under
        // RESOSYNC_SANITIZE to check memory too).
        struct Source {
            Resource resource;
            QByteArray body;
        };
        const std::array<Source, 2> sources{
            Source{Resource::Property, simulatorPage(Resource::Property, 8, 3).body},
            Source{Resource::Media, simulatorPage(Resource::Media, 20, 3).body}};
        QRandomGenerator rng(20240521);
        PageParser parser;
        int refused = 0, parsed = 0, rejected = 0;
        static const char kInteresting[] = "{}[],:\"\\ \t\n0123456789.eE+-tfnul\xC3\xFF\x00";
        for (int i = 0; i < 2000; ++i) {
            const Source &source = sources[std::size_t(i % 2)];
            QByteArray body = source.body;
            const int kind = int(rng.bounded(4));
            const auto pos = [&] { return qsizetype(rng.bounded(quint32(body.size()))); };
            const auto byte = [&] {
                return rng.bounded(2) ? kInteresting[rng.bounded(quint32(sizeof kInteresting))]
                                      : char(rng.bounded(256));
            };
            if (kind == 0) {
                body.truncate(pos());
            } else {
                for (int n = int(rng.bounded(1, 4)); n > 0 && !body.isEmpty(); --n) {
                    if (kind == 1)
                        body[pos()] = byte();
                    else if (kind == 2)
                        body.insert(pos(), byte());
                    else
                        body.remove(pos(), 1);
                }
            }
            ParsedPage page;
            PageError error;
            if (!parser.parse(source.resource, body, &page, &error)) {
                QVERIFY(!error.message.isEmpty());
                ++refused;
                continue;
            }
            ++parsed;
            const qsizetype columns = reso::FieldCatalog::columns(source.resource).size();
            for (const sync::ParsedRecord &r : page.records) {
                QVERIFY(!r.key.isEmpty());
                QCOMPARE(r.copyLine.count('\t'), columns);
                QVERIFY(!r.copyLine.contains('\n') && !r.copyLine.contains('\r'));
                QVERIFY(!r.copyLine.contains('\0'));
            }
            for (const sync::RejectedRecord &r : page.rejects)
                QVERIFY(!r.reason.isEmpty());
            rejected += int(page.rejects.size());
        }
        qInfo("%d damaged pages refused, %d parsed (with %d rejected records)", refused, parsed,
              rejected);
        QVERIFY(refused > 0);
        QVERIFY(parsed > 0);
    }

    void reportsParseSpeed_data() {
        QTest::addColumn<int>("resource");
        QTest::addColumn<int>("count");
        QTest::newRow("Media pages of 1000 records") << int(Resource::Media) << 1000;
        QTest::newRow("Property pages of 1000 records") << int(Resource::Property) << 1000;
    }
    void reportsParseSpeed() {
        QFETCH(int, resource);
        QFETCH(int, count);
        const auto r = Resource(resource);
        const SimPage sim = simulatorPage(r, std::size_t(count), 11);
        PageParser parser;
        ParsedPage page;
        PageError error;
        QVERIFY(parser.parse(r, sim.body, &page, &error)); // warm up
        // Wall time and this thread's CPU time: on a busy machine the second is the steadier.
        const auto cpuSeconds = [] {
            timespec t{};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
            return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
        };
        QElapsedTimer timer;
        timer.start();
        const double cpuStart = cpuSeconds();
        int pages = 0;
        while (pages < 3 || timer.elapsed() < 1000) {
            QVERIFY(parser.parse(r, sim.body, &page, &error));
            QCOMPARE(page.records.size(), sim.records.size());
            ++pages;
        }
        const double wall = double(timer.nsecsElapsed()) / 1e9;
        const double cpu = cpuSeconds() - cpuStart;
        const double records = double(pages) * double(page.records.size());
        const double megabytes = double(pages) * double(sim.body.size()) / 1e6;
        qInfo("%s, %d records of %.0f bytes: %.0f records/s, %.0f MB/s (CPU time: %.0f "
              "records/s, %.0f MB/s)",
              qPrintable(reso::resourceName(r)), count, double(sim.body.size()) / count,
              records / wall, megabytes / wall, records / cpu, megabytes / cpu);
    }
};

QTEST_GUILESS_MAIN(TestPageParser)
#include "tst_pageparser.moc"
