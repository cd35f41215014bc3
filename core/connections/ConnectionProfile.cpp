#include "connections/ConnectionProfile.h"

#include "db/Conninfo.h"

#include <algorithm>

namespace resosync::connections {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMaxNameLength = 80;

/// Why `url` is not a usable http(s) URL, or empty.
QString urlProblem(const QUrl &url, const QString &label, const QString &example) {
    const QString shown = url.toDisplayString(QUrl::RemoveUserInfo);
    if (url.isEmpty())
        return u"%1 is empty: enter %2."_s.arg(label, example);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != "http"_L1 && scheme != "https"_L1) || url.host().isEmpty())
        return u"%1 '%2' is not an http:// or https:// URL with a host: enter %3."_s.arg(
            label, shown, example);
    if (!url.userInfo().isEmpty())
        return u"%1 '%2' carries a user name or password: remove it; secrets go in the "
               "secret field, which is kept in the keychain."_s.arg(label, shown);
    return {};
}

/// One sync setting, checked alone against the vendor's limits by SyncSettings::validate():
/// the other settings are the vendor's defaults, which are valid, so a message is this one's.
struct SettingCheck {
    ProfileField field;
    const char *option; ///< the name SyncSettings::validate() uses, without "--"
    int sync::SyncSettings::*member;
};

constexpr SettingCheck kSettingChecks[] = {
    {ProfileField::BatchSize, "batch-size", &sync::SyncSettings::batchSize},
    {ProfileField::PropertyBatchSize, "property-batch-size",
     &sync::SyncSettings::propertyBatchSize},
    {ProfileField::DbBatchSize, "db-batch-size", &sync::SyncSettings::dbBatchSize},
    {ProfileField::ThrottleMs, "throttle-ms", &sync::SyncSettings::throttleMs},
    {ProfileField::Concurrency, "concurrency", &sync::SyncSettings::concurrency},
};

} // namespace

QString fieldLabel(ProfileField field) {
    switch (field) {
    case ProfileField::Name:
        return u"Name"_s;
    case ProfileField::FeedProfile:
        return u"Vendor profile"_s;
    case ProfileField::FeedUrl:
        return u"Feed URL"_s;
    case ProfileField::TokenUrl:
        return u"Token URL"_s;
    case ProfileField::ClientId:
        return u"Client id"_s;
    case ProfileField::Scope:
        return u"Scope"_s;
    case ProfileField::Conninfo:
        return u"Connection string"_s;
    case ProfileField::BatchSize:
        return u"Batch size"_s;
    case ProfileField::PropertyBatchSize:
        return u"Property batch size"_s;
    case ProfileField::DbBatchSize:
        return u"DB batch size"_s;
    case ProfileField::ThrottleMs:
        return u"Throttle (ms)"_s;
    case ProfileField::Concurrency:
        return u"Concurrency"_s;
    }
    return {};
}

QString authKindName(reso::AuthKind kind) {
    switch (kind) {
    case reso::AuthKind::None:
        return u"none"_s;
    case reso::AuthKind::StaticToken:
        return u"static-token"_s;
    case reso::AuthKind::ClientCredentials:
        return u"client-credentials"_s;
    }
    return u"none"_s;
}

std::optional<reso::AuthKind> authKindFromName(const QString &name) {
    for (const reso::AuthKind kind :
         {reso::AuthKind::None, reso::AuthKind::StaticToken, reso::AuthKind::ClientCredentials}) {
        if (authKindName(kind) == name)
            return kind;
    }
    return std::nullopt;
}

sync::SyncRequest ResolvedConnection::syncRequest() const {
    sync::SyncRequest request;
    request.feedUrl = feedUrl;
    request.conninfo = conninfo;
    request.profile = profile;
    request.auth = auth;
    request.settings = settings;
    return request;
}

ConnectionProfile ConnectionProfile::fromVendor(const reso::FeedProfile &vendor) {
    ConnectionProfile profile;
    profile.name = vendor.displayName;
    profile.feedProfile = vendor.name;
    profile.authKind = vendor.auth;
    profile.settings = sync::SyncSettings::fromProfile(vendor);
    profile.builtIn = true;
    return profile;
}

std::optional<reso::FeedProfile> ConnectionProfile::vendorProfile() const {
    return reso::FeedProfile::byName(feedProfile);
}

bool ConnectionProfile::needsFeedSecret() const {
    return authKind != reso::AuthKind::None;
}

QList<FieldProblem> ConnectionProfile::validate() const {
    QList<FieldProblem> problems;
    const QString trimmedName = name.trimmed();
    if (trimmedName.isEmpty())
        problems << FieldProblem{ProfileField::Name, u"Name is empty: give the profile a name."_s};
    else if (trimmedName.size() > kMaxNameLength)
        problems << FieldProblem{
            ProfileField::Name,
            u"Name is %1 characters long: at most %2 are allowed."_s.arg(
                QString::number(trimmedName.size()), QString::number(kMaxNameLength))};
    else if (std::any_of(name.begin(), name.end(), [](QChar c) { return !c.isPrint(); }))
        problems << FieldProblem{ProfileField::Name,
                                 u"Name contains a control character: use printable text."_s};

    const auto vendor = vendorProfile();
    if (!vendor)
        problems << FieldProblem{
            ProfileField::FeedProfile,
            u"Vendor profile '%1' is unknown: the built-in profiles are %2."_s.arg(
                feedProfile, reso::FeedProfile::builtInNames())};

    if (const QString problem = urlProblem(feedUrl, fieldLabel(ProfileField::FeedUrl),
                                           u"the OData service root, e.g. "
                                           "https://api.example.com/odata"_s);
        !problem.isEmpty())
        problems << FieldProblem{ProfileField::FeedUrl, problem};

    if (authKind == reso::AuthKind::ClientCredentials) {
        if (const QString problem = urlProblem(tokenUrl, fieldLabel(ProfileField::TokenUrl),
                                               u"the vendor's OAuth2 token endpoint, e.g. "
                                               "https://auth.example.com/oauth2/token"_s);
            !problem.isEmpty())
            problems << FieldProblem{ProfileField::TokenUrl, problem};
        if (clientId.trimmed().isEmpty())
            problems << FieldProblem{ProfileField::ClientId,
                                     u"Client id is empty: OAuth2 client credentials need the "
                                     "client id the vendor issued."_s};
        if (scope.contains(u'\n') || scope.contains(u'\r'))
            problems << FieldProblem{ProfileField::Scope,
                                     u"Scope contains a line break: use space-separated scope "
                                     "names (often just 'api')."_s};
    }

    // Syntax first: a string libpq cannot read may hide a password anywhere in it.
    if (const QString syntax = db::conninfoSyntaxError(conninfo); !syntax.isEmpty()) {
        problems << FieldProblem{ProfileField::Conninfo,
                                 u"Connection string '%1' is not valid for libpq: %2. Use "
                                 "key=value pairs (host=... port=... dbname=... user=...) or a "
                                 "postgresql://user@host:port/dbname URI."_s.arg(
                                     db::redactedConninfo(conninfo), syntax)};
    } else if (db::holdsSecret(conninfo)) {
        problems << FieldProblem{
            ProfileField::Conninfo,
            u"Connection string '%1' holds a password (or an unknown option, hidden as ***): "
            "remove it and type the password in the Password field, which is kept in the "
            "keychain, never in the settings file."_s.arg(db::redactedConninfo(conninfo))};
    }

    if (vendor) {
        const sync::SyncSettings defaults = sync::SyncSettings::fromProfile(*vendor);
        for (const SettingCheck &check : kSettingChecks) {
            sync::SyncSettings alone = defaults;
            alone.*check.member = settings.*check.member;
            QString message = alone.validate(*vendor);
            if (message.isEmpty())
                continue;
            // "--batch-size 9000 is out of range ..." reads as CLI; name the field instead.
            const QString option = u"--"_s + QLatin1StringView(check.option);
            if (message.startsWith(option))
                message.replace(0, option.size(), fieldLabel(check.field));
            problems << FieldProblem{check.field, message + u'.'};
        }
    }
    return problems;
}

ResolvedConnection ConnectionProfile::resolve(const ProfileSecrets &secrets) const {
    ResolvedConnection resolved;
    resolved.name = name.trimmed();
    resolved.feedUrl = feedUrl;
    resolved.profile = vendorProfile().value_or(reso::FeedProfile());
    resolved.auth.kind = authKind;
    if (authKind == reso::AuthKind::StaticToken)
        resolved.auth.staticToken = secrets.feedSecret;
    if (authKind == reso::AuthKind::ClientCredentials) {
        resolved.auth.tokenUrl = tokenUrl;
        resolved.auth.clientId = clientId.trimmed();
        resolved.auth.clientSecret = secrets.feedSecret;
        resolved.auth.scope = scope.trimmed();
    }
    resolved.conninfo = db::withPassword(conninfo, secrets.databasePassword);
    resolved.settings = settings;
    return resolved;
}

} // namespace resosync::connections
