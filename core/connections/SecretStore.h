#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace resosync::connections {

/// Which secret of a profile.
enum class SecretKind {
    FeedSecret,       ///< the static bearer token or the OAuth2 client secret
    DatabasePassword, ///< the replica database's password
};

/// Keeps the secrets of connection profiles in the system keychain (QtKeychain: Secret
/// Service / KWallet on Linux, Keychain on macOS, Credential Manager on Windows), never in a
/// settings file. Where no keychain answers (no Secret Service on D-Bus, as on CI and
/// headless machines) it keeps them in memory only, for this session, and says so:
/// persistent() is false and memoryOnlyReason() tells why, for a visible note.
///
/// Every call is asynchronous (a keychain may ask the user to unlock it); callbacks run on
/// this object's thread, and not at all once their context object is gone. The first call
/// asks the keychain whether it works (reading a key that does not exist); calls made before
/// the answer wait for it.
class SecretStore final : public QObject {
    Q_OBJECT

public:
    using ReadCallback = std::function<void(const QString &secret, const QString &error)>;
    using WriteCallback = std::function<void(const QString &error)>;

    /// `service` names the keychain entries' service ("ResoSync": entries read
    /// "ResoSync / <profile>/feed-secret").
    explicit SecretStore(const QString &service = QStringLiteral("ResoSync"),
                         QObject *parent = nullptr);
    ~SecretStore() override;

    /// Asks the keychain whether it works, unless asked already; keychainChecked() follows.
    void checkKeychain();
    bool isChecked() const { return m_state == State::Checked; }
    /// True when secrets go to the system keychain and survive a restart.
    bool persistent() const { return m_persistent; }
    /// Why secrets live in memory only (empty while persistent).
    QString memoryOnlyReason() const { return m_reason; }

    /// The secret, or an empty one when none is stored; `error` says why a keychain read
    /// failed (the secret is then empty).
    void read(const QString &profile, SecretKind kind, QObject *context, ReadCallback done);
    /// Stores `secret` (an empty one deletes the entry). In memory at once; in the keychain
    /// when there is one. `error` says why the keychain refused (it stays in memory).
    void write(const QString &profile, SecretKind kind, const QString &secret, QObject *context,
               WriteCallback done);
    /// Deletes both secrets of `profile`.
    void removeAll(const QString &profile, QObject *context, WriteCallback done);

Q_SIGNALS:
    void keychainChecked(bool persistent, const QString &reason);

private:
    enum class State { Unchecked, Checking, Checked };
    static QString keyFor(const QString &profile, SecretKind kind);
    void whenChecked(std::function<void()> work);
    void readKeychain(const QString &key, QPointer<QObject> context, ReadCallback done);
    void writeKeychain(const QString &key, const QString &secret, QPointer<QObject> context,
                       WriteCallback done);

    QString m_service;
    State m_state = State::Unchecked;
    bool m_persistent = false;
    QString m_reason;
    QHash<QString, QString> m_memory; ///< everything written or read this session
    QList<std::function<void()>> m_waiting;
};

} // namespace resosync::connections
