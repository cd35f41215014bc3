// Connection profiles: saved and reloaded equal, bad values refused with reasons that name
// the field, the value and what is allowed, rename and delete, secrets kept out of the
// settings file, and the SecretStore's memory-only fallback (what CI and headless machines
// have: no Secret Service on D-Bus).
#include "connections/ConnectionProfile.h"
#include "connections/ProfileStore.h"
#include "connections/SecretStore.h"
#include "db/Conninfo.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using connections::ConnectionProfile;
using connections::FieldProblem;
using connections::ProfileField;
using connections::ProfileStore;
using connections::SecretKind;
using connections::SecretStore;

Q_DECLARE_METATYPE(resosync::connections::ProfileField)

namespace {

const QString kFeedSecret = u"feed-secret-7f3a9c"_s;
const QString kDbPassword = u"db-pass-'quoted'\\x"_s;

/// A complete, valid profile using OAuth2 against a Trestle-like feed.
ConnectionProfile trestleProfile() {
    ConnectionProfile p;
    p.name = u"Trestle production"_s;
    p.feedProfile = u"trestle"_s;
    p.feedUrl = QUrl(u"https://api.example.com/trestle/odata"_s);
    p.authKind = reso::AuthKind::ClientCredentials;
    p.tokenUrl = QUrl(u"https://auth.example.com/oidc/connect/token"_s);
    p.clientId = u"client-42"_s;
    p.scope = u"api"_s;
    p.conninfo = u"host=db.example.com port=5433 dbname=reso user=sync sslmode=require"_s;
    p.settings = sync::SyncSettings::fromProfile(*reso::FeedProfile::byName(u"trestle"_s));
    p.settings.batchSize = 800;
    p.settings.concurrency = 2;
    p.settings.throttleMs = 400;
    return p;
}

const FieldProblem *problemFor(const QList<FieldProblem> &problems, ProfileField field) {
    for (const FieldProblem &problem : problems) {
        if (problem.field == field)
            return &problem;
    }
    return nullptr;
}

QByteArray fileBytes(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestProfiles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        // No keychain for this process, whatever the machine has: the fallback path for real.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/resosync-test-bus");
        QVERIFY(m_dir.isValid());
    }

    void roundTripsThroughTheSettingsFile() {
        const QString path = m_dir.filePath(u"roundtrip.ini"_s);
        ConnectionProfile staticToken;
        staticToken.name = u"MLS Grid staging"_s;
        staticToken.feedProfile = u"mlsgrid"_s;
        staticToken.feedUrl = QUrl(u"https://api.example.org/v2"_s);
        staticToken.authKind = reso::AuthKind::StaticToken;
        staticToken.conninfo = u"postgresql://sync@db.example.org:5432/reso"_s;
        staticToken.settings =
            sync::SyncSettings::fromProfile(*reso::FeedProfile::byName(u"mlsgrid"_s));
        {
            ProfileStore store(path);
            QCOMPARE(store.save(trestleProfile()), QList<FieldProblem>());
            QCOMPARE(store.save(staticToken), QList<FieldProblem>());
            store.setLastUsed(u"Trestle production"_s);
        }
        ProfileStore reloaded(path);
        const QList<ConnectionProfile> user = reloaded.userProfiles();
        QCOMPARE(user.size(), 2);
        QCOMPARE(user.at(0).name, staticToken.name); // sorted by name
        QCOMPARE(user.at(0), staticToken);
        QCOMPARE(user.at(1), trestleProfile());
        QCOMPARE(reloaded.find(u"trestle PRODUCTION"_s).value(), trestleProfile());
        QCOMPARE(reloaded.lastUsed(), u"Trestle production"_s);

        // Saving again under the same name replaces, it does not add.
        ConnectionProfile changed = trestleProfile();
        changed.settings.batchSize = 1000;
        QCOMPARE(reloaded.save(changed), QList<FieldProblem>());
        QCOMPARE(ProfileStore(path).userProfiles().size(), 2);
        QCOMPARE(ProfileStore(path).find(changed.name)->settings.batchSize, 1000);
    }

    void listsBuiltInTemplatesReadOnly() {
        ProfileStore store(m_dir.filePath(u"builtin.ini"_s));
        store.setDemo(QUrl(u"http://127.0.0.1:1234/odata"_s), u"dbname=demo"_s);
        const QList<ConnectionProfile> builtIn = store.builtIn();
        QCOMPARE(builtIn.size(), reso::FeedProfile::builtIn().size());
        for (const ConnectionProfile &p : builtIn)
            QVERIFY(p.builtIn);
        const ConnectionProfile simulator = builtIn.constLast();
        QCOMPARE(simulator.feedProfile, u"simulator"_s);
        QCOMPARE(simulator.feedUrl, QUrl(u"http://127.0.0.1:1234/odata"_s));
        QCOMPARE(simulator.validate(), QList<FieldProblem>());

        ConnectionProfile copy = builtIn.at(1); // MLS Grid's template
        copy.feedUrl = QUrl(u"https://api.example.org/v2"_s);
        const QList<FieldProblem> problems = store.save(copy);
        QVERIFY(problemFor(problems, ProfileField::Name));
        QVERIFY2(problemFor(problems, ProfileField::Name)->message.contains(u"built-in"_s),
                 qPrintable(problems.first().message));
        QVERIFY(store.remove(copy.name).contains(u"built-in"_s));
        QVERIFY(store.rename(copy.name, u"x"_s).contains(u"built-in"_s));
        QVERIFY(store.userProfiles().isEmpty());
    }

    void refusesBadValuesWithReasons_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<ProfileField>("expectedField");
        QTest::addColumn<QStringList>("messageHas");

        QTest::newRow("empty name")
            << u"name"_s << u""_s << ProfileField::Name << QStringList{u"Name is empty"_s};
        QTest::newRow("malformed feed URL")
            << u"feedUrl"_s << u"api.example.com odata"_s << ProfileField::FeedUrl
            << QStringList{u"Feed URL 'api.example.com odata'"_s,
                           u"not an http:// or https:// URL"_s};
        QTest::newRow("credentials in the feed URL")
            << u"feedUrl"_s << u"https://me:pw@api.example.com/odata"_s << ProfileField::FeedUrl
            << QStringList{u"user name or password"_s};
        QTest::newRow("unknown vendor profile")
            << u"feedProfile"_s << u"acme"_s << ProfileField::FeedProfile
            << QStringList{u"'acme' is unknown"_s, u"generic, mlsgrid, trestle"_s};
        QTest::newRow("batch size above the vendor's $top")
            << u"batchSize"_s << u"9000"_s << ProfileField::BatchSize
            << QStringList{u"Batch size 9000 is out of range: allowed 1 to 1000"_s,
                           u"trestle profile's largest $top"_s};
        QTest::newRow("concurrency zero")
            << u"concurrency"_s << u"0"_s << ProfileField::Concurrency
            << QStringList{u"Concurrency 0 is out of range: allowed 1 to 8"_s};
        QTest::newRow("negative throttle")
            << u"throttleMs"_s << u"-5"_s << ProfileField::ThrottleMs
            << QStringList{u"Throttle (ms) -5 is out of range: allowed 0 to 600000"_s};
        QTest::newRow("db batch size too large")
            << u"dbBatchSize"_s << u"200000"_s << ProfileField::DbBatchSize
            << QStringList{u"DB batch size 200000 is out of range: allowed 1 to 100000"_s};
        QTest::newRow("password in the connection string")
            << u"conninfo"_s << u"host=db.example.com password=hunter2-abc"_s
            << ProfileField::Conninfo << QStringList{u"holds a password"_s, u"password=***"_s};
        QTest::newRow("password in a URI")
            << u"conninfo"_s << u"postgresql://sync:hunter2-abc@db.example.com/reso"_s
            << ProfileField::Conninfo << QStringList{u"sync:***@"_s};
        QTest::newRow("connection string libpq cannot parse")
            << u"conninfo"_s << u"host=db.example.com dbname"_s << ProfileField::Conninfo
            << QStringList{u"not valid for libpq"_s, u"missing \"=\""_s};
        QTest::newRow("missing token URL")
            << u"tokenUrl"_s << u""_s << ProfileField::TokenUrl
            << QStringList{u"Token URL is empty"_s, u"OAuth2 token endpoint"_s};
        QTest::newRow("missing client id") << u"clientId"_s << u"  "_s << ProfileField::ClientId
                                           << QStringList{u"Client id is empty"_s};
    }

    void refusesBadValuesWithReasons() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(ProfileField, expectedField);
        QFETCH(QStringList, messageHas);

        ConnectionProfile p = trestleProfile();
        if (field == "name"_L1)
            p.name = value;
        else if (field == "feedUrl"_L1)
            p.feedUrl = QUrl(value);
        else if (field == "feedProfile"_L1)
            p.feedProfile = value;
        else if (field == "batchSize"_L1)
            p.settings.batchSize = value.toInt();
        else if (field == "concurrency"_L1)
            p.settings.concurrency = value.toInt();
        else if (field == "throttleMs"_L1)
            p.settings.throttleMs = value.toInt();
        else if (field == "dbBatchSize"_L1)
            p.settings.dbBatchSize = value.toInt();
        else if (field == "conninfo"_L1)
            p.conninfo = value;
        else if (field == "tokenUrl"_L1)
            p.tokenUrl = QUrl(value);
        else if (field == "clientId"_L1)
            p.clientId = value;

        static int run = 0;
        const QString path = m_dir.filePath(u"refused-%1.ini"_s.arg(++run));
        ProfileStore store(path);
        const QList<FieldProblem> problems = store.save(p);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.first().field, expectedField);
        for (const QString &part : messageHas)
            QVERIFY2(problems.first().message.contains(part), qPrintable(problems.first().message));
        QVERIFY2(!problems.first().message.contains(u"hunter2"_s),
                 qPrintable(problems.first().message));
        // Refused means not written.
        QVERIFY(ProfileStore(path).userProfiles().isEmpty());
        QVERIFY(!fileBytes(path).contains("hunter2"));
    }

    void renamesAndDeletes() {
        const QString path = m_dir.filePath(u"rename.ini"_s);
        ProfileStore store(path);
        QCOMPARE(store.save(trestleProfile()), QList<FieldProblem>());
        ConnectionProfile other = trestleProfile();
        other.name = u"Other"_s;
        QCOMPARE(store.save(other), QList<FieldProblem>());
        store.setLastUsed(u"Trestle production"_s);

        QVERIFY(store.rename(u"Trestle production"_s, u"Other"_s).contains(u"exists already"_s));
        QVERIFY(store.rename(u"Trestle production"_s, u""_s).contains(u"Name is empty"_s));
        QCOMPARE(store.rename(u"Trestle production"_s, u"Trestle"_s), QString());
        ProfileStore reloaded(path);
        QVERIFY(!reloaded.find(u"Trestle production"_s));
        QCOMPARE(reloaded.find(u"Trestle"_s)->clientId, u"client-42"_s);
        QCOMPARE(reloaded.lastUsed(), u"Trestle"_s);

        QCOMPARE(reloaded.remove(u"Trestle"_s), QString());
        QVERIFY(reloaded.remove(u"Trestle"_s).contains(u"no saved profile"_s));
        QCOMPARE(ProfileStore(path).userProfiles().size(), 1);
        QCOMPARE(ProfileStore(path).lastUsed(), QString());
    }

    void resolvesWithSecretsFilledIn() {
        const connections::ResolvedConnection oauth =
            trestleProfile().resolve({kFeedSecret, kDbPassword});
        QCOMPARE(oauth.auth.kind, reso::AuthKind::ClientCredentials);
        QCOMPARE(oauth.auth.clientSecret, kFeedSecret);
        QCOMPARE(oauth.auth.clientId, u"client-42"_s);
        QCOMPARE(oauth.auth.tokenUrl, QUrl(u"https://auth.example.com/oidc/connect/token"_s));
        QVERIFY(oauth.auth.staticToken.isEmpty());
        QCOMPARE(oauth.profile.name, u"trestle"_s);
        QCOMPARE(oauth.settings.batchSize, 800);
        // Quotes and backslashes escaped as libpq reads them; redaction hides the password.
        QVERIFY2(oauth.conninfo.endsWith(u" password='db-pass-\\'quoted\\'\\\\x'"_s),
                 qPrintable(oauth.conninfo));
        QVERIFY(!db::redactedConninfo(oauth.conninfo).contains(u"db-pass"_s));
        QCOMPARE(db::conninfoSyntaxError(oauth.conninfo), QString());
        const sync::SyncRequest request = oauth.syncRequest();
        QCOMPARE(request.feedUrl, oauth.feedUrl);
        QCOMPARE(request.conninfo, oauth.conninfo);
        QCOMPARE(request.settings, oauth.settings);

        ConnectionProfile uri = trestleProfile();
        uri.authKind = reso::AuthKind::StaticToken;
        uri.conninfo = u"postgresql://sync@db.example.com/reso?sslmode=require"_s;
        const connections::ResolvedConnection token = uri.resolve({kFeedSecret, u"p@ss w"_s});
        QCOMPARE(token.auth.staticToken, kFeedSecret);
        QVERIFY(token.auth.clientSecret.isEmpty());
        QCOMPARE(token.conninfo,
                 u"postgresql://sync@db.example.com/reso?sslmode=require&password=p%40ss%20w"_s);
        QCOMPARE(db::conninfoSyntaxError(token.conninfo), QString());
    }

    void fallsBackToMemoryWithoutAKeychain() {
        SecretStore secrets(u"ResoSyncTest"_s);
        QSignalSpy checked(&secrets, &SecretStore::keychainChecked);
        secrets.checkKeychain();
        QVERIFY(checked.wait(10'000));
        QCOMPARE(checked.first().at(0).toBool(), false);
        QVERIFY(!secrets.persistent());
        QVERIFY2(secrets.memoryOnlyReason().contains(u"memory only"_s),
                 qPrintable(secrets.memoryOnlyReason()));

        QString writeError = u"unset"_s;
        secrets.write(u"Trestle production"_s, SecretKind::FeedSecret, kFeedSecret, this,
                      [&writeError](const QString &error) { writeError = error; });
        QTRY_COMPARE(writeError, QString());
        QString read = u"unset"_s;
        secrets.read(u"Trestle production"_s, SecretKind::FeedSecret, this,
                     [&read](const QString &secret, const QString &) { read = secret; });
        QTRY_COMPARE(read, kFeedSecret);
        // The database password was never written: empty, not an error.
        read = u"unset"_s;
        secrets.read(u"Trestle production"_s, SecretKind::DatabasePassword, this,
                     [&read](const QString &secret, const QString &) { read = secret; });
        QTRY_COMPARE(read, QString());

        // Memory only: another store (a restart) knows nothing of it.
        SecretStore restarted(u"ResoSyncTest"_s);
        read = u"unset"_s;
        restarted.read(u"Trestle production"_s, SecretKind::FeedSecret, this,
                       [&read](const QString &secret, const QString &) { read = secret; });
        QTRY_COMPARE(read, QString());

        QString removed = u"unset"_s;
        secrets.removeAll(u"Trestle production"_s, this,
                          [&removed](const QString &error) { removed = error; });
        QTRY_COMPARE(removed, QString());
        read = u"unset"_s;
        secrets.read(u"Trestle production"_s, SecretKind::FeedSecret, this,
                     [&read](const QString &secret, const QString &) { read = secret; });
        QTRY_COMPARE(read, QString());
    }

    void keepsSecretsOutOfTheSettingsFile() {
        const QString path = m_dir.filePath(u"secrets.ini"_s);
        SecretStore secrets(u"ResoSyncTest"_s);
        {
            ProfileStore store(path);
            ConnectionProfile p = trestleProfile();
            QCOMPARE(store.save(p), QList<FieldProblem>());
            int written = 0;
            const auto count = [&written](const QString &) { ++written; };
            secrets.write(p.name, SecretKind::FeedSecret, kFeedSecret, this, count);
            secrets.write(p.name, SecretKind::DatabasePassword, kDbPassword, this, count);
            QTRY_COMPARE(written, 2);
            // A password typed into the connection string is refused, not written.
            p.conninfo += u" password="_s + kDbPassword;
            QVERIFY(!store.save(p).isEmpty());
            store.setLastUsed(p.name);
        }
        const QByteArray settings = fileBytes(path);
        QVERIFY(settings.contains("client-42")); // the file is the one written
        QVERIFY(settings.contains("db.example.com"));
        QVERIFY(!settings.contains(kFeedSecret.toUtf8()));
        QVERIFY(!settings.contains("db-pass"));
        QVERIFY(!settings.toLower().contains("password"));
        QVERIFY(!settings.toLower().contains("secret"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestProfiles)
#include "tst_profiles.moc"
