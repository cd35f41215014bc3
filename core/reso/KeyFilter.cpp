#include "reso/KeyFilter.h"

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {

/// Bytes `text` takes once QUrl::toPercentEncoding() has encoded it (what queryUrl() does to
/// every option value): unreserved ASCII stays one byte, every other UTF-8 byte becomes %XX.
qsizetype encodedLength(QStringView text) {
    qsizetype length = 0;
    for (const char byte : text.toUtf8()) {
        const auto c = static_cast<unsigned char>(byte);
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        length += unreserved ? 1 : 3;
    }
    return length;
}

qsizetype requestTargetLength(const QUrl &url) {
    return url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority).size();
}

/// The exact request target length of one group's URL, as queryUrl() builds it.
qsizetype measuredTargetLength(const QUrl &base, const QString &resource, const QString &field,
                               const QStringList &keys, const QueryOptions &options, bool useIn) {
    QueryOptions all = options;
    all.append({u"$filter"_s, keyFilter(field, keys, useIn)});
    return requestTargetLength(queryUrl(base, resource, all));
}

} // namespace

QString keyFilter(const QString &field, const QStringList &keys, bool useIn) {
    if (keys.isEmpty())
        return {};
    QString filter;
    if (useIn) {
        filter = field + " in ("_L1;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (i > 0)
                filter += u',';
            filter += odataString(keys[i]);
        }
        filter += u')';
        return filter;
    }
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (i > 0)
            filter += " or "_L1;
        filter += field + " eq "_L1 + odataString(keys[i]);
    }
    return filter;
}

QList<QStringList> splitKeysForUrl(const QUrl &base, const QString &resource, const QString &field,
                                   const QStringList &keys, const QueryOptions &options,
                                   const FeedProfile &profile, bool useIn) {
    QList<QStringList> groups;
    if (keys.isEmpty())
        return groups;

    // The URL without the key filter is measured once; each key then adds its encoded length
    // (plus a separator), so grouping 500 keys costs one pass instead of a URL per key.
    // Appending the option adds a separator ('?' or '&') and "$filter=".
    const qsizetype fixed =
        requestTargetLength(queryUrl(base, resource, options)) + 1 + "$filter="_L1.size();
    // in:  `F in (` k1 `,` k2 `)`          or:  `F eq ` k1 ` or F eq ` k2
    const qsizetype opening = useIn ? encodedLength(QString(field + " in ("_L1)) : 0;
    const qsizetype closing = useIn ? encodedLength(u")") : 0;
    const qsizetype perKey = useIn ? 0 : encodedLength(QString(field + " eq "_L1));
    const qsizetype separator = useIn ? encodedLength(u",") : encodedLength(u" or ");
    const qsizetype cap = profile.maxUrlLength > 0 ? profile.maxUrlLength : -1;
    const int maxTerms = useIn ? 0 : profile.maxOrTerms;

    QStringList group;
    qsizetype length = 0; // estimated target length of `group`
    for (const QString &key : keys) {
        const qsizetype keyLength = perKey + encodedLength(odataString(key));
        const qsizetype grown = group.isEmpty() ? fixed + opening + keyLength + closing
                                                : length + separator + keyLength;
        const bool fits = (cap < 0 || grown <= cap) && (maxTerms <= 0 || group.size() < maxTerms);
        if (!group.isEmpty() && !fits) {
            groups.append(group);
            group.clear();
        }
        length = group.isEmpty() ? fixed + opening + keyLength + closing : grown;
        group.append(key);
    }
    groups.append(group);

    if (cap < 0)
        return groups;
    // Safety net: check every group against the URL queryUrl() really builds (one URL per
    // group, so still linear). Should an estimate ever be short, halve that group until the
    // pieces fit or hold a single key; the order of keys is kept either way.
    QList<QStringList> verified;
    verified.reserve(groups.size());
    QList<QStringList> work;
    for (const QStringList &candidate : std::as_const(groups)) {
        work.append(candidate);
        while (!work.isEmpty()) {
            QStringList piece = work.takeFirst();
            if (piece.size() == 1 ||
                measuredTargetLength(base, resource, field, piece, options, useIn) <= cap) {
                verified.append(piece);
                continue;
            }
            const qsizetype half = piece.size() / 2;
            work.prepend(piece.mid(half));
            work.prepend(piece.first(half));
        }
    }
    return verified;
}

} // namespace resosync::reso
