#pragma once

#include <QByteArray>

namespace resosync::sim {

/// gzip (RFC 1952) of `data` at a fast level: what a feed sends for `Accept-Encoding: gzip`.
QByteArray gzipCompress(const QByteArray &data);

} // namespace resosync::sim
