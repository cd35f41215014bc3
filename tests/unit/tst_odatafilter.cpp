#include "sim/ODataFilter.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using resosync::reso::FieldType;
using resosync::reso::Timestamp;
using namespace resosync::sim;

namespace {

class HashRecord final : public FieldSource {
public:
    explicit HashRecord(QHash<QString, FieldValue> fields)
        : m_fields(std::move(fields)) {}
    FieldValue field(QStringView name) const override { return m_fields.value(name.toString()); }
    QString key() const { return std::get<QString>(m_fields.value(u"ListingKey"_s)); }

private:
    QHash<QString, FieldValue> m_fields;
};

FilterSchema schema() {
    return {{u"ListingKey"_s, FieldType::String},
            {u"City"_s, FieldType::String},
            {u"ModificationTimestamp"_s, FieldType::Timestamp},
            {u"ListPrice"_s, FieldType::Decimal},
            {u"BedroomsTotal"_s, FieldType::Integer},
            {u"StandardStatus"_s, FieldType::Enum},
            {u"PreferredPhotoYN"_s, FieldType::Boolean},
            {u"CloseDate"_s, FieldType::Date},
            {u"RoomFeatures"_s, FieldType::Enum}};
}

FieldValue ts(QStringView text) {
    return *Timestamp::parse(text);
}

FieldValue num(const char *text) {
    return Number{QByteArray(text).toDouble(), QByteArray(text)};
}

FieldValue date(QStringView text) {
    return Date{*resosync::reso::parseDate(text)};
}

const FieldValue null = std::monostate();

HashRecord listing(const QString &key, FieldValue modified, FieldValue price, FieldValue beds,
                   const QString &status, FieldValue photo, FieldValue closeDate, FieldValue city,
                   FieldValue rooms) {
    return HashRecord({{u"ListingKey"_s, key},
                       {u"ModificationTimestamp"_s, std::move(modified)},
                       {u"ListPrice"_s, std::move(price)},
                       {u"BedroomsTotal"_s, std::move(beds)},
                       {u"StandardStatus"_s, status},
                       {u"PreferredPhotoYN"_s, std::move(photo)},
                       {u"CloseDate"_s, std::move(closeDate)},
                       {u"City"_s, std::move(city)},
                       {u"RoomFeatures"_s, std::move(rooms)}});
}

// Three records share one timestamp, as a bulk update leaves them, so the replication cursor
// must break the tie by key; L000000012 is one microsecond later than those three.
const QList<HashRecord> &fixture() {
    static const QList<HashRecord> records = {
        listing(u"L000000001"_s, ts(u"2023-12-31T23:59:59.999999Z"), num("250000.00"), num("3"),
                u"Active"_s, true, null, u"Springfield"_s, QStringList{u"Pantry"_s}),
        listing(u"L000000005"_s, ts(u"2024-01-01T00:00:00.001Z"), num("459900.10"), num("4"),
                u"Pending"_s, false, null, u"O'Fallon"_s, QStringList()),
        listing(u"L000000010"_s, ts(u"2024-01-01T00:00:00.001Z"), num("125000"), num("2"),
                u"Closed"_s, true, date(u"2024-02-15"), u"Springfield"_s, null),
        listing(u"L000000011"_s, ts(u"2024-01-01T00:00:00.001Z"), num("99999.99"), null,
                u"Active"_s, null, null, u"St. Louis"_s,
                QStringList{u"Pantry"_s, u"Walk-In Closet"_s}),
        listing(u"L000000012"_s, ts(u"2024-01-01T00:00:00.001001Z"), num("1000000"), num("5"),
                u"Closed"_s, false, date(u"2024-03-01"), null, null),
        listing(u"L000000020"_s, ts(u"2024-06-30T12:00:00+02:00"), num("0"), num("0"),
                u"Canceled"_s, true, null, u"Springfield"_s, null),
    };
    return records;
}

QStringList keys(std::initializer_list<int> numbers) {
    QStringList out;
    for (const int n : numbers)
        out.append(u"L%1"_s.arg(n, 9, 10, QChar(u'0')));
    return out;
}

QStringList selected(const ODataFilter &filter) {
    QStringList out;
    for (const HashRecord &record : fixture()) {
        if (filter.matches(record))
            out.append(record.key());
    }
    return out;
}

const QString kCursor = u"(ModificationTimestamp gt 2024-01-01T00:00:00.001Z or "
                        u"(ModificationTimestamp eq 2024-01-01T00:00:00.001Z and "
                        u"ListingKey gt 'L000000010'))"_s;

} // namespace

class TestODataFilter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void selectsMatchingRecords_data() {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QStringList>("expected");
        addOperatorRows();
        addTimestampRows();
        addLogicRows();
        addInRows();
        addNullRows();
    }
    void selectsMatchingRecords() {
        QFETCH(QString, filter);
        QFETCH(QStringList, expected);
        auto parsed = ODataFilter::parse(filter, schema());
        QVERIFY2(parsed.filter.has_value(), qPrintable(parsed.error));
        QVERIFY(parsed.error.isEmpty());
        QCOMPARE(selected(*parsed.filter), expected);
    }

    void reportsRequiredValues_data() {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("field");
        QTest::addColumn<bool>("bounded");
        QTest::addColumn<QStringList>("values");
        const auto row = [](const char *name, const QString &filter, const QString &field,
                            bool bounded, const QStringList &values) {
            QTest::newRow(name) << filter << field << bounded << values;
        };
        const QString key = u"ListingKey"_s;
        row("eq gives its one value", u"ListingKey eq 'a'"_s, key, true, {u"a"_s});
        row("a literal on the left counts too", u"'a' eq ListingKey"_s, key, true, {u"a"_s});
        row("in gives its list", u"ListingKey in ('a','b')"_s, key, true, {u"a"_s, u"b"_s});
        row("in drops duplicates", u"ListingKey in ('a','b','a')"_s, key, true, {u"a"_s, u"b"_s});
        row("numbers come back as written", u"BedroomsTotal in (3, 4.50)"_s, u"BedroomsTotal"_s,
            true, {u"3"_s, u"4.50"_s});
        row("escaped quotes are unescaped", u"City eq 'O''Fallon'"_s, u"City"_s, true,
            {u"O'Fallon"_s});
        row("timestamps come back in canonical UTC form",
            u"ModificationTimestamp eq 2024-01-01T02:00:00+02:00"_s, u"ModificationTimestamp"_s,
            true, {u"2024-01-01T00:00:00.000Z"_s});
        row("or unions both sides", u"ListingKey eq 'a' or ListingKey in ('b','c','a')"_s, key,
            true, {u"a"_s, u"b"_s, u"c"_s});
        row("and takes the one constrained side",
            u"ListingKey eq 'a' and ModificationTimestamp gt 2024-01-01T00:00:00Z"_s, key, true,
            {u"a"_s});
        row("and intersects two constrained sides",
            u"ListingKey in ('a','b','c') and ListingKey in ('d','c','b')"_s, key, true,
            {u"b"_s, u"c"_s});
        row("and of disjoint sets is empty", u"ListingKey eq 'a' and ListingKey eq 'b'"_s, key,
            true, {});
        row("parenthesised or inside and",
            u"(ListingKey eq 'a' or ListingKey eq 'b') and (City eq 'x' or BedroomsTotal gt 1)"_s,
            key, true, {u"a"_s, u"b"_s});
        row("or with another field is unbounded", u"ListingKey eq 'a' or City eq 'x'"_s, key, false,
            {});
        row("another field is unbounded", u"ListingKey eq 'a'"_s, u"City"_s, false, {});
        row("field names are case-sensitive", u"ListingKey eq 'a'"_s, u"listingkey"_s, false, {});
        row("ne is unbounded", u"ListingKey ne 'a'"_s, key, false, {});
        row("gt is unbounded", u"ListingKey gt 'a'"_s, key, false, {});
        row("not is unbounded", u"not ListingKey eq 'a'"_s, key, false, {});
        row("eq null is unbounded", u"ListingKey eq null"_s, key, false, {});
        row("in with null is unbounded", u"ListingKey in ('a', null)"_s, key, false, {});
        row("the replication cursor is unbounded", kCursor, key, false, {});
    }
    void reportsRequiredValues() {
        QFETCH(QString, filter);
        QFETCH(QString, field);
        QFETCH(bool, bounded);
        QFETCH(QStringList, values);
        const auto parsed = ODataFilter::parse(filter, schema());
        QVERIFY2(parsed.filter.has_value(), qPrintable(parsed.error));
        const auto required = parsed.filter->requiredValues(field);
        QCOMPARE(required.has_value(), bounded);
        if (bounded)
            QCOMPARE(*required, values);
    }

    void reportsUseOfIn_data() {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<bool>("usesIn");
        QTest::newRow("a plain comparison does not") << u"ListingKey eq 'a'"_s << false;
        QTest::newRow("the word in inside a string does not") << u"City eq 'in'"_s << false;
        QTest::newRow("a top-level in does") << u"ListingKey in ('a')"_s << true;
        QTest::newRow("an in under and does")
            << u"ListingKey eq 'a' and BedroomsTotal in (1, 2)"_s << true;
        QTest::newRow("an in under not and parentheses does")
            << u"ListingKey eq 'a' or not (City in ('x'))"_s << true;
    }
    void reportsUseOfIn() {
        QFETCH(QString, filter);
        QFETCH(bool, usesIn);
        const auto parsed = ODataFilter::parse(filter, schema());
        QVERIFY2(parsed.filter.has_value(), qPrintable(parsed.error));
        QCOMPARE(parsed.filter->usesIn(), usesIn);
    }

    void rejectsMalformedFilters_data() {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("fragment");
        addSyntaxErrorRows();
        addLiteralErrorRows();
        addSchemaErrorRows();
        addLimitRows();
    }
    void rejectsMalformedFilters() {
        QFETCH(QString, filter);
        QFETCH(QString, fragment);
        const auto parsed = ODataFilter::parse(filter, schema());
        QVERIFY(!parsed.filter.has_value());
        QVERIFY(!parsed.error.isEmpty());
        QVERIFY2(parsed.error.contains(fragment), qPrintable(parsed.error));
        // The message goes into a 400 body; it must stay readable whatever the input.
        QVERIFY2(parsed.error.size() < 300, qPrintable(parsed.error));
    }

    void acceptsDeepButBoundedNesting() {
        const QString filter =
            QString(100, u'(') + u"ListingKey eq 'L000000005'"_s + QString(100, u')');
        const auto parsed = ODataFilter::parse(filter, schema());
        QVERIFY2(parsed.filter.has_value(), qPrintable(parsed.error));
        QCOMPARE(selected(*parsed.filter), keys({5}));
    }

    void handlesLongFlatChains() {
        QStringList terms;
        for (int i = 0; i < 20000; ++i)
            terms.append(u"ListingKey eq 'X%1'"_s.arg(i));
        terms.append(u"ListingKey eq 'L000000020'"_s);
        const auto parsed = ODataFilter::parse(terms.join(u" or "_s), schema());
        QVERIFY2(parsed.filter.has_value(), qPrintable(parsed.error));
        QCOMPARE(selected(*parsed.filter), keys({20}));
        QCOMPARE(parsed.filter->requiredValues(u"ListingKey")->size(), 20001);
    }

    void survivesRandomInput() {
        QRandomGenerator random(20240101);
        int parsedCount = 0;
        for (int i = 0; i < 20000; ++i) {
            const QString filter = randomFilter(random, i % 3);
            const auto parsed = ODataFilter::parse(filter, schema());
            QVERIFY2(parsed.filter.has_value() == parsed.error.isEmpty(), qPrintable(filter));
            if (!parsed.filter)
                continue;
            ++parsedCount;
            selected(*parsed.filter);
            parsed.filter->usesIn();
            parsed.filter->requiredValues(u"ListingKey");
        }
        // Both outcomes must occur, or the generator exercises only one side of the parser.
        QVERIFY2(parsedCount > 100, qPrintable(QString::number(parsedCount)));
        QVERIFY(parsedCount < 19000);
    }

private:
    static void addOperatorRows() {
        const auto row = [](const char *name, const QString &filter, const QStringList &expected) {
            QTest::newRow(name) << filter << expected;
        };
        row("eq picks the one key", u"ListingKey eq 'L000000010'"_s, keys({10}));
        row("ne picks every other key", u"ListingKey ne 'L000000010'"_s, keys({1, 5, 11, 12, 20}));
        row("gt on strings is exclusive", u"ListingKey gt 'L000000011'"_s, keys({12, 20}));
        row("ge on strings is inclusive", u"ListingKey ge 'L000000011'"_s, keys({11, 12, 20}));
        row("lt on strings is exclusive", u"ListingKey lt 'L000000005'"_s, keys({1}));
        row("le on strings is inclusive", u"ListingKey le 'L000000005'"_s, keys({1, 5}));
        row("strings compare by code unit so capitals sort first", u"City lt 'springfield'"_s,
            keys({1, 5, 10, 11, 20}));
        row("a doubled quote is one quote", u"City eq 'O''Fallon'"_s, keys({5}));
        row("a lone quote half does not match", u"City eq 'O'"_s, {});
        row("keywords inside strings are text", u"City eq 'St. Louis' or City eq 'and or'"_s,
            keys({11}));
        row("decimals compare by value", u"ListPrice gt 125000"_s, keys({1, 5, 12}));
        row("a different scale is the same number", u"ListPrice ge 125000.00"_s,
            keys({1, 5, 10, 12}));
        row("lt on decimals", u"ListPrice lt 100000"_s, keys({11, 20}));
        row("le on decimals", u"ListPrice le 0"_s, keys({20}));
        row("eq on decimals ignores trailing zeros", u"ListPrice eq 459900.1"_s, keys({5}));
        row("negative literals parse", u"ListPrice gt -1"_s, keys({1, 5, 10, 11, 12, 20}));
        row("exponents parse", u"ListPrice ge 1e6"_s, keys({12}));
        row("integers order", u"BedroomsTotal ge 4"_s, keys({5, 12}));
        row("integer lt skips nulls", u"BedroomsTotal lt 3"_s, keys({10, 20}));
        row("booleans compare with eq", u"PreferredPhotoYN eq true"_s, keys({1, 10, 20}));
        row("false is a value, not null", u"PreferredPhotoYN eq false"_s, keys({5, 12}));
        row("booleans order false before true", u"PreferredPhotoYN gt false"_s, keys({1, 10, 20}));
        row("enumerations compare as strings", u"StandardStatus eq 'Closed'"_s, keys({10, 12}));
        row("dates compare by day", u"CloseDate ge 2024-03-01"_s, keys({12}));
        row("lt on dates", u"CloseDate lt 2024-03-01"_s, keys({10}));
        row("a literal may stand on the left", u"250000 lt ListPrice"_s, keys({5, 12}));
        row("a string literal may stand on the left", u"'L000000011' le ListingKey"_s,
            keys({11, 12, 20}));
        row("extra spaces are ignored", u"  ListingKey   eq   'L000000001'  "_s, keys({1}));
    }

    static void addTimestampRows() {
        const auto row = [](const char *name, const QString &filter, const QStringList &expected) {
            QTest::newRow(name) << filter << expected;
        };
        row("timestamps before midnight", u"ModificationTimestamp lt 2024-01-01T00:00:00Z"_s,
            keys({1}));
        row("milliseconds match exactly", u"ModificationTimestamp eq 2024-01-01T00:00:00.001Z"_s,
            keys({5, 10, 11}));
        row("a record one microsecond later is not le the earlier time",
            u"ModificationTimestamp le 2024-01-01T00:00:00.001Z"_s, keys({1, 5, 10, 11}));
        row("a record one microsecond later is gt the earlier time",
            u"ModificationTimestamp gt 2024-01-01T00:00:00.001Z"_s, keys({12, 20}));
        row("microsecond literals match exactly",
            u"ModificationTimestamp eq 2024-01-01T00:00:00.001001Z"_s, keys({12}));
        row("offsets are converted to UTC", u"ModificationTimestamp eq 2024-06-30T10:00:00Z"_s,
            keys({20}));
        row("a positive offset literal", u"ModificationTimestamp eq 2024-06-30T12:00:00+02:00"_s,
            keys({20}));
        row("a negative offset literal", u"ModificationTimestamp ge 2024-06-30T05:00:00-05:00"_s,
            keys({20}));
        row("a timestamp literal on the left",
            u"2024-01-01T00:00:00.001Z lt ModificationTimestamp"_s, keys({12, 20}));
        row("the replication cursor breaks timestamp ties by key", kCursor, keys({11, 12, 20}));
        row("the replication cursor stops at the fence",
            kCursor + u" and ModificationTimestamp le 2024-06-30T00:00:00Z"_s, keys({11, 12}));
        // Precedence: without outer parentheses the fence only guards the tie-break branch.
        row("an unparenthesised cursor leaks past the fence",
            u"ModificationTimestamp gt 2024-01-01T00:00:00.001Z or "
            u"(ModificationTimestamp eq 2024-01-01T00:00:00.001Z and ListingKey gt 'L000000010') "
            u"and ModificationTimestamp le 2024-06-30T00:00:00Z"_s,
            keys({11, 12, 20}));
    }

    static void addLogicRows() {
        const auto row = [](const char *name, const QString &filter, const QStringList &expected) {
            QTest::newRow(name) << filter << expected;
        };
        row("and binds tighter than or on the right",
            u"ListingKey eq 'L000000001' or ListingKey eq 'L000000005' and BedroomsTotal eq 4"_s,
            keys({1, 5}));
        row("parentheses override precedence",
            u"(ListingKey eq 'L000000001' or ListingKey eq 'L000000005') and BedroomsTotal eq 4"_s,
            keys({5}));
        row("and binds tighter than or on the left",
            u"StandardStatus eq 'Closed' and BedroomsTotal eq 5 or ListingKey eq 'L000000001'"_s,
            keys({1, 12}));
        row("not negates a comparison", u"not StandardStatus eq 'Active'"_s, keys({5, 10, 12, 20}));
        row("not binds tighter than and",
            u"not ListingKey eq 'L000000001' and BedroomsTotal gt 3"_s, keys({5, 12}));
        row("not negates a parenthesised or",
            u"not (ListingKey eq 'L000000001' or ListingKey eq 'L000000005')"_s,
            keys({10, 11, 12, 20}));
        row("double negation cancels", u"not not ListingKey eq 'L000000001'"_s, keys({1}));
        row("not of a false comparison with null is true", u"not BedroomsTotal gt 2"_s,
            keys({10, 11, 20}));
        row("nested parentheses group",
            u"((ListingKey eq 'L000000001') or ((StandardStatus eq 'Closed') and "
            u"(BedroomsTotal gt 4)))"_s,
            keys({1, 12}));
        row("three-way and",
            u"StandardStatus eq 'Active' and ListPrice lt 300000 and "
            u"PreferredPhotoYN eq true"_s,
            keys({1}));
    }

    static void addInRows() {
        const auto row = [](const char *name, const QString &filter, const QStringList &expected) {
            QTest::newRow(name) << filter << expected;
        };
        row("in with strings", u"StandardStatus in ('Active', 'Pending')"_s, keys({1, 5, 11}));
        row("in with one string", u"ListingKey in ('L000000020')"_s, keys({20}));
        row("in with integers", u"BedroomsTotal in (2,4,5)"_s, keys({5, 10, 12}));
        row("in with decimals", u"ListPrice in (0, 99999.99)"_s, keys({11, 20}));
        row("in with null matches missing values", u"BedroomsTotal in (3, null)"_s, keys({1, 11}));
        row("in with an escaped quote", u"City in ('O''Fallon', 'Nowhere')"_s, keys({5}));
    }

    static void addNullRows() {
        const auto row = [](const char *name, const QString &filter, const QStringList &expected) {
            QTest::newRow(name) << filter << expected;
        };
        row("eq null finds nulls", u"City eq null"_s, keys({12}));
        row("null may stand on the left", u"null eq City"_s, keys({12}));
        row("ne null finds values", u"City ne null"_s, keys({1, 5, 10, 11, 20}));
        row("a null value is ne any literal", u"City ne 'O''Fallon'"_s, keys({1, 10, 11, 12, 20}));
        row("a null boolean is ne true", u"PreferredPhotoYN ne true"_s, keys({5, 11, 12}));
        row("ordering against a null literal is false", u"BedroomsTotal gt null"_s, {});
        row("le against a null literal is false too", u"BedroomsTotal le null"_s, {});
        row("eq null on dates", u"CloseDate eq null"_s, keys({1, 5, 11, 20}));
        row("ne null on dates", u"CloseDate ne null"_s, keys({10, 12}));
        row("a null collection is eq null", u"RoomFeatures eq null"_s, keys({10, 12, 20}));
        row("an empty collection is not null", u"RoomFeatures ne null"_s, keys({1, 5, 11}));
        row("a collection never equals a string", u"RoomFeatures eq 'Pantry'"_s, {});
        row("only a null collection is ne a string", u"RoomFeatures ne 'Pantry'"_s,
            keys({10, 12, 20}));
        row("a collection never orders", u"RoomFeatures gt 'A'"_s, {});
        row("a collection is not in a list", u"RoomFeatures in ('Pantry')"_s, {});
        row("a null string is not in a list of strings", u"City in ('O''Fallon', 'Nowhere')"_s,
            keys({5}));
        row("a null string is in a list holding null", u"City in ('O''Fallon', null)"_s,
            keys({5, 12}));
    }

    static void addSyntaxErrorRows() {
        const auto row = [](const char *name, const QString &filter, const QString &fragment) {
            QTest::newRow(name) << filter << fragment;
        };
        row("an empty filter", QString(),
            u"syntax error at position 1: expected a comparison, 'not' or '(' but found end of "
            u"filter"_s);
        row("a filter of spaces", u"   "_s, u"position 4: expected a comparison"_s);
        row("a comparison without a right operand", u"ListingKey eq"_s,
            u"position 14: expected a property name or a literal but found end of filter"_s);
        row("a property alone", u"ListingKey"_s,
            u"expected a comparison operator (eq, ne, gt, ge, lt, le or in) but found end"_s);
        row("an unbalanced opening parenthesis", u"(ListingKey eq 'a'"_s,
            u"syntax error at position 19: expected ')' but found end of filter"_s);
        row("an unbalanced closing parenthesis", u"ListingKey eq 'a')"_s,
            u"position 18: expected 'and', 'or' or end of filter but found ')'"_s);
        row("empty parentheses", u"()"_s,
            u"position 2: expected a comparison, 'not' or '(' but found ')'"_s);
        row("a dangling and", u"ListingKey eq 'a' and"_s,
            u"position 22: expected a comparison, 'not' or '(' but found end of filter"_s);
        row("a dangling not", u"not"_s, u"position 4: expected a comparison"_s);
        row("a misspelt operator", u"ListingKey eqq 'a'"_s,
            u"position 12: expected a comparison operator (eq, ne, gt, ge, lt, le or in) but "
            u"found 'eqq'"_s);
        row("an upper-case operator", u"ListingKey EQ 'a'"_s, u"but found 'EQ'"_s);
        row("an upper-case conjunction", u"ListingKey eq 'a' AND City eq 'b'"_s,
            u"expected 'and', 'or' or end of filter but found 'AND'"_s);
        row("an operator as an operand", u"ListingKey eq and"_s,
            u"expected a property name or a literal but found 'and'"_s);
        row("an empty in list", u"ListingKey in ()"_s,
            u"position 16: expected a literal but found ')'"_s);
        row("an in list with a trailing comma", u"ListingKey in ('a',)"_s,
            u"expected a literal but found ')'"_s);
        row("an in list without commas", u"ListingKey in ('a' 'b')"_s,
            u"expected ',' or ')' but found string literal 'b'"_s);
        row("an in without parentheses", u"ListingKey in 'a'"_s,
            u"expected '(' after 'in' but found string literal 'a'"_s);
        row("an in list holding a property", u"ListingKey in (City)"_s,
            u"expected a literal but found 'City'"_s);
        row("a stray character", u"ListingKey eq 'a' & City eq 'b'"_s,
            u"position 19: unexpected character '&'"_s);
        row("a control character", u"ListingKey eq 'a'\x01"_s,
            u"position 18: unexpected character U+0001"_s);
    }

    static void addLiteralErrorRows() {
        const auto row = [](const char *name, const QString &filter, const QString &fragment) {
            QTest::newRow(name) << filter << fragment;
        };
        row("an unterminated string", u"ListingKey eq 'abc"_s,
            u"syntax error at position 15: unterminated string literal"_s);
        row("a string ending in an escaped quote", u"ListingKey eq 'abc''"_s,
            u"unterminated string literal"_s);
        row("month 13", u"ModificationTimestamp gt 2024-13-01T00:00:00Z"_s,
            u"position 26: invalid Edm.DateTimeOffset literal '2024-13-01T00:00:00Z'"_s);
        row("a timestamp without a zone", u"ModificationTimestamp gt 2024-01-01T00:00:00"_s,
            u"invalid Edm.DateTimeOffset literal"_s);
        row("February 30", u"CloseDate eq 2024-02-30"_s,
            u"invalid Edm.Date literal '2024-02-30'"_s);
        row("a number out of range", u"ListPrice gt 1e999"_s, u"number '1e999' is out of range"_s);
        row("a number without fraction digits", u"ListPrice gt 12."_s, u"invalid literal '12.'"_s);
        row("a number run into a word", u"ListPrice gt 12abc"_s, u"invalid literal '12abc'"_s);
    }

    static void addSchemaErrorRows() {
        const auto row = [](const char *name, const QString &filter, const QString &fragment) {
            QTest::newRow(name) << filter << fragment;
        };
        row("an unknown property", u"Foo eq 1"_s,
            u"position 1: Could not find a property named 'Foo' on the filtered entity type"_s);
        row("a property in the wrong case", u"listingKey eq 'a'"_s,
            u"Could not find a property named 'listingKey'"_s);
        row("a non-ASCII property name", u"Cité eq 'x'"_s,
            u"Could not find a property named 'Cité'"_s);
        row("an unknown property after a valid term", u"ListingKey eq 'a' or Foo in (1)"_s,
            u"position 22: Could not find a property named 'Foo'"_s);
        row("a string against a timestamp", u"ModificationTimestamp eq 'x'"_s,
            u"position 26: ModificationTimestamp is Edm.DateTimeOffset and cannot be compared "
            u"with the Edm.String literal 'x'"_s);
        row("a timestamp against a string", u"ListingKey eq 2024-01-01T00:00:00Z"_s,
            u"ListingKey is Edm.String and cannot be compared with the Edm.DateTimeOffset "
            u"literal"_s);
        row("a date against a timestamp", u"ModificationTimestamp gt 2024-01-01"_s,
            u"cannot be compared with the Edm.Date literal '2024-01-01'"_s);
        row("a timestamp against a date", u"CloseDate eq 2024-01-01T00:00:00Z"_s,
            u"CloseDate is Edm.Date"_s);
        row("a number against an enumeration", u"StandardStatus eq 3"_s,
            u"StandardStatus is an enumeration"_s);
        row("a quoted boolean", u"PreferredPhotoYN eq 'true'"_s,
            u"PreferredPhotoYN is Edm.Boolean"_s);
        row("a string against a number", u"ListPrice lt '5'"_s, u"ListPrice is Edm.Decimal"_s);
        row("a string inside a numeric in list", u"BedroomsTotal in (1, 'two')"_s,
            u"position 22: BedroomsTotal is Edm.Int64"_s);
        row("two properties", u"ListingKey eq City"_s,
            u"comparing two properties is not supported"_s);
        row("two literals", u"1 eq 1"_s, u"a comparison needs a property on one side"_s);
        row("in with a literal on the left", u"'a' in ('a')"_s,
            u"the left operand of 'in' must be a property"_s);
    }

    static void addLimitRows() {
        const auto row = [](const char *name, const QString &filter, const QString &fragment) {
            QTest::newRow(name) << filter << fragment;
        };
        row("500 nested parentheses",
            QString(500, u'(') + u"ListingKey eq 'a'"_s + QString(500, u')'),
            u"position 101: expressions nest deeper than 100 levels"_s);
        row("101 nested parentheses",
            QString(101, u'(') + u"ListingKey eq 'a'"_s + QString(101, u')'),
            u"nest deeper than 100 levels"_s);
        row("500 nested nots", u"not "_s.repeated(500) + u"ListingKey eq 'a'"_s,
            u"nest deeper than 100 levels"_s);
        row("a megabyte-long unterminated string", u"ListingKey eq '"_s + QString(1 << 20, u'x'),
            u"unterminated string literal"_s);
        row("a very long unknown property", QString(100000, u'F') + u" eq 1"_s,
            u"Could not find a property named 'FFFFFFFF"_s);
    }

    // Three shapes of noise: token soup, single-character mutations of a valid filter, and
    // arbitrary UTF-16 code units (lone surrogates included).
    static QString randomFilter(QRandomGenerator &random, int shape) {
        if (shape == 0)
            return tokenSoup(random);
        if (shape == 1)
            return mutatedCursor(random);
        QString text;
        const int length = random.bounded(40);
        for (int i = 0; i < length; ++i)
            text.append(QChar(static_cast<char16_t>(random.bounded(0x10000))));
        return text;
    }

    static QString tokenSoup(QRandomGenerator &random) {
        static const QStringList tokens = {u"ListingKey"_s,
                                           u"ListPrice"_s,
                                           u"ModificationTimestamp"_s,
                                           u"CloseDate"_s,
                                           u"RoomFeatures"_s,
                                           u"Foo"_s,
                                           u"eq"_s,
                                           u"ne"_s,
                                           u"gt"_s,
                                           u"le"_s,
                                           u"and"_s,
                                           u"or"_s,
                                           u"not"_s,
                                           u"in"_s,
                                           u"("_s,
                                           u")"_s,
                                           u","_s,
                                           u"'a'"_s,
                                           u"'O''F'"_s,
                                           u"'"_s,
                                           u"''"_s,
                                           u"12"_s,
                                           u"-3.5"_s,
                                           u"1e"_s,
                                           u"2024-01-01"_s,
                                           u"2024-01-01T00:00:00.000001Z"_s,
                                           u"2024-02-30T00:00:00+02:00"_s,
                                           u"true"_s,
                                           u"null"_s,
                                           u" "_s,
                                           u"\t"_s};
        QString text;
        const int count = random.bounded(1, 16);
        for (int i = 0; i < count; ++i) {
            if (random.bounded(8) == 0)
                text.append(QChar(static_cast<char16_t>(random.bounded(0x20, 0x7f))));
            else
                text.append(tokens.at(random.bounded(static_cast<int>(tokens.size()))));
            if (random.bounded(4) != 0)
                text.append(u' ');
        }
        return text;
    }

    static QString mutatedCursor(QRandomGenerator &random) {
        static const QString valid =
            kCursor + u" and ModificationTimestamp le 2024-06-30T00:00:00Z and not "
                      u"(StandardStatus in ('Active', 'Closed') or ListPrice ge 1e5)"_s;
        static const QString alphabet = u"()', eqandornotin0123456789-:.TZ+ "_s;
        QString text = valid;
        const int edits = random.bounded(1, 4);
        for (int i = 0; i < edits; ++i) {
            const int at = random.bounded(static_cast<int>(text.size()) + 1);
            const QChar c = alphabet.at(random.bounded(static_cast<int>(alphabet.size())));
            switch (random.bounded(3)) {
            case 0:
                text.insert(at, c);
                break;
            case 1:
                text.remove(at, 1);
                break;
            default:
                text.replace(at, 1, c);
                break;
            }
        }
        return text;
    }
};

QTEST_GUILESS_MAIN(TestODataFilter)
#include "tst_odatafilter.moc"
