#pragma once

#include "cli/CliCommand.h"

namespace resosync::cli {

/// `resosync-cli indexes status|explain|apply|repair [--db CONNINFO] [--json] [--print-sql]`:
/// the recommended indexes (sql/indexes.sql) inspected, the sync's queries measured, the
/// missing ones built concurrently with progress lines and before/after figures (issue #5).
class IndexesCommand final : public CliCommand {
public:
    QString name() const override;
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace resosync::cli
