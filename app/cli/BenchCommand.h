#pragma once

#include "cli/CliCommand.h"

namespace resosync::cli {

/// `resosync-cli bench`: the seed's "test-media-sync-performance", measured against the
/// machine's own floors (see docs/PERFORMANCE.md).
class BenchCommand final : public CliCommand {
public:
    QString name() const override { return QStringLiteral("bench"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace resosync::cli
