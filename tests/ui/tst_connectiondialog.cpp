// The connection dialog, offscreen, against the real simulator and the test PostgreSQL:
// fill fields, see a bad batch size refused with its reason, test the feed and the database
// through the buttons, save a profile and connect.
#include "ConnectionDialog.h"
#include "SimulatorFixture.h"
#include "TestDatabase.h"
#include "sim/FeedSimulator.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using ui::ConnectionDialog;

namespace {

constexpr int kProperties = 180;

template<typename T> T *child(const QWidget &parent, const QString &name) {
    T *widget = parent.findChild<T *>(name);
    if (!widget)
        qFatal("no child widget named %s", qPrintable(name));
    return widget;
}

} // namespace

class TestConnectionDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        // No keychain for this process, whatever the machine has: the dialog must say so.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/resosync-test-bus");
        qRegisterMetaType<reso::FeedProbeResult>();
        qRegisterMetaType<db::DatabaseProbeResult>();
    }

    void fillsTestsSavesAndConnects() {
        sim::SimulatorOptions options;
        options.seed = 3;
        options.properties = kProperties;
        auto simulator = test::startSimulator(options);
        test::TestDatabase database(u"connection dialog"_s);
        QVERIFY2(database.isValid(), qPrintable(database.error()));

        QTemporaryDir dir;
        connections::ProfileStore store(dir.filePath(u"settings.ini"_s));
        store.setDemo(simulator->baseUrl(), QString());
        connections::SecretStore secrets(u"ResoSyncTest"_s);
        ConnectionDialog dialog(store, secrets);
        dialog.show();

        // Opens on the built-in simulator template.
        auto *feedUrl = child<QLineEdit>(dialog, u"feedUrl"_s);
        QCOMPARE(QUrl(feedUrl->text()), simulator->baseUrl());
        QCOMPARE(child<QComboBox>(dialog, u"vendor"_s)->currentData().toString(), u"simulator"_s);
        QCOMPARE(child<QLineEdit>(dialog, u"feedSecret"_s)->echoMode(), QLineEdit::Password);
        QCOMPARE(child<QLineEdit>(dialog, u"dbPassword"_s)->echoMode(), QLineEdit::Password);
        for (const char *name : {"name", "vendor", "feedUrl", "auth", "conninfo", "batchSize",
                                 "concurrency", "testFeed", "testDatabase"})
            QVERIFY2(!child<QWidget>(dialog, QLatin1StringView(name))->toolTip().isEmpty(), name);

        // No keychain here: the note says secrets live in memory only.
        auto *note = child<QLabel>(dialog, u"secretNote"_s);
        QTRY_VERIFY(note->isVisible());
        QVERIFY2(note->text().contains(u"memory only"_s), qPrintable(note->text()));

        // A batch size above the simulator's largest $top is refused with its reason, inline.
        auto *batchSize = child<QSpinBox>(dialog, u"batchSize"_s);
        auto *batchError = child<QLabel>(dialog, u"error-batchSize"_s);
        QVERIFY(!batchError->isVisible());
        batchSize->setValue(9000);
        QVERIFY(batchError->isVisible());
        QVERIFY2(
            batchError->text().contains(u"Batch size 9000 is out of range: allowed 1 to 5000"_s),
            qPrintable(batchError->text()));
        dialog.accept();
        QVERIFY(dialog.isVisible()); // refused
        batchSize->setValue(700);
        QVERIFY(!batchError->isVisible());

        // A malformed feed URL, too.
        auto *urlError = child<QLabel>(dialog, u"error-feedUrl"_s);
        feedUrl->setText(u"localhost odata"_s);
        QVERIFY(urlError->isVisible());
        QVERIFY2(urlError->text().contains(u"not an http:// or https:// URL"_s),
                 qPrintable(urlError->text()));
        feedUrl->setText(simulator->baseUrl().toString());
        QVERIFY(!urlError->isVisible());

        // Test feed, through its button: the simulator's record count comes back.
        QSignalSpy feedTested(&dialog, &ConnectionDialog::feedTested);
        QTest::mouseClick(child<QPushButton>(dialog, u"testFeed"_s), Qt::LeftButton);
        QVERIFY(feedTested.wait(20'000));
        auto *feedResult = child<QLabel>(dialog, u"feedResult"_s);
        QVERIFY2(feedResult->text().contains(u"%1 records ($count)"_s.arg(kProperties)),
                 qPrintable(feedResult->text()));
        QVERIFY2(feedResult->text().contains(u"OData 4.0"_s), qPrintable(feedResult->text()));

        // Test database, through its button.
        child<QLineEdit>(dialog, u"conninfo"_s)->setText(database.conninfo());
        QSignalSpy databaseTested(&dialog, &ConnectionDialog::databaseTested);
        QTest::mouseClick(child<QPushButton>(dialog, u"testDatabase"_s), Qt::LeftButton);
        QVERIFY(databaseTested.wait(20'000));
        auto *databaseResult = child<QLabel>(dialog, u"databaseResult"_s);
        QVERIFY2(databaseResult->text().contains(u"PostgreSQL 1"_s),
                 qPrintable(databaseResult->text()));
        QVERIFY2(databaseResult->text().contains(u"role resosync"_s),
                 qPrintable(databaseResult->text()));

        // A wrong database shows its classified failure.
        child<QLineEdit>(dialog, u"conninfo"_s)
            ->setText(database.conninfo() + u" dbname=no_such_database_dialog"_s);
        QTest::mouseClick(child<QPushButton>(dialog, u"testDatabase"_s), Qt::LeftButton);
        QVERIFY(databaseTested.wait(20'000));
        QVERIFY2(databaseResult->text().contains(u"Failed (unreachable)"_s),
                 qPrintable(databaseResult->text()));
        child<QLineEdit>(dialog, u"conninfo"_s)->setText(database.conninfo());

        // Save under a name, with a database password that goes to the SecretStore only.
        child<QLineEdit>(dialog, u"name"_s)->setText(u"My simulator"_s);
        child<QLineEdit>(dialog, u"dbPassword"_s)->setText(u"pw-not-in-file"_s);
        QTest::mouseClick(child<QPushButton>(dialog, u"save"_s), Qt::LeftButton);
        const auto saved = store.find(u"My simulator"_s);
        QVERIFY(saved.has_value());
        QCOMPARE(saved->settings.batchSize, 700);
        QCOMPARE(saved->conninfo, database.conninfo());

        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const connections::ResolvedConnection chosen = dialog.connection();
        QCOMPARE(chosen.name, u"My simulator"_s);
        QCOMPARE(chosen.feedUrl, simulator->baseUrl());
        QCOMPARE(chosen.profile.name, u"simulator"_s);
        QCOMPARE(chosen.settings.batchSize, 700);
        QVERIFY(chosen.conninfo.contains(u"password='pw-not-in-file'"_s));
        QCOMPARE(store.lastUsed(), u"My simulator"_s);

        // A new dialog opens on the last used profile with its secret from the store.
        ConnectionDialog reopened(store, secrets);
        QCOMPARE(child<QLineEdit>(reopened, u"name"_s)->text(), u"My simulator"_s);
        QTRY_COMPARE(child<QLineEdit>(reopened, u"dbPassword"_s)->text(), u"pw-not-in-file"_s);
    }
};

QTEST_MAIN(TestConnectionDialog)
#include "tst_connectiondialog.moc"
