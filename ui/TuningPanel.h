#pragma once

#include "reso/FeedProfile.h"
#include "sync/SyncSettings.h"

#include <QWidget>

#include <array>

class QLabel;
class QCheckBox;
class QPushButton;

namespace resosync::ui {

class SettingSpinBox;

/// The five sync settings as spin boxes bounded by the feed profile's limits. Before a run
/// they are the run's settings; during a run, Apply sends them to it (they take effect at the
/// next batch, and the change is marked on the charts' time axis). A value the profile does
/// not allow is shown with SyncSettings::validate's reason and cannot be applied or started.
class TuningPanel final : public QWidget {
    Q_OBJECT

public:
    explicit TuningPanel(QWidget *parent = nullptr);

    /// Bounds, tooltips and values from `profile` (its defaults).
    void setProfile(const reso::FeedProfile &profile);
    const reso::FeedProfile &profile() const { return m_profile; }
    /// The values shown, valid or not.
    sync::SyncSettings settings() const;
    void setSettings(const sync::SyncSettings &settings);
    /// Why the values shown cannot be used (validate's message), empty when they can.
    QString problem() const { return m_problem; }

    /// A run is in progress with `applied` settings: Apply sends changes to it. With
    /// std::nullopt (no run), the values shown are simply the next run's settings.
    void setLiveSettings(const std::optional<sync::SyncSettings> &applied);
    void resetToProfileDefaults();
    /// Whether the next run lets the adaptive tuner change the settings.
    bool adaptive() const;
    void setAdaptive(bool on);
    /// The running engine's settings changed (the tuner, or an Apply it accepted).
    void showEngineSettings(const sync::SyncSettings &settings);

Q_SIGNALS:
    void applyRequested(const resosync::sync::SyncSettings &settings);
    /// A value changed (by typing, stepping or reset); problem() says whether it is usable.
    void settingsEdited();

private:
    QString tooltipFor(sync::SyncSetting setting) const;
    void revalidate();
    void apply();

    reso::FeedProfile m_profile;
    std::array<SettingSpinBox *, sync::kSyncSettings.size()> m_boxes{};
    std::optional<sync::SyncSettings> m_live;
    QString m_problem;
    QLabel *m_status = nullptr;
    QCheckBox *m_adaptive = nullptr;
    QPushButton *m_applyButton = nullptr;
    QPushButton *m_resetButton = nullptr;
};

} // namespace resosync::ui
