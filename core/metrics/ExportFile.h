#pragma once

#include "metrics/RunReport.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace resosync::metrics {

/// The two forms a run's report is exported in.
enum class ReportFormat {
    Json, ///< RunReport::toJson(), indented: what `resosync-cli sync --report-json` writes
    Text, ///< RunReport::toText(): the seed's summary block
};

/// The bytes of `report` exported as `format` (UTF-8).
QByteArray reportFileContents(const RunReport &report, ReportFormat format);

/// Writes `report` to `path` as `format`; see writeExportFile().
std::optional<QString> exportReport(const RunReport &report, ReportFormat format,
                                    const QString &path);

/// Writes `contents` to `path`, replacing the file only once everything is written (a failed
/// export never leaves half a file). On failure returns what failed, why and what to do, e.g.
/// "Could not write the report to /root/x.json: Permission denied. Choose a folder you can
/// write to."; `what` names the contents ("the report", "the comparison").
std::optional<QString> writeExportFile(const QString &path, const QByteArray &contents,
                                       const QString &what);

} // namespace resosync::metrics
