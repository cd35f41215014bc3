#include "KpiTiles.h"

#include "metrics/MetricsFormat.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace resosync::ui {

using namespace Qt::StringLiterals;

namespace {

struct TileSpec {
    const char *id;
    const char *title;
    const char *tooltip;
};

// What each tile shows and how it is computed, in display order. The texts are translated
// where they are shown (tr()).
constexpr TileSpec kTiles[] = {
    {"api", QT_TRANSLATE_NOOP("resosync::ui::KpiTiles", "API requests"),
     QT_TRANSLATE_NOOP("resosync::ui::KpiTiles",
                       "Feed HTTP requests so far, retries included, and the share that "
                       "succeeded (a 2xx answer with a usable body).")},
    {"db", QT_TRANSLATE_NOOP("resosync::ui::KpiTiles", "Database queries"),
     QT_TRANSLATE_NOOP("resosync::ui::KpiTiles",
                       "Database statements the sync ran so far (COPY, upsert, delete, "
                       "checkpoint, ...) and their mean duration.")},
    {"memory", QT_TRANSLATE_NOOP("resosync::ui::KpiTiles", "Memory"),
     QT_TRANSLATE_NOOP("resosync::ui::KpiTiles",
                       "Resident memory (RSS) of this process now, sampled every 250 ms, and "
                       "the highest sample of the run.")},
    {"batches", QT_TRANSLATE_NOOP("resosync::ui::KpiTiles", "Batches"),
     QT_TRANSLATE_NOOP("resosync::ui::KpiTiles",
                       "Batches written so far (failed ones in brackets) and parallel "
                       "efficiency: the summed batch time / (elapsed time x configured "
                       "concurrency) x 100.")},
    {"validation", QT_TRANSLATE_NOOP("resosync::ui::KpiTiles", "Validation cache hit rate"),
     QT_TRANSLATE_NOOP("resosync::ui::KpiTiles",
                       "Share of parent-listing checks for child records answered from the "
                       "batch or the shared cache instead of the database, and the checks "
                       "made.")},
    {"throughput", QT_TRANSLATE_NOOP("resosync::ui::KpiTiles", "Throughput"),
     QT_TRANSLATE_NOOP("resosync::ui::KpiTiles",
                       "Records written per second of the run so far: records in successful "
                       "batches / elapsed seconds.")},
};

} // namespace

QStringList KpiTiles::tileIds() {
    QStringList ids;
    for (const TileSpec &tile : kTiles)
        ids.append(QLatin1StringView(tile.id));
    return ids;
}

KpiTiles::KpiTiles(QWidget *parent)
    : QWidget(parent) {
    m_row = new QHBoxLayout(this);
    m_row->setContentsMargins(0, 0, 0, 0);
    for (const TileSpec &tile : kTiles)
        addTile(QLatin1StringView(tile.id), tr(tile.title), tr(tile.tooltip));
    showSnapshot(metrics::MetricsSnapshot{});
}

void KpiTiles::addTile(const QString &id, const QString &title, const QString &tooltip) {
    auto *frame = new QFrame(this);
    frame->setObjectName(id);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setToolTip(tooltip);
    auto *titleLabel = new QLabel(title, frame);
    auto *value = new QLabel(frame);
    QFont large = value->font();
    large.setPointSizeF(large.pointSizeF() * 1.6);
    large.setBold(true);
    value->setFont(large);
    auto *detail = new QLabel(frame);
    auto *column = new QVBoxLayout(frame);
    column->addWidget(titleLabel);
    column->addWidget(value);
    column->addWidget(detail);
    m_row->addWidget(frame, 1);
    m_tiles.insert(id, Tile{value, detail});
}

void KpiTiles::showSnapshot(const metrics::MetricsSnapshot &m) {
    using namespace metrics;
    setTile(u"api"_s, QString::number(m.api.requests),
            formatPercentOf(m.api.succeeded, m.api.requests) + " success rate"_L1);
    setTile(u"db"_s, QString::number(m.db.queries), formatMillis(m.db.avgMs) + " avg"_L1);
    setTile(u"memory"_s, formatWholeMb(m.memory.currentMb),
            formatWholeMb(m.memory.peakMb) + " peak"_L1);
    setTile(u"batches"_s, formatBatches(m.batches.count, m.batches.failed),
            formatWholePercent(m.batches.parallelEfficiency) + " parallel efficiency"_L1);
    setTile(u"validation"_s, formatPercentOf(m.validation.cacheHits, m.validation.count),
            QString::number(m.validation.count) + " validations"_L1);
    setTile(u"throughput"_s, formatRecordsPerSecond(m.batches.recordsPerSecond), u"records/s"_s);
}

void KpiTiles::setTile(const QString &id, const QString &value, const QString &detail) {
    const Tile tile = m_tiles.value(id);
    tile.value->setText(value);
    tile.detail->setText(detail);
}

QString KpiTiles::tileValue(const QString &id) const {
    const auto tile = m_tiles.constFind(id);
    return tile == m_tiles.constEnd() ? QString() : tile->value->text();
}

QString KpiTiles::tileDetail(const QString &id) const {
    const auto tile = m_tiles.constFind(id);
    return tile == m_tiles.constEnd() ? QString() : tile->detail->text();
}

QString KpiTiles::tileText(const QString &id) const {
    return tileValue(id) + u'\n' + tileDetail(id);
}

} // namespace resosync::ui
