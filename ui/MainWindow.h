#pragma once

#include <QMainWindow>

namespace resosync::ui {

/// The console's main window: toolbar with the sync actions, connection and run panels.
class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace resosync::ui
