#pragma once

#include "db/IndexAdvisor.h"

#include <QWizard>

class QLabel;
class QProgressBar;
class QTableWidget;

namespace resosync::ui {

class IndexInspectPage;
class IndexMeasurePage;
class IndexApplyPage;
class IndexVerifyPage;

/// The index setup wizard (issue 5): Inspect the seed's recommended indexes, Measure the sync's
/// own queries, Apply (build what is missing with live progress, cancellable), Verify (measure
/// again, before against after). Every database call runs on a pool thread.
class IndexWizard final : public QWizard {
    Q_OBJECT

public:
    enum PageId { InspectPageId, MeasurePageId, ApplyPageId, VerifyPageId };

    explicit IndexWizard(QString conninfo, QWidget *parent = nullptr);
    /// Cancels a build in progress and waits for every background call to stop: none may
    /// outlive the pages it reports to.
    ~IndexWizard() override;

    QString conninfo() const { return m_conninfo; }

    /// What Inspect found: Apply builds from it.
    const db::InspectReport &inspectBefore() const { return m_inspectBefore; }
    void setInspectBefore(const db::InspectReport &report) { m_inspectBefore = report; }
    /// What Measure found before anything was built: Verify compares with it.
    const db::ExplainReport &explainBefore() const { return m_explainBefore; }
    void setExplainBefore(const db::ExplainReport &report) { m_explainBefore = report; }

    /// True while an index build runs.
    bool isBuilding() const;

public Q_SLOTS:
    /// Closing during a build asks first, then cancels it and closes once it has stopped.
    void reject() override;

private:
    QString m_conninfo;
    db::InspectReport m_inspectBefore;
    db::ExplainReport m_explainBefore;
    IndexInspectPage *m_inspectPage = nullptr;
    IndexMeasurePage *m_measurePage = nullptr;
    IndexApplyPage *m_applyPage = nullptr;
    IndexVerifyPage *m_verifyPage = nullptr;
};

/// Helpers the wizard's pages share.
namespace indexwizard {
/// "1.2 MB", in the user's locale.
QString formattedSize(qint64 bytes);
/// A coloured dot for an index state: green present, amber missing, red invalid, grey redundant.
QIcon stateMarker(db::IndexState state);
/// What the state means, for a tooltip.
QString stateExplanation(db::IndexState state);
/// An indeterminate progress bar shown while a background call runs.
QProgressBar *newBusyBar(const QString &objectName, const QString &text, QWidget *parent);
/// A label for errors and outcomes: word-wrapped, selectable, links open.
QLabel *newMessageLabel(const QString &objectName, QWidget *parent);
/// Shows `error` in red with what to do next.
void showError(QLabel *label, const db::DbError &error, const QString &whatToDo);
/// A read-only table with the given headers, sized to its contents.
QTableWidget *newReportTable(const QString &objectName, const QStringList &headers,
                             QWidget *parent);
/// Makes `table` exactly as tall as its rows (up to `maximum`), so no empty area remains.
void fitHeightToRows(QTableWidget *table, int maximum = 360);
/// Sets a read-only cell; numbers are right-aligned.
void setCell(QTableWidget *table, int row, int column, const QString &text,
             const QString &tooltip = {}, bool number = false);
} // namespace indexwizard

} // namespace resosync::ui
