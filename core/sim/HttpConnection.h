#pragma once

#include "sim/HttpServer.h"

#include <QObject>
#include <QPointer>
#include <QTcpSocket>

namespace resosync::sim {

/// One client connection: parses requests one at a time, asks the handler, and writes the
/// response after its delay, applying its wire fault. Deletes itself when the socket closes.
class HttpConnection final : public QObject {
    Q_OBJECT

public:
    HttpConnection(qintptr socketDescriptor, const HttpServer::Handler &handler, QObject *parent);

private:
    void readRequests();
    bool parseHead(qsizetype headEnd);
    void respond(const HttpResponse &response);
    void write(const HttpResponse &response);
    void fail(int status, const QByteArray &message);
    void resetConnection();

    QTcpSocket *m_socket;
    HttpServer::Handler m_handler;
    QByteArray m_buffer;
    HttpRequest m_request;
    qsizetype m_bodyExpected = -1; ///< >= 0 once the head of a request has been parsed
    bool m_busy = false;           ///< a response is pending (delayed); hold further requests
    bool m_closeAfter = false;
};

} // namespace resosync::sim
