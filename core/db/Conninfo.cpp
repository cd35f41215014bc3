#include "db/Conninfo.h"

#include <QByteArray>
#include <QUrl>

#include <libpq-fe.h>

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>

namespace resosync::db {

using namespace Qt::StringLiterals;

namespace {

const QString kRedacted = u"***"_s;

// libpq options whose values are not secret (libpq 15 plus a few later ones). Anything else
// is hidden: `password`, `sslpassword`, and misspellings a user meant as one of them.
bool isPublicKey(QStringView key) {
    static constexpr std::array<QLatin1StringView, 41> kPublicKeys{
        "host"_L1,
        "hostaddr"_L1,
        "port"_L1,
        "dbname"_L1,
        "user"_L1,
        "passfile"_L1,
        "channel_binding"_L1,
        "connect_timeout"_L1,
        "client_encoding"_L1,
        "options"_L1,
        "application_name"_L1,
        "fallback_application_name"_L1,
        "keepalives"_L1,
        "keepalives_idle"_L1,
        "keepalives_interval"_L1,
        "keepalives_count"_L1,
        "tcp_user_timeout"_L1,
        "replication"_L1,
        "gssencmode"_L1,
        "sslmode"_L1,
        "requiressl"_L1,
        "sslcompression"_L1,
        "sslcert"_L1,
        "sslkey"_L1,
        "sslcertmode"_L1,
        "sslrootcert"_L1,
        "sslcrl"_L1,
        "sslcrldir"_L1,
        "sslsni"_L1,
        "requirepeer"_L1,
        "require_auth"_L1,
        "ssl_min_protocol_version"_L1,
        "ssl_max_protocol_version"_L1,
        "krbsrvname"_L1,
        "gsslib"_L1,
        "gssdelegation"_L1,
        "service"_L1,
        "target_session_attrs"_L1,
        "load_balance_hosts"_L1,
        "authtype"_L1,
        "tty"_L1,
    };
    for (QLatin1StringView known : kPublicKeys) {
        if (key == known)
            return true;
    }
    return false;
}

bool isUri(const QString &conninfo) {
    return conninfo.startsWith("postgresql://"_L1) || conninfo.startsWith("postgres://"_L1);
}

QString percentDecoded(QStringView text) {
    return QString::fromUtf8(QByteArray::fromPercentEncoding(text.toUtf8()));
}

/// One `key=value` of a libpq keyword/value string, with where its value sits in the source.
struct KeywordValue {
    QString key;
    QString value; ///< unquoted and unescaped
    qsizetype valueBegin = 0;
    qsizetype valueEnd = 0;
};

/// The keyword/value grammar of libpq's conninfo_parse(). `brokenAt` is where parsing gave
/// up (a key without `=`), or -1; an unterminated quote runs its value to the end.
struct KeywordValueString {
    QList<KeywordValue> items;
    qsizetype brokenAt = -1;
};

KeywordValueString parseKeywordValue(const QString &text) {
    KeywordValueString parsed;
    const qsizetype n = text.size();
    qsizetype i = 0;
    const auto skipSpace = [&] {
        while (i < n && text.at(i).isSpace())
            ++i;
    };
    while (true) {
        skipSpace();
        if (i >= n)
            break;
        const qsizetype keyBegin = i;
        while (i < n && !text.at(i).isSpace() && text.at(i) != u'=')
            ++i;
        KeywordValue item;
        item.key = text.mid(keyBegin, i - keyBegin);
        skipSpace();
        if (i >= n || text.at(i) != u'=') {
            parsed.brokenAt = keyBegin;
            break;
        }
        ++i;
        skipSpace();
        item.valueBegin = i;
        if (i < n && text.at(i) == u'\'') {
            ++i;
            while (i < n) {
                const QChar c = text.at(i);
                if (c == u'\\' && i + 1 < n) {
                    item.value += text.at(i + 1);
                    i += 2;
                } else if (c == u'\'') {
                    ++i;
                    break;
                } else {
                    item.value += c;
                    ++i;
                }
            }
        } else {
            while (i < n && !text.at(i).isSpace()) {
                if (text.at(i) == u'\\' && i + 1 < n) {
                    item.value += text.at(i + 1);
                    i += 2;
                } else {
                    item.value += text.at(i);
                    ++i;
                }
            }
        }
        item.valueEnd = i;
        parsed.items.append(std::move(item));
    }
    return parsed;
}

/// A `postgresql://` URI cut into its parts, as raw (still percent-encoded) text.
struct UriParts {
    QString scheme; ///< "postgresql://"
    QString user;   ///< before the ':' of the user info
    bool hasUserInfo = false;
    bool hasPassword = false;
    QString password; ///< raw
    QString hostSpec; ///< "h1:5432,[::1]:5433"
    QString path;     ///< dbname, raw, without the '/'
    bool hasPath = false;
    QList<std::pair<QString, QString>> query; ///< raw key and value
};

UriParts parseUri(const QString &conninfo) {
    UriParts parts;
    parts.scheme = conninfo.left(conninfo.indexOf("://"_L1) + 3);
    QString rest = conninfo.mid(parts.scheme.size());

    // libpq ends the user info at the first '@' before the first '/'. Taking the last '@'
    // (and any '@' at all when a '/' comes first) can only hide more, never reveal a
    // password that holds an unencoded '@' or '/'.
    const qsizetype slash = rest.indexOf(u'/');
    qsizetype at = (slash < 0 ? rest : rest.left(slash)).lastIndexOf(u'@');
    if (at < 0)
        at = rest.lastIndexOf(u'@');
    if (at >= 0) {
        parts.hasUserInfo = true;
        const QString userInfo = rest.left(at);
        const qsizetype colon = userInfo.indexOf(u':');
        parts.user = colon < 0 ? userInfo : userInfo.left(colon);
        if (colon >= 0) {
            parts.hasPassword = true;
            parts.password = userInfo.mid(colon + 1);
        }
        rest = rest.mid(at + 1);
    }
    const qsizetype question = rest.indexOf(u'?');
    const QString beforeQuery = question < 0 ? rest : rest.left(question);
    const qsizetype pathSlash = beforeQuery.indexOf(u'/');
    parts.hostSpec = pathSlash < 0 ? beforeQuery : beforeQuery.left(pathSlash);
    if (pathSlash >= 0) {
        parts.hasPath = true;
        parts.path = beforeQuery.mid(pathSlash + 1);
    }
    if (question >= 0) {
        const QString query = rest.mid(question + 1);
        for (const QString &pair : query.split(u'&')) {
            const qsizetype eq = pair.indexOf(u'=');
            parts.query.append(eq < 0 ? std::pair{pair, QString()}
                                      : std::pair{pair.left(eq), pair.mid(eq + 1)});
        }
    }
    return parts;
}

QString osUserName() {
    if (const passwd *entry = ::getpwuid(::geteuid()))
        return QString::fromLocal8Bit(entry->pw_name);
    return qEnvironmentVariable("USER");
}

void applySetting(ConnectionTarget &target, QStringView key, const QString &value) {
    if (key == "host"_L1)
        target.host = value;
    else if (key == "hostaddr"_L1 && target.host.isEmpty())
        target.host = value;
    else if (key == "port"_L1)
        target.port = value;
    else if (key == "dbname"_L1)
        target.database = value;
    else if (key == "user"_L1)
        target.user = value;
    else if (key == "service"_L1)
        target.service = value;
}

/// Every secret value `conninfo` holds, raw and decoded, for scrubbing messages.
QStringList secretsOf(const QString &conninfo) {
    QStringList secrets;
    if (isUri(conninfo)) {
        const UriParts parts = parseUri(conninfo);
        if (parts.hasPassword)
            secrets << parts.password << percentDecoded(parts.password);
        for (const auto &[key, value] : parts.query) {
            if (!isPublicKey(percentDecoded(key)))
                secrets << value << percentDecoded(value);
        }
    } else {
        const KeywordValueString parsed = parseKeywordValue(conninfo);
        for (const KeywordValue &item : parsed.items) {
            if (!isPublicKey(item.key)) {
                secrets << item.value
                        << conninfo.mid(item.valueBegin, item.valueEnd - item.valueBegin);
            }
        }
        if (parsed.brokenAt >= 0) {
            const QString rest = conninfo.mid(parsed.brokenAt);
            for (const QString &token : rest.split(u' ', Qt::SkipEmptyParts)) {
                if (!isPublicKey(token))
                    secrets << token;
            }
        }
    }
    secrets << qEnvironmentVariable("PGPASSWORD");
    // Longest first, so a secret that contains another is cut out whole.
    std::sort(secrets.begin(), secrets.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    secrets.removeDuplicates();
    return secrets;
}

} // namespace

QString redactedConninfo(const QString &conninfo) {
    if (isUri(conninfo)) {
        const UriParts parts = parseUri(conninfo);
        QString out = parts.scheme;
        if (parts.hasUserInfo)
            out += parts.user + (parts.hasPassword ? u':' + kRedacted : QString()) + u'@';
        out += parts.hostSpec;
        if (parts.hasPath)
            out += u'/' + parts.path;
        if (!parts.query.isEmpty()) {
            QStringList pairs;
            for (const auto &[key, value] : parts.query)
                pairs << key + u'=' + (isPublicKey(percentDecoded(key)) ? value : kRedacted);
            out += u'?' + pairs.join(u'&');
        }
        return out;
    }

    const KeywordValueString parsed = parseKeywordValue(conninfo);
    QString out;
    qsizetype copied = 0;
    for (const KeywordValue &item : parsed.items) {
        if (isPublicKey(item.key))
            continue;
        out += conninfo.mid(copied, item.valueBegin - copied) + kRedacted;
        copied = item.valueEnd;
    }
    if (parsed.brokenAt >= 0) {
        // libpq rejects the rest; we cannot tell a key from a value there, so hide it all.
        out += conninfo.mid(copied, parsed.brokenAt - copied) + kRedacted;
    } else {
        out += conninfo.mid(copied);
    }
    return out;
}

bool holdsSecret(const QString &conninfo) {
    return redactedConninfo(conninfo) != conninfo;
}

QString conninfoSyntaxError(const QString &conninfo) {
    char *error = nullptr;
    PQconninfoOption *options = PQconninfoParse(conninfo.toUtf8().constData(), &error);
    QString reason;
    if (!options)
        reason = error ? QString::fromUtf8(error).trimmed() : u"out of memory"_s;
    PQconninfoFree(options);
    PQfreemem(error);
    return scrubSecrets(reason, conninfo);
}

QString withPassword(const QString &conninfo, const QString &password) {
    if (password.isEmpty())
        return conninfo;
    if (isUri(conninfo)) {
        const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(password));
        return conninfo + (conninfo.contains(u'?') ? u'&' : u'?') + u"password="_s + encoded;
    }
    QString quoted = password;
    quoted.replace(u"\\"_s, u"\\\\"_s).replace(u"'"_s, u"\\'"_s);
    const QString separator = conninfo.trimmed().isEmpty() ? QString() : u" "_s;
    return conninfo + separator + u"password='"_s + quoted + u"'"_s;
}

ConnectionTarget connectionTarget(const QString &conninfo) {
    ConnectionTarget target;
    if (isUri(conninfo)) {
        const UriParts parts = parseUri(conninfo);
        target.user = percentDecoded(parts.user);
        target.database = percentDecoded(parts.path);
        QStringList hosts;
        QStringList ports;
        for (const QString &spec : parts.hostSpec.split(u',', Qt::SkipEmptyParts)) {
            // "[::1]:5432" or "host:5432" or "host"
            const qsizetype bracket = spec.lastIndexOf(u']');
            const qsizetype colon = spec.lastIndexOf(u':');
            if (colon > bracket) {
                hosts << percentDecoded(spec.left(colon).remove(u'[').remove(u']'));
                ports << spec.mid(colon + 1);
            } else {
                hosts << percentDecoded(QString(spec).remove(u'[').remove(u']'));
            }
        }
        target.host = hosts.join(u',');
        target.port = ports.join(u',');
        for (const auto &[key, value] : parts.query)
            applySetting(target, percentDecoded(key), percentDecoded(value));
    } else {
        for (const KeywordValue &item : parseKeywordValue(conninfo).items)
            applySetting(target, item.key, item.value);
    }

    // What libpq falls back to, in its order: the environment, then compiled-in defaults.
    if (target.service.isEmpty())
        target.service = qEnvironmentVariable("PGSERVICE");
    if (target.host.isEmpty())
        target.host = qEnvironmentVariable("PGHOST");
    if (target.host.isEmpty())
        target.host = qEnvironmentVariable("PGHOSTADDR");
    if (target.port.isEmpty())
        target.port = qEnvironmentVariable("PGPORT");
    if (target.user.isEmpty())
        target.user = qEnvironmentVariable("PGUSER");
    if (target.database.isEmpty())
        target.database = qEnvironmentVariable("PGDATABASE");
    if (target.service.isEmpty()) {
        if (target.host.isEmpty())
            target.host = u"the local socket"_s;
        if (target.port.isEmpty())
            target.port = u"5432"_s;
        if (target.user.isEmpty())
            target.user = osUserName();
        if (target.database.isEmpty())
            target.database = target.user;
    }
    return target;
}

QString describeTarget(const QString &conninfo) {
    const ConnectionTarget target = connectionTarget(conninfo);
    QStringList parts;
    if (!target.service.isEmpty())
        parts << u"service %1"_s.arg(target.service);
    if (!target.host.isEmpty())
        parts << u"host %1"_s.arg(target.host);
    if (!target.port.isEmpty())
        parts << u"port %1"_s.arg(target.port);
    if (!target.database.isEmpty())
        parts << u"database %1"_s.arg(target.database);
    if (!target.user.isEmpty())
        parts << u"user %1"_s.arg(target.user);
    return scrubSecrets(parts.join(", "_L1), conninfo);
}

QString scrubSecrets(QString message, const QString &conninfo) {
    for (const QString &secret : secretsOf(conninfo)) {
        // Cutting out very short values would garble the message more than it protects.
        if (secret.size() >= 3)
            message.replace(secret, kRedacted);
    }
    return message;
}

} // namespace resosync::db
