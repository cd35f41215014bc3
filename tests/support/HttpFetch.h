#pragma once

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrl>

#include <utility>

namespace resosync::test {

struct HttpResult {
    int status = 0;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;

    QByteArray header(const QByteArray &name) const;
};

/// Performs one request on the calling thread's event loop and waits for it (tests only).
HttpResult fetch(QNetworkAccessManager &network, const QUrl &url,
                 const QList<std::pair<QByteArray, QByteArray>> &headers = {},
                 const QByteArray &postBody = {}, int timeoutMs = 60'000);

} // namespace resosync::test
