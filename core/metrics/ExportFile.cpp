#include "metrics/ExportFile.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace resosync::metrics {

using namespace Qt::StringLiterals;

QByteArray reportFileContents(const RunReport &report, ReportFormat format) {
    switch (format) {
    case ReportFormat::Json:
        return QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented);
    case ReportFormat::Text:
        return report.toText().toUtf8();
    }
    return {};
}

std::optional<QString> exportReport(const RunReport &report, ReportFormat format,
                                    const QString &path) {
    return writeExportFile(path, reportFileContents(report, format), u"the report"_s);
}

std::optional<QString> writeExportFile(const QString &path, const QByteArray &contents,
                                       const QString &what) {
    const QString shown = QDir::toNativeSeparators(path);
    auto failure = [&](const QString &reason) {
        return u"Could not write %1 to %2: %3.\nChoose a folder you can write to, or check "
               "that the disk is not full."_s.arg(what, shown, reason);
    };
    if (path.isEmpty())
        return u"Could not write %1: no file name was given."_s.arg(what);
    if (QFileInfo(path).isDir())
        return failure(u"that is a folder"_s);
    // QSaveFile writes a temporary file next to the target and renames it over the target on
    // commit(): a failure halfway leaves any earlier file as it was.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return failure(file.errorString());
    if (file.write(contents) != contents.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return failure(reason);
    }
    if (!file.commit())
        return failure(file.errorString());
    return std::nullopt;
}

} // namespace resosync::metrics
