#pragma once

#include "metrics/MetricsSnapshot.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

class QHBoxLayout;
class QLabel;

namespace resosync::ui {

/// The seed's summary block as tiles over the live charts: API requests and success rate,
/// database queries and average time, memory current and peak, batches and parallel
/// efficiency, validation cache hit rate, records/s. Every figure is formatted by the same
/// functions as RunReport::toText (metrics/MetricsFormat), so a tile reads as the report does.
class KpiTiles final : public QWidget {
    Q_OBJECT

public:
    /// Tile ids, in display order: "api", "db", "memory", "batches", "validation", "throughput".
    static QStringList tileIds();

    explicit KpiTiles(QWidget *parent = nullptr);

    void showSnapshot(const metrics::MetricsSnapshot &snapshot);

    /// A tile's large figure, e.g. "45" (api) or "245MB" (memory).
    QString tileValue(const QString &id) const;
    /// The line under it, e.g. "98% success rate" (api) or "312MB peak" (memory).
    QString tileDetail(const QString &id) const;
    /// Both, as shown: value, a newline, detail.
    QString tileText(const QString &id) const;

private:
    struct Tile {
        QLabel *value = nullptr;
        QLabel *detail = nullptr;
    };

    void addTile(const QString &id, const QString &title, const QString &tooltip);
    void setTile(const QString &id, const QString &value, const QString &detail);

    QHBoxLayout *m_row = nullptr;
    QHash<QString, Tile> m_tiles;
};

} // namespace resosync::ui
