// resosync: the monitoring console. Wires ui/ widgets to core/; owns no logic of its own.
#include "MainWindow.h"

#include <QApplication>
#include <QIcon>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"ResoSync"_s);
    QApplication::setApplicationName(u"resosync"_s);
    QApplication::setApplicationDisplayName(u"ResoSync"_s);
    QApplication::setWindowIcon(QIcon(u":/icons/resosync.svg"_s));

    resosync::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
