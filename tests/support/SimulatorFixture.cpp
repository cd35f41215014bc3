#include "SimulatorFixture.h"

namespace resosync::test {

std::unique_ptr<sim::FeedSimulator> startSimulator(const sim::SimulatorOptions &options,
                                                   quint16 port) {
    auto simulator = std::make_unique<sim::FeedSimulator>(options);
    QString error;
    if (!simulator->start(port, &error))
        qFatal("simulator did not start: %s", qPrintable(error));
    return simulator;
}

} // namespace resosync::test
