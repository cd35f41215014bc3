#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace resosync::bench {

/// The built-in simulator in a process of its own (`resosync-cli simulate`), so that a sync
/// measured in the benchmark's process has its memory to itself, as it would against a remote
/// server. Stopped (SIGTERM, then killed) when destroyed.
class SimulatorProcess final {
public:
    /// Starts `cliPath simulate ARGUMENTS --port 0` and waits, up to `timeoutMs`, for the URL
    /// it prints once it serves. Null, with the reason in `error`, if it does not.
    static std::unique_ptr<SimulatorProcess>
    start(const QString &cliPath, const QStringList &arguments, int timeoutMs, QString *error);
    ~SimulatorProcess();
    SimulatorProcess(const SimulatorProcess &) = delete;
    SimulatorProcess &operator=(const SimulatorProcess &) = delete;

    QUrl baseUrl() const { return m_url; }

private:
    SimulatorProcess() = default;

    QProcess m_process;
    QUrl m_url;
};

} // namespace resosync::bench
