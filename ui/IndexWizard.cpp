#include "IndexWizard.h"

#include "ColourDot.h"
#include "IndexApplyPage.h"
#include "IndexInspectPage.h"
#include "IndexMeasurePage.h"
#include "IndexVerifyPage.h"

#include <QAbstractButton>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollBar>
#include <QTableWidget>

namespace resosync::ui {

using namespace Qt::StringLiterals;

IndexWizard::IndexWizard(QString conninfo, QWidget *parent)
    : QWizard(parent)
    , m_conninfo(std::move(conninfo)) {
    setObjectName(u"indexWizard"_s);
    setWindowTitle(tr("Apply indexes"));
    setWizardStyle(ModernStyle);
    setOption(NoBackButtonOnLastPage);
    setOption(NoCancelButtonOnLastPage);
    m_inspectPage = new IndexInspectPage(this);
    m_measurePage = new IndexMeasurePage(this);
    m_applyPage = new IndexApplyPage(this);
    m_verifyPage = new IndexVerifyPage(this);
    setPage(InspectPageId, m_inspectPage);
    setPage(MeasurePageId, m_measurePage);
    setPage(ApplyPageId, m_applyPage);
    setPage(VerifyPageId, m_verifyPage);
    setStartId(InspectPageId);
    button(NextButton)->setToolTip(tr("Go on to the next step (Enter)"));
    button(BackButton)->setToolTip(tr("Go back one step"));
    button(CancelButton)->setToolTip(tr("Close the wizard; a build in progress is cancelled"));
    button(FinishButton)->setToolTip(tr("Close the wizard"));
    resize(980, 640);
}

IndexWizard::~IndexWizard() {
    // Pages are destroyed after this body; stop the build before anything it reports to goes.
    m_applyPage->cancelAndWait();
}

bool IndexWizard::isBuilding() const {
    return m_applyPage->isBuilding();
}

void IndexWizard::reject() {
    if (!isBuilding()) {
        QWizard::reject();
        return;
    }
    const auto answer = QMessageBox::question(
        this, tr("Cancel the index build?"),
        tr("An index is being built. Closing cancels the build in progress; what it left "
           "half-done is dropped. Indexes already built stay.\n\nCancel the build and close?"),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes)
        return;
    // Close once the build has stopped: the GUI thread never waits on the database.
    m_applyPage->cancelBuild([this] { QWizard::reject(); });
}

namespace indexwizard {

QString formattedSize(qint64 bytes) {
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QIcon stateMarker(db::IndexState state) {
    QColor colour;
    switch (state) {
    case db::IndexState::Present:
        colour = QColor(0x28, 0xa7, 0x45);
        break;
    case db::IndexState::Missing:
        colour = QColor(0xf0, 0xa0, 0x20);
        break;
    case db::IndexState::Invalid:
        colour = QColor(0xd7, 0x3a, 0x49);
        break;
    case db::IndexState::Redundant:
        colour = QColor(0x8a, 0x8f, 0x98);
        break;
    }
    return colourDot(colour);
}

QString stateExplanation(db::IndexState state) {
    switch (state) {
    case db::IndexState::Present:
        return QWizard::tr("Built and valid: nothing to do");
    case db::IndexState::Missing:
        return QWizard::tr("Not there: Apply builds it with CREATE INDEX CONCURRENTLY");
    case db::IndexState::Invalid:
        return QWizard::tr(
            "Left invalid by a failed concurrent build: Apply drops and rebuilds it");
    case db::IndexState::Redundant:
        return QWizard::tr("Another index or the primary key already serves these queries: "
                           "not built");
    }
    return {};
}

QProgressBar *newBusyBar(const QString &objectName, const QString &text, QWidget *parent) {
    auto *bar = new QProgressBar(parent);
    bar->setObjectName(objectName);
    bar->setRange(0, 0);
    bar->setFormat(text);
    bar->setTextVisible(true);
    bar->setToolTip(text);
    bar->setMaximumHeight(18);
    bar->hide();
    return bar;
}

QLabel *newMessageLabel(const QString &objectName, QWidget *parent) {
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    label->setOpenExternalLinks(true);
    label->setTextFormat(Qt::RichText);
    return label;
}

void showError(QLabel *label, const db::DbError &error, const QString &whatToDo) {
    label->setText(u"<p style='color:#d73a49'><b>%1</b><br>%2</p><p>%3</p>"_s.arg(
        QWizard::tr("The database call failed."),
        error.message.toHtmlEscaped().replace(u'\n', "<br>"_L1), whatToDo.toHtmlEscaped()));
    label->show();
}

QTableWidget *newReportTable(const QString &objectName, const QStringList &headers,
                             QWidget *parent) {
    auto *table = new QTableWidget(0, int(headers.size()), parent);
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    return table;
}

void fitHeightToRows(QTableWidget *table, int maximum) {
    int height = table->horizontalHeader()->sizeHint().height() + 2 * table->frameWidth();
    for (int row = 0; row < table->rowCount(); ++row)
        height += table->rowHeight(row);
    if (table->horizontalScrollBar()->isVisible())
        height += table->horizontalScrollBar()->sizeHint().height();
    table->setFixedHeight(std::min(height, maximum));
}

void setCell(QTableWidget *table, int row, int column, const QString &text, const QString &tooltip,
             bool number) {
    auto *cell = new QTableWidgetItem(text);
    if (number)
        cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    cell->setToolTip(tooltip.isEmpty() ? text : tooltip);
    table->setItem(row, column, cell);
}

} // namespace indexwizard

} // namespace resosync::ui
