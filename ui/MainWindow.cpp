#include "MainWindow.h"

namespace resosync::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent) {}

} // namespace resosync::ui
