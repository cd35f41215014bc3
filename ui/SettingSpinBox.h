#pragma once

#include <QSpinBox>

namespace resosync::ui {

/// A spin box whose arrows, wheel and Page keys stay within the allowed bounds, while a value
/// outside them can still be typed: a plain QSpinBox would swallow such a keystroke without a
/// word, and the user would never learn the limit. The owner shows why a typed value is refused.
class SettingSpinBox final : public QSpinBox {
    Q_OBJECT

public:
    /// Values the box accepts as text: wide, so a refused value stays visible to be corrected.
    static constexpr int kTypedMaximum = 9'999'999;

    explicit SettingSpinBox(QWidget *parent = nullptr);

    /// The bounds stepping keeps to; typing may go beyond, down to 0 and up to kTypedMaximum.
    void setBounds(int minimum, int maximum);
    int boundMinimum() const { return m_minimum; }
    int boundMaximum() const { return m_maximum; }

    void stepBy(int steps) override;

protected:
    StepEnabled stepEnabled() const override;

private:
    int m_minimum = 0;
    int m_maximum = 0;
};

} // namespace resosync::ui
