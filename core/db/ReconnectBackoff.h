#pragma once

#include "db/DbError.h"

#include <QElapsedTimer>
#include <QString>

#include <string>

namespace resosync::db {

/// When a blocking database call that lost its connection tries again, and when it gives up.
///
/// A server restart (`pg_ctl restart`, a failover) or a terminated backend breaks every open
/// connection, and for a second or a few nothing accepts a new one. The writer and the store
/// do not fail the run for that: they wait 0.25 s, 0.5 s, 1 s ... up to 4 s between attempts
/// (the transaction that broke was rolled back by the server, so retrying it whole is safe),
/// for at most `windowMs` since the first loss; then they report the failure.
///
/// Also paces retries after a statement timeout (SQLSTATE 57014) or a lock timeout (55P03):
/// the work is retried whole, at most kMaxTimeoutRetries times.
class ReconnectBackoff final {
public:
    static constexpr int kDefaultWindowMs = 60'000;
    static constexpr int kMaxTimeoutRetries = 4;

    explicit ReconnectBackoff(int windowMs = defaultWindowMs());

    /// After a connection was lost (or could not be reopened with `kind`): false when the
    /// window is spent or `kind` is not a reachability problem (a refused password does not
    /// fix itself); otherwise sleeps the next step and returns true.
    bool waitToReconnect(DbErrorKind kind = DbErrorKind::Unreachable);
    /// After a statement or lock timeout: false after kMaxTimeoutRetries, else sleeps.
    bool waitAfterTimeout();

    int reconnects() const { return m_reconnects; }
    int timeoutRetries() const { return m_timeoutRetries; }

    /// The window every new ReconnectBackoff gets (tests shorten it); process-wide.
    static void setDefaultWindowMs(int windowMs);
    static int defaultWindowMs();

    /// Remembers that `conninfo` reached its server in this process. Only then is a failed
    /// (re)connect an outage worth waiting for: a wrong host or port fails at once.
    static void noteReachable(const QString &conninfo);
    static bool wasReachable(const QString &conninfo);

private:
    void sleepStep(int step);

    int m_windowMs;
    QElapsedTimer m_sinceFirstLoss;
    int m_reconnects = 0;
    int m_timeoutRetries = 0;
};

/// Whether a server error is a timeout worth retrying whole: statement_timeout or a lock
/// timeout (SQLSTATE 57014, 55P03). pg_cancel_backend() also answers 57014.
bool isTimeoutState(const std::string &sqlState);

} // namespace resosync::db
