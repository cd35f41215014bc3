#include "bench/SimulatorProcess.h"

#include <QDeadlineTimer>

namespace resosync::bench {

using namespace Qt::StringLiterals;

std::unique_ptr<SimulatorProcess> SimulatorProcess::start(const QString &cliPath,
                                                          const QStringList &arguments,
                                                          int timeoutMs, QString *error) {
    std::unique_ptr<SimulatorProcess> simulator(new SimulatorProcess);
    QProcess &process = simulator->m_process;
    // Its notes (what it serves, how long rendering took) go to our stderr as they come; a
    // pipe nobody reads would fill and stall it.
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(cliPath,
                  QStringList{u"simulate"_s} + arguments + QStringList{u"--port"_s, u"0"_s});
    if (!process.waitForStarted(timeoutMs)) {
        *error = u"could not start %1 simulate: %2"_s.arg(cliPath, process.errorString());
        return nullptr;
    }
    const QDeadlineTimer deadline(timeoutMs);
    while (!process.canReadLine()) {
        if (process.state() != QProcess::Running || deadline.hasExpired() ||
            !process.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
            *error =
                process.state() == QProcess::Running
                    ? u"the simulator printed no URL within %1 s"_s.arg(timeoutMs / 1000)
                    : u"the simulator ended (status %1) before serving"_s.arg(process.exitCode());
            return nullptr;
        }
    }
    simulator->m_url = QUrl(QString::fromUtf8(process.readLine().trimmed()));
    if (!simulator->m_url.isValid() || simulator->m_url.scheme() != "http"_L1) {
        *error = u"the simulator printed no URL but '%1'"_s.arg(simulator->m_url.toString());
        return nullptr;
    }
    return simulator;
}

SimulatorProcess::~SimulatorProcess() {
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate(); // SIGTERM: it stops its server and exits
    if (!m_process.waitForFinished(10'000)) {
        m_process.kill();
        m_process.waitForFinished(5'000);
    }
}

} // namespace resosync::bench
