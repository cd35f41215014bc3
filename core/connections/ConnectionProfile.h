#pragma once

#include "reso/FeedClient.h"
#include "reso/FeedProfile.h"
#include "sync/SyncSettings.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

namespace resosync::connections {

/// The fields of a connection profile, so a problem can be shown beside its field.
enum class ProfileField {
    Name,
    FeedProfile,
    FeedUrl,
    TokenUrl,
    ClientId,
    Scope,
    Conninfo,
    BatchSize,
    PropertyBatchSize,
    DbBatchSize,
    ThrottleMs,
    Concurrency,
};

/// A person's name for `field`, e.g. "Feed URL".
QString fieldLabel(ProfileField field);

/// Why one field's value is refused: names the field, the value and what is allowed.
struct FieldProblem {
    ProfileField field = ProfileField::Name;
    QString message;
    friend bool operator==(const FieldProblem &, const FieldProblem &) = default;
};

/// "none", "static-token", "client-credentials": how profiles store an AuthKind.
QString authKindName(reso::AuthKind kind);
std::optional<reso::AuthKind> authKindFromName(const QString &name);

/// The secrets of one profile; they live in the SecretStore, never in a profile.
struct ProfileSecrets {
    QString feedSecret;       ///< the static bearer token, or the OAuth2 client secret
    QString databasePassword; ///< added to the connection string when connecting
};

/// A connection ready to use: what the console and a sync take, secrets filled in.
/// `conninfo` holds the password: show it only through db::redactedConninfo().
struct ResolvedConnection {
    QString name;
    QUrl feedUrl;
    reso::FeedProfile profile;
    reso::FeedAuth auth;
    QString conninfo;
    sync::SyncSettings settings;

    /// A sync request for this connection; the caller picks resources and mode.
    sync::SyncRequest syncRequest() const;
};

/// A saved connection: a feed (vendor profile, URL, how it authenticates) and a replica
/// database, with the sync settings to use. It holds no secret: the feed secret and the
/// database password live in the SecretStore under the profile's name.
struct ConnectionProfile {
    QString name;
    QString feedProfile = QStringLiteral("simulator"); ///< a built-in FeedProfile's name
    QUrl feedUrl;                                      ///< the OData service root
    reso::AuthKind authKind = reso::AuthKind::None;
    QUrl tokenUrl; ///< OAuth2 token endpoint (client credentials only)
    QString clientId;
    QString scope = QStringLiteral("api");
    QString conninfo; ///< libpq connection string WITHOUT password; empty: the PG* environment
    sync::SyncSettings settings;
    bool builtIn = false; ///< a read-only template shipped with ResoSync

    /// A template for `vendor`: its authentication and its default sync settings.
    static ConnectionProfile fromVendor(const reso::FeedProfile &vendor);
    /// The built-in vendor profile this names, if it exists.
    std::optional<reso::FeedProfile> vendorProfile() const;
    /// Every field's problem (empty when the profile can be saved and used): malformed URLs,
    /// an unknown vendor profile, a password in the connection string, sync settings out of
    /// the vendor profile's range.
    QList<FieldProblem> validate() const;
    /// True when the feed needs a secret (a static token or a client secret).
    bool needsFeedSecret() const;
    /// Resolves the profile with its secrets. Call on a profile whose validate() is empty.
    ResolvedConnection resolve(const ProfileSecrets &secrets) const;

    friend bool operator==(const ConnectionProfile &, const ConnectionProfile &) = default;
};

} // namespace resosync::connections
