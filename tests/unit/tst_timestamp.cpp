#include "reso/Timestamp.h"

#include <QTest>

using namespace Qt::StringLiterals;
using resosync::reso::Timestamp;

class TestTimestamp final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesEdmDateTimeOffset_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("usecs");
        QTest::addColumn<QString>("formatted");
        QTest::newRow("whole seconds in UTC")
            << u"2021-05-21T06:28:34Z"_s << 1621578514000000LL << u"2021-05-21T06:28:34.000Z"_s;
        QTest::newRow("milliseconds keep three digits")
            << u"2021-05-21T06:28:34.007Z"_s << 1621578514007000LL << u"2021-05-21T06:28:34.007Z"_s;
        QTest::newRow("microseconds keep six digits")
            << u"2021-05-21T06:28:34.000123Z"_s << 1621578514000123LL
            << u"2021-05-21T06:28:34.000123Z"_s;
        QTest::newRow("a seventh digit is dropped, not rounded")
            << u"2021-05-21T06:28:34.1234567Z"_s << 1621578514123456LL
            << u"2021-05-21T06:28:34.123456Z"_s;
        QTest::newRow("a positive offset moves to UTC")
            << u"2021-05-21T08:28:34+02:00"_s << 1621578514000000LL
            << u"2021-05-21T06:28:34.000Z"_s;
        QTest::newRow("a negative offset crosses midnight")
            << u"2021-05-20T23:28:34-07:00"_s << 1621578514000000LL
            << u"2021-05-21T06:28:34.000Z"_s;
        QTest::newRow("before the epoch")
            << u"1969-12-31T23:59:59.999Z"_s << -1000LL << u"1969-12-31T23:59:59.999Z"_s;
        QTest::newRow("leap day") << u"2024-02-29T00:00:00Z"_s << 1709164800000000LL
                                  << u"2024-02-29T00:00:00.000Z"_s;
    }
    void parsesEdmDateTimeOffset() {
        QFETCH(QString, text);
        QFETCH(qint64, usecs);
        QFETCH(QString, formatted);
        const auto parsed = Timestamp::parse(QStringView(text));
        QVERIFY2(parsed.has_value(), qPrintable(text));
        QCOMPARE(parsed->usecs(), usecs);
        QCOMPARE(parsed->toString(), formatted);
        QCOMPARE(Timestamp::parse(QByteArrayView(text.toLatin1()))->usecs(), usecs);
        QCOMPARE(Timestamp::parse(QStringView(formatted))->usecs(), usecs);
    }

    void rejectsMalformedTimestamps_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("date only") << u"2021-05-21"_s;
        QTest::newRow("no zone") << u"2021-05-21T06:28:34"_s;
        QTest::newRow("month 13") << u"2021-13-21T06:28:34Z"_s;
        QTest::newRow("February 30") << u"2021-02-30T06:28:34Z"_s;
        QTest::newRow("hour 24") << u"2021-05-21T24:00:00Z"_s;
        QTest::newRow("empty fraction") << u"2021-05-21T06:28:34.Z"_s;
        QTest::newRow("trailing text") << u"2021-05-21T06:28:34Zx"_s;
        QTest::newRow("quoted") << u"'2021-05-21T06:28:34Z'"_s;
    }
    void rejectsMalformedTimestamps() {
        QFETCH(QString, text);
        QVERIFY(!Timestamp::parse(QStringView(text)).has_value());
    }

    void ordersByFullPrecision() {
        const auto a = Timestamp::parse(u"2024-01-01T00:00:00.000001Z");
        const auto b = Timestamp::parse(u"2024-01-01T00:00:00.000002Z");
        QVERIFY(*a < *b);
        QVERIFY(*a == *Timestamp::parse(u"2024-01-01T01:00:00.000001+01:00"));
    }

    void datesRoundTrip() {
        QCOMPARE(resosync::reso::parseDate(u"2024-03-01"), 19783);
        QCOMPARE(resosync::reso::formatDate(19783), u"2024-03-01"_s);
        QVERIFY(!resosync::reso::parseDate(u"2024-3-01"));
    }
};

QTEST_GUILESS_MAIN(TestTimestamp)
#include "tst_timestamp.moc"
