#pragma once

#include "sim/HttpMessage.h"

#include <QHostAddress>
#include <QTcpServer>

#include <functional>

namespace resosync::sim {

/// A small HTTP/1.1 server (keep-alive, Content-Length bodies) for the simulator.
///
/// Written on QTcpServer rather than QHttpServer because the simulator must misbehave at
/// the socket level, as real feeds do: reset a connection mid-body, close after a short body,
/// delay a response without blocking others. Qt 6.4's QHttpServer hides the socket.
class HttpServer final : public QTcpServer {
    Q_OBJECT

public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;

    explicit HttpServer(Handler handler, QObject *parent = nullptr);

    static constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
    static constexpr qsizetype kMaxBodyBytes = 1024 * 1024;

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    Handler m_handler;
};

} // namespace resosync::sim
