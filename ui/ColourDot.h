#pragma once

#include <QColor>
#include <QIcon>

namespace resosync::ui {

/// A small filled circle of `colour`, for a state in a table cell or a list item.
QIcon colourDot(const QColor &colour);

} // namespace resosync::ui
