// The index setup wizard against a real PostgreSQL: Inspect, Measure, Apply with progress,
// Verify, driven through its widgets offscreen. Each page is also saved as a PNG next to the
// test binary for review (wizard-inspect.png, ...).
#include "TestDatabase.h"

#include "IndexWizard.h"
#include "db/SchemaMigrator.h"

#include <QAbstractButton>
#include <QClipboard>
#include <QCoreApplication>
#include <QGroupBox>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#include <pqxx/pqxx>

#include <memory>

using namespace Qt::StringLiterals;
using resosync::db::IndexAdvisor;
using resosync::test::TestDatabase;
using resosync::ui::IndexWizard;

namespace {

constexpr int kListings = 4000; ///< with 12 media each: enough rows that the plans change
constexpr int kTimeoutMs = 120'000;

enum InspectColumn { NameColumn, TableColumn, StateColumn, ServedByColumn };
enum VerifyColumn { QueryColumn, BeforeColumn, AfterColumn, RatioColumn };

/// Installs the schema and fills it with listings, media, rooms and open houses.
QString prepare(const TestDatabase &database) {
    if (!database.isValid())
        return database.error();
    const auto report = resosync::db::SchemaMigrator(database.conninfo()).apply();
    if (!report.ok())
        return report.error->message;
    pqxx::connection connection(database.conninfo().toStdString());
    pqxx::work tx(connection);
    tx.exec_params(R"(INSERT INTO "Property" ("ListingKey", "ModificationTimestamp",
                          "StandardStatus", "ContractStatus", record)
                      SELECT 'L' || i, now() - i * interval '1 minute',
                             (ARRAY['Active','Pending','Closed'])[1 + i % 3],
                             (ARRAY['Active','Pending','Closed','Expired'])[1 + i % 4], '{}'
                      FROM generate_series(1, $1) i)",
                   kListings);
    tx.exec_params(R"(INSERT INTO "Media" ("MediaKey", "ResourceRecordKey", "ResourceName",
                          "MediaModificationTimestamp", "Order", "MediaURL", record)
                      SELECT 'M' || i || '-' || j, 'L' || i, 'Property',
                             now() - (i * 12 + j) * interval '1 second', j,
                             'https://example.invalid/' || i || '/' || j || '.jpg', '{}'
                      FROM generate_series(1, $1) i, generate_series(1, 12) j)",
                   kListings);
    tx.exec_params(R"(INSERT INTO "PropertyRooms" ("RoomKey", "ListingKey", "RoomType", record)
                      SELECT 'R' || i || '-' || j, 'L' || i, 'Bedroom', '{}'
                      FROM generate_series(1, $1) i, generate_series(1, 4) j)",
                   kListings);
    tx.exec_params(R"(INSERT INTO "OpenHouse" ("OpenHouseKey", "ListingKey", record)
                      SELECT 'O' || i, 'L' || i, '{}' FROM generate_series(1, $1, 3) i)",
                   kListings);
    tx.commit();
    pqxx::nontransaction analyze(connection);
    analyze.exec("ANALYZE");
    return {};
}

int invalidIndexCount(const QString &conninfo) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::read_transaction tx(connection);
    return tx.exec1("SELECT count(*) FROM pg_index WHERE NOT indisvalid")[0].as<int>();
}

/// Statements building an index that are running now in that database.
int activeIndexBuilds(const QString &conninfo) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::read_transaction tx(connection);
    return tx
        .exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
               "AND state = 'active' AND query ILIKE 'CREATE INDEX%'")[0]
        .as<int>();
}

QString cellText(const QTableWidget *table, int row, int column) {
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text() : QString();
}

/// The row whose first column is `name`, or -1.
int rowNamed(const QTableWidget *table, const QString &name) {
    for (int row = 0; row < table->rowCount(); ++row)
        if (cellText(table, row, 0) == name)
            return row;
    return -1;
}

double number(const QString &text) {
    return QLocale().toDouble(text);
}

} // namespace

class TestIndexWizard final : public QObject {
    Q_OBJECT

    template<typename T> T *child(const QString &name) const {
        T *found = m_wizard->findChild<T *>(name);
        if (!found)
            qFatal("No widget named %s", qPrintable(name));
        return found;
    }

    void screenshot(const QString &page) const {
        const QString path = QCoreApplication::applicationDirPath() + u"/wizard-%1.png"_s.arg(page);
        QVERIFY2(m_wizard->grab().save(path), qPrintable(path));
        qInfo("Screenshot: %s", qPrintable(path));
    }

    std::unique_ptr<TestDatabase> m_database;
    std::unique_ptr<IndexWizard> m_wizard;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        m_database = std::make_unique<TestDatabase>(u"index wizard"_s);
        const QString error = prepare(*m_database);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_wizard = std::make_unique<IndexWizard>(m_database->conninfo());
        m_wizard->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_wizard.get()));
    }

    void inspectShowsEachIndexState_data() {
        QTest::addColumn<QString>("index");
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("table");
        QTest::newRow("the listing key index is redundant with the primary key")
            << u"idx_property_listing_key"_s << u"redundant"_s << u"Property"_s;
        QTest::newRow("the modification timestamp index is missing")
            << u"idx_property_modification_timestamp"_s << u"missing"_s << u"Property"_s;
        QTest::newRow("the contract status index is missing")
            << u"idx_property_contract_status"_s << u"missing"_s << u"Property"_s;
        QTest::newRow("the media parent index is missing")
            << u"idx_media_resource_key"_s << u"missing"_s << u"Media"_s;
        QTest::newRow("the media timestamp index is missing")
            << u"idx_media_modification_timestamp"_s << u"missing"_s << u"Media"_s;
        QTest::newRow("the media parent and timestamp index is missing")
            << u"idx_media_resource_timestamp"_s << u"missing"_s << u"Media"_s;
        QTest::newRow("the rooms listing index is missing")
            << u"idx_property_rooms_listing_key"_s << u"missing"_s << u"PropertyRooms"_s;
        QTest::newRow("the open house listing index is missing")
            << u"idx_openhouse_listing_key"_s << u"missing"_s << u"OpenHouse"_s;
    }

    void inspectShowsEachIndexState() {
        QFETCH(QString, index);
        QFETCH(QString, state);
        QFETCH(QString, table);
        auto *indexes = child<QTableWidget>(u"inspectTable"_s);
        QCOMPARE(m_wizard->currentId(), int(IndexWizard::InspectPageId));
        QTRY_COMPARE_WITH_TIMEOUT(indexes->rowCount(), 8, kTimeoutMs);
        QVERIFY(m_wizard->button(QWizard::NextButton)->isEnabled());
        QVERIFY(!child<QProgressBar>(u"inspectBusy"_s)->isVisible());
        const int row = rowNamed(indexes, index);
        QVERIFY2(row >= 0, qPrintable(index));
        QCOMPARE(cellText(indexes, row, StateColumn), state);
        QCOMPARE(cellText(indexes, row, TableColumn), table);
        QVERIFY(!indexes->item(row, StateColumn)->icon().isNull()); // the coloured marker
        if (state == "redundant"_L1)
            QVERIFY2(cellText(indexes, row, ServedByColumn).contains("pkey"_L1),
                     qPrintable(cellText(indexes, row, ServedByColumn)));
    }

    void inspectShowsTableSizes() {
        auto *tables = child<QTableWidget>(u"tableStatsTable"_s);
        const int media = rowNamed(tables, u"Media"_s);
        QVERIFY(media >= 0);
        QCOMPARE(cellText(tables, media, 1), QLocale().toString(kListings * 12));
        QVERIFY(child<QLabel>(u"inspectSummary"_s)->text().contains("7 to build"_L1));
        screenshot(u"inspect"_s);
    }

    void measureShowsEveryQuery() {
        QTest::keyClick(m_wizard.get(), Qt::Key_Return); // Enter = Next
        QCOMPARE(m_wizard->currentId(), int(IndexWizard::MeasurePageId));
        QVERIFY(!m_wizard->button(QWizard::NextButton)->isEnabled()); // measuring
        auto *queries = child<QTableWidget>(u"measureTable"_s);
        QTRY_VERIFY_WITH_TIMEOUT(m_wizard->button(QWizard::NextButton)->isEnabled(), kTimeoutMs);
        const auto &before = m_wizard->explainBefore().measurements;
        QVERIFY(!before.isEmpty());
        QCOMPARE(queries->rowCount(), before.size());
        for (int row = 0; row < queries->rowCount(); ++row) {
            QCOMPARE(cellText(queries, row, 0), before[row].name);
            QVERIFY(!cellText(queries, row, 4).isEmpty()); // the plan shape
            QCOMPARE(cellText(queries, row, 1),
                     QLocale().toString(before[row].executionMs, 'f', 2));
        }
        screenshot(u"measure"_s);
    }

    void applyBuildsEachIndexWithProgress() {
        m_wizard->next();
        QCOMPARE(m_wizard->currentId(), int(IndexWizard::ApplyPageId));
        auto *plan = child<QTableWidget>(u"applyTable"_s);
        QCOMPARE(plan->rowCount(), 7);
        QCOMPARE(rowNamed(plan, u"idx_property_listing_key"_s), -1); // redundant: not built
        const QString sql = child<QPlainTextEdit>(u"plannedSql"_s)->toPlainText();
        QVERIFY2(sql.contains("CREATE INDEX CONCURRENTLY"_L1), qPrintable(sql));
        QVERIFY(sql.contains("idx_media_resource_timestamp"_L1));
        QAbstractButton *commit = m_wizard->button(QWizard::CommitButton);
        QVERIFY(!commit->isEnabled()); // nothing built yet
        screenshot(u"apply-before"_s);

        QTest::mouseClick(child<QPushButton>(u"startButton"_s), Qt::LeftButton);
        QVERIFY(m_wizard->isBuilding());
        QVERIFY(!commit->isEnabled());
        QVERIFY(child<QPushButton>(u"cancelBuildButton"_s)->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!m_wizard->isBuilding() && commit->isEnabled(), kTimeoutMs);
        QVERIFY2(child<QGroupBox>(u"dbaBox"_s)->isHidden(),
                 qPrintable(child<QLabel>(u"applyStatus"_s)->text()));
        for (int row = 0; row < plan->rowCount(); ++row) {
            const QString index = cellText(plan, row, 0);
            auto *bar = child<QProgressBar>(u"progress_"_s + index);
            QCOMPARE(bar->value(), 100);
            QCOMPARE(bar->format(), u"built"_s);
        }
        QVERIFY(child<QLabel>(u"applyStatus"_s)->text().contains("7 built"_L1));
        QCOMPARE(invalidIndexCount(m_database->conninfo()), 0);
        screenshot(u"apply-done"_s);
    }

    void verifyShowsAfterFiguresForEveryQuery() {
        m_wizard->next();
        QCOMPARE(m_wizard->currentId(), int(IndexWizard::VerifyPageId));
        auto *queries = child<QTableWidget>(u"verifyTable"_s);
        auto *states = child<QLabel>(u"verifyStates"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!states->text().isEmpty(), kTimeoutMs);
        QVERIFY2(states->text().contains("All 8 recommended indexes are in place: 7 present, 1 "
                                         "served by another"_L1),
                 qPrintable(states->text()));
        const auto &before = m_wizard->explainBefore().measurements;
        QCOMPARE(queries->rowCount(), before.size());
        for (int row = 0; row < queries->rowCount(); ++row) {
            QVERIFY(cellText(queries, row, QueryColumn).endsWith(before[row].name));
            QCOMPARE(cellText(queries, row, BeforeColumn),
                     QLocale().toString(before[row].executionMs, 'f', 2));
            QVERIFY(number(cellText(queries, row, AfterColumn)) >= 0);
            QVERIFY2(cellText(queries, row, RatioColumn).contains(u'×'),
                     qPrintable(cellText(queries, row, RatioColumn)));
        }
        // Some query that scanned its table before now uses one of the new indexes.
        int nowIndexed = 0;
        for (int row = 0; row < queries->rowCount(); ++row)
            nowIndexed += !before[row].usesIndex && cellText(queries, row, 4).contains("Index"_L1);
        QVERIFY(nowIndexed > 0);
        QChart *chart = child<QChartView>(u"verifyChart"_s)->chart();
        auto *series = qobject_cast<QBarSeries *>(chart->series().first());
        QVERIFY(series);
        QCOMPARE(series->barSets().size(), 2);
        QCOMPARE(series->barSets().at(0)->count(), before.size());
        QCOMPARE(series->barSets().at(1)->count(), before.size());
        QVERIFY(child<QLabel>(u"verifyNote"_s)->text().contains(u"50–70%"_s));
        QVERIFY(m_wizard->button(QWizard::FinishButton)->isEnabled());
        // The result is kept with the run history: before and after, and the seven built.
        {
            pqxx::connection connection(m_database->conninfo().toStdString());
            pqxx::read_transaction tx(connection);
            const pqxx::row saved =
                tx.exec1("SELECT count(*), max(jsonb_array_length(summary->'built')), "
                         "max(jsonb_array_length(summary->'after')) FROM resosync.index_results");
            QCOMPARE(saved[0].as<int>(), 1);
            QCOMPARE(saved[1].as<int>(), 7);
            QCOMPARE(saved[2].as<int>(), int(before.size()));
        }
        screenshot(u"verify"_s);
    }

    void destroyingTheWizardDuringABuildCancelsIt() {
        // A second database where every index is missing again.
        TestDatabase database(u"index wizard cancel"_s);
        const QString error = prepare(database);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        auto wizard = std::make_unique<IndexWizard>(database.conninfo());
        wizard->show();
        auto *indexes = wizard->findChild<QTableWidget *>(u"inspectTable"_s);
        QTRY_COMPARE_WITH_TIMEOUT(indexes->rowCount(), 8, kTimeoutMs);
        wizard->next();
        QTRY_VERIFY_WITH_TIMEOUT(wizard->button(QWizard::NextButton)->isEnabled(), kTimeoutMs);
        wizard->next();
        wizard->findChild<QPushButton *>(u"startButton"_s)->click();
        QVERIFY(wizard->isBuilding());
        wizard.reset(); // must cancel, wait, and leave nothing invalid behind
        QCOMPARE(invalidIndexCount(database.conninfo()), 0);
    }

    void cancelStopsTheBuildAndLeavesNothingInvalid() {
        TestDatabase database(u"index wizard cancel button"_s);
        const QString error = prepare(database);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        IndexWizard wizard(database.conninfo());
        wizard.show();
        QTRY_COMPARE_WITH_TIMEOUT(wizard.findChild<QTableWidget *>(u"inspectTable"_s)->rowCount(),
                                  8, kTimeoutMs);
        wizard.next();
        QTRY_VERIFY_WITH_TIMEOUT(wizard.button(QWizard::NextButton)->isEnabled(), kTimeoutMs);
        wizard.next();
        // An open writing transaction holds the first build in "waiting for writers", so the
        // bar shows a live phase and the cancel surely arrives while the build runs.
        pqxx::connection blocker(database.conninfo().toStdString());
        pqxx::work writing(blocker);
        writing.exec(R"(INSERT INTO "Property" ("ListingKey", record) VALUES ('blocker', '{}'))");
        wizard.findChild<QPushButton *>(u"startButton"_s)->click();
        auto *first =
            wizard.findChild<QProgressBar *>(u"progress_idx_property_modification_timestamp"_s);
        QVERIFY(first);
        QTRY_VERIFY_WITH_TIMEOUT(first->format().contains("waiting for"_L1), kTimeoutMs);
        QVERIFY(!wizard.button(QWizard::CommitButton)->isEnabled());
        QVERIFY(wizard.grab().save(QCoreApplication::applicationDirPath() +
                                   u"/wizard-apply-progress.png"_s));
        wizard.findChild<QPushButton *>(u"cancelBuildButton"_s)->click();
        // Once the build is cancelled, dropping what it left also waits for writers: then
        // let ours finish (before, it would let the build complete instead).
        QTRY_COMPARE_WITH_TIMEOUT(activeIndexBuilds(database.conninfo()), 0, kTimeoutMs);
        writing.abort();
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isBuilding(), kTimeoutMs);
        auto *status = wizard.findChild<QLabel *>(u"applyStatus"_s);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().startsWith("Cancelled"_L1), kTimeoutMs);
        QCOMPARE(first->format(), u"cancelled"_s);
        QVERIFY(wizard.findChild<QPushButton *>(u"startButton"_s)->isEnabled()); // to resume
        QVERIFY(!wizard.button(QWizard::CommitButton)->isEnabled());
        QCOMPARE(invalidIndexCount(database.conninfo()), 0);
    }

    void aRoleWithoutThePrivilegeGetsTheSqlForADba() {
        TestDatabase database(u"index wizard reader"_s);
        const QString error = prepare(database);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const std::string role = database.name().toStdString() + "_reader";
        const auto execute = [](const QString &conninfo, const std::string &sql) {
            pqxx::connection connection(conninfo.toStdString());
            pqxx::nontransaction tx(connection);
            tx.exec(sql);
        };
        execute(TestDatabase::maintenanceConninfo(), "DROP ROLE IF EXISTS \"" + role + "\"");
        execute(TestDatabase::maintenanceConninfo(), "CREATE ROLE \"" + role + "\" LOGIN");
        execute(database.conninfo(),
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"" + role + "\"");
        const auto dropRole = qScopeGuard([&] {
            execute(database.conninfo(), "DROP OWNED BY \"" + role + "\"");
            execute(TestDatabase::maintenanceConninfo(), "DROP ROLE IF EXISTS \"" + role + "\"");
        });
        IndexWizard wizard(database.conninfo() + u" user="_s + QString::fromStdString(role));
        wizard.show();
        QTRY_COMPARE_WITH_TIMEOUT(wizard.findChild<QTableWidget *>(u"inspectTable"_s)->rowCount(),
                                  8, kTimeoutMs);
        wizard.next();
        // Measuring runs the sync's deletes (rolled back): a reader may not, but goes on.
        QTRY_VERIFY_WITH_TIMEOUT(wizard.button(QWizard::NextButton)->isEnabled(), kTimeoutMs);
        wizard.next();
        QCOMPARE(wizard.currentId(), int(IndexWizard::ApplyPageId));
        wizard.findChild<QPushButton *>(u"startButton"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!wizard.isBuilding(), kTimeoutMs);
        auto *dbaBox = wizard.findChild<QGroupBox *>(u"dbaBox"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!dbaBox->isHidden(), kTimeoutMs);
        const QString sql = wizard.findChild<QPlainTextEdit *>(u"dbaSql"_s)->toPlainText();
        QCOMPARE(sql.count("CREATE INDEX CONCURRENTLY"_L1), 7);
        QVERIFY(wizard.findChild<QLabel *>(u"dbaMessage"_s)->text().contains("owner"_L1));
        QVERIFY(!wizard.button(QWizard::CommitButton)->isEnabled());
        wizard.findChild<QPushButton *>(u"copyDbaSql"_s)->click();
        QCOMPARE(QGuiApplication::clipboard()->text(), sql);
        QVERIFY(wizard.grab().save(QCoreApplication::applicationDirPath() +
                                   u"/wizard-apply-privilege.png"_s));
        QCOMPARE(invalidIndexCount(database.conninfo()), 0);
    }

    void cleanupTestCase() {
        m_wizard.reset();
        m_database.reset();
    }
};

QTEST_MAIN(TestIndexWizard)
#include "tst_indexwizard.moc"
