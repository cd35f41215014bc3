#pragma once

#include <QList>
#include <QString>
#include <QUrl>

#include <utility>

namespace resosync::reso {

using QueryOptions = QList<std::pair<QString, QString>>;

/// Builds `<base>/<resource>?$filter=...&$top=...` with every option value fully
/// percent-encoded. QUrlQuery leaves '+' as is, which servers read as a space: a timestamp
/// like `2024-01-01T00:00:00+02:00` would arrive corrupted. Here '+' travels as %2B.
QUrl queryUrl(const QUrl &base, QStringView resource, const QueryOptions &options);

/// The single-quoted OData string literal for `value` ('' escapes a quote).
QString odataString(QStringView value);

} // namespace resosync::reso
