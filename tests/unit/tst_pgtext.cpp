// The text forms the writers build by hand: identifiers, COPY fields, array literals, and
// text PostgreSQL accepts; and the merge SQL built from the field catalog.
#include "db/MergeSql.h"
#include "db/PgText.h"
#include "reso/FieldCatalog.h"

#include <QTest>

using namespace Qt::StringLiterals;
using resosync::db::MergeSql;
using resosync::db::PgText;
using resosync::reso::Resource;

class TestPgText final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void identifiersAreQuoted_data() {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("quoted");
        QTest::newRow("a RESO name keeps its case") << "Media"_ba
                                                    << "\"Media\""_ba;
        QTest::newRow("an embedded quote is doubled") << "a\"b"_ba
                                                      << "\"a\"\"b\""_ba;
        QTest::newRow("empty") << ""_ba
                               << "\"\""_ba;
    }
    void identifiersAreQuoted() {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, quoted);
        QCOMPARE(QByteArray::fromStdString(PgText::quoteIdent(name.toStdString())), quoted);
    }

    void validTextReplacesOnlyWhatTextCannotHold_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("valid UTF-8 passes unchanged") << "Zürich ✓"_ba << u"Zürich ✓"_s;
        QTest::newRow("a NUL byte becomes U+FFFD") << QByteArray("a\0b", 3) << u"a\uFFFDb"_s;
        QTest::newRow("an invalid byte becomes U+FFFD") << "Z\xfcrich"_ba << u"Z\uFFFDrich"_s;
        QTest::newRow("each byte of a truncated sequence becomes U+FFFD")
            << "ok\xe2\x9c"_ba << u"ok\uFFFD\uFFFD"_s;
        QTest::newRow("empty") << QByteArray() << QString();
    }
    void validTextReplacesOnlyWhatTextCannotHold() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QByteArray text = PgText::validText(bytes);
        QVERIFY(QByteArrayView(text).isValidUtf8());
        QVERIFY(!text.contains('\0'));
        QCOMPARE(QString::fromUtf8(text), expected);
    }

    void copyFieldsRoundTrip_data() {
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("plain") << "plain"_ba;
        QTest::newRow("tab, newline, carriage return") << "a\tb\nc\rd"_ba;
        QTest::newRow("backslashes, and a literal \\N") << "C:\\dir\\N"_ba;
        QTest::newRow("JSON with escapes")
            << "{\"r\":\"line\\nbreak \\\"quoted\\\" \\\\ \\u00fc\"}"_ba;
        QTest::newRow("empty") << ""_ba;
    }
    void copyFieldsRoundTrip() {
        QFETCH(QByteArray, value);
        QByteArray field;
        PgText::appendCopyEscaped(field, value);
        QVERIFY(!field.contains('\t'));
        QVERIFY(!field.contains('\n'));
        QCOMPARE(PgText::unescapeCopyField(field), value);
        const QByteArray line = "key\t\\N\t" + field;
        QCOMPARE(PgText::lastCopyField(line), value);
    }

    void copyEscapesAreReadAsPostgreSQLReadsThem_data() {
        QTest::addColumn<QByteArray>("field");
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("the null marker") << "\\N"_ba << QByteArray();
        QTest::newRow("control escapes") << "\\b\\f\\v"_ba
                                         << "\b\f\v"_ba;
        QTest::newRow("octal") << "\\101\\0611"_ba
                               << "A11"_ba;
        QTest::newRow("hex") << "\\x41\\x4a\\xg"_ba
                             << "AJxg"_ba;
        QTest::newRow("any other escaped character is itself") << "\\q\\\\"_ba
                                                               << "q\\"_ba;
        QTest::newRow("a trailing backslash stays") << "a\\"_ba
                                                    << "a\\"_ba;
    }
    void copyEscapesAreReadAsPostgreSQLReadsThem() {
        QFETCH(QByteArray, field);
        QFETCH(QByteArray, value);
        const QByteArray unescaped = PgText::unescapeCopyField(field);
        QCOMPARE(unescaped.isNull(), value.isNull());
        QCOMPARE(unescaped, value);
    }

    void arrayLiteralsQuoteEveryElement_data() {
        QTest::addColumn<QList<QByteArray>>("elements");
        QTest::addColumn<QByteArray>("literal");
        QTest::newRow("none") << QList<QByteArray>{} << "{}"_ba;
        QTest::newRow("plain keys") << QList<QByteArray>{"L1", "L2"} << R"({"L1","L2"})"_ba;
        QTest::newRow("commas, braces, spaces and the word NULL stay one element")
            << QList<QByteArray>{"a,b", "{c}", " d ", "NULL"} << R"({"a,b","{c}"," d ","NULL"})"_ba;
        QTest::newRow("quotes and backslashes are escaped")
            << QList<QByteArray>{"say \"hi\"", "back\\slash"}
            << "{\"say \\\"hi\\\"\",\"back\\\\slash\"}"_ba;
        QTest::newRow("a null element is NULL")
            << QList<QByteArray>{"x", QByteArray()} << R"({"x",NULL})"_ba;
        QTest::newRow("invalid UTF-8 is repaired")
            << QList<QByteArray>{"Z\xfcrich"_ba} << "{\"Z\xef\xbf\xbdrich\"}"_ba;
    }
    void arrayLiteralsQuoteEveryElement() {
        QFETCH(QList<QByteArray>, elements);
        QFETCH(QByteArray, literal);
        const std::vector<QByteArray> list(elements.cbegin(), elements.cend());
        QCOMPARE(QByteArray::fromStdString(PgText::arrayLiteral(list)), literal);
    }

    void mergeSqlNamesEveryCatalogColumnQualified_data() {
        QTest::addColumn<int>("resource");
        for (const Resource resource : resosync::reso::kAllResources)
            QTest::newRow(resosync::reso::resourceInfo(resource).name.data()) << int(resource);
    }
    void mergeSqlNamesEveryCatalogColumnQualified() {
        QFETCH(int, resource);
        const MergeSql &sql = MergeSql::of(Resource(resource));
        const auto &columns = resosync::reso::FieldCatalog::columns(Resource(resource));
        QCOMPARE(sql.copyColumns.size(), std::size_t(columns.size()) + 1);
        QCOMPARE(sql.copyColumns.back(), std::string("record"));
        const QString name = resosync::reso::resourceName(Resource(resource));
        QCOMPARE(QString::fromStdString(sql.targetTable), u"public.\"%1\""_s.arg(name));
        QCOMPARE(QString::fromStdString(sql.stagingTable),
                 u"pg_temp.\"resosync_stage_%1\""_s.arg(name));
        for (const std::string &merge : {sql.merge, sql.mergeUniqueKeys}) {
            const QString text = QString::fromStdString(merge);
            QVERIFY(text.startsWith(u"INSERT INTO public.\"%1\" AS t"_s.arg(name)));
            for (const auto &column : columns) {
                QVERIFY2(text.contains(u"\"%1\""_s.arg(column.field.name)),
                         qPrintable(column.field.name));
                if (!column.isKey)
                    QVERIFY(text.contains(u"\"%1\" = EXCLUDED.\"%1\""_s.arg(column.field.name)));
            }
            QVERIFY(text.contains(u"record = EXCLUDED.record, replicated_at = now()"_s));
            QVERIFY(text.contains(
                u"t.\"ModificationTimestamp\" < EXCLUDED.\"ModificationTimestamp\""_s));
        }
        QVERIFY(QString::fromStdString(sql.merge).contains(u"SELECT DISTINCT ON"_s));
        QCOMPARE(sql.deleteUnseenChildren.empty(), Resource(resource) == Resource::Property);
    }
};

QTEST_GUILESS_MAIN(TestPgText)
#include "tst_pgtext.moc"
