#include "ColourDot.h"

#include <QPainter>
#include <QPixmap>

namespace resosync::ui {

QIcon colourDot(const QColor &colour) {
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(colour.darker(130));
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(1, 1, 10, 10));
    painter.end();
    return QIcon(pixmap);
}

} // namespace resosync::ui
