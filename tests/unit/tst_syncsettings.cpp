// The sync settings as editors and the CLI see them: names, ranges from the profile, the
// reasons for a refusal, and the list of modes.
#include "sync/SyncSettings.h"

#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using sync::SyncSetting;

class TestSyncSettings final : public QObject {
    Q_OBJECT

    static reso::FeedProfile profile(const QString &name) {
        return *reso::FeedProfile::byName(name);
    }

private Q_SLOTS:
    void everySettingHasItsSeedDefaultAndDistinctNames() {
        // The seed guide: batch 2000, property batch 500, database batch 100, throttle 750 ms,
        // 3 concurrent batches; and SyncSettings' own defaults are the seed's.
        const sync::SyncSettings defaults;
        QSet<QString> options, labels;
        for (SyncSetting setting : sync::kSyncSettings) {
            const sync::SyncSettingInfo &info = sync::syncSettingInfo(setting);
            QCOMPARE(info.seedDefault, defaults.value(setting));
            QVERIFY(!info.effect.isEmpty());
            QVERIFY(!info.unit.isEmpty());
            options.insert(QString(info.option));
            labels.insert(QString(info.label));
        }
        QCOMPARE(options.size(), int(sync::kSyncSettings.size()));
        QCOMPARE(labels.size(), int(sync::kSyncSettings.size()));
        QCOMPARE(defaults.batchSize, 2000);
        QCOMPARE(defaults.throttleMs, 750);
    }

    void valueAndSetValueNameTheSameField() {
        sync::SyncSettings settings;
        int next = 11;
        for (SyncSetting setting : sync::kSyncSettings)
            settings.setValue(setting, next++);
        QCOMPARE(settings, (sync::SyncSettings{11, 12, 13, 14, 15}));
        for (SyncSetting setting : sync::kSyncSettings)
            QCOMPARE(settings.value(setting), 11 + int(setting));
        QCOMPARE(settings.summary(), u"batch size 11, property batch size 12, database batch "
                                     "size 13, throttle 14, concurrency 15"_s);
    }

    void rangesComeFromTheProfile() {
        const sync::SettingRange bridgeTop =
            sync::settingRange(SyncSetting::BatchSize, profile(u"bridge"_s));
        QCOMPARE(bridgeTop.minimum, 1);
        QCOMPARE(bridgeTop.maximum, 200);
        QCOMPARE(bridgeTop.why, u"the bridge profile's largest $top"_s);
        const sync::SettingRange simulatorTop =
            sync::settingRange(SyncSetting::BatchSize, profile(u"simulator"_s));
        QCOMPARE(simulatorTop.maximum, 5000);
        QCOMPARE(sync::settingRange(SyncSetting::ThrottleMs, profile(u"generic"_s)).minimum, 0);
        QCOMPARE(sync::settingRange(SyncSetting::Concurrency, profile(u"generic"_s)).maximum,
                 profile(u"generic"_s).maxConcurrency);
        // A profile's own defaults are always within its ranges.
        for (const reso::FeedProfile &p : reso::FeedProfile::builtIn())
            QCOMPARE(sync::SyncSettings::fromProfile(p).validate(p), QString());
    }

    void refusalsNameTheSettingTheValueAndTheRange_data() {
        QTest::addColumn<int>("setting");
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("asOption");
        QTest::addColumn<QString>("asLabel");
        QTest::newRow("a page larger than the vendor's $top")
            << int(SyncSetting::BatchSize) << 201
            << u"--batch-size 201 is out of range: allowed 1 to 200 (the bridge profile's "
               "largest $top)"_s
            << u"Batch size 201 is out of range: allowed 1 to 200 (the bridge profile's "
               "largest $top)"_s;
        QTest::newRow("no concurrency at all")
            << int(SyncSetting::Concurrency) << 0
            << u"--concurrency 0 is out of range: allowed 1 to 8 (the bridge profile's maximum)"_s
            << u"Concurrency 0 is out of range: allowed 1 to 8 (the bridge profile's maximum)"_s;
        QTest::newRow("a negative throttle")
            << int(SyncSetting::ThrottleMs) << -5
            << u"--throttle-ms -5 is out of range: allowed 0 to 600000"_s
            << u"Throttle -5 is out of range: allowed 0 to 600000"_s;
    }
    void refusalsNameTheSettingTheValueAndTheRange() {
        QFETCH(int, setting);
        QFETCH(int, value);
        QFETCH(QString, asOption);
        QFETCH(QString, asLabel);
        const reso::FeedProfile bridge = profile(u"bridge"_s);
        sync::SyncSettings settings = sync::SyncSettings::fromProfile(bridge);
        settings.setValue(SyncSetting(setting), value);
        QCOMPARE(settings.validate(bridge), asOption);
        SyncSetting refused = SyncSetting::BatchSize;
        if (SyncSetting(setting) == SyncSetting::BatchSize)
            refused = SyncSetting::Concurrency; // so the check below can fail
        QCOMPARE(settings.validate(bridge, sync::SettingNaming::Label, &refused), asLabel);
        QCOMPARE(int(refused), setting);
    }

    void modesAreListedAndNamedBothWays() {
        QVERIFY(sync::kSyncModes.size() >= 2);
        for (sync::SyncMode mode : sync::kSyncModes) {
            const QString name = sync::syncModeName(mode);
            QVERIFY(!name.isEmpty());
            QCOMPARE(sync::syncModeFromName(name), mode);
            QCOMPARE(sync::syncModeFromName(name.toUpper()), mode);
            QVERIFY(!sync::syncModeDescription(mode).isEmpty());
        }
        QCOMPARE(sync::syncModeName(sync::SyncMode::Full), u"full"_s);
        QCOMPARE(sync::syncModeFromName(u"sometimes"), std::nullopt);
    }
};

QTEST_GUILESS_MAIN(TestSyncSettings)
#include "tst_syncsettings.moc"
