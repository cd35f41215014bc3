#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace resosync::test {

/// The resosync-cli under test (RESOSYNC_CLI, set by tests/CMakeLists.txt).
QString cliPath();

/// A finished resosync-cli run.
struct CliRun {
    int exitCode = -1; ///< -1 when it crashed or timed out
    QString out;
    QString err;
};

/// The exit status and output of a finished `process` (exit status -1 if it crashed).
CliRun resultOf(QProcess &process);

/// Runs resosync-cli with `arguments` and waits. `environment` adds or replaces NAME=VALUE
/// pairs (how secrets reach the CLI). The calling thread's event loop does not run meanwhile.
CliRun runCli(const QStringList &arguments, int timeoutMs = 300'000,
              const QStringList &environment = {});

/// The same, but the event loop keeps running (for a server in the test process).
CliRun runCliServing(const QStringList &arguments, int timeoutMs = 120'000);

/// A `resosync-cli simulate` process; its first stdout line is the feed's URL.
class SimulatorProcess {
public:
    explicit SimulatorProcess(const QStringList &arguments, const QStringList &environment = {});
    ~SimulatorProcess();
    SimulatorProcess(const SimulatorProcess &) = delete;
    SimulatorProcess &operator=(const SimulatorProcess &) = delete;

    QString url() const { return m_url; } ///< http://127.0.0.1:PORT/odata
    /// POSTs an admin mutation (e.g. "deleteProperties=6"); returns the HTTP status.
    int mutate(const QString &query) const;

private:
    QProcess m_process;
    QString m_url;
};

/// `environment` applied over the system environment, for a QProcess.
QProcessEnvironment environmentWith(const QStringList &environment);

} // namespace resosync::test
