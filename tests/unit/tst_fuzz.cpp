// Bounded, seeded fuzzing (issue #6) of the two parsers that read what a stranger wrote: the
// OData page parser (sync/PageParser: every byte a feed sends) and the simulator's query
// parser (sim/QueryEngine and ODataFilter: every URL a client sends). Valid inputs are mutated
// (byte flips, truncation, inserted garbage, deep nesting, huge numbers, bad UTF-8, ...) and
// each result must be a clean success or a clear error, never a crash; under the sanitizer
// build (scripts/test.sh) never a sanitizer report either.
//
// RESOSYNC_FUZZ_SEED picks another seed, RESOSYNC_FUZZ_SECONDS another budget per parser
// (default 8 s; a failure prints the seed and iteration to replay it).
#include "reso/FieldCatalog.h"
#include "sim/FeedData.h"
#include "sim/JsonWriter.h"
#include "sim/QueryEngine.h"
#include "sim/RecordGenerator.h"
#include "sim/SimRecord.h"
#include "sync/PageParser.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QReadLocker>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;

namespace {

quint32 fuzzSeed() {
    bool ok = false;
    const quint32 seed = qEnvironmentVariable("RESOSYNC_FUZZ_SEED").toUInt(&ok);
    return ok ? seed : 20240617u;
}

qint64 budgetMs() {
    bool ok = false;
    const double seconds = qEnvironmentVariable("RESOSYNC_FUZZ_SECONDS").toDouble(&ok);
    return qint64((ok && seconds > 0 ? seconds : 8.0) * 1000);
}

constexpr int kMaxIterations = 200'000;

/// The simulator's data: the source of valid pages and of records to evaluate filters on.
sim::SimulatorOptions feedOptions() {
    sim::SimulatorOptions o;
    o.seed = 23;
    o.properties = 40;
    return o;
}

struct Seed {
    Resource resource;
    QByteArray body;
};

/// Valid pages of every resource (small and larger ones, with a nextLink and a count), and
/// the degenerate shapes a feed also sends.
QList<Seed> seedPages(const sim::FeedData &data, const sim::RecordGenerator &generator) {
    QList<Seed> seeds;
    for (Resource resource : reso::kAllResources) {
        for (const std::size_t count : {std::size_t(3), std::size_t(30)}) {
            // (Not a raw string: moc 6.4 misreads one holding a hash sign.)
            QByteArray body =
                "{\"@odata.context\":\"https://feed/$metadata\x23X\",\"@odata.count\":";
            body += QByteArray::number(qint64(count)) + R"(,"value":[)";
            std::size_t written = 0;
            for (const sim::RecordState &state : data.records(resource)) {
                if (written == count)
                    break;
                if (written++ > 0)
                    body += ',';
                sim::JsonWriter::appendRecord(body, generator.generate(resource, state));
            }
            body += R"(],"@odata.nextLink":"https://feed/odata/X?$skiptoken=abc%2B1"})";
            seeds.append({resource, body});
        }
    }
    for (const char *shape :
         {R"({"value":[]})", R"({"value":[{}]})", R"([])",
          R"({"error":{"code":"x","message":"y"}})", R"({"value":[null,1,"a"]})"})
        seeds.append({Resource::Property, QByteArray(shape)});
    return seeds;
}

/// One mutation of a JSON text, chosen at random.
void mutate(QByteArray &text, QRandomGenerator &random) {
    const auto at = [&] { return qsizetype(random.bounded(int(text.size()) + 1)); };
    static const QList<QByteArray> numbers = {"1e999999",
                                              "-1e-999999",
                                              "123456789012345678901234567890",
                                              "NaN",
                                              "Infinity",
                                              "-0",
                                              "0x1F",
                                              "01",
                                              "1.",
                                              ".5",
                                              "9223372036854775808",
                                              "-9223372036854775809",
                                              "1e+"};
    static const QList<QByteArray> badUtf8 = {
        "\xC3\x28", "\xFF",    "\xED\xA0\x80", "\xC0\xAF",       "\xF4\x90\x80\x80",
        "\xE2\x82", "\\uD800", "\\u0000",      "\\uDFFF\\uD800", QByteArray("\0", 1)};
    switch (random.bounded(10)) {
    case 0: // flip bytes
        for (int i = random.bounded(1, 9); i > 0 && !text.isEmpty(); --i)
            text[random.bounded(int(text.size()))] ^= char(1 << random.bounded(8));
        break;
    case 1: // truncate
        text.truncate(at());
        break;
    case 2: { // insert garbage
        QByteArray garbage;
        for (int i = random.bounded(1, 33); i > 0; --i)
            garbage += char(random.bounded(256));
        text.insert(at(), garbage);
        break;
    }
    case 3: { // deep nesting where a value may stand
        const int depth = random.bounded(1, 5000);
        const bool objects = random.bounded(2) == 0;
        const QByteArray nested =
            objects ? QByteArray(QByteArray(R"({"a":)").repeated(depth) + "1" +
                                 QByteArray("}").repeated(depth))
                    : QByteArray(QByteArray("[").repeated(depth) + QByteArray("]").repeated(depth));
        const qsizetype colon = text.indexOf(':', at());
        if (colon >= 0)
            text.insert(colon + 1, nested + ",\"z\":");
        else
            text.insert(at(), nested);
        break;
    }
    case 4: { // a huge or malformed number in place of a value
        const qsizetype colon = text.indexOf(':', at());
        if (colon >= 0) {
            const qsizetype end = text.indexOf(',', colon);
            text.replace(colon + 1, (end < 0 ? text.size() : end) - colon - 1,
                         numbers[random.bounded(int(numbers.size()))]);
        }
        break;
    }
    case 5: { // bad UTF-8 (or escapes of it) inside a string
        const qsizetype quote = text.indexOf('"', at());
        text.insert(quote < 0 ? at() : quote + 1, badUtf8[random.bounded(int(badUtf8.size()))]);
        break;
    }
    case 6: { // a duplicated member or element
        const qsizetype comma = text.indexOf(',', at());
        const qsizetype next = comma < 0 ? -1 : text.indexOf(',', comma + 1);
        if (next > comma)
            text.insert(next, text.mid(comma, next - comma));
        break;
    }
    case 7: { // a structural character removed
        for (int tries = 0; tries < 8 && !text.isEmpty(); ++tries) {
            const qsizetype i = random.bounded(int(text.size()));
            if (QByteArrayView("{}[]\":,").contains(text[i])) {
                text.remove(i, 1);
                break;
            }
        }
        break;
    }
    case 8: { // a value of another type
        static const QList<QByteArray> values = {
            "null", "true", "{}", "[]", R"("")", "0", R"("2024-02-30T25:61:00Z")", "\"x\\\"y\""};
        const qsizetype colon = text.indexOf(':', at());
        if (colon >= 0) {
            const qsizetype end = text.indexOf(',', colon);
            text.replace(colon + 1, (end < 0 ? text.size() : end) - colon - 1,
                         values[random.bounded(int(values.size()))]);
        }
        break;
    }
    default: // two pages spliced
        text = text.left(at()) + text.mid(qsizetype(random.bounded(int(text.size()) + 1)));
        break;
    }
}

/// Why a successful parse is not well-formed, or empty.
QString checkPage(const sync::ParsedPage &page) {
    const qsizetype tabs = reso::FieldCatalog::columns(page.resource).size(); // + the record
    for (const sync::ParsedRecord &record : page.records) {
        if (record.key.isEmpty())
            return u"a record without a key"_s;
        if (record.copyLine.count('\t') != tabs || record.copyLine.contains('\n'))
            return u"a malformed COPY line: "_s + QString::fromUtf8(record.copyLine.left(200));
    }
    for (const sync::RejectedRecord &reject : page.rejects) {
        if (reject.reason.isEmpty())
            return u"a reject without a reason"_s;
    }
    return {};
}

// --- $filter and query strings ---------------------------------------------------------------

/// A random, mostly well-typed filter over `schema`, `depth` levels deep at most.
QStringList sortedFields(const sim::FilterSchema &schema) {
    QStringList fields = schema.keys();
    fields.sort(); // QHash order differs between processes; a seed must replay exactly
    return fields;
}

QString generateFilter(QRandomGenerator &random, const sim::FilterSchema &schema, int depth) {
    const QStringList fields = sortedFields(schema);
    const auto literal = [&](reso::FieldType type) -> QString {
        switch (random.bounded(12) == 0 ? reso::FieldType(random.bounded(7)) : type) {
        case reso::FieldType::Integer:
            return QString::number(qint64(random.generate64()) >> random.bounded(64));
        case reso::FieldType::Decimal:
            return QString::number(random.generateDouble() * 1e7, 'f', random.bounded(6));
        case reso::FieldType::Boolean:
            return random.bounded(2) ? u"true"_s : u"false"_s;
        case reso::FieldType::Timestamp:
            return u"20%1-0%2-1%3T1%4:3%5:00.%6Z"_s.arg(random.bounded(10, 40))
                .arg(random.bounded(1, 10))
                .arg(random.bounded(10))
                .arg(random.bounded(10))
                .arg(random.bounded(10))
                .arg(random.bounded(1000000));
        case reso::FieldType::Date:
            return u"2024-%1-%2"_s.arg(random.bounded(1, 14), 2, 10, QChar(u'0'))
                .arg(random.bounded(1, 32), 2, 10, QChar(u'0'));
        default:
            return random.bounded(10) == 0 ? u"null"_s : u"'L%1''x'"_s.arg(random.bounded(100000));
        }
    };
    const int shape = depth <= 0 ? random.bounded(2) : random.bounded(6);
    const QString field = fields.isEmpty() || random.bounded(20) == 0
                              ? u"NoSuchField"_s
                              : fields[random.bounded(int(fields.size()))];
    const reso::FieldType type = schema.value(field, reso::FieldType::String);
    switch (shape) {
    case 0: {
        static const QStringList ops = {u"eq"_s, u"ne"_s, u"gt"_s, u"ge"_s, u"lt"_s, u"le"_s};
        return field + u' ' + ops[random.bounded(int(ops.size()))] + u' ' + literal(type);
    }
    case 1: {
        QStringList values;
        for (int i = random.bounded(1, 8); i > 0; --i)
            values << literal(type);
        return field + u" in ("_s + values.join(u',') + u')';
    }
    case 2:
        return u"not "_s + generateFilter(random, schema, depth - 1);
    case 3:
        return u'(' + generateFilter(random, schema, depth - 1) + u')';
    default: {
        QStringList terms;
        for (int i = random.bounded(2, 6); i > 0; --i)
            terms << generateFilter(random, schema, depth - 1);
        return terms.join(random.bounded(2) ? u" and "_s : u" or "_s);
    }
    }
}

/// A hostile variation: mutated characters, or extremes of nesting and length.
QString hostileFilter(QRandomGenerator &random, const sim::FilterSchema &schema, QString text) {
    switch (random.bounded(5)) {
    case 0: {
        const int depth = random.bounded(50, 3000);
        return QString(depth, u'(') + text + QString(depth, u')');
    }
    case 1: {
        QString nots;
        for (int i = random.bounded(50, 3000); i > 0; --i)
            nots += u"not "_s;
        return nots + text;
    }
    case 2: {
        QStringList terms{text};
        for (int i = random.bounded(100, 3000); i > 0; --i)
            terms << generateFilter(random, schema, 0);
        return terms.join(random.bounded(2) ? u" or "_s : u" and "_s);
    }
    default:
        for (int i = random.bounded(1, 6); i > 0; --i) {
            const int at = random.bounded(int(text.size()) + 1);
            const QChar c(
                char16_t(random.bounded(2) ? random.bounded(0x20, 0x7f) : random.bounded(0x10000)));
            if (random.bounded(2))
                text.insert(at, c);
            else
                text.remove(at, 1);
        }
        return text;
    }
}

} // namespace

class TestFuzz final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pageParserSurvivesMutatedPages() {
        const sim::FeedData data(feedOptions());
        const sim::RecordGenerator generator(data);
        const QList<Seed> seeds = seedPages(data, generator);
        QRandomGenerator random(fuzzSeed());
        sync::PageParser parser;
        int accepted = 0, refused = 0, iteration = 0;
        QElapsedTimer clock;
        clock.start();
        for (; iteration < kMaxIterations && clock.elapsed() < budgetMs(); ++iteration) {
            const Seed &seed = seeds[random.bounded(int(seeds.size()))];
            QByteArray body = seed.body;
            for (int m = random.bounded(1, 5); m > 0; --m)
                mutate(body, random);
            // Now and then a page parsed as another resource than it holds.
            const Resource resource =
                random.bounded(8) == 0 ? reso::kAllResources[random.bounded(4)] : seed.resource;
            sync::ParsedPage page;
            sync::PageError error;
            if (parser.parse(resource, body, &page, &error)) {
                ++accepted;
                const QString malformed = checkPage(page);
                QVERIFY2(malformed.isEmpty(),
                         qPrintable(u"seed %1 iteration %2: %3"_s.arg(fuzzSeed())
                                        .arg(iteration)
                                        .arg(malformed)));
            } else {
                ++refused;
                QVERIFY2(!error.message.isEmpty() && error.message.size() < 4000,
                         qPrintable(u"seed %1 iteration %2: an error without a clear message"_s
                                        .arg(fuzzSeed())
                                        .arg(iteration)));
            }
        }
        qInfo("PageParser: %d mutated pages (seed %u): %d parsed, %d refused with a reason",
              iteration, fuzzSeed(), accepted, refused);
        QVERIFY(accepted > 10 && refused > 10); // both sides of the parser were exercised
    }

    void queryParserSurvivesGeneratedAndHostileQueries() {
        const sim::FeedData data(feedOptions());
        const sim::RecordGenerator generator(data);
        const sim::QueryEngine engine(data, generator);
        QRandomGenerator random(fuzzSeed() + 1);
        int parsed = 0, refused = 0, executed = 0, iteration = 0;
        QElapsedTimer clock;
        clock.start();
        for (; iteration < kMaxIterations && clock.elapsed() < budgetMs(); ++iteration) {
            const Resource resource = reso::kAllResources[random.bounded(4)];
            const sim::FilterSchema &schema = generator.filterSchema(resource);
            QString filter = generateFilter(random, schema, random.bounded(4));
            if (random.bounded(3) == 0)
                filter = hostileFilter(random, schema, filter);
            const QString where = u"seed %1 iteration %2: "_s.arg(fuzzSeed()).arg(iteration);

            const auto result = sim::ODataFilter::parse(filter, schema);
            QVERIFY2(result.filter.has_value() == result.error.isEmpty(), qPrintable(where));
            if (result.filter) {
                ++parsed;
                QReadLocker lock(&data.lock());
                const auto &records = data.records(resource);
                for (int i = 0; i < 5 && !records.empty(); ++i)
                    result.filter->matches(sim::SimRecord(
                        generator, resource, records[random.bounded(int(records.size()))]));
                result.filter->usesIn();
                result.filter->requiredValues(QString(reso::resourceInfo(resource).keyField));
            } else {
                ++refused;
                QVERIFY2(result.error.size() < 4000, qPrintable(where + u"an unbounded message"_s));
            }

            // The whole query string as it arrives, percent-encoded (or not quite).
            QByteArray raw = "$filter=" + QUrl::toPercentEncoding(filter);
            if (random.bounded(2))
                raw += "&$top=" + QByteArray::number(random.bounded(-5, 7000));
            if (random.bounded(3) == 0)
                raw += "&$skip=" + QByteArray::number(qint64(random.generate64() >> 40));
            if (random.bounded(3) == 0)
                raw += "&$orderby=ModificationTimestamp%20desc,NoSuch";
            if (random.bounded(4) == 0)
                raw += "&$count=true&$select=" +
                       QUrl::toPercentEncoding(sortedFields(schema).value(0));
            if (random.bounded(6) == 0)
                raw.insert(random.bounded(int(raw.size()) + 1), random.bounded(2) ? "%ZZ" : "%");
            const QByteArray prefer =
                random.bounded(4) == 0
                    ? "odata.maxpagesize=" + QByteArray::number(random.bounded(-3, 50))
                    : QByteArray();
            const auto query = sim::QueryEngine::parse(resource, raw, prefer);
            if (const auto *request = std::get_if<sim::QueryRequest>(&query)) {
                QReadLocker lock(&data.lock());
                const auto page = engine.execute(*request, sim::FaultOptions{}, 100);
                if (const auto *error = std::get_if<sim::QueryError>(&page))
                    QVERIFY2(error->status >= 400 && !error->message.isEmpty(), qPrintable(where));
                else
                    ++executed;
            } else {
                const auto &error = std::get<sim::QueryError>(query);
                QVERIFY2(error.status >= 400 && !error.message.isEmpty(), qPrintable(where));
            }
        }
        qInfo("ODataFilter / QueryEngine: %d generated queries (seed %u): %d filters parsed, %d "
              "refused with a reason, %d queries executed",
              iteration, fuzzSeed() + 1, parsed, refused, executed);
        QVERIFY(parsed > 10 && refused > 10 && executed > 10);
    }
};

QTEST_GUILESS_MAIN(TestFuzz)
#include "tst_fuzz.moc"
