#include "sync/ReconcilePipeline.h"

#include "metrics/MetricsRecorder.h"
#include "reso/QueryUrl.h"

#include <QtConcurrent/QtConcurrentRun>

namespace resosync::sync {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

QString percent(double share) {
    return QString::number(share * 100.0, 'f', 1) + u'%';
}

} // namespace

ReconcilePipeline::ReconcilePipeline(RunContext &context, Resource resource, QObject *parent)
    : ResourcePipeline(context, resource, parent)
    , m_writer(std::make_unique<db::BatchWriter>(context.request.conninfo, context.metrics)) {}

ReconcilePipeline::~ReconcilePipeline() = default;

QUrl ReconcilePipeline::pageUrl(const QByteArray &afterKey, bool withCount) const {
    const QString key = QString(reso::resourceInfo(m_resource).keyField);
    reso::QueryOptions options;
    if (!afterKey.isEmpty())
        options.append(
            {u"$filter"_s, key + u" gt "_s + reso::odataString(QString::fromUtf8(afterKey))});
    options.append({u"$select"_s, key});
    if (m_keyset)
        options.append({u"$orderby"_s, key + u" asc"_s});
    const int top = m_context.request.reconcile.effectiveKeyPageSize(m_context.request.profile);
    options.append({u"$top"_s, QString::number(top)});
    if (withCount)
        options.append({u"$count"_s, u"true"_s});
    return reso::queryUrl(m_context.request.feedUrl, reso::resourceName(m_resource), options);
}

void ReconcilePipeline::start() {
    m_timer.start();
    // Paging by key needs the feed to order by key; without $orderby (Bridge's replication
    // endpoint) its own nextLinks are the only consistent way through.
    m_keyset = m_context.request.profile.supportsOrderBy;
    log(LogLevel::Info,
        u"Sweeping the feed's keys, %1 per page, to delete what it no longer has"_s.arg(
            m_context.request.reconcile.effectiveKeyPageSize(m_context.request.profile)));
    db::BatchWriter *writer = m_writer.get();
    m_beginning = true;
    QtConcurrent::run(m_context.storePool, [writer] {
        return writer->beginKeySweep();
    }).then(this, [this](std::optional<db::DbError> error) {
        m_beginning = false;
        if (error) {
            fail(u"Preparing the key sweep failed: %1"_s.arg(error->message));
            summarize(u"failed"_s, {});
        } else {
            m_begun = true;
            m_next = pageUrl({}, true);
        }
        pump();
    });
}

void ReconcilePipeline::pump() {
    if (!stopping() && m_begun && !m_context.paused && !m_fetching && !m_parsing && !m_listed &&
        m_toCopy.size() < kMaxPagesWaiting)
        fetch();
    if (!stopping() && !m_copying && !m_toCopy.empty())
        copyNext();
    if (!stopping() && m_listed && !m_fetching && !m_parsing && !m_copying && m_toCopy.empty() &&
        !m_deleting && !m_summarized)
        deleteUnlisted();
    maybeFinish();
}

void ReconcilePipeline::fetch() {
    m_fetching = true;
    m_context.client->get(m_next, [this](const reso::FetchResult &result) {
        m_fetching = false;
        onFetched(result);
    });
}

void ReconcilePipeline::onFetched(const reso::FetchResult &result) {
    if (stopping())
        return pump();
    if (!result.ok()) {
        fail(u"Listing the feed's keys failed, so nothing was deleted: %1"_s.arg(result.message),
             result.error);
        summarize(u"failed"_s, {});
        return pump();
    }
    m_context.anyFetchSucceeded = true;
    m_parsing = true;
    const QByteArray body = result.body;
    const Resource resource = m_resource;
    m_context.workers->run(
        this,
        [body, resource](WorkerPool::Slot &slot) {
            ParseOutcome outcome;
            PageError error;
            outcome.ok = slot.withParser([&](PageParser &parser) {
                return parser.parseKeys(resource, body, &outcome.page, &error);
            });
            outcome.error = error.message;
            return outcome;
        },
        [this](ParseOutcome outcome) {
            onParsed(outcome.ok, std::move(outcome.page), outcome.error);
        });
}

void ReconcilePipeline::onParsed(bool ok, ParsedPage page, const QString &error) {
    m_parsing = false;
    if (stopping())
        return pump();
    if (!ok) {
        if (++m_parseRetries > kMaxParseRetries) {
            fail(u"A page of the feed's keys could not be parsed after %1 attempts, so nothing "
                 "was deleted: %2"_s.arg(m_parseRetries)
                     .arg(error));
            summarize(u"failed"_s, {});
            return pump();
        }
        m_context.metrics->recordApiRetry();
        log(LogLevel::Warning, u"Key page unusable, fetching it again: %1"_s.arg(error));
        return pump(); // m_next is still this page
    }
    m_parseRetries = 0;
    const auto keys = qint64(page.records.size());
    m_keys += keys;
    if (page.count >= 0) {
        m_expected = page.count;
        m_context.metrics->setExpected(m_resource, page.count);
    }
    m_context.metrics->addProgress(m_resource, keys, 0, 0, 0);
    if (m_context.progress)
        m_context.progress(m_resource, m_keys, m_expected, u"keys"_s);
    if (m_keyset) {
        m_listed = page.records.empty() || page.nextLink.isEmpty();
        if (!m_listed) {
            const QByteArray last = page.records.back().key;
            if (last == m_lastKey) {
                fail(u"The feed answered the same page of keys twice (after %1): it does not page "
                     "by key, so the list cannot be trusted; nothing was deleted"_s.arg(
                         QString::fromUtf8(last)));
                summarize(u"failed"_s, {});
                return pump();
            }
            m_lastKey = last;
            m_next = pageUrl(last, false);
        }
    } else {
        m_listed = page.nextLink.isEmpty();
        m_next = QUrl::fromEncoded(page.nextLink, QUrl::StrictMode);
    }
    if (!page.records.empty())
        m_toCopy.push_back(std::move(page));
    pump();
}

void ReconcilePipeline::copyNext() {
    m_copying = true;
    const ParsedPage &page = m_toCopy.front();
    db::BatchWriter *writer = m_writer.get();
    QtConcurrent::run(m_context.storePool, [writer, &page] {
        return writer->copyKeys(page);
    }).then(this, [this](std::optional<db::DbError> error) {
        m_copying = false;
        if (error) {
            fail(u"Storing the feed's keys failed, so nothing was deleted: %1"_s.arg(
                error->message));
            summarize(u"failed"_s, {});
        } else {
            m_toCopy.pop_front();
        }
        pump();
    });
}

void ReconcilePipeline::deleteUnlisted() {
    m_deleting = true;
    const db::DeleteGuard guard{m_context.request.reconcile.maxDeleteShare,
                                m_context.request.reconcile.confirmed};
    db::BatchWriter *writer = m_writer.get();
    const Resource resource = m_resource;
    QtConcurrent::run(m_context.storePool, [writer, resource, guard] {
        return writer->finishKeySweep(resource, guard);
    }).then(this, [this](db::SweepResult result) {
        m_deleting = false;
        onSwept(result);
        pump();
    });
}

void ReconcilePipeline::onSwept(const db::SweepResult &result) {
    const QString name = reso::resourceName(m_resource);
    if (!result.ok()) {
        fail(u"Deleting what the feed no longer has failed, so nothing was deleted: %1"_s.arg(
            result.error->message));
        return summarize(u"failed"_s, result);
    }
    const qint64 own = result.deleted[static_cast<std::size_t>(m_resource)];
    if (result.refused) {
        const double maxShare = m_context.request.reconcile.maxDeleteShare;
        const QString why =
            result.keysSeen == 0
                ? u"%1: the feed listed no keys while the table holds %2 rows. An empty answer "
                  "is far likelier a broken feed or a wrong URL than an empty MLS, so nothing "
                  "was deleted. If the feed really is empty, confirm the deletion "
                  "(resosync-cli sync --mode reconcile --confirm)."_s.arg(name)
                      .arg(result.localRows)
                : u"%1: %2 of the %3 rows (%4) are no longer in the feed's list of %5 keys, more "
                  "than the allowed share of %6 (--max-delete-share), so nothing was deleted. "
                  "Check the feed; if these records really are gone, confirm the deletion "
                  "(resosync-cli sync --mode reconcile --confirm) or allow a larger share."_s
                      .arg(name)
                      .arg(own)
                      .arg(result.localRows)
                      .arg(percent(result.localRows > 0 ? double(own) / double(result.localRows)
                                                        : 1.0))
                      .arg(result.keysSeen)
                      .arg(percent(maxShare));
        m_context.refusals << why;
        m_context.problems << why;
        log(LogLevel::Error, why);
        return summarize(u"refused"_s, result);
    }
    qint64 children = 0;
    for (Resource resource : reso::kAllResources) {
        const qint64 deleted = result.deleted[static_cast<std::size_t>(resource)];
        if (resource != m_resource)
            children += deleted;
        if (deleted > 0)
            m_context.metrics->addProgress(resource, 0, 0, deleted, 0);
    }
    log(LogLevel::Info,
        u"The feed lists %1 keys; deleted %2 of %3 rows it no longer has%4"_s.arg(result.keysSeen)
            .arg(own)
            .arg(result.localRows)
            .arg(children > 0 ? u", and %1 child rows of those listings"_s.arg(children)
                              : QString()));
    m_context.metrics->setDone(m_resource);
    summarize(u"deleted"_s, result);
}

void ReconcilePipeline::summarize(const QString &outcome, const db::SweepResult &result) {
    if (m_summarized)
        return;
    m_summarized = true;
    metrics::ReconcileSummary summary;
    summary.resource = reso::resourceName(m_resource);
    summary.keysSeen = result.ok() && outcome != "failed"_L1 ? result.keysSeen : m_keys;
    summary.localRows = result.localRows;
    for (Resource resource : reso::kAllResources) {
        const qint64 deleted = result.deleted[static_cast<std::size_t>(resource)];
        (resource == m_resource ? summary.deleted : summary.childrenDeleted) += deleted;
    }
    summary.seconds = double(m_timer.nsecsElapsed()) / 1e9;
    summary.outcome = outcome;
    m_context.reconciled.append(summary);
}

void ReconcilePipeline::maybeFinish() {
    // Jobs on the pools use this object's writer: it must outlive them.
    if (m_finished || m_beginning || m_fetching || m_parsing || m_copying || m_deleting)
        return;
    if (!m_summarized && !stopping())
        return;
    m_finished = true;
    Q_EMIT finished();
}

} // namespace resosync::sync
