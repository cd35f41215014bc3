#pragma once

#include "sim/FeedSimulator.h"

#include <memory>

namespace resosync::test {

/// An in-process simulator listening on 127.0.0.1:`port` (0: a free port). A simulator that
/// cannot start ends the test program: nothing after it could mean anything.
std::unique_ptr<sim::FeedSimulator> startSimulator(const sim::SimulatorOptions &options,
                                                   quint16 port = 0);

/// A port on 127.0.0.1 that nothing listens on (a free one, taken and let go): connecting
/// to it is refused.
quint16 unusedLocalPort();

} // namespace resosync::test
