#include "connections/ProfileStore.h"

#include <QSettings>

#include <algorithm>

namespace resosync::connections {

using namespace Qt::StringLiterals;

namespace {

const QString kGroup = u"connections"_s;
const QString kLastUsed = u"connections-last-used"_s;

void writeProfile(QSettings &settings, const ConnectionProfile &p) {
    settings.setValue(u"name"_s, p.name.trimmed());
    settings.setValue(u"feedProfile"_s, p.feedProfile);
    settings.setValue(u"feedUrl"_s, p.feedUrl.toString());
    settings.setValue(u"auth"_s, authKindName(p.authKind));
    settings.setValue(u"tokenUrl"_s, p.tokenUrl.toString());
    settings.setValue(u"clientId"_s, p.clientId);
    settings.setValue(u"scope"_s, p.scope);
    settings.setValue(u"conninfo"_s, p.conninfo);
    settings.setValue(u"batchSize"_s, p.settings.batchSize);
    settings.setValue(u"propertyBatchSize"_s, p.settings.propertyBatchSize);
    settings.setValue(u"dbBatchSize"_s, p.settings.dbBatchSize);
    settings.setValue(u"throttleMs"_s, p.settings.throttleMs);
    settings.setValue(u"concurrency"_s, p.settings.concurrency);
}

/// Reads what was written; a hand-edited value that does not parse shows up in validate().
ConnectionProfile readProfile(const QSettings &settings) {
    ConnectionProfile p;
    p.name = settings.value(u"name"_s).toString();
    p.feedProfile = settings.value(u"feedProfile"_s, p.feedProfile).toString();
    p.feedUrl = QUrl(settings.value(u"feedUrl"_s).toString());
    p.authKind = authKindFromName(settings.value(u"auth"_s).toString()).value_or(p.authKind);
    p.tokenUrl = QUrl(settings.value(u"tokenUrl"_s).toString());
    p.clientId = settings.value(u"clientId"_s).toString();
    p.scope = settings.value(u"scope"_s, p.scope).toString();
    p.conninfo = settings.value(u"conninfo"_s).toString();
    if (const auto vendor = p.vendorProfile())
        p.settings = sync::SyncSettings::fromProfile(*vendor);
    const auto number = [&settings](const QString &key, int fallback) {
        return settings.value(key, fallback).toInt();
    };
    p.settings.batchSize = number(u"batchSize"_s, p.settings.batchSize);
    p.settings.propertyBatchSize = number(u"propertyBatchSize"_s, p.settings.propertyBatchSize);
    p.settings.dbBatchSize = number(u"dbBatchSize"_s, p.settings.dbBatchSize);
    p.settings.throttleMs = number(u"throttleMs"_s, p.settings.throttleMs);
    p.settings.concurrency = number(u"concurrency"_s, p.settings.concurrency);
    return p;
}

bool sameName(const QString &a, const QString &b) {
    return a.trimmed().compare(b.trimmed(), Qt::CaseInsensitive) == 0;
}

} // namespace

ProfileStore::ProfileStore()
    : m_settings(std::make_unique<QSettings>()) {}

ProfileStore::ProfileStore(const QString &path)
    : m_settings(std::make_unique<QSettings>(path, QSettings::IniFormat)) {}

ProfileStore::~ProfileStore() = default;

void ProfileStore::setDemo(const QUrl &feedUrl, const QString &conninfo) {
    m_demoFeedUrl = feedUrl;
    m_demoConninfo = conninfo;
}

QList<ConnectionProfile> ProfileStore::builtIn() const {
    QList<ConnectionProfile> profiles;
    for (const reso::FeedProfile &vendor : reso::FeedProfile::builtIn()) {
        ConnectionProfile profile = ConnectionProfile::fromVendor(vendor);
        if (vendor.name == "simulator"_L1) {
            profile.feedUrl = m_demoFeedUrl;
            profile.conninfo = m_demoConninfo;
        }
        profiles << profile;
    }
    return profiles;
}

QList<ConnectionProfile> ProfileStore::userProfiles() const {
    QList<ConnectionProfile> profiles;
    const int count = m_settings->beginReadArray(kGroup);
    for (int i = 0; i < count; ++i) {
        m_settings->setArrayIndex(i);
        profiles << readProfile(*m_settings);
    }
    m_settings->endArray();
    std::sort(profiles.begin(), profiles.end(),
              [](const ConnectionProfile &a, const ConnectionProfile &b) {
                  return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
              });
    return profiles;
}

QList<ConnectionProfile> ProfileStore::all() const {
    return builtIn() + userProfiles();
}

std::optional<ConnectionProfile> ProfileStore::find(const QString &name) const {
    for (const ConnectionProfile &profile : all()) {
        if (sameName(profile.name, name))
            return profile;
    }
    return std::nullopt;
}

bool ProfileStore::isBuiltInName(const QString &name) const {
    const QList<ConnectionProfile> templates = builtIn();
    return std::any_of(templates.begin(), templates.end(),
                       [&name](const ConnectionProfile &p) { return sameName(p.name, name); });
}

void ProfileStore::writeAll(const QList<ConnectionProfile> &profiles) {
    m_settings->remove(kGroup);
    m_settings->beginWriteArray(kGroup, int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        m_settings->setArrayIndex(i);
        writeProfile(*m_settings, profiles.at(i));
    }
    m_settings->endArray();
    m_settings->sync();
}

QList<FieldProblem> ProfileStore::save(const ConnectionProfile &profile) {
    QList<FieldProblem> problems = profile.validate();
    if (isBuiltInName(profile.name))
        problems.prepend(
            {ProfileField::Name, u"Name '%1' is a built-in profile's, which cannot be changed: use "
                                 "another name (Save as)."_s.arg(profile.name.trimmed())});
    if (!problems.isEmpty())
        return problems;
    QList<ConnectionProfile> profiles = userProfiles();
    ConnectionProfile saved = profile;
    saved.name = profile.name.trimmed();
    saved.builtIn = false;
    const auto existing =
        std::find_if(profiles.begin(), profiles.end(),
                     [&saved](const ConnectionProfile &p) { return sameName(p.name, saved.name); });
    if (existing != profiles.end())
        *existing = saved;
    else
        profiles << saved;
    writeAll(profiles);
    return {};
}

QString ProfileStore::remove(const QString &name) {
    if (isBuiltInName(name))
        return u"'%1' is a built-in profile: it cannot be deleted."_s.arg(name);
    QList<ConnectionProfile> profiles = userProfiles();
    const qsizetype removed =
        profiles.removeIf([&name](const ConnectionProfile &p) { return sameName(p.name, name); });
    if (removed == 0)
        return u"There is no saved profile named '%1'."_s.arg(name);
    writeAll(profiles);
    if (sameName(lastUsed(), name))
        setLastUsed({});
    return {};
}

QString ProfileStore::rename(const QString &from, const QString &to) {
    if (isBuiltInName(from))
        return u"'%1' is a built-in profile: it cannot be renamed; use Save as."_s.arg(from);
    auto profile = find(from);
    if (!profile)
        return u"There is no saved profile named '%1'."_s.arg(from);
    if (!sameName(from, to) && find(to))
        return u"A profile named '%1' exists already: choose another name."_s.arg(to.trimmed());
    ConnectionProfile renamed = *profile;
    renamed.name = to;
    for (const FieldProblem &problem : renamed.validate()) {
        if (problem.field == ProfileField::Name)
            return problem.message;
    }
    if (isBuiltInName(to))
        return u"'%1' is a built-in profile's name: choose another."_s.arg(to.trimmed());
    QList<ConnectionProfile> profiles = userProfiles();
    for (ConnectionProfile &p : profiles) {
        if (sameName(p.name, from))
            p.name = to.trimmed();
    }
    writeAll(profiles);
    if (sameName(lastUsed(), from))
        setLastUsed(to.trimmed());
    return {};
}

QString ProfileStore::lastUsed() const {
    return m_settings->value(kLastUsed).toString();
}

void ProfileStore::setLastUsed(const QString &name) {
    m_settings->setValue(kLastUsed, name.trimmed());
    m_settings->sync();
}

QString ProfileStore::fileName() const {
    return m_settings->fileName();
}

} // namespace resosync::connections
