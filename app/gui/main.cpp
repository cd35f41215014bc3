// resosync: the monitoring console. Wires ui/ widgets to core/; owns no logic of its own.
#include "MainWindow.h"
#include "sim/FeedSimulator.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int kDemoProperties = 2000; ///< about 50k media: a demo sync finishes in seconds

} // namespace

int main(int argc, char *argv[]) {
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
    parser.addOptions({dbOption, feedOption});
    parser.process(app);

    resosync::ui::ConsoleSetup setup;
    setup.conninfo =
        parser.isSet(dbOption) ? parser.value(dbOption) : qEnvironmentVariable("RESOSYNC_DB");
    std::unique_ptr<resosync::sim::FeedSimulator> demo;
    if (parser.isSet(feedOption)) {
        setup.feedUrl = QUrl::fromUserInput(parser.value(feedOption));
        setup.feedName = setup.feedUrl.host();
    } else {
        resosync::sim::SimulatorOptions options;
        options.properties = kDemoProperties;
        demo = std::make_unique<resosync::sim::FeedSimulator>(options);
        QString error;
        if (!demo->start(0, &error)) {
            QMessageBox::critical(nullptr, u"ResoSync"_s,
                                  QApplication::translate("main", "The built-in demo feed could "
                                                                  "not start: %1")
                                      .arg(error));
            return 3;
        }
        setup.feedUrl = demo->baseUrl();
        setup.feedName = QApplication::translate("main", "Built-in simulator (demo)");
        setup.simulator = demo.get();
    }

    resosync::ui::MainWindow window(setup);
    window.show();
    return QApplication::exec();
}
