#include "sync/ChildPipeline.h"

#include "db/PgText.h"
#include "metrics/MetricsRecorder.h"
#include "reso/KeyFilter.h"
#include "reso/QueryUrl.h"
#include "reso/ResponseCheck.h"

#include <QtConcurrent/QtConcurrentRun>

namespace resosync::sync {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

struct ParentsOutcome {
    std::vector<db::ParentKey> parents;
    std::optional<db::DbError> error;
};

struct CountOutcome {
    qint64 count = -1;
    bool childTableEmpty = false;
    std::optional<db::DbError> error;
};

/// Moves the records whose listing is not in the database into the page's rejects. Listings
/// of the batch are known to exist (they were streamed from the database); others are looked
/// up in the shared cache, then in the database.
std::optional<db::DbError> validateParents(ParsedPage &page, const QSet<QByteArray> &batchKeys,
                                           ParentCache &cache, db::BatchWriter &writer,
                                           metrics::MetricsRecorder *metrics) {
    qint64 hits = 0;
    std::vector<QByteArray> unknown;
    for (const ParsedRecord &record : page.records) {
        if (batchKeys.contains(record.parentKey) || cache.contains(record.parentKey))
            ++hits;
        else
            unknown.push_back(record.parentKey);
    }
    metrics->recordValidation(qint64(page.records.size()), hits);
    if (unknown.empty())
        return std::nullopt;
    std::vector<QByteArray> found;
    if (auto error = writer.existingProperties(unknown, &found))
        return error;
    QSet<QByteArray> existing;
    for (const QByteArray &key : found) {
        existing.insert(key);
        cache.insert(key);
    }
    std::vector<ParsedRecord> kept;
    kept.reserve(page.records.size());
    for (ParsedRecord &record : page.records) {
        if (batchKeys.contains(record.parentKey) || existing.contains(record.parentKey)) {
            kept.push_back(std::move(record));
            continue;
        }
        RejectedRecord reject;
        reject.key = record.key;
        reject.reason =
            u"its listing %1 is not in the database (the feed returned a child of a "
            "listing that was not replicated)"_s.arg(QString::fromUtf8(record.parentKey));
        // The record's JSON (members in jsonb's order) is the copy line's last column.
        reject.payload = db::PgText::unescapeCopyField(db::PgText::lastCopyField(record.copyLine));
        page.rejects.push_back(std::move(reject));
    }
    page.records = std::move(kept);
    return std::nullopt;
}

} // namespace

ChildPipeline::ChildPipeline(RunContext &context, Resource resource,
                             std::shared_ptr<ParentCache> parentCache, QObject *parent)
    : ResourcePipeline(context, resource, parent)
    , m_parentCache(std::move(parentCache)) {}

void ChildPipeline::start() {
    const bool onlyChanged = m_context.request.mode == SyncMode::Incremental;
    db::SyncStore *store = m_context.store;
    const Resource resource = m_resource;
    QtConcurrent::run(m_context.storePool, [store, resource, onlyChanged] {
        CountOutcome outcome;
        outcome.error = store->countParents(resource, onlyChanged, &outcome.count);
        bool anyChild = true;
        if (!outcome.error)
            outcome.error = store->hasRows(resource, &anyChild);
        outcome.childTableEmpty = !anyChild;
        return outcome;
    }).then(this, [this](CountOutcome outcome) {
        if (outcome.error) {
            fail(outcome.error->message);
            return pump();
        }
        m_parentsTotal = outcome.count;
        m_startedEmpty = outcome.childTableEmpty;
        log(LogLevel::Info, u"%1 listings to visit"_s.arg(m_parentsTotal));
        if (m_startedEmpty)
            log(LogLevel::Info,
                u"%1 is empty: a first load, so batches skip the search for "
                "children the feed no longer has"_s.arg(reso::resourceName(m_resource)));
        if (m_context.progress)
            m_context.progress(m_resource, 0, m_parentsTotal, u"listings"_s);
        pump();
    });
}

void ChildPipeline::pump() {
    if (!stopping() && !m_context.paused && !m_fetchingParents && !m_parentsDone &&
        m_parentsTotal >= 0 && int(m_batches.size()) < m_context.request.settings.concurrency)
        fetchParents();
    // pumpBatch may finish (erase) the batch it is given: step the iterator first.
    for (auto it = m_batches.begin(); it != m_batches.end();) {
        Batch &batch = *it++;
        pumpBatch(batch);
    }
    maybeFinish();
}

void ChildPipeline::fetchParents() {
    m_fetchingParents = true;
    db::SyncStore *store = m_context.store;
    const Resource resource = m_resource;
    const QByteArray after = m_lastKey;
    const int limit = m_context.request.settings.propertyBatchSize;
    const bool onlyChanged = m_context.request.mode == SyncMode::Incremental;
    QtConcurrent::run(m_context.storePool, [store, resource, after, limit, onlyChanged] {
        ParentsOutcome outcome;
        outcome.error = store->nextParents(resource, after, limit, onlyChanged, &outcome.parents);
        return outcome;
    }).then(this, [this](ParentsOutcome outcome) {
        m_fetchingParents = false;
        if (outcome.error) {
            fail(u"Reading listing keys failed: %1"_s.arg(outcome.error->message));
        } else if (outcome.parents.empty()) {
            m_parentsDone = true;
        } else if (!stopping()) {
            m_lastKey = outcome.parents.back().key;
            startBatch(std::move(outcome.parents));
        }
        pump();
    });
}

void ChildPipeline::startBatch(std::vector<db::ParentKey> parents) {
    Batch &batch = m_batches.emplace_back();
    batch.id = m_nextBatchId++;
    batch.parents = std::move(parents);
    auto keys = std::make_shared<QSet<QByteArray>>();
    keys->reserve(qsizetype(batch.parents.size()));
    for (const db::ParentKey &parent : batch.parents)
        keys->insert(parent.key);
    batch.parentKeys = std::move(keys);
    batch.timer.start();
    m_context.metrics->batchStarted();
    prepare(batch);
}

reso::QueryOptions ChildPipeline::otherOptions() const {
    const reso::ResourceInfo &info = reso::resourceInfo(m_resource);
    reso::QueryOptions options;
    if (m_context.request.profile.supportsOrderBy)
        options.append({u"$orderby"_s, QString(info.keyField) + u" asc"_s});
    options.append({u"$top"_s, QString::number(m_context.request.settings.batchSize)});
    return options;
}

QList<QStringList> ChildPipeline::split(const QStringList &keys, bool useIn) const {
    // The cap as the run knows it: a 414 may have lowered the profile's.
    reso::FeedProfile profile = m_context.request.profile;
    profile.maxUrlLength = m_context.maxUrlLength;
    return reso::splitKeysForUrl(m_context.request.feedUrl, reso::resourceName(m_resource),
                                 QString(reso::resourceInfo(m_resource).parentKeyField), keys,
                                 otherOptions(), profile, useIn);
}

QUrl ChildPipeline::groupUrl(const QStringList &keys, bool useIn,
                             const QByteArray &afterKey) const {
    const reso::ResourceInfo &info = reso::resourceInfo(m_resource);
    QString filter = reso::keyFilter(QString(info.parentKeyField), keys, useIn);
    if (!afterKey.isEmpty())
        filter = u"(%1) and %2 gt %3"_s.arg(filter, QString(info.keyField),
                                            reso::odataString(QString::fromUtf8(afterKey)));
    reso::QueryOptions options{{u"$filter"_s, filter}};
    options.append(otherOptions());
    return reso::queryUrl(m_context.request.feedUrl, reso::resourceName(m_resource), options);
}

void ChildPipeline::startGroup(Batch &batch, int group, const QByteArray &afterKey) {
    batch.nextGroup = group;
    batch.lastKey = afterKey;
    QUrl url = groupUrl(batch.groups.value(group), batch.usesIn, afterKey);
    // Resuming adds a condition; should that not fit the URL cap, the group starts over
    // (what was stored is merged again, changing nothing).
    if (!afterKey.isEmpty() &&
        url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority).size() > m_context.maxUrlLength)
        url = groupUrl(batch.groups.value(group), batch.usesIn);
    batch.groupStart = url;
    batch.nextUrl = url;
}

void ChildPipeline::prepare(Batch &batch) {
    QStringList keys;
    keys.reserve(qsizetype(batch.parents.size()));
    for (const db::ParentKey &parent : batch.parents)
        keys << QString::fromUtf8(parent.key);
    batch.usesIn = m_context.keyFilterUseIn;
    batch.groups = split(keys, batch.usesIn);
    startGroup(batch, 0);
    batch.fetchDone = batch.groups.isEmpty();
    batch.parseRetries = 0;
    batch.staleRebuilds = 0;
    batch.seen.clear();
    batch.records = 0;
}

void ChildPipeline::resplit(Batch &batch) {
    QStringList remaining;
    for (qsizetype i = batch.nextGroup; i < batch.groups.size(); ++i)
        remaining += batch.groups[i];
    batch.usesIn = m_context.keyFilterUseIn;
    batch.groups = batch.groups.first(batch.nextGroup) + split(remaining, batch.usesIn);
    startGroup(batch, batch.nextGroup);
}

bool ChildPipeline::recover(Batch &batch, const QUrl &url, const reso::FetchResult &result) {
    const bool ownQuery = url == batch.groupStart;
    if (result.status == 400 && !ownQuery && batch.staleRebuilds < kMaxStaleRebuilds) {
        // Usually an expired skiptoken: the group's own query, after the last child stored,
        // continues exactly where the link would have.
        ++batch.staleRebuilds;
        log(LogLevel::Warning,
            u"The feed refused a nextLink (%1); resuming the batch's query after %2"_s.arg(
                result.message,
                batch.lastKey.isEmpty() ? u"its start"_s : QString::fromUtf8(batch.lastKey)));
        startGroup(batch, batch.nextGroup, batch.lastKey);
        return true;
    }
    if (result.status == 400 && ownQuery && batch.usesIn) {
        // A vendor without `in` answers 400 to it; an `or` chain asks the same.
        if (m_context.keyFilterUseIn) {
            m_context.keyFilterUseIn = false;
            const QString said = reso::odataErrorMessage(result.body);
            const QString note = u"refused an `in` filter (HTTP 400%1)"_s.arg(
                said.isEmpty() ? QString() : u": "_s + said);
            log(LogLevel::Warning, u"The feed %1; using `or` chains for it from now on "
                                   "(remembered for the next runs)"_s.arg(note));
            if (m_context.rememberFeed)
                m_context.rememberFeed({false, std::nullopt}, note);
        }
        resplit(batch);
        return true;
    }
    const qsizetype length = url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority).size();
    if (result.status == 414 && ownQuery && batch.groups.value(batch.nextGroup).size() > 1) {
        // The feed's URL cap is below the profile's: halve ours until the URLs fit.
        if (m_context.maxUrlLength >= length) {
            m_context.maxUrlLength = int(std::max<qsizetype>(1, length / 2));
            const QString note = u"refused a URL of %1 bytes (HTTP 414)"_s.arg(length);
            log(LogLevel::Warning, u"The feed %1; splitting key filters to at most %2 bytes from "
                                   "now on (remembered for the next runs)"_s.arg(note)
                                       .arg(m_context.maxUrlLength));
            if (m_context.rememberFeed)
                m_context.rememberFeed({std::nullopt, m_context.maxUrlLength}, note);
        }
        resplit(batch);
        return true;
    }
    return false;
}

void ChildPipeline::pumpBatch(Batch &batch) {
    if (!batch.error.isEmpty() || stopping())
        return settle(batch);
    if (!m_context.paused && !batch.fetching && !batch.parsing && !batch.fetchDone &&
        batch.writing < kMaxWritesPerBatch) {
        batch.fetching = true;
        const QUrl url = batch.nextUrl;
        m_context.client->get(url, [this, &batch, url](const reso::FetchResult &result) {
            batch.fetching = false;
            onFetched(batch, url, result);
        });
    }
    if (batch.fetchDone && !batch.parsing && batch.writing == 0 && !batch.completing)
        complete(batch);
}

void ChildPipeline::onFetched(Batch &batch, const QUrl &url, const reso::FetchResult &result) {
    if (!result.ok() && batch.error.isEmpty() && !stopping() && recover(batch, url, result))
        return pump();
    if (!result.ok()) {
        // A refused token will be refused again: nothing else of this resource can be fetched.
        if (result.error == reso::FetchError::Unauthorized)
            fail(result.message, result.error);
        return batchError(batch, result.message, result.error);
    }
    if (!batch.error.isEmpty() || stopping()) {
        settle(batch); // may finish the batch: then the pipeline may be done
        return pump();
    }
    m_context.anyFetchSucceeded = true;
    batch.parsing = true;
    const QByteArray body = result.body;
    const Resource resource = m_resource;
    const bool mlgCanView = m_context.request.profile.deletions == reso::DeletionSignal::MlgCanView;
    m_context.workers->run(
        this,
        [body, resource, mlgCanView](WorkerPool::Slot &slot) {
            ParseOutcome outcome;
            PageError error;
            outcome.ok = slot.withParser([&](PageParser &parser) {
                return parser.parse(resource, body, &outcome.page, &error);
            });
            outcome.error = error.message;
            if (mlgCanView)
                outcome.page.setAsideWithdrawn();
            return outcome;
        },
        [this, &batch, url](ParseOutcome outcome) {
            onParsed(batch, url, outcome.ok, std::move(outcome.page), outcome.error);
        });
}

void ChildPipeline::onParsed(Batch &batch, const QUrl &url, bool ok, ParsedPage page,
                             const QString &error) {
    batch.parsing = false;
    if (!batch.error.isEmpty() || stopping()) {
        settle(batch);
        return pump();
    }
    if (!ok) {
        if (++batch.parseRetries > kMaxParseRetries)
            return batchError(batch, u"a page could not be parsed: "_s + error,
                              reso::FetchError::None);
        m_context.metrics->recordApiRetry();
        log(LogLevel::Warning, u"Page unusable, fetching it again: %1"_s.arg(error));
        batch.nextUrl = url;
        return pump();
    }
    batch.parseRetries = 0;
    batch.staleRebuilds = 0;
    if (!page.records.empty())
        batch.lastKey = page.records.back().key; // rejects after it are fetched again: safe
    m_context.metrics->addProgress(
        m_resource, qint64(page.records.size() + page.rejects.size() + page.withdrawn.size()), 0, 0,
        0);
    // Everything the feed returned counts as seen, rejected records too: a stored older
    // version of a record we could not store now must not be deleted as if it were gone.
    for (const ParsedRecord &record : page.records)
        batch.seen.push_back(record.key);
    for (const RejectedRecord &reject : page.rejects) {
        if (!reject.key.isEmpty())
            batch.seen.push_back(reject.key);
    }
    if (!page.nextLink.isEmpty())
        batch.nextUrl = QUrl::fromEncoded(page.nextLink, QUrl::StrictMode);
    else if (batch.nextGroup + 1 < batch.groups.size())
        startGroup(batch, batch.nextGroup + 1);
    else
        batch.fetchDone = true;
    write(batch, std::move(page));
    pump();
}

void ChildPipeline::write(Batch &batch, ParsedPage page) {
    ++batch.writing;
    const int dbBatchSize = m_context.request.settings.dbBatchSize;
    const qint64 runId = m_context.runId;
    metrics::MetricsRecorder *metrics = m_context.metrics;
    auto parentKeys = batch.parentKeys;
    auto cache = m_parentCache;
    // A first load's first attempt stores only new rows: no need to probe for stored ones.
    const auto stored = storesIntoEmptyTable(batch) ? db::BatchWriter::StoredRows::NoneExpected
                                                    : db::BatchWriter::StoredRows::Unknown;
    m_context.workers->run(
        this,
        [page = std::move(page), parentKeys, cache, dbBatchSize, runId, metrics,
         stored](WorkerPool::Slot &slot) mutable {
            if (auto error = validateParents(page, *parentKeys, *cache, slot.writer, metrics))
                return db::WriteResult{0, 0, {}, error};
            return slot.writer.writePage(page, dbBatchSize, runId, std::nullopt, stored);
        },
        [this, &batch](db::WriteResult result) {
            --batch.writing;
            if (!result.ok())
                return batchError(batch, u"writing a page failed: "_s + result.error->message,
                                  reso::FetchError::None);
            m_context.metrics->addProgress(m_resource, 0, result.upserted,
                                           result.deleted[std::size_t(m_resource)],
                                           result.rejected);
            batch.records += result.upserted;
            pump();
        });
}

void ChildPipeline::complete(Batch &batch) {
    batch.completing = true;
    const Resource resource = m_resource;
    const qint64 runId = m_context.runId;
    const auto vanished = storesIntoEmptyTable(batch)
                              ? db::BatchWriter::VanishedChildren::NoneStoredBefore
                              : db::BatchWriter::VanishedChildren::Delete;
    m_context.workers->run(
        this,
        [resource, runId, vanished, parents = batch.parents,
         seen = batch.seen](WorkerPool::Slot &slot) {
            return slot.writer.completeChildBatch(resource, parents, seen, runId, vanished);
        },
        [this, &batch](db::CompleteResult result) {
            batch.completing = false;
            if (!result.ok())
                return batchError(batch,
                                  u"deleting vanished children failed: "_s + result.error->message,
                                  reso::FetchError::None);
            m_context.metrics->addProgress(m_resource, 0, 0, result.deleted, 0);
            finishBatch(batch, true);
            pump();
        });
}

bool ChildPipeline::storesIntoEmptyTable(const Batch &batch) const {
    // Only a batch's first attempt writes the children of its parents into a table that was
    // empty when the run began; a retry may find rows an earlier attempt stored.
    return m_startedEmpty && batch.attempt == 1;
}

void ChildPipeline::batchError(Batch &batch, const QString &message, reso::FetchError error) {
    if (batch.error.isEmpty()) {
        batch.error = message;
        batch.fetchError = error;
    }
    settle(batch);
    pump();
}

bool ChildPipeline::idle(const Batch &batch) const {
    return !batch.fetching && !batch.parsing && batch.writing == 0 && !batch.completing;
}

void ChildPipeline::settle(Batch &batch) {
    if (!idle(batch))
        return; // wait for its outstanding work; the last callback settles it
    if (m_context.cancelled)
        return finishBatch(batch, false);
    if (failed() && batch.error.isEmpty()) {
        // Another batch ended the resource (a refused token): this one stops where it is.
        batch.error = u"not finished: %1 stopped"_s.arg(reso::resourceName(m_resource));
        return finishBatch(batch, false);
    }
    if (batch.error.isEmpty())
        return;
    if (batch.attempt < kMaxBatchAttempts && !failed()) {
        log(LogLevel::Warning, u"Batch %1 (%2) failed on attempt %3: %4; retrying"_s.arg(batch.id)
                                   .arg(describe(batch))
                                   .arg(batch.attempt)
                                   .arg(batch.error));
        ++batch.attempt;
        batch.error.clear();
        prepare(batch);
        return;
    }
    finishBatch(batch, false);
}

void ChildPipeline::finishBatch(Batch &batch, bool ok) {
    m_context.metrics->batchFinished(double(batch.timer.nsecsElapsed()) / 1e6, batch.records, ok);
    if (!ok && !m_context.cancelled) {
        ++m_failedBatches;
        const QString problem =
            u"%1 batch %2 (%3) failed after %4 attempts: %5"_s.arg(reso::resourceName(m_resource))
                .arg(batch.id)
                .arg(describe(batch))
                .arg(batch.attempt)
                .arg(batch.error);
        m_context.problems << problem;
        log(LogLevel::Error, problem);
        if (batch.fetchError != reso::FetchError::None && !m_context.anyFetchSucceeded)
            fail(batch.error, batch.fetchError); // nothing ever worked: the feed is unreachable
    }
    m_parentsDoneCount += qint64(batch.parents.size());
    if (m_context.progress)
        m_context.progress(m_resource, m_parentsDoneCount, m_parentsTotal, u"listings"_s);
    for (auto it = m_batches.begin(); it != m_batches.end(); ++it) {
        if (&*it == &batch) {
            m_batches.erase(it);
            break;
        }
    }
}

QString ChildPipeline::describe(const Batch &batch) const {
    if (batch.parents.empty())
        return u"no listings"_s;
    return u"%1 listings %2 .. %3"_s.arg(batch.parents.size())
        .arg(QString::fromUtf8(batch.parents.front().key),
             QString::fromUtf8(batch.parents.back().key));
}

void ChildPipeline::maybeFinish() {
    if (m_finished || m_fetchingParents || !m_batches.empty())
        return;
    if (!m_parentsDone && !stopping())
        return;
    if (m_parentsTotal < 0 && !stopping())
        return;
    m_finished = true;
    if (m_parentsDone && !m_context.cancelled && m_failedBatches == 0)
        m_context.metrics->setDone(m_resource);
    Q_EMIT finished();
}

} // namespace resosync::sync
