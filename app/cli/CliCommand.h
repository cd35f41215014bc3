#pragma once

#include "db/DbError.h"

#include <QCommandLineParser>
#include <QLocale>
#include <QString>
#include <QStringList>

#include <optional>

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

/// Reads the numeric option `name` within [min, max]: `fallback` when it is not set. A value
/// that is not a number or out of range gives std::nullopt and sets `error` (if still empty)
/// to a message naming the option, the value and the range; `minimumMeaning` says what the
/// minimum means when it is special, e.g. "off" gives "from 0 (off) to 100".
template<typename T>
std::optional<T> numberOption(const QCommandLineParser &parser, const QString &name, T min, T max,
                              T fallback, QString *error, const QString &minimumMeaning = {}) {
    using namespace Qt::StringLiterals;
    if (!parser.isSet(name))
        return fallback;
    const QString text = parser.value(name);
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (ok && value >= double(min) && value <= double(max))
        return T(value);
    if (error->isEmpty()) {
        // Plain digits, never "1e+06": the user types the number back.
        const auto shown = [](T bound) {
            return QLocale::c().toString(double(bound), 'f', QLocale::FloatingPointShortest);
        };
        const QString lowest =
            minimumMeaning.isEmpty() ? shown(min) : u"%1 (%2)"_s.arg(shown(min), minimumMeaning);
        *error = u"--%1 '%2' is out of range: expected a number from %3 to %4"_s.arg(
            name, text, lowest, shown(max));
    }
    return std::nullopt;
}

/// Writes a line to stderr (the CLI's channel for progress and errors).
void printError(const QString &message);
/// Writes a line to stdout (results, summaries, the simulator's URL).
void printOut(const QString &message);

} // namespace resosync::cli
