#include "SettingSpinBox.h"

#include <algorithm>

namespace resosync::ui {

SettingSpinBox::SettingSpinBox(QWidget *parent)
    : QSpinBox(parent) {
    setRange(0, kTypedMaximum);
    setAccelerated(true);
}

void SettingSpinBox::setBounds(int minimum, int maximum) {
    m_minimum = minimum;
    m_maximum = maximum;
    setRange(std::min(0, minimum), std::max(kTypedMaximum, maximum));
}

void SettingSpinBox::stepBy(int steps) {
    const qint64 next = qint64(value()) + qint64(steps) * singleStep();
    setValue(int(std::clamp<qint64>(next, m_minimum, m_maximum)));
    selectAll();
}

QAbstractSpinBox::StepEnabled SettingSpinBox::stepEnabled() const {
    StepEnabled enabled = StepNone;
    if (value() < m_maximum)
        enabled |= StepUpEnabled;
    if (value() > m_minimum)
        enabled |= StepDownEnabled;
    return enabled;
}

} // namespace resosync::ui
