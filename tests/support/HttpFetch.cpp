#include "HttpFetch.h"

#include <QEventLoop>
#include <QNetworkRequest>
#include <QTimer>

namespace resosync::test {

QByteArray HttpResult::header(const QByteArray &name) const {
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpResult fetch(QNetworkAccessManager &network, const QUrl &url,
                 const QList<std::pair<QByteArray, QByteArray>> &headers,
                 const QByteArray &postBody, int timeoutMs) {
    QNetworkRequest request(url);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    if (!postBody.isNull())
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/x-www-form-urlencoded"));
    QNetworkReply *reply =
        postBody.isNull() ? network.get(request) : network.post(request, postBody);
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timeout, &QTimer::timeout, &loop, [reply] { reply->abort(); });
    timeout.start(timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    result.error = reply->error();
    result.errorString = reply->errorString();
    reply->deleteLater();
    return result;
}

} // namespace resosync::test
