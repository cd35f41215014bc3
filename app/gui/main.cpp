// resosync: the monitoring console. Wires ui/ widgets to core/; owns no logic of its own.
#include "MainWindow.h"
#include "process/MallocTuning.h"
#include "sim/FeedSimulator.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>
#include <QThread>

#include <memory>

using namespace Qt::StringLiterals;
using resosync::reso::FeedProfile;

namespace {

/// About 480k media: a full demo sync takes about 40 s, long enough to watch and tune it.
constexpr int kDemoProperties = 20000;

int fail(const QString &message) {
    QMessageBox::critical(nullptr, u"ResoSync"_s, message);
    return 2;
}

} // namespace

int main(int argc, char *argv[]) {
    resosync::process::tuneMalloc(QThread::idealThreadCount()); // before any thread
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"ResoSync"_s);
    QApplication::setApplicationName(u"resosync"_s);
    QApplication::setApplicationDisplayName(u"ResoSync"_s);
    QApplication::setApplicationVersion(QStringLiteral(RESOSYNC_VERSION));
    QApplication::setWindowIcon(QIcon(u":/icons/resosync.svg"_s));

    QCommandLineParser parser;
    parser.setApplicationDescription(u"ResoSync monitoring console. Without options it opens "
                                     "on the built-in demo feed and the database named by "
                                     "RESOSYNC_DB (or libpq's PG* environment)."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption(u"db"_s,
                                      u"libpq connection string or URI of the replica "
                                      "database (prefer RESOSYNC_DB: argv is visible "
                                      "to other users)."_s,
                                      u"CONNINFO"_s);
    const QCommandLineOption feedOption(u"feed"_s,
                                        u"OData service root of a RESO Web API feed "
                                        "(default: the built-in simulator)."_s,
                                        u"URL"_s);
    const QCommandLineOption profileOption(
        u"profile"_s,
        u"Vendor profile of the feed: %1 (default generic; the demo uses simulator)."_s.arg(
            FeedProfile::builtInNames()),
        u"NAME"_s);
    const QCommandLineOption demoSizeOption(
        u"demo-properties"_s,
        u"Listings in the built-in demo feed (default %1)."_s.arg(kDemoProperties), u"N"_s);
    parser.addOptions({dbOption, feedOption, profileOption, demoSizeOption});
    parser.process(app);

    resosync::ui::ConsoleSetup setup;
    setup.conninfo =
        parser.isSet(dbOption) ? parser.value(dbOption) : qEnvironmentVariable("RESOSYNC_DB");
    const bool demo = !parser.isSet(feedOption);
    const QString profileName = parser.isSet(profileOption)
                                    ? parser.value(profileOption)
                                    : (demo ? u"simulator"_s : u"generic"_s);
    const auto profile = FeedProfile::byName(profileName);
    if (!profile)
        return fail(QApplication::translate("main", "--profile '%1' is not a known profile "
                                                    "(known: %2).")
                        .arg(profileName, FeedProfile::builtInNames()));
    setup.profile = *profile;

    std::unique_ptr<resosync::sim::FeedSimulator> simulator;
    if (!demo) {
        setup.feedUrl = QUrl::fromUserInput(parser.value(feedOption));
        setup.feedName = setup.feedUrl.host();
    } else {
        resosync::sim::SimulatorOptions options;
        bool ok = true;
        options.properties = parser.isSet(demoSizeOption) ? parser.value(demoSizeOption).toInt(&ok)
                                                          : kDemoProperties;
        if (!ok || options.properties < 1)
            return fail(QApplication::translate("main", "--demo-properties '%1' is not a "
                                                        "positive whole number.")
                            .arg(parser.value(demoSizeOption)));
        simulator = std::make_unique<resosync::sim::FeedSimulator>(options);
        QString error;
        if (!simulator->start(0, &error)) {
            QMessageBox::critical(nullptr, u"ResoSync"_s,
                                  QApplication::translate("main", "The built-in demo feed could "
                                                                  "not start: %1")
                                      .arg(error));
            return 3;
        }
        setup.feedUrl = simulator->baseUrl();
        setup.feedName = QApplication::translate("main", "Built-in simulator (demo)");
        setup.simulator = simulator.get();
    }

    resosync::ui::MainWindow window(setup);
    window.show();
    return QApplication::exec();
}
