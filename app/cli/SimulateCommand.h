#pragma once

#include "cli/CliCommand.h"

namespace resosync::cli {

/// `resosync-cli simulate`: serves the built-in RESO feed over HTTP on 127.0.0.1 until
/// interrupted. The first line on stdout is the base URL, for scripts to read.
class SimulateCommand final : public CliCommand {
public:
    QString name() const override;
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace resosync::cli
