#include "ProblemList.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QTime>

#include <algorithm>

namespace resosync::ui {

using namespace Qt::StringLiterals;

namespace {
enum Column { TimeColumn, LevelColumn, ResourceColumn, MessageColumn, ColumnCount };
}

ProblemList::ProblemList(QWidget *parent)
    : QTreeWidget(parent) {
    setColumnCount(ColumnCount);
    setHeaderLabels({tr("Time"), tr("Level"), tr("Resource"), tr("Problem")});
    setRootIsDecorated(false);
    setAlternatingRowColors(true);
    setSelectionMode(ExtendedSelection);
    setWordWrap(true);
    setUniformRowHeights(false);
    header()->setStretchLastSection(true);
    setToolTip(tr("Warnings and errors of the run. A failed batch names its number and the "
                  "listings it covered; Retry failed fetches them again. Ctrl+C copies the "
                  "selected rows."));
    auto *copy = new QAction(tr("&Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, [this] {
        QList<QTreeWidgetItem *> rows = selectedItems(); // in the order they were selected
        std::sort(rows.begin(), rows.end(), [this](QTreeWidgetItem *a, QTreeWidgetItem *b) {
            return indexOfTopLevelItem(a) < indexOfTopLevelItem(b);
        });
        QApplication::clipboard()->setText(rowsText(rows));
    });
    addAction(copy);
    setContextMenuPolicy(Qt::ActionsContextMenu);
}

void ProblemList::addProblem(sync::LogLevel level, const QString &resource,
                             const QString &message) {
    if (m_listed.contains(message))
        return;
    if (m_listed.size() >= kMaxProblems) {
        // One last row says how many more there are; the log keeps them.
        if (!m_overflow) {
            m_overflow = new QTreeWidgetItem(this);
            m_overflow->setText(ResourceColumn, tr("run"));
        }
        m_overflow->setText(MessageColumn,
                            tr("… and %1 more problems: see the log").arg(++m_unlisted));
        return;
    }
    m_listed.insert(message);
    auto *item = new QTreeWidgetItem(this);
    item->setText(TimeColumn, QTime::currentTime().toString(u"HH:mm:ss"_s));
    item->setText(LevelColumn, level == sync::LogLevel::Error ? tr("error") : tr("warning"));
    item->setText(ResourceColumn, resource.isEmpty() ? tr("run") : resource);
    item->setText(MessageColumn, message);
    item->setToolTip(MessageColumn, message);
    if (level == sync::LogLevel::Error)
        item->setForeground(LevelColumn, QColor(0xd7, 0x3a, 0x49));
    if (topLevelItemCount() == 1)
        for (int column = 0; column < MessageColumn; ++column)
            resizeColumnToContents(column);
    Q_EMIT problemCountChanged(problemCount());
}

void ProblemList::addReportProblems(const QStringList &problems) {
    for (const QString &problem : problems)
        addProblem(sync::LogLevel::Error, QString(), problem);
}

void ProblemList::clearProblems() {
    clear();
    m_listed.clear();
    m_unlisted = 0;
    m_overflow = nullptr; // deleted by clear()
    Q_EMIT problemCountChanged(0);
}

QString ProblemList::rowsText(const QList<QTreeWidgetItem *> &rows) const {
    QStringList lines;
    for (const QTreeWidgetItem *item : rows) {
        QStringList cells;
        for (int column = 0; column < ColumnCount; ++column)
            cells << item->text(column);
        lines << cells.join(u'\t');
    }
    return lines.join(u'\n');
}

} // namespace resosync::ui
