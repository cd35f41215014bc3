#pragma once

#include "sim/FeedSimulator.h"

#include <memory>

namespace resosync::test {

/// An in-process simulator listening on 127.0.0.1:`port` (0: a free port). A simulator that
/// cannot start ends the test program: nothing after it could mean anything.
std::unique_ptr<sim::FeedSimulator> startSimulator(const sim::SimulatorOptions &options,
                                                   quint16 port = 0);

} // namespace resosync::test
