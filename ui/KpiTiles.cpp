#include "KpiTiles.h"

#include "metrics/MetricsFormat.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace resosync::ui {

using namespace Qt::StringLiterals;

QStringList KpiTiles::tileIds() {
    return {u"api"_s, u"db"_s, u"memory"_s, u"batches"_s, u"validation"_s, u"throughput"_s};
}

KpiTiles::KpiTiles(QWidget *parent)
    : QWidget(parent) {
    m_row = new QHBoxLayout(this);
    m_row->setContentsMargins(0, 0, 0, 0);
    addTile(u"api"_s, tr("API requests"),
            tr("Feed HTTP requests so far, retries included, and the share that succeeded "
               "(a 2xx answer with a usable body)."));
    addTile(u"db"_s, tr("Database queries"),
            tr("Database statements the sync ran so far (COPY, upsert, delete, checkpoint, "
               "...) and their mean duration."));
    addTile(u"memory"_s, tr("Memory"),
            tr("Resident memory (RSS) of this process now, sampled every 250 ms, and the "
               "highest sample of the run."));
    addTile(u"batches"_s, tr("Batches"),
            tr("Batches written so far (failed ones in brackets) and parallel efficiency: the "
               "summed batch time / (elapsed time x configured concurrency) x 100."));
    addTile(u"validation"_s, tr("Validation cache hit rate"),
            tr("Share of parent-listing checks for child records answered from the batch or "
               "the shared cache instead of the database, and the checks made."));
    addTile(u"throughput"_s, tr("Throughput"),
            tr("Records written per second of the run so far: records in successful batches "
               "/ elapsed seconds."));
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
