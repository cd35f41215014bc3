#pragma once

#include "cli/CliCommand.h"

namespace resosync::cli {

/// `resosync-cli schema apply|status [--db CONNINFO] [--json]`: installs or upgrades the
/// database schema from the migrations compiled in, or reports its version.
class SchemaCommand final : public CliCommand {
public:
    QString name() const override;
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace resosync::cli
