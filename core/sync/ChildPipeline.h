#pragma once

#include "db/BatchWriter.h"
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
        int nextGroup = 0;
        QUrl nextUrl;
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
    QUrl groupUrl(const QStringList &keys) const;
    void pumpBatch(Batch &batch);
    void onFetched(Batch &batch, const QUrl &url, const reso::FetchResult &result);
    void onParsed(Batch &batch, const QUrl &url, bool ok, ParsedPage page, const QString &error);
    void write(Batch &batch, ParsedPage page);
    void complete(Batch &batch);
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
    qint64 m_parentsDoneCount = 0;
    int m_failedBatches = 0;
    static constexpr int kMaxBatchAttempts = 3;
    static constexpr int kMaxParseRetries = 4;
    static constexpr int kMaxWritesPerBatch = 2;
};

} // namespace resosync::sync
