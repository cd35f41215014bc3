#pragma once

#include "reso/FeedClient.h"
#include "sync/RunContext.h"

#include <QObject>
#include <QString>

namespace resosync::sync {

/// Replicates one resource within a run, as an event-driven state machine on the engine's
/// thread: HTTP through the FeedClient, blocking work on the WorkerPool.
class ResourcePipeline : public QObject {
    Q_OBJECT

public:
    ResourcePipeline(RunContext &context, reso::Resource resource, QObject *parent = nullptr);

    virtual void start() = 0;
    /// Re-evaluates what to do next: after a pause ends, a setting changes or a cancel.
    virtual void pump() = 0;

    reso::Resource resource() const { return m_resource; }
    /// The resource could not be replicated (the run continues with the others).
    bool failed() const { return !m_failure.isEmpty(); }
    QString failure() const { return m_failure; }
    /// The last fetch error that ended the resource, to tell "unreachable" from other failures.
    reso::FetchError fetchError() const { return m_fetchError; }

Q_SIGNALS:
    void finished();

protected:
    void fail(const QString &message, reso::FetchError error = reso::FetchError::None);
    void log(LogLevel level, const QString &message) const;
    bool stopping() const { return m_context.cancelled || failed(); }

    RunContext &m_context;
    const reso::Resource m_resource;

private:
    QString m_failure;
    reso::FetchError m_fetchError = reso::FetchError::None;
};

} // namespace resosync::sync
