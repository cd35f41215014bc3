#include "sync/ResourcePipeline.h"

namespace resosync::sync {

ResourcePipeline::ResourcePipeline(RunContext &context, reso::Resource resource, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_resource(resource) {}

void ResourcePipeline::fail(const QString &message, reso::FetchError error) {
    if (failed())
        return;
    m_failure = message;
    m_fetchError = error;
    m_context.problems << reso::resourceName(m_resource) + QStringLiteral(": ") + message;
    log(LogLevel::Error, message);
}

void ResourcePipeline::log(LogLevel level, const QString &message) const {
    if (m_context.log)
        m_context.log(level, m_resource, message);
}

} // namespace resosync::sync
