#pragma once

#include <QByteArrayView>
#include <QDateTime>

#include <optional>

namespace resosync::reso {

/// How long to wait before the next attempt of a failed request: exponential backoff
/// (1, 2, 4 .. 32 s by default, RESO-PROTOCOL.md) with random jitter, so that clients that
/// failed together do not all come back in the same instant.
class RetryPolicy final {
public:
    static constexpr int kDefaultInitialMs = 1000;
    static constexpr int kDefaultMaxMs = 32'000;
    static constexpr double kDefaultJitter = 0.2;

    explicit RetryPolicy(int initialMs = kDefaultInitialMs, int maxMs = kDefaultMaxMs,
                         double jitter = kDefaultJitter);

    int initialMs() const { return m_initialMs; }
    int maxMs() const { return m_maxMs; }
    double jitter() const { return m_jitter; }

    /// The delay before retry number `retry` (1 = the first retry) without jitter:
    /// initial x 2^(retry-1), capped at maxMs.
    int baseDelayMs(int retry) const;
    /// baseDelayMs(retry) scaled by a random factor in [1 - jitter, 1 + jitter].
    int delayMs(int retry) const;

    /// Milliseconds a `Retry-After` header value asks to wait: delay-seconds ("120") or an
    /// HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", and the two obsolete RFC 7231 forms),
    /// relative to `nowUtc`; a date in the past gives 0. Empty or unparseable gives nullopt.
    static std::optional<qint64> parseRetryAfter(QByteArrayView value, const QDateTime &nowUtc);

private:
    int m_initialMs;
    int m_maxMs;
    double m_jitter;
};

} // namespace resosync::reso
