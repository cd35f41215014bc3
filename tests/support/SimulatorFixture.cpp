#include "SimulatorFixture.h"

#include <QTcpServer>

namespace resosync::test {

std::unique_ptr<sim::FeedSimulator> startSimulator(const sim::SimulatorOptions &options,
                                                   quint16 port) {
    auto simulator = std::make_unique<sim::FeedSimulator>(options);
    QString error;
    if (!simulator->start(port, &error))
        qFatal("simulator did not start: %s", qPrintable(error));
    return simulator;
}

quint16 unusedLocalPort() {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        qFatal("could not find a free port: %s", qPrintable(server.errorString()));
    return server.serverPort();
}

} // namespace resosync::test
