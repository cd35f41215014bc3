#include "CliProcess.h"

#include "HttpFetch.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>

namespace resosync::test {

using namespace Qt::StringLiterals;

namespace {

/// The run of `process`, which finished in time or is killed now.
CliRun ended(QProcess &process, bool finishedInTime) {
    if (!finishedInTime) {
        process.kill();
        process.waitForFinished();
        return {-1, {}, u"timed out"_s};
    }
    return resultOf(process);
}

} // namespace

CliRun resultOf(QProcess &process) {
    CliRun run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString cliPath() {
    return qEnvironmentVariable("RESOSYNC_CLI");
}

QProcessEnvironment environmentWith(const QStringList &environment) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &pair : environment)
        env.insert(pair.section(u'=', 0, 0), pair.section(u'=', 1));
    return env;
}

CliRun runCli(const QStringList &arguments, int timeoutMs, const QStringList &environment) {
    QProcess process;
    process.setProcessEnvironment(environmentWith(environment));
    process.start(cliPath(), arguments);
    return ended(process, process.waitForFinished(timeoutMs));
}

CliRun runCliServing(const QStringList &arguments, int timeoutMs) {
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(cliPath(), arguments);
    return ended(process, finished.wait(timeoutMs));
}

SimulatorProcess::SimulatorProcess(const QStringList &arguments, const QStringList &environment) {
    m_process.setProcessEnvironment(environmentWith(environment));
    m_process.start(cliPath(), QStringList{u"simulate"_s, u"--port"_s, u"0"_s} + arguments);
    if (m_process.waitForReadyRead(60'000))
        m_url = QString::fromUtf8(m_process.readLine()).trimmed();
}

SimulatorProcess::~SimulatorProcess() {
    m_process.terminate();
    if (!m_process.waitForFinished(10'000))
        m_process.kill();
}

int SimulatorProcess::mutate(const QString &query) const {
    QNetworkAccessManager network;
    QString admin = m_url;
    admin.replace(u"/odata"_s, u"/admin/mutate?"_s + query);
    return fetch(network, QUrl(admin), {}, "mutate").status;
}

} // namespace resosync::test
