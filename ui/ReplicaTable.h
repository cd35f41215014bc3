#pragma once

#include "db/ReplicaOverview.h"

#include <QTableWidget>

namespace resosync::sim {
class FeedSimulator;
}

namespace resosync::ui {

/// One row per RESO resource: records in the feed (when the feed is the built-in simulator),
/// rows in the database, and the saved replication cursor.
class ReplicaTable final : public QTableWidget {
    Q_OBJECT

public:
    explicit ReplicaTable(QWidget *parent = nullptr);

    void showFeedCounts(const sim::FeedSimulator *simulator);
    void showReplica(const db::ReplicaOverview &overview);

private:
    void setCell(int row, int column, const QString &text, const QString &tooltip = {});
};

} // namespace resosync::ui
