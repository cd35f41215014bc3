#include "RunFormat.h"

#include "ColourDot.h"

#include <QCoreApplication>
#include <QLabel>
#include <QLocale>

#include <cmath>

namespace resosync::ui::runformat {

using namespace Qt::StringLiterals;

namespace {
QString tr(const char *text) {
    return QCoreApplication::translate("RunFormat", text);
}
} // namespace

QColor statusColour(const QString &status) {
    if (status == "succeeded"_L1)
        return QColor(0x28, 0xa7, 0x45);
    if (status == "failed"_L1)
        return QColor(0xd7, 0x3a, 0x49);
    if (status == "cancelled"_L1)
        return QColor(0xf0, 0xa0, 0x20);
    return QColor(0x2f, 0x81, 0xf7); // running
}

QIcon statusMarker(const QString &status) {
    return colourDot(statusColour(status));
}

QString statusExplanation(const QString &status) {
    if (status == "succeeded"_L1)
        return tr("Finished: everything fetched was stored (rejected records, if any, are in "
                  "resosync.rejects)");
    if (status == "failed"_L1)
        return tr("Ended with failures: see the problems in its report. What was stored is "
                  "consistent; the next run picks up what is missing");
    if (status == "cancelled"_L1)
        return tr("Cancelled: what was stored is consistent; the next run continues from its "
                  "checkpoints");
    return tr("In progress, or the program ended before it could save the outcome (then its "
              "report is missing)");
}

QString durationText(double seconds) {
    if (seconds < 0 || !std::isfinite(seconds))
        return u"–"_s;
    if (seconds < 60)
        return tr("%1 s").arg(QLocale().toString(seconds, 'f', 1));
    const auto whole = qint64(std::llround(seconds));
    if (whole < 3600)
        return tr("%1 min %2 s").arg(whole / 60).arg(whole % 60, 2, 10, QChar(u'0'));
    return tr("%1 h %2 min").arg(whole / 3600).arg((whole % 3600) / 60, 2, 10, QChar(u'0'));
}

QString startedText(const QDateTime &startedAt) {
    if (!startedAt.isValid())
        return u"–"_s;
    return QLocale().toString(startedAt.toLocalTime(), QLocale::ShortFormat);
}

void showMessage(QLabel *label, const QString &text, bool error) {
    label->setText(text);
    label->setStyleSheet(error ? u"color: #d73a49; font-weight: bold"_s : QString());
    label->setVisible(!text.isEmpty());
}

QString runLabel(const db::RunListEntry &run) {
    return u"#%1 · %2 · %3 · %4"_s.arg(run.runId).arg(startedText(run.startedAt), run.status,
                                                      durationText(run.durationSeconds));
}

} // namespace resosync::ui::runformat
