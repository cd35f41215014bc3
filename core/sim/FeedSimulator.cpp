#include "sim/FeedSimulator.h"

#include "sim/FeedService.h"
#include "sim/HttpServer.h"

#include <QElapsedTimer>

namespace resosync::sim {

using namespace Qt::StringLiterals;

FeedSimulator::FeedSimulator(const SimulatorOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_data(std::make_unique<FeedData>(options))
    , m_service(std::make_unique<FeedService>(*m_data, options)) {
    m_thread.setObjectName(u"resosync-sim"_s);
}

FeedSimulator::~FeedSimulator() {
    stop();
}

bool FeedSimulator::start(quint16 port, QString *error) {
    if (isRunning())
        return true;
    m_threadContext = new QObject;
    m_threadContext->moveToThread(&m_thread);
    m_thread.start();
    QString failure;
    FeedService *service = m_service.get();
    QMetaObject::invokeMethod(
        m_threadContext,
        [&] {
            m_server = new HttpServer(
                [service](const HttpRequest &request) { return service->handle(request); },
                m_threadContext);
            if (m_server->listen(QHostAddress::LocalHost, port))
                m_port = m_server->serverPort();
            else
                failure = m_server->errorString();
        },
        Qt::BlockingQueuedConnection);
    if (m_port == 0) {
        if (error)
            *error = u"Could not listen on 127.0.0.1:%1: %2"_s.arg(port).arg(failure);
        stop();
        return false;
    }
    m_service->setBaseUrl("http://127.0.0.1:" + QByteArray::number(m_port));
    return true;
}

double FeedSimulator::prerender() {
    QElapsedTimer timer;
    timer.start();
    FeedService *service = m_service.get();
    if (m_threadContext)
        QMetaObject::invokeMethod(
            m_threadContext, [service] { service->renderAll(); }, Qt::BlockingQueuedConnection);
    else
        service->renderAll(); // not serving yet: no other thread uses the service
    return double(timer.elapsed()) / 1000.0;
}

void FeedSimulator::stop() {
    if (m_threadContext) {
        // Delete the server and its connections on their own thread.
        QMetaObject::invokeMethod(
            m_threadContext, [this] { delete m_threadContext; }, Qt::BlockingQueuedConnection);
        m_threadContext = nullptr;
        m_server = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
    m_port = 0;
}

QUrl FeedSimulator::baseUrl() const {
    return QUrl(u"http://127.0.0.1:%1/odata"_s.arg(m_port));
}

QUrl FeedSimulator::tokenUrl() const {
    return QUrl(u"http://127.0.0.1:%1/oauth2/token"_s.arg(m_port));
}

MutationResult FeedSimulator::mutate(const MutationSpec &spec) {
    return m_service->mutate(spec);
}

SimulatorStats FeedSimulator::stats() const {
    return m_service->stats();
}

void FeedSimulator::resetStats() {
    m_service->resetStats();
}

void FeedSimulator::setFaults(const FaultOptions &faults) {
    m_service->setFaults(faults);
}

FaultOptions FeedSimulator::faults() const {
    return m_service->faults();
}

} // namespace resosync::sim
