#pragma once

#include "db/RunHistory.h"

#include <QColor>
#include <QIcon>
#include <QString>

class QLabel;

namespace resosync::ui::runformat {

/// How the history views show runs and their messages, the same way everywhere.

/// Green succeeded, red failed, amber cancelled, blue running.
QColor statusColour(const QString &status);
/// A dot of statusColour(), for tables and lists.
QIcon statusMarker(const QString &status);
/// What a status means, for a tooltip.
QString statusExplanation(const QString &status);
/// "12.4 s", "3 min 05 s", "1 h 02 min"; "–" when unknown (negative).
QString durationText(double seconds);
/// A start time in the user's locale and time zone, short form.
QString startedText(const QDateTime &startedAt);
/// "#12 · 2024-05-01 10:00 · succeeded · 12.4 s": a run in a list or a title.
QString runLabel(const db::RunListEntry &run);
/// Shows `text` in `label` (hidden when empty); an error in bold red.
void showMessage(QLabel *label, const QString &text, bool error);

} // namespace resosync::ui::runformat
