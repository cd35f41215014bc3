#pragma once

#include "cli/CliCommand.h"

namespace resosync::cli {

/// `resosync-cli sync`: one run of the streaming sync, with progress on stderr, the seed's
/// summary block on stdout and an optional JSON report.
class SyncCommand final : public CliCommand {
public:
    QString name() const override;
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace resosync::cli
