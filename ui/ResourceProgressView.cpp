#include "ResourceProgressView.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>

#include <limits>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

int barValue(qint64 value) {
    return int(std::clamp<qint64>(value, 0, std::numeric_limits<int>::max()));
}

} // namespace

ResourceProgressView::ResourceProgressView(QWidget *parent)
    : QWidget(parent) {
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    m_phase = new QLabel(tr("No sync has run yet."), this);
    m_phase->setObjectName(u"phaseLabel"_s);
    m_phase->setToolTip(tr("What the sync is doing now"));
    QFont bold = m_phase->font();
    bold.setBold(true);
    m_phase->setFont(bold);
    grid->addWidget(m_phase, 0, 0, 1, 3);
    for (Resource resource : reso::kAllResources) {
        Row &row = m_rows[std::size_t(resource)];
        const QString name = reso::resourceName(resource);
        const int line = 1 + int(resource);
        grid->addWidget(new QLabel(name, this), line, 0);
        row.bar = new QProgressBar(this);
        row.bar->setObjectName(u"progress_"_s + name);
        row.bar->setRange(0, 1);
        row.bar->setValue(0);
        row.bar->setToolTip(
            resource == Resource::Property
                ? tr("Records fetched of the feed's count (@odata.count)")
                : tr("Listings whose %1 are done, of the listings to visit").arg(name));
        grid->addWidget(row.bar, line, 1);
        row.detail = new QLabel(this);
        row.detail->setObjectName(u"detail_"_s + name);
        row.detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
        grid->addWidget(row.detail, line, 2);
    }
    grid->setColumnStretch(1, 2);
    grid->setColumnStretch(2, 3);
    grid->setRowStretch(1 + int(reso::kAllResources.size()), 1);
}

void ResourceProgressView::begin(const QList<Resource> &resources) {
    for (Resource resource : reso::kAllResources) {
        Row &row = m_rows[std::size_t(resource)];
        row.inRun = resources.contains(resource);
        row.unitsDone = 0;
        row.unitsTotal = -1;
        row.unit = resource == Resource::Property ? tr("records") : tr("listings");
        row.records.reset();
        row.units.reset();
        row.bar->setRange(0, 1);
        row.bar->setValue(0);
        row.bar->setEnabled(row.inRun);
        row.detail->setText(row.inRun ? tr("waiting") : tr("not in this run"));
    }
}

void ResourceProgressView::setPhase(const QString &phase) {
    m_phase->setText(phase);
}

void ResourceProgressView::showUnits(Resource resource, qint64 done, qint64 total,
                                     const QString &unit) {
    Row &row = m_rows[std::size_t(resource)];
    row.unitsDone = done;
    row.unitsTotal = total;
    row.unit = unit;
}

void ResourceProgressView::showSnapshot(const metrics::MetricsSnapshot &snapshot) {
    for (Resource resource : reso::kAllResources) {
        if (m_rows[std::size_t(resource)].inRun)
            showRow(resource, snapshot.progress(resource), snapshot.elapsedMs);
    }
}

void ResourceProgressView::showRow(Resource resource, const metrics::ResourceProgress &progress,
                                   qint64 elapsedMs) {
    Row &row = m_rows[std::size_t(resource)];
    // Property's unit is the record (its expected count is the feed's); the engine counts
    // children by listing, since their totals are unknown until every listing is asked.
    if (resource == Resource::Property) {
        row.unitsDone = progress.fetched;
        row.unitsTotal = progress.expected;
    }
    row.records.add(elapsedMs, progress.fetched);
    row.units.add(elapsedMs, row.unitsDone);

    const bool started = progress.fetched > 0 || row.unitsTotal >= 0 || progress.done;
    if (progress.done) {
        const qint64 total = std::max(row.unitsTotal, row.unitsDone);
        row.bar->setRange(0, barValue(std::max<qint64>(total, 1)));
        row.bar->setValue(barValue(total > 0 ? row.unitsDone : 1));
    } else if (row.unitsTotal < 0) {
        row.bar->setRange(0, started ? 0 : 1); // 0..0: indeterminate, the total is unknown
        row.bar->setValue(0);
    } else {
        row.bar->setRange(0, barValue(std::max<qint64>(row.unitsTotal, 1)));
        row.bar->setValue(barValue(std::min(row.unitsDone, row.unitsTotal)));
    }
    if (!started)
        return;

    const QLocale locale;
    QStringList parts;
    parts << (row.unitsTotal >= 0 ? tr("%1 of %2 %3")
                                        .arg(locale.toString(row.unitsDone),
                                             locale.toString(row.unitsTotal), row.unit)
                                  : tr("%1 %2").arg(locale.toString(row.unitsDone), row.unit));
    if (resource != Resource::Property)
        parts << tr("%1 records").arg(locale.toString(progress.fetched));
    if (progress.rejected > 0)
        parts << tr("%1 rejected").arg(locale.toString(progress.rejected));
    if (progress.deleted > 0)
        parts << tr("%1 deleted").arg(locale.toString(progress.deleted));
    if (progress.done) {
        parts << tr("done");
    } else {
        parts << tr("%1 records/s").arg(locale.toString(qint64(row.records.perSecond() + 0.5)));
        const double eta = row.units.secondsUntil(row.unitsTotal);
        if (eta >= 0)
            parts << tr("ETA %1").arg(metrics::durationText(eta));
    }
    row.detail->setText(parts.join(u" · "_s));
}

} // namespace resosync::ui
