#pragma once

#include "db/BatchWriter.h"
#include "reso/QueryUrl.h"
#include "sync/ParentCache.h"
#include "sync/ResourcePipeline.h"

#include <QElapsedTimer>
#include <QSet>
#include <QStringList>
#include <QUrl>

#include <list>
#include <memory>
#include <vector>

namespace resosync::sync {

/// The seed's media sync, for Media, PropertyRooms or OpenHouse: streams listing keys from the
/// database by keyset in batches of propertyBatchSize, asks the feed for their children with
/// URL-safe key filters, pages through with $top = batchSize, writes pages on the pool, and
/// once a batch has completed without error deletes the children the feed no longer returns.
/// Up to `concurrency` batches are in flight; a failed batch is retried, then reported, and
/// the others go on.
///
/// What a vendor refuses is worked around where the batch stands, not by failing it: a stale
/// nextLink (400) resumes the group's query after the last child stored; a 414 halves the URL
/// cap and splits the remaining keys again; a 400 to an `in` filter switches the run to `or`
/// chains. The last two are remembered for the feed (RunContext::rememberFeed). A 401 that a
/// fresh token did not cure ends the resource at once: retrying cannot help.
class ChildPipeline final : public ResourcePipeline {
    Q_OBJECT

public:
    ChildPipeline(RunContext &context, reso::Resource resource,
                  std::shared_ptr<ParentCache> parentCache, QObject *parent = nullptr);

    void start() override;
    void pump() override;

private:
    struct Batch {
        int id = 0;
        int attempt = 1;
        std::vector<db::ParentKey> parents;
        std::shared_ptr<const QSet<QByteArray>> parentKeys;
        QList<QStringList> groups;
        bool usesIn = true; ///< how `groups` were split: `in` filters or `or` chains
        int nextGroup = 0;
        QUrl nextUrl;
        QUrl groupStart;    ///< the current group's own query (a nextLink is the feed's)
        QByteArray lastKey; ///< the current group's last child received: where a resume starts
        int staleRebuilds = 0;
        bool fetching = false;
        bool parsing = false;
        int writing = 0;
        bool completing = false;
        bool fetchDone = false;
        int parseRetries = 0;
        QString error;
        reso::FetchError fetchError = reso::FetchError::None;
        std::vector<QByteArray> seen;
        qint64 records = 0;
        QElapsedTimer timer;
    };

    void fetchParents();
    void startBatch(std::vector<db::ParentKey> parents);
    void prepare(Batch &batch);
    reso::QueryOptions otherOptions() const;
    QList<QStringList> split(const QStringList &keys, bool useIn) const;
    /// The query for `keys`; with `afterKey`, only the children past it (key order).
    QUrl groupUrl(const QStringList &keys, bool useIn, const QByteArray &afterKey = {}) const;
    void startGroup(Batch &batch, int group, const QByteArray &afterKey = {});
    /// Splits the keys from the current group on anew (after the feed refused `in` or a URL).
    void resplit(Batch &batch);
    /// Works around what the feed refused (see the class comment); false if it cannot.
    bool recover(Batch &batch, const QUrl &url, const reso::FetchResult &result);
    void pumpBatch(Batch &batch);
    void onFetched(Batch &batch, const QUrl &url, const reso::FetchResult &result);
    void onParsed(Batch &batch, const QUrl &url, bool ok, ParsedPage page, const QString &error);
    void write(Batch &batch, ParsedPage page);
    void complete(Batch &batch);
    /// Whether everything of `batch`'s listings in the table was stored by this attempt (a
    /// first load's first attempt): no stored row to probe for, none that can have vanished.
    bool storesIntoEmptyTable(const Batch &batch) const;
    void batchError(Batch &batch, const QString &message, reso::FetchError error);
    void settle(Batch &batch);
    void finishBatch(Batch &batch, bool ok);
    bool idle(const Batch &batch) const;
    QString describe(const Batch &batch) const;
    void maybeFinish();

    std::shared_ptr<ParentCache> m_parentCache;
    std::list<Batch> m_batches; ///< in flight; std::list keeps references stable
    QByteArray m_lastKey;       ///< keyset position of the parent stream
    bool m_fetchingParents = false;
    bool m_parentsDone = false;
    bool m_finished = false;
    int m_nextBatchId = 1;
    qint64 m_parentsTotal = -1;
    /// The resource's table held no row when the run began (a first load).
    bool m_startedEmpty = false;
    qint64 m_parentsDoneCount = 0;
    int m_failedBatches = 0;
    static constexpr int kMaxBatchAttempts = 3;
    static constexpr int kMaxParseRetries = 4;
    static constexpr int kMaxWritesPerBatch = 2;
    static constexpr int kMaxStaleRebuilds = 5; ///< in a row, per batch
};

} // namespace resosync::sync
