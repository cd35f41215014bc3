// A run's report rebuilt from its saved summary, two runs compared, and report files written.
#include "SeedFigures.h"
#include "metrics/ExportFile.h"
#include "metrics/RunComparison.h"
#include "metrics/RunReport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace resosync::metrics;

namespace {

RunReport seedLikeReport() {
    RunReport r;
    r.runId = 7;
    r.status = u"succeeded"_s;
    r.durationSeconds = 12.4;
    r.config.resources = {u"Property"_s, u"Media"_s};
    r.metrics = resosync::test::seedLikeSnapshot();
    // Beyond the seed's block: a failed statement and batch, and statement kinds.
    MetricsSnapshot &m = r.metrics;
    m.db.succeeded = 155;
    m.db.failed = 1;
    m.db.byKind[std::size_t(DbStatement::Merge)] = DbKindSummary{100, 1, 90.5, 150.25};
    m.db.byKind[std::size_t(DbStatement::Copy)] = DbKindSummary{56, 0, 12.125, 20};
    m.batches.failed = 1;
    r.problems << u"Media batch 3 failed: connection reset"_s;
    return r;
}

/// Figures whose rounding in the summary changes how the text block prints them, if the
/// text were formatted from the unrounded figures.
RunReport roundingEdgeReport() {
    RunReport r = seedLikeReport();
    r.durationSeconds = 0.04999999;
    r.metrics.api.avgMs = 9.99996;         // 10.0 in the summary: "10ms", not "10.0ms"
    r.metrics.db.avgMs = 0.04996;          // 0.05: "0.1ms", not "0.0ms"
    r.metrics.memory.currentMb = 245.4999; // 245.5: "246MB", not "245MB"
    r.metrics.memory.peakMb = 1023.96;
    r.metrics.batches.parallelEfficiency = 49.49999; // 49.5: "50%"
    r.metrics.batches.recordsPerSecond = 2.4999;     // 2.5: "3 records/s"
    r.metrics.validation = ValidationSummary{3, 1};
    return r;
}

ComparisonRow rowOf(const RunComparison &comparison, const QString &section,
                    const QString &metric) {
    for (const ComparisonRow &row : comparison.rows()) {
        if (row.section == section && row.metric == metric)
            return row;
    }
    qWarning("no row %s / %s", qPrintable(section), qPrintable(metric));
    return {};
}

QByteArray readAll(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestRunReport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // ---- fromJson ----

    void reportRoundTripsThroughItsSummary_data() {
        QTest::addColumn<int>("which");
        QTest::newRow("the seed's figures") << 0;
        QTest::newRow("figures on rounding edges") << 1;
        QTest::newRow("an empty report") << 2;
        QTest::newRow("a failed run with quotes and newlines in its problems") << 3;
    }
    void reportRoundTripsThroughItsSummary() {
        QFETCH(int, which);
        RunReport report;
        if (which == 0)
            report = seedLikeReport();
        else if (which == 1)
            report = roundingEdgeReport();
        if (which == 3) {
            report = seedLikeReport();
            report.status = u"failed"_s;
            report.config = RunConfig{777, 33, 11, 0, 1, u"mlsgrid"_s, u"full"_s, {}};
            report.problems = {u"the feed said \"no\"\nand hung up"_s, u"a \\ backslash"_s};
        }
        const QJsonObject json = report.toJson();
        const RunReport rebuilt = RunReport::fromJson(json);
        QCOMPARE(rebuilt.toJson(), json);
        QCOMPARE(rebuilt.toText(), report.toText());
        // As stored: resosync.runs.summary is the compact JSON text.
        const QJsonObject stored =
            QJsonDocument::fromJson(QJsonDocument(json).toJson(QJsonDocument::Compact)).object();
        QCOMPARE(RunReport::fromJson(stored).toText(), report.toText());
        QCOMPARE(rebuilt.runId, report.runId);
        QCOMPARE(rebuilt.problems, report.problems);
    }

    void textPrintsTheFiguresTheSummaryKeeps() {
        const QString text = roundingEdgeReport().toText();
        QVERIFY2(text.contains(u"10ms avg (p50"_s), qPrintable(text));
        QVERIFY2(text.contains(u"0.1ms avg (p95"_s), qPrintable(text));
        QVERIFY2(text.contains(u"246MB current, 1024MB peak"_s), qPrintable(text));
        QVERIFY2(text.contains(u"50% parallel efficiency, 3 records/s"_s), qPrintable(text));
        QVERIFY2(text.contains(u"in 0.1 s (run 7)"_s), qPrintable(text));
    }

    void anOlderSummaryStillLoads() {
        // Saved before batches.failed, batches.records_per_s and validation.cache_hits existed.
        QJsonObject json = seedLikeReport().toJson();
        QJsonObject batches = json[u"batches"_s].toObject();
        batches.remove(u"failed"_s);
        batches.remove(u"records_per_s"_s);
        json[u"batches"_s] = batches;
        QJsonObject validation = json[u"validation"_s].toObject();
        validation.remove(u"cache_hits"_s);
        json[u"validation"_s] = validation;
        const RunReport report = RunReport::fromJson(json);
        QCOMPARE(report.metrics.batches.failed, qint64(0));
        QCOMPARE(report.metrics.batches.recordsPerSecond, 0.0);
        QCOMPARE(report.metrics.validation.cacheHits, qint64(1088)); // 0.8704 x 1250
        QCOMPARE(report.metrics.api.requests, qint64(45));
        QCOMPARE(report.config.resources, QStringList({u"Property"_s, u"Media"_s}));
    }

    // ---- RunComparison ----

    void comparisonCoversEverySettingAndMetric() {
        RunReport a = seedLikeReport();
        RunReport b = seedLikeReport();
        b.runId = 8;
        b.config.batchSize = 1000;
        b.metrics.api.requests = 90;
        b.metrics.api.succeeded = 88; // the same success rate
        b.metrics.api.p95Ms = 1050;
        b.metrics.memory.peakMb = 400;
        const RunComparison comparison(a, b);

        QStringList sections;
        for (const ComparisonRow &row : comparison.rows()) {
            if (!sections.contains(row.section))
                sections << row.section;
        }
        QCOMPARE(sections,
                 QStringList({u"Config"_s, u"Run"_s, u"API"_s, u"Database"_s, u"Database: copy"_s,
                              u"Database: merge"_s, u"Memory"_s, u"Batches"_s, u"Validation"_s,
                              u"Resource: Property"_s, u"Resource: Media"_s}));
        for (const QString &metric :
             {u"Batch size"_s, u"Property batch size"_s, u"DB batch size"_s, u"Throttle (ms)"_s,
              u"Concurrency"_s, u"Profile"_s, u"Mode"_s, u"Resources"_s})
            QVERIFY2(!rowOf(comparison, u"Config"_s, metric).metric.isEmpty(), qPrintable(metric));

        const ComparisonRow batch = rowOf(comparison, u"Config"_s, u"Batch size"_s);
        QCOMPARE(batch.a, u"2000"_s);
        QCOMPARE(batch.b, u"1000"_s);
        QCOMPARE(*batch.ratio(), 0.5);
        QCOMPARE(batch.verdict(), ComparisonVerdict::Different); // a setting: no direction

        const ComparisonRow requests = rowOf(comparison, u"API"_s, u"Requests"_s);
        QCOMPARE(*requests.ratio(), 2.0);
        QCOMPARE(requests.ratioText(), u"2.00"_s);

        const ComparisonRow p95 = rowOf(comparison, u"API"_s, u"p95 (ms)"_s);
        QCOMPARE(*p95.ratio(), 0.5);
        QCOMPARE(p95.verdict(), ComparisonVerdict::Better); // lower latency
        const ComparisonRow peak = rowOf(comparison, u"Memory"_s, u"Peak (MB)"_s);
        QCOMPARE(peak.verdict(), ComparisonVerdict::Worse); // more memory
        QCOMPARE(peak.ratioText(), u"1.28"_s);
        const ComparisonRow rate = rowOf(comparison, u"API"_s, u"Success rate (%)"_s);
        QCOMPARE(rate.a, u"97.8"_s); // 44 of 45
        QCOMPARE(rate.verdict(), ComparisonVerdict::Same);
        QCOMPARE(rowOf(comparison, u"Resource: Media"_s, u"Rejected"_s).a, u"10"_s);
    }

    void comparisonVerdicts_data() {
        QTest::addColumn<double>("a");
        QTest::addColumn<double>("b");
        QTest::addColumn<int>("better");
        QTest::addColumn<int>("verdict");
        QTest::newRow("higher throughput is better")
            << 100.0 << 150.0 << int(BetterWhen::Higher) << int(ComparisonVerdict::Better);
        QTest::newRow("lower throughput is worse")
            << 100.0 << 50.0 << int(BetterWhen::Higher) << int(ComparisonVerdict::Worse);
        QTest::newRow("a lower latency is better")
            << 100.0 << 90.0 << int(BetterWhen::Lower) << int(ComparisonVerdict::Better);
        QTest::newRow("1% apart is noise")
            << 100.0 << 101.0 << int(BetterWhen::Lower) << int(ComparisonVerdict::Same);
        QTest::newRow("from nothing to some failures is worse")
            << 0.0 << 3.0 << int(BetterWhen::Lower) << int(ComparisonVerdict::Worse);
        QTest::newRow("both zero is the same")
            << 0.0 << 0.0 << int(BetterWhen::Lower) << int(ComparisonVerdict::Same);
        QTest::newRow("a setting changed is only different")
            << 3.0 << 6.0 << int(BetterWhen::Unknown) << int(ComparisonVerdict::Different);
    }
    void comparisonVerdicts() {
        QFETCH(double, a);
        QFETCH(double, b);
        QFETCH(int, better);
        QFETCH(int, verdict);
        ComparisonRow row{u"S"_s, u"M"_s, {}, {}, a, b, BetterWhen(better)};
        QCOMPARE(int(row.verdict()), verdict);
        QCOMPARE(row.ratio().has_value(), a != 0);
        QCOMPARE(row.ratioText(), a != 0 ? QString::number(b / a, 'f', 2) : u"n/a"_s);
    }

    void comparisonExportsAsCsvAndText() {
        RunReport a = seedLikeReport();
        RunReport b = seedLikeReport();
        b.runId = 9;
        b.config.profile = u"vendor, \"quoted\""_s;
        b.metrics.api.requests = 0; // a rate of nothing is n/a
        b.metrics.api.succeeded = 0;
        const RunComparison comparison(a, b);
        const QStringList lines = comparison.toCsv().split(u"\r\n"_s, Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), comparison.rows().size() + 1);
        QCOMPARE(lines[0], u"section,metric,run_a,run_b,ratio_b_over_a,verdict"_s);
        QVERIFY(lines.contains(u"Config,Profile,generic,\"vendor, \"\"quoted\"\"\",,different"_s));
        QVERIFY(lines.contains(u"API,Requests,45,0,0,different"_s));
        QVERIFY(lines.contains(u"API,Success rate (%),97.8,n/a,,different"_s));

        const QString text = comparison.toText();
        QVERIFY(text.startsWith(u"Run A: #7 (succeeded, 12.4 s)\nRun B: #9 (succeeded, 12.4 s)"_s));
        const QStringList textLines = text.split(u'\n');
        const auto requests =
            std::find_if(textLines.begin(), textLines.end(), [](const QString &l) {
                return l.startsWith(u"API"_s) && l.contains(u"Requests"_s);
            });
        QVERIFY(requests != textLines.end());
        QVERIFY2(requests->simplified() == u"API Requests 45 0 0.00 different"_s,
                 qPrintable(*requests));
    }

    // ---- report files ----

    void exportWritesJsonAndText() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const RunReport report = seedLikeReport();
        const QString json = dir.filePath(u"run.json"_s);
        const QString text = dir.filePath(u"run.txt"_s);
        QCOMPARE(exportReport(report, ReportFormat::Json, json), std::nullopt);
        QCOMPARE(exportReport(report, ReportFormat::Text, text), std::nullopt);
        QJsonParseError error;
        const QJsonDocument parsed = QJsonDocument::fromJson(readAll(json), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(parsed.object(), report.toJson());
        QCOMPARE(RunReport::fromJson(parsed.object()).toText(), report.toText());
        QCOMPARE(QString::fromUtf8(readAll(text)), report.toText());
        // Again over the same files: replaced, not appended to.
        QCOMPARE(exportReport(report, ReportFormat::Text, text), std::nullopt);
        QCOMPARE(QString::fromUtf8(readAll(text)), report.toText());
    }

    void exportToAPathThatCannotBeWrittenSaysWhy_data() {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<QString>("reason");
        QTest::newRow("a folder that does not exist") << u"missing/run.json"_s << QString();
        QTest::newRow("under a file, not a folder") << u"file.txt/run.json"_s << QString();
        QTest::newRow("a folder itself") << u"folder"_s << u"that is a folder"_s;
    }
    void exportToAPathThatCannotBeWrittenSaysWhy() {
        QFETCH(QString, relative);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile file(dir.filePath(u"file.txt"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QVERIFY(QDir(dir.path()).mkdir(u"folder"_s));
        const QString path = dir.filePath(relative);
        const auto error = exportReport(seedLikeReport(), ReportFormat::Json, path);
        QVERIFY(error.has_value());
        QVERIFY2(error->startsWith(u"Could not write the report to "_s + path + u": "_s),
                 qPrintable(*error));
        QVERIFY2(error->contains(u"Choose a folder you can write to"_s), qPrintable(*error));
        QVERIFY2(error->contains(reason), qPrintable(*error));
        QVERIFY(!QFile::exists(path) || QFileInfo(path).isDir());
        const auto unnamed = exportReport(seedLikeReport(), ReportFormat::Text, QString());
        QCOMPARE(unnamed, u"Could not write the report: no file name was given."_s);
    }
};

QTEST_GUILESS_MAIN(TestRunReport)
#include "tst_runreport.moc"
