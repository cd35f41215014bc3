#pragma once

#include "sync/RunContext.h"

#include <QSet>
#include <QTreeWidget>

namespace resosync::ui {

/// The run's warnings and errors, one row each: when, how bad, the resource, and the message,
/// which names the batch (its number and listing range) for batch failures. Selected rows copy
/// with Ctrl+C as tab-separated text.
class ProblemList final : public QTreeWidget {
    Q_OBJECT

public:
    /// Rows kept; a storm of warnings beyond this ends in one row pointing to the log.
    static constexpr int kMaxProblems = 5'000;

    explicit ProblemList(QWidget *parent = nullptr);

    void addProblem(sync::LogLevel level, const QString &resource, const QString &message);
    /// The report's problems (failed batches, the error that ended the run) not listed yet.
    void addReportProblems(const QStringList &problems);
    void clearProblems();
    int problemCount() const { return topLevelItemCount(); }
    /// Every row as tab-separated text, one per line.
    QString rowsText(const QList<QTreeWidgetItem *> &rows) const;

Q_SIGNALS:
    void problemCountChanged(int count);

private:
    QSet<QString> m_listed; ///< messages already shown: the report repeats what was logged
    qint64 m_unlisted = 0;  ///< problems past kMaxProblems
    QTreeWidgetItem *m_overflow = nullptr; ///< the row counting them
};

} // namespace resosync::ui
