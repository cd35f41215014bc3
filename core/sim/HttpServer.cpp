#include "sim/HttpServer.h"

#include "sim/HttpConnection.h"

namespace resosync::sim {

HttpServer::HttpServer(Handler handler, QObject *parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler)) {}

void HttpServer::incomingConnection(qintptr socketDescriptor) {
    new HttpConnection(socketDescriptor, m_handler, this);
}

} // namespace resosync::sim
