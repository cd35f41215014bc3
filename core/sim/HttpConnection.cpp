#include "sim/HttpConnection.h"

#include <QTimer>
#include <QUrl>

#include <sys/socket.h>

namespace resosync::sim {

namespace {

QByteArray reasonPhrase(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

} // namespace

HttpConnection::HttpConnection(qintptr socketDescriptor, const HttpServer::Handler &handler,
                               QObject *parent)
    : QObject(parent)
    , m_socket(new QTcpSocket(this))
    , m_handler(handler) {
    m_socket->setSocketDescriptor(socketDescriptor);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readRequests);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
}

void HttpConnection::readRequests() {
    m_buffer.append(m_socket->readAll());
    while (!m_busy) {
        if (m_bodyExpected < 0) {
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                if (m_buffer.size() > HttpServer::kMaxHeaderBytes)
                    fail(431, "request head too large");
                return;
            }
            if (!parseHead(headEnd))
                return;
        }
        if (m_buffer.size() < m_bodyExpected)
            return;
        m_request.body = m_buffer.left(m_bodyExpected);
        m_buffer.remove(0, m_bodyExpected);
        m_bodyExpected = -1;
        respond(m_handler(m_request));
    }
}

bool HttpConnection::parseHead(qsizetype headEnd) {
    const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
    m_buffer.remove(0, headEnd + 4);
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        fail(400, "malformed request line");
        return false;
    }
    m_request = HttpRequest{};
    m_request.method = requestLine[0];
    m_request.target = requestLine[1];
    const qsizetype question = m_request.target.indexOf('?');
    m_request.path = QUrl::fromPercentEncoding(
                         m_request.target.left(question < 0 ? m_request.target.size() : question))
                         .toUtf8();
    m_request.query = question < 0 ? QByteArray() : m_request.target.mid(question + 1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            m_request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                     lines[i].mid(colon + 1).trimmed());
    }
    m_closeAfter =
        m_request.header("connection").toLower() == "close" || requestLine[2] == "HTTP/1.0";
    bool ok = true;
    const QByteArray length = m_request.header("content-length");
    m_bodyExpected = length.isEmpty() ? 0 : length.toLongLong(&ok);
    if (!ok || m_bodyExpected < 0 || m_bodyExpected > HttpServer::kMaxBodyBytes) {
        fail(413, "request body too large or Content-Length invalid");
        return false;
    }
    return true;
}

void HttpConnection::respond(const HttpResponse &response) {
    if (response.delayMs <= 0) {
        write(response);
        return;
    }
    // Latency without blocking: other connections are served meanwhile.
    m_busy = true;
    QTimer::singleShot(response.delayMs, this, [this, response] {
        m_busy = false;
        write(response);
        if (m_socket->state() == QAbstractSocket::ConnectedState && !m_buffer.isEmpty())
            readRequests();
    });
}

void HttpConnection::write(const HttpResponse &response) {
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' +
                      reasonPhrase(response.status) + "\r\n";
    for (const auto &[name, value] : response.headers)
        head += name + ": " + value + "\r\n";
    head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    const bool close = m_closeAfter || response.fault != WireFault::None;
    head += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
    m_socket->write(head);
    switch (response.fault) {
    case WireFault::None:
        m_socket->write(response.body);
        break;
    case WireFault::ResetMidBody:
        m_socket->write(response.body.left(response.body.size() / 2));
        m_socket->flush();
        resetConnection();
        return;
    case WireFault::TruncatedBody:
        m_socket->write(response.body.left(response.body.size() / 2));
        break;
    }
    if (close)
        m_socket->disconnectFromHost();
}

void HttpConnection::resetConnection() {
    // SO_LINGER with a zero timeout makes close() send RST instead of FIN, which is what a
    // client sees when a load balancer or a crashing server drops it mid-body.
    const linger hard{1, 0};
    ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    m_socket->abort();
}

void HttpConnection::fail(int status, const QByteArray &message) {
    HttpResponse response;
    response.status = status;
    response.setHeader("Content-Type", "text/plain");
    response.body = message;
    m_closeAfter = true;
    write(response);
    m_buffer.clear();
}

} // namespace resosync::sim
