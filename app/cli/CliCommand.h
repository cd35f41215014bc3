#pragma once

#include "db/DbError.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

namespace resosync::cli {

/// Exit statuses shared by every subcommand (documented in `resosync-cli --help`).
enum ExitCode : int {
    ExitSuccess = 0, ///< everything done and stored
    /// ran, but not everything succeeded: rejected records, failed batches, a statement the
    /// database refused
    ExitPartial = 1,
    /// bad usage or settings (the message says which and why), or a step that needs
    /// confirmation (a first full load, a large reconcile delete)
    ExitUsage = 2,
    /// could not run: feed or database unreachable, login refused, a privilege missing, a
    /// feed that does not answer OData JSON
    ExitUnavailable = 3,
};

/// The exit status for a failed database call: the one mapping every subcommand uses
/// (db::classify decides what a kind means; this only numbers it).
int exitCodeFor(db::DbErrorKind kind);

/// One `resosync-cli` subcommand. Each parses its own options, so `--help` works per command.
class CliCommand {
public:
    virtual ~CliCommand() = default;
    virtual QString name() const = 0;
    virtual QString summary() const = 0;
    /// `arguments` starts with the program name followed by the subcommand's own arguments.
    virtual int run(const QStringList &arguments) = 0;

protected:
    /// Parses `arguments`; prints help or the error and returns the exit code to end with,
    /// or -1 when the command should go on.
    int parse(QCommandLineParser &parser, const QStringList &arguments) const;
};

/// The value of the environment variable named by `option` (how secrets reach the CLI: never
/// on argv, which other users can read). Empty when the option is not set; when the variable
/// is unset or empty, sets `error` (if still empty) to a message naming both.
QString secretFromEnv(const QCommandLineParser &parser, const QString &option, QString *error);

/// Writes a line to stderr (the CLI's channel for progress and errors).
void printError(const QString &message);
/// Writes a line to stdout (results, summaries, the simulator's URL).
void printOut(const QString &message);

} // namespace resosync::cli
