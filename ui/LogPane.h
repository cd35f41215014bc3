#pragma once

#include "sync/RunContext.h"

#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <deque>

class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace resosync::ui {

/// The sync's log: the last kMaxLines lines, filtered by level, resource and text. Lines are
/// shown in batches every kFlushMs rather than one by one, so a burst of warnings costs one
/// repaint, not hundreds. Text selects and copies as usual (Ctrl+C); Copy all copies what the
/// filter shows.
class LogPane final : public QWidget {
    Q_OBJECT

public:
    static constexpr int kMaxLines = 20'000;
    static constexpr int kFlushMs = 150;

    explicit LogPane(QWidget *parent = nullptr);

    void append(sync::LogLevel level, const QString &resource, const QString &message);
    /// A line of the console's own (run started, settings applied), shown as info.
    void note(const QString &message) { append(sync::LogLevel::Info, QString(), message); }
    /// Lines kept (at most kMaxLines), whatever the filter.
    int lineCount() const { return int(m_lines.size()); }
    /// What the filter shows now, pending lines included.
    QString visibleText() const;
    void copyAll() const;

private:
    struct Line {
        sync::LogLevel level;
        QString resource;
        QString text; ///< as displayed: time, level, resource, message
    };

    bool matches(const Line &line) const;
    void flush();
    void refilter();

    std::deque<Line> m_lines;
    QStringList m_pending; ///< lines matching the filter, not shown yet
    QTimer m_flushTimer;
    QComboBox *m_level = nullptr;
    QComboBox *m_resource = nullptr;
    QLineEdit *m_search = nullptr;
    QPlainTextEdit *m_view = nullptr;
};

} // namespace resosync::ui
