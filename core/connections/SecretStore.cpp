#include "connections/SecretStore.h"

#include <qt6keychain/keychain.h>

namespace resosync::connections {

using namespace Qt::StringLiterals;

namespace {

/// A key no one writes: reading it tells a working keychain (EntryNotFound) from none.
const QString kCheckKey = u"resosync-keychain-check"_s;

QString keychainErrorText(const QKeychain::Job &job) {
    QString what;
    switch (job.error()) {
    case QKeychain::NoError:
    case QKeychain::EntryNotFound:
        return {};
    case QKeychain::CouldNotDeleteEntry:
        what = u"could not delete the entry"_s;
        break;
    case QKeychain::AccessDeniedByUser:
        what = u"access denied by the user"_s;
        break;
    case QKeychain::AccessDenied:
        what = u"access denied"_s;
        break;
    case QKeychain::NoBackendAvailable:
        what = u"no keychain backend available"_s;
        break;
    case QKeychain::NotImplemented:
        what = u"not implemented on this platform"_s;
        break;
    case QKeychain::OtherError:
        what = u"the keychain did not answer"_s;
        break;
    }
    const QString detail = job.errorString();
    if (!detail.isEmpty() && detail != "Unknown error"_L1)
        what += u": "_s + detail;
    return what;
}

QString memoryOnlyText(const QString &why) {
    QString text = u"No system keychain is available (%1), so the secrets you enter are kept "
                   "in memory only and are gone when ResoSync closes."_s.arg(why);
#if defined(Q_OS_LINUX)
    text += u" ResoSync stores secrets with a Secret Service (GNOME Keyring, KeePassXC or "
            "KWallet) on the D-Bus session bus"_s;
    text += qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")
                ? u"; this session has no bus (DBUS_SESSION_BUS_ADDRESS is unset)."_s
                : u"; start one and reopen ResoSync to keep them."_s;
#endif
    return text;
}

} // namespace

SecretStore::SecretStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service) {}

SecretStore::~SecretStore() = default;

QString SecretStore::keyFor(const QString &profile, SecretKind kind) {
    return profile.trimmed() +
           (kind == SecretKind::FeedSecret ? u"/feed-secret"_s : u"/database-password"_s);
}

void SecretStore::checkKeychain() {
    if (m_state != State::Unchecked)
        return;
    m_state = State::Checking;
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setKey(kCheckKey);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *finished) {
        const QString why = keychainErrorText(*finished);
        m_persistent = why.isEmpty();
        m_reason = m_persistent ? QString() : memoryOnlyText(why);
        m_state = State::Checked;
        const QList<std::function<void()>> waiting = std::exchange(m_waiting, {});
        Q_EMIT keychainChecked(m_persistent, m_reason);
        for (const auto &work : waiting)
            work();
    });
    job->start();
}

void SecretStore::whenChecked(std::function<void()> work) {
    if (m_state == State::Checked) {
        work();
        return;
    }
    m_waiting << std::move(work);
    checkKeychain();
}

void SecretStore::read(const QString &profile, SecretKind kind, QObject *context,
                       ReadCallback done) {
    const QString key = keyFor(profile, kind);
    QPointer<QObject> guard(context);
    whenChecked([this, key, guard, done = std::move(done)] {
        if (m_memory.contains(key) || !m_persistent) {
            const QString secret = m_memory.value(key);
            // Always asynchronous, as a keychain read is: the caller may not be ready yet.
            QMetaObject::invokeMethod(
                this,
                [guard, done, secret] {
                    if (guard)
                        done(secret, {});
                },
                Qt::QueuedConnection);
            return;
        }
        readKeychain(key, guard, done);
    });
}

void SecretStore::readKeychain(const QString &key, QPointer<QObject> context, ReadCallback done) {
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this,
            [this, key, context, done](QKeychain::Job *finished) {
                const auto *reader = static_cast<QKeychain::ReadPasswordJob *>(finished);
                const QString error = keychainErrorText(*reader);
                const QString secret = error.isEmpty() ? reader->textData() : QString();
                if (error.isEmpty() && !secret.isEmpty())
                    m_memory.insert(key, secret);
                if (context)
                    done(secret, error.isEmpty() ? QString()
                                                 : u"Reading the secret from the keychain "
                                                   "failed: "_s +
                                                       error);
            });
    job->start();
}

void SecretStore::write(const QString &profile, SecretKind kind, const QString &secret,
                        QObject *context, WriteCallback done) {
    const QString key = keyFor(profile, kind);
    if (secret.isEmpty())
        m_memory.remove(key);
    else
        m_memory.insert(key, secret);
    QPointer<QObject> guard(context);
    whenChecked([this, key, secret, guard, done = std::move(done)] {
        if (!m_persistent) {
            QMetaObject::invokeMethod(
                this,
                [guard, done] {
                    if (guard)
                        done({});
                },
                Qt::QueuedConnection);
            return;
        }
        writeKeychain(key, secret, guard, done);
    });
}

void SecretStore::writeKeychain(const QString &key, const QString &secret,
                                QPointer<QObject> context, WriteCallback done) {
    QKeychain::Job *job = nullptr;
    if (secret.isEmpty()) {
        job = new QKeychain::DeletePasswordJob(m_service, this);
    } else {
        auto *writer = new QKeychain::WritePasswordJob(m_service, this);
        writer->setTextData(secret);
        job = writer;
    }
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [context, done](QKeychain::Job *finished) {
        const QString error = keychainErrorText(*finished);
        if (context)
            done(error.isEmpty() ? QString()
                                 : u"The keychain refused the secret (%1): it is kept in memory "
                                   "for this session only."_s.arg(error));
    });
    job->start();
}

void SecretStore::removeAll(const QString &profile, QObject *context, WriteCallback done) {
    // Both deletions, then one answer: the first error if any.
    auto firstError = std::make_shared<QString>();
    auto remaining = std::make_shared<int>(2);
    QPointer<QObject> guard(context);
    const auto collect = [firstError, remaining, guard, done](const QString &error) {
        if (firstError->isEmpty())
            *firstError = error;
        if (--*remaining == 0 && guard)
            done(*firstError);
    };
    write(profile, SecretKind::FeedSecret, {}, this, collect);
    write(profile, SecretKind::DatabasePassword, {}, this, collect);
}

} // namespace resosync::connections
