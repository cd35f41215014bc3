#include "TuningPanel.h"

#include "SettingSpinBox.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using sync::SyncSetting;

TuningPanel::TuningPanel(QWidget *parent)
    : QWidget(parent) {
    auto *form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    for (SyncSetting setting : sync::kSyncSettings) {
        const sync::SyncSettingInfo &info = sync::syncSettingInfo(setting);
        auto *box = new SettingSpinBox(this);
        box->setObjectName(u"setting_"_s + info.option);
        box->setGroupSeparatorShown(true);
        connect(box, &QSpinBox::valueChanged, this, &TuningPanel::revalidate);
        m_boxes[std::size_t(setting)] = box;
        auto *row = new QHBoxLayout;
        row->addWidget(box);
        auto *unit = new QLabel(QString(info.unit), this);
        unit->setForegroundRole(QPalette::PlaceholderText);
        row->addWidget(unit);
        auto *label = new QLabel(tr("%1:").arg(QString(info.label)), this);
        label->setBuddy(box);
        form->addRow(label, row);
    }

    m_status = new QLabel(this);
    m_status->setObjectName(u"tuningStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_status);

    m_applyButton = new QPushButton(tr("&Apply"), this);
    m_applyButton->setObjectName(u"applySettingsButton"_s);
    m_applyButton->setToolTip(
        tr("Sends these values to the running sync: they take effect at its next batch, page "
           "or request, and the change is marked on the charts' time axis. Before a run, the "
           "values here are simply the run's settings."));
    connect(m_applyButton, &QPushButton::clicked, this, &TuningPanel::apply);
    m_resetButton = new QPushButton(tr("Reset to profile defaults"), this);
    m_resetButton->setObjectName(u"resetSettingsButton"_s);
    connect(m_resetButton, &QPushButton::clicked, this, &TuningPanel::resetToProfileDefaults);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_applyButton);
    buttons->addWidget(m_resetButton);
    buttons->addStretch(1);
    form->addRow(buttons);

    m_adaptive = new QCheckBox(tr("Adaptive &tuning"), this);
    m_adaptive->setObjectName(u"adaptiveCheck"_s);
    m_adaptive->setToolTip(
        tr("Let the sync adjust these five values itself while it runs, within the profile's "
           "limits: it backs off (half the concurrency, twice the throttle) on 429s, errors or "
           "slow answers, and keeps a step up only when records/s rose by 3%. Each change is "
           "marked on the charts and shown here. Off by default (the seed has no tuner)."));
    form->addRow(m_adaptive);

    setProfile(*reso::FeedProfile::byName(u"generic"_s));
}

void TuningPanel::setProfile(const reso::FeedProfile &profile) {
    m_profile = profile;
    for (SyncSetting setting : sync::kSyncSettings) {
        const sync::SettingRange range = sync::settingRange(setting, profile);
        SettingSpinBox *box = m_boxes[std::size_t(setting)];
        box->setBounds(range.minimum, range.maximum);
        box->setToolTip(tooltipFor(setting));
    }
    m_resetButton->setToolTip(
        tr("Sets every value to the %1 profile's defaults: %2")
            .arg(profile.name, sync::SyncSettings::fromProfile(profile).summary()));
    resetToProfileDefaults();
}

QString TuningPanel::tooltipFor(SyncSetting setting) const {
    const sync::SyncSettingInfo &info = sync::syncSettingInfo(setting);
    const sync::SettingRange range = sync::settingRange(setting, m_profile);
    const QLocale locale;
    QString limits =
        tr("Allowed %1 to %2").arg(locale.toString(range.minimum), locale.toString(range.maximum));
    if (!range.why.isEmpty())
        limits += u" ("_s + range.why + u')';
    return u"<p><b>%1</b> (%2)</p><p>%3</p><p>%4. %5. Profile default: %6.</p>"_s.arg(
        QString(info.label).toHtmlEscaped(), QString(info.unit).toHtmlEscaped(),
        QString(info.effect).toHtmlEscaped(),
        tr("Seed default: %1").arg(locale.toString(info.seedDefault)), limits.toHtmlEscaped(),
        locale.toString(sync::SyncSettings::fromProfile(m_profile).value(setting)));
}

sync::SyncSettings TuningPanel::settings() const {
    sync::SyncSettings settings;
    for (SyncSetting setting : sync::kSyncSettings)
        settings.setValue(setting, m_boxes[std::size_t(setting)]->value());
    return settings;
}

void TuningPanel::setSettings(const sync::SyncSettings &settings) {
    for (SyncSetting setting : sync::kSyncSettings) {
        SettingSpinBox *box = m_boxes[std::size_t(setting)];
        const QSignalBlocker quiet(box); // one revalidation for all five, below
        box->setValue(settings.value(setting));
    }
    revalidate();
}

void TuningPanel::resetToProfileDefaults() {
    setSettings(sync::SyncSettings::fromProfile(m_profile));
}

bool TuningPanel::adaptive() const {
    return m_adaptive->isChecked();
}

void TuningPanel::setAdaptive(bool on) {
    m_adaptive->setChecked(on);
}

void TuningPanel::showEngineSettings(const sync::SyncSettings &settings) {
    // The running sync changed its own settings (the tuner) or took ours: show what is in force.
    setSettings(settings);
    setLiveSettings(settings);
}

void TuningPanel::setLiveSettings(const std::optional<sync::SyncSettings> &applied) {
    m_live = applied;
    revalidate();
}

void TuningPanel::revalidate() {
    const sync::SyncSettings shown = settings();
    SyncSetting refused = SyncSetting::BatchSize;
    m_problem = shown.validate(m_profile, sync::SettingNaming::Label, &refused);
    for (SyncSetting setting : sync::kSyncSettings) {
        SettingSpinBox *box = m_boxes[std::size_t(setting)];
        const bool bad = !m_problem.isEmpty() && setting == refused;
        const QString style =
            bad ? u"QSpinBox { color: #d73a49; font-weight: bold; }"_s : QString();
        if (box->styleSheet() != style) // restyling re-polishes the widget: only on a change
            box->setStyleSheet(style);
    }
    const bool changed = m_live && *m_live != shown;
    if (!m_problem.isEmpty()) {
        m_status->setText(tr("<span style='color:#d73a49'>%1. Not applied.</span>")
                              .arg(m_problem.toHtmlEscaped()));
    } else if (changed) {
        m_status->setText(tr("Press Apply to use these values from the running sync's next "
                             "batch."));
    } else if (m_live) {
        m_status->setText(tr("The running sync uses these values."));
    } else {
        m_status->setText(tr("The next run starts with these values."));
    }
    m_applyButton->setEnabled(changed && m_problem.isEmpty());
    Q_EMIT settingsEdited();
}

void TuningPanel::apply() {
    if (!m_live || !m_problem.isEmpty())
        return;
    const sync::SyncSettings chosen = settings();
    m_live = chosen;
    Q_EMIT applyRequested(chosen);
    revalidate();
}

} // namespace resosync::ui
