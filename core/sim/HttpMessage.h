#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>

namespace resosync::sim {

struct HttpRequest {
    QByteArray method;
    QByteArray target;                     ///< as sent: path and query, still percent-encoded
    QByteArray path;                       ///< target before '?', percent-decoded
    QByteArray query;                      ///< target after '?', still encoded
    QHash<QByteArray, QByteArray> headers; ///< names in lower case
    QByteArray body;

    QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
};

/// How a response misbehaves on the wire, to exercise a client's recovery.
enum class WireFault {
    None,
    ResetMidBody,  ///< send the headers and part of the body, then reset the connection
    TruncatedBody, ///< announce the full length, send part, then close cleanly
};

struct HttpResponse {
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int delayMs = 0;
    WireFault fault = WireFault::None;

    void setHeader(const QByteArray &name, const QByteArray &value) {
        headers.append({name, value});
    }
};

} // namespace resosync::sim
