#include "AlertThresholdsPanel.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

#include <cmath>

namespace resosync::ui {

using namespace Qt::StringLiterals;

AlertThresholdsPanel::AlertThresholdsPanel(QWidget *parent)
    : QWidget(parent) {
    const metrics::AlertThresholds defaults;
    auto *form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    m_latency = addBox(
        form, u"latency-ms"_s, tr("p95 &latency"), u" ms"_s, metrics::AlertThresholds::kMaxApiP95Ms,
        tr("<p><b>p95 API latency</b></p><p>Alerts when the 95th percentile of the feed's "
           "answer times over the last few seconds passes this many milliseconds: a slow or "
           "overloaded feed. Default %1 ms; off turns the check off.</p>")
            .arg(defaults.apiP95Ms));
    m_errorRate = addBox(
        form, u"error-rate"_s, tr("&Error rate"), u" %"_s,
        metrics::AlertThresholds::kMaxErrorRatePercent,
        tr("<p><b>Error rate</b></p><p>Alerts when more than this share of the recent requests "
           "failed or had to be retried (judged every 20 requests or 5 s): a feed that refuses, "
           "limits or drops connections. Default %1%; off turns the check off.</p>")
            .arg(defaults.errorRatePercent));
    m_memory = addBox(
        form, u"memory-mb"_s, tr("&Memory"), u" MB"_s, metrics::AlertThresholds::kMaxMemoryMb,
        tr("<p><b>Memory</b></p><p>Alerts when the console's resident memory (RSS) passes this "
           "many megabytes. Default %1 MB; off turns the check off.</p>")
            .arg(defaults.memoryMb));

    m_status = new QLabel(this);
    m_status->setObjectName(u"alertsStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_status);

    m_resetButton = new QPushButton(tr("Reset"), this);
    m_resetButton->setObjectName(u"resetAlertsButton"_s);
    m_resetButton->setToolTip(
        tr("Sets the thresholds back to the defaults: %1").arg(defaults.summary().toHtmlEscaped()));
    connect(m_resetButton, &QPushButton::clicked, this, &AlertThresholdsPanel::resetToDefaults);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_resetButton);
    buttons->addStretch(1);
    form->addRow(buttons);

    resetToDefaults();
    showStatus();
}

QSpinBox *AlertThresholdsPanel::addBox(QFormLayout *form, const QString &option,
                                       const QString &label, const QString &suffix, double maximum,
                                       const QString &tooltip) {
    auto *box = new QSpinBox(this);
    box->setObjectName(u"alert_"_s + option); // as the CLI's --alert-<option>
    box->setRange(0, int(maximum));
    box->setSuffix(suffix);
    box->setSpecialValueText(tr("off"));
    box->setGroupSeparatorShown(true);
    box->setAccelerated(true);
    // A run in progress gets the value once it is typed, not every digit on the way.
    box->setKeyboardTracking(false);
    box->setToolTip(tooltip);
    connect(box, &QSpinBox::valueChanged, this, &AlertThresholdsPanel::onEdited);
    auto *caption = new QLabel(label + u':', this);
    caption->setBuddy(box);
    form->addRow(caption, box);
    return box;
}

metrics::AlertThresholds AlertThresholdsPanel::thresholds() const {
    metrics::AlertThresholds shown;
    shown.apiP95Ms = m_latency->value();
    shown.errorRatePercent = m_errorRate->value();
    shown.memoryMb = m_memory->value();
    return shown;
}

void AlertThresholdsPanel::setThresholds(const metrics::AlertThresholds &thresholds) {
    const metrics::AlertThresholds before = this->thresholds();
    m_settingAll = true;
    m_latency->setValue(int(std::lround(thresholds.apiP95Ms)));
    m_errorRate->setValue(int(std::lround(thresholds.errorRatePercent)));
    m_memory->setValue(int(std::lround(thresholds.memoryMb)));
    m_settingAll = false;
    if (this->thresholds() != before)
        onEdited();
}

void AlertThresholdsPanel::resetToDefaults() {
    setThresholds({});
}

void AlertThresholdsPanel::setLive(bool live) {
    m_live = live;
    showStatus();
}

void AlertThresholdsPanel::onEdited() {
    if (m_settingAll)
        return;
    showStatus();
    Q_EMIT thresholdsEdited(thresholds());
}

void AlertThresholdsPanel::showStatus() {
    const QString summary = thresholds().summary().toHtmlEscaped();
    m_status->setText(m_live ? tr("The running sync alerts at: %1. A change applies from its "
                                  "next tick.")
                                   .arg(summary)
                             : tr("The next run alerts at: %1.").arg(summary));
}

} // namespace resosync::ui
