#pragma once

#include <QString>
#include <QUrl>

namespace resosync::sim {
class FeedSimulator;
}

namespace resosync::ui {

/// What the console is connected to, decided by app/ at start-up.
struct ConsoleSetup {
    QString feedName; ///< e.g. "Built-in simulator (demo)"
    QUrl feedUrl;     ///< the OData service root
    QString conninfo; ///< libpq connection string of the replica database (never shown raw)
    const sim::FeedSimulator *simulator = nullptr; ///< set in demo mode: feed-side counts
};

} // namespace resosync::ui
