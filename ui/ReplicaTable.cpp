#include "ReplicaTable.h"

#include "sim/FeedSimulator.h"

#include <QHeaderView>
#include <QLocale>

namespace resosync::ui {

using namespace Qt::StringLiterals;

namespace {
enum Column { ResourceColumn, FeedColumn, DatabaseColumn, CursorColumn, ColumnCount };
}

ReplicaTable::ReplicaTable(QWidget *parent)
    : QTableWidget(int(reso::kAllResources.size()), ColumnCount, parent) {
    setHorizontalHeaderLabels({tr("Resource"), tr("In feed"), tr("In database"), tr("Progress")});
    horizontalHeaderItem(FeedColumn)
        ->setToolTip(tr("Records the feed serves now (known for the built-in simulator)"));
    horizontalHeaderItem(DatabaseColumn)->setToolTip(tr("Rows in the replica table"));
    horizontalHeaderItem(CursorColumn)
        ->setToolTip(
            tr("Property: where the next incremental sync resumes, (ModificationTimestamp, "
               "key). Children: listings whose children were last synced completely."));
    verticalHeader()->hide();
    horizontalHeader()->setStretchLastSection(true);
    setEditTriggers(NoEditTriggers);
    setSelectionBehavior(SelectRows);
    setAlternatingRowColors(true);
    for (int row = 0; row < rowCount(); ++row) {
        setCell(row, ResourceColumn, reso::resourceName(reso::kAllResources[std::size_t(row)]));
        for (int column = FeedColumn; column < ColumnCount; ++column)
            setCell(row, column, u"—"_s);
    }
    resizeColumnsToContents();
}

void ReplicaTable::setCell(int row, int column, const QString &text, const QString &tooltip) {
    auto *cell = new QTableWidgetItem(text);
    if (column == FeedColumn || column == DatabaseColumn)
        cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    cell->setToolTip(tooltip);
    setItem(row, column, cell);
}

void ReplicaTable::showFeedCounts(const sim::FeedSimulator *simulator) {
    const QLocale locale;
    for (int row = 0; row < rowCount(); ++row) {
        const auto resource = reso::kAllResources[std::size_t(row)];
        setCell(row, FeedColumn,
                simulator ? locale.toString(qint64(simulator->data().aliveCount(resource)))
                          : u"—"_s,
                simulator ? QString() : tr("Unknown for a remote feed until a sync counts it"));
    }
}

void ReplicaTable::showReplica(const db::ReplicaOverview &overview) {
    const QLocale locale;
    for (const db::ResourceReplica &replica : overview.resources) {
        const int row = int(replica.resource);
        setCell(row, DatabaseColumn,
                replica.rows < 0 ? tr("no table") : locale.toString(replica.rows),
                replica.rows < 0 ? tr("Install the schema to create this table") : QString());
        if (replica.resource != reso::Resource::Property)
            // Children are synced per listing, not by a cursor of their own.
            setCell(row, CursorColumn,
                    tr("children of %1 listings synced")
                        .arg(locale.toString(std::max<qint64>(replica.listingsSynced, 0))));
        else
            setCell(row, CursorColumn,
                    replica.cursorTimestamp.isEmpty()
                        ? tr("none (first sync is a full load)")
                        : replica.cursorTimestamp + u"  "_s + replica.cursorKey);
    }
    resizeColumnsToContents();
}

} // namespace resosync::ui
