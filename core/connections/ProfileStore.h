#pragma once

#include "connections/ConnectionProfile.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

class QSettings;

namespace resosync::connections {

/// The saved connection profiles: one read-only template per built-in vendor profile, and
/// the user's own, kept with QSettings (group "connections"). Only what ConnectionProfile
/// holds is written, and it holds no secret: passwords and tokens live in the SecretStore.
class ProfileStore final {
public:
    /// The application's settings (QSettings with the organization and application names).
    ProfileStore();
    /// An INI file at `path` (tests, portable installs).
    explicit ProfileStore(const QString &path);
    ~ProfileStore();
    ProfileStore(const ProfileStore &) = delete;
    ProfileStore &operator=(const ProfileStore &) = delete;

    /// Where the built-in simulator template points: the console's embedded demo feed and its
    /// default database (the application knows them at start-up).
    void setDemo(const QUrl &feedUrl, const QString &conninfo);
    /// One template per built-in vendor profile, in FeedProfile::builtIn() order.
    QList<ConnectionProfile> builtIn() const;
    /// The user's profiles, sorted by name.
    QList<ConnectionProfile> userProfiles() const;
    /// Built-in templates first, then the user's.
    QList<ConnectionProfile> all() const;
    std::optional<ConnectionProfile> find(const QString &name) const;

    /// Saves `profile` as a user profile (replacing one of the same name). Refused with the
    /// problems when it does not validate or its name is a built-in template's.
    QList<FieldProblem> save(const ConnectionProfile &profile);
    /// Deletes a user profile. Returns why not (a built-in, no such profile), or empty.
    QString remove(const QString &name);
    /// Renames a user profile. Returns why not, or empty.
    QString rename(const QString &from, const QString &to);

    /// The profile chosen last, to select it next time.
    QString lastUsed() const;
    void setLastUsed(const QString &name);
    /// The settings file, e.g. for a test that reads it back.
    QString fileName() const;

private:
    void writeAll(const QList<ConnectionProfile> &profiles);
    bool isBuiltInName(const QString &name) const;

    std::unique_ptr<QSettings> m_settings;
    QUrl m_demoFeedUrl;
    QString m_demoConninfo;
};

} // namespace resosync::connections
