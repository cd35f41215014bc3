#include "sync/PropertyPipeline.h"

#include "metrics/MetricsRecorder.h"
#include "reso/QueryUrl.h"
#include "reso/Timestamp.h"

#include <QElapsedTimer>

namespace resosync::sync {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {
constexpr int kMaxStaleRebuilds = 5;
constexpr int kMaxParseRetries = 4;

struct WriteOutcome {
    db::WriteResult result;
    double ms = 0;
};

/// The page's last record by the replication order (timestamp, then key bytewise), among those
/// stored and those withdrawn (MlgCanView false): the cursor moves past both.
const ParsedRecord *lastRecord(const ParsedPage &page) {
    const ParsedRecord *stored = page.records.empty() ? nullptr : &page.records.back();
    const ParsedRecord *withdrawn = page.withdrawn.empty() ? nullptr : &page.withdrawn.back();
    if (!stored || !withdrawn)
        return stored ? stored : withdrawn;
    const auto order = [](const ParsedRecord *r) { return std::pair(r->modifiedUsecs, r->key); };
    return order(withdrawn) > order(stored) ? withdrawn : stored;
}
} // namespace

PropertyPipeline::PropertyPipeline(RunContext &context, std::optional<db::Checkpoint> saved,
                                   QObject *parent)
    : ResourcePipeline(context, Resource::Property, parent) {
    if (saved && context.request.mode == SyncMode::Incremental)
        m_cursor = Cursor{saved->cursorUsecs, saved->cursorKey};
}

QUrl PropertyPipeline::queryFrom(const std::optional<Cursor> &cursor, bool withCount) const {
    const QString fence = reso::Timestamp::fromUsecs(m_context.fenceUsecs).toString();
    QString filter = u"ModificationTimestamp le "_s + fence;
    if (cursor) {
        // The pair, never the timestamp alone: thousands of records share one millisecond.
        const QString at = reso::Timestamp::fromUsecs(cursor->usecs).toString();
        filter = u"(ModificationTimestamp gt %1 or (ModificationTimestamp eq %1 and ListingKey gt "
                 "%2)) and "_s.arg(at, reso::odataString(QString::fromUtf8(cursor->key))) +
                 filter;
    }
    reso::QueryOptions options{{u"$filter"_s, filter}};
    if (m_context.request.profile.supportsOrderBy)
        options.append({u"$orderby"_s, u"ModificationTimestamp asc,ListingKey asc"_s});
    options.append({u"$top"_s, QString::number(m_context.request.settings.batchSize)});
    if (withCount)
        options.append({u"$count"_s, u"true"_s});
    return reso::queryUrl(m_context.request.feedUrl, u"Property", options);
}

void PropertyPipeline::start() {
    log(LogLevel::Info,
        m_cursor
            ? u"Resuming after %1 %2"_s.arg(reso::Timestamp::fromUsecs(m_cursor->usecs).toString(),
                                            QString::fromUtf8(m_cursor->key))
            : u"Full load up to the fence %1"_s.arg(
                  reso::Timestamp::fromUsecs(m_context.fenceUsecs).toString()));
    m_first = queryFrom(m_cursor, true);
    m_next = m_first;
    pump();
}

void PropertyPipeline::pump() {
    if (!stopping() && !m_context.paused && !m_fetching && !m_parsing && !m_feedDone &&
        m_toWrite.size() < kMaxPagesWaiting)
        fetch(m_next);
    if (!stopping() && !m_writing && !m_toWrite.empty())
        writeNext();
    maybeFinish();
}

void PropertyPipeline::fetch(const QUrl &url) {
    m_fetching = true;
    m_context.client->get(url, [this, url](const reso::FetchResult &result) {
        m_fetching = false;
        onFetched(url, result);
    });
}

void PropertyPipeline::onFetched(const QUrl &url, const reso::FetchResult &result) {
    if (stopping())
        return pump();
    if (!result.ok()) {
        // A refused nextLink is usually a stale one (skiptokens expire): rebuild the query from
        // the last record we have, which is exactly where the link would have continued.
        if (result.status == 400 && url != m_first && m_staleRebuilds < kMaxStaleRebuilds) {
            ++m_staleRebuilds;
            log(LogLevel::Warning,
                u"The feed refused a nextLink (%1); resuming from the cursor"_s.arg(
                    result.message));
            m_next = queryFrom(m_cursor, false);
            return pump();
        }
        fail(result.message, result.error);
        return pump();
    }
    m_context.anyFetchSucceeded = true;
    m_parsing = true;
    const QByteArray body = result.body;
    const bool mlgCanView = m_context.request.profile.deletions == reso::DeletionSignal::MlgCanView;
    m_context.workers->run(
        this,
        [body, mlgCanView](WorkerPool::Slot &slot) {
            ParseOutcome outcome;
            PageError error;
            outcome.ok = slot.withParser([&](PageParser &parser) {
                return parser.parse(Resource::Property, body, &outcome.page, &error);
            });
            outcome.error = error.message;
            if (mlgCanView)
                outcome.page.setAsideWithdrawn();
            return outcome;
        },
        [this, url](ParseOutcome outcome) {
            onParsed(url, outcome.ok, std::move(outcome.page), outcome.error);
        });
}

void PropertyPipeline::onParsed(const QUrl &url, bool ok, ParsedPage page, const QString &error) {
    m_parsing = false;
    if (stopping())
        return pump();
    if (!ok) {
        // A cut or garbled body (QNAM may even report it as a clean 200): fetch it again.
        if (++m_parseRetries > kMaxParseRetries) {
            fail(u"The feed's page could not be parsed after %1 attempts: %2"_s.arg(m_parseRetries)
                     .arg(error));
            return pump();
        }
        m_context.metrics->recordApiRetry();
        log(LogLevel::Warning, u"Page unusable, fetching it again: %1"_s.arg(error));
        m_next = url;
        return pump();
    }
    m_parseRetries = 0;
    m_staleRebuilds = 0; // the limit is on rebuilds in a row: links may expire all run long
    m_context.metrics->addProgress(
        Resource::Property,
        qint64(page.records.size() + page.rejects.size() + page.withdrawn.size()), 0, 0, 0);
    if (page.count >= 0)
        m_context.metrics->setExpected(Resource::Property, page.count);
    if (const ParsedRecord *last = lastRecord(page))
        m_cursor = Cursor{last->modifiedUsecs, last->key};
    m_next = QUrl::fromEncoded(page.nextLink, QUrl::StrictMode);
    m_feedDone = page.nextLink.isEmpty();
    m_toWrite.push_back(std::move(page));
    pump();
}

void PropertyPipeline::writeNext() {
    m_writing = true;
    const ParsedPage &page = m_toWrite.front();
    std::optional<db::Checkpoint> checkpoint;
    if (const ParsedRecord *last = lastRecord(page))
        checkpoint =
            db::Checkpoint{last->modifiedUsecs, last->key, m_context.fenceUsecs, m_context.runId};
    const int dbBatchSize = m_context.request.settings.dbBatchSize;
    const qint64 runId = m_context.runId;
    metrics::MetricsRecorder *metrics = m_context.metrics;
    metrics->batchStarted();
    m_context.workers->run(
        this,
        [&page, dbBatchSize, runId, checkpoint](WorkerPool::Slot &slot) {
            QElapsedTimer timer;
            timer.start();
            WriteOutcome outcome;
            outcome.result = slot.writer.writePage(page, dbBatchSize, runId, checkpoint);
            outcome.ms = double(timer.nsecsElapsed()) / 1e6;
            return outcome;
        },
        [this, metrics](WriteOutcome outcome) {
            m_writing = false;
            const auto records = qint64(m_toWrite.front().records.size());
            metrics->batchFinished(outcome.ms, records, outcome.result.ok());
            if (!outcome.result.ok()) {
                fail(u"Writing a page failed: %1"_s.arg(outcome.result.error->message));
                return pump();
            }
            for (Resource resource : reso::kAllResources) {
                const qint64 deleted = outcome.result.deleted[std::size_t(resource)];
                metrics->addProgress(
                    resource, 0, resource == Resource::Property ? outcome.result.upserted : 0,
                    deleted, resource == Resource::Property ? outcome.result.rejected : 0);
            }
            m_toWrite.pop_front();
            pump();
        });
}

void PropertyPipeline::maybeFinish() {
    if (m_finished || m_fetching || m_parsing || m_writing)
        return;
    const bool drained = m_feedDone && m_toWrite.empty();
    if (!drained && !stopping())
        return;
    m_finished = true;
    if (drained && !failed())
        m_context.metrics->setDone(Resource::Property);
    Q_EMIT finished();
}

} // namespace resosync::sync
