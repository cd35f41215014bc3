#pragma once

#include "reso/FeedClient.h"
#include "reso/FeedProfile.h"

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
    /// The vendor's rules and default settings (the simulator's in demo mode).
    reso::FeedProfile profile = *reso::FeedProfile::byName(QStringLiteral("generic"));
    reso::FeedAuth auth; ///< credentials for the feed; in memory only, never saved or shown
    const sim::FeedSimulator *simulator = nullptr; ///< set in demo mode: feed-side counts
};

} // namespace resosync::ui
