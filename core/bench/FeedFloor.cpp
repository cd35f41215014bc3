#include "bench/FeedFloor.h"

#include "db/SyncStore.h"
#include "metrics/MetricsRecorder.h"
#include "reso/FeedClient.h"
#include "reso/KeyFilter.h"
#include "reso/QueryUrl.h"
#include "sync/PageParser.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QThreadPool>
#include <QtConcurrent>

#include <deque>

namespace resosync::bench {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

/// Fetches the pages of key groups, `concurrency` chains at a time, and parses each page on
/// the pool (one parser per pool thread, kept between pages as the sync's workers do).
class FloorRun final : public QObject {
public:
    FloorRun(const sync::SyncRequest &request, Resource child, std::deque<QStringList> groups)
        : m_request(request)
        , m_child(child)
        , m_groups(std::move(groups))
        , m_client(request.profile, request.auth, &m_metrics, this) {
        m_client.setThrottleMs(request.settings.throttleMs);
        m_pool.setMaxThreadCount(std::max(1, request.settings.concurrency));
    }

    FeedFloorResult run() {
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < std::max(1, m_request.settings.concurrency); ++i)
            startNextGroup();
        if (m_active > 0)
            m_loop.exec();
        m_pool.waitForDone();
        m_result.seconds = double(timer.nsecsElapsed()) / 1e9;
        m_result.requests = m_metrics.snapshot().api.requests;
        return m_result;
    }

private:
    QUrl groupUrl(const QStringList &keys) const {
        const reso::ResourceInfo &info = reso::resourceInfo(m_child);
        reso::QueryOptions options{
            {u"$filter"_s,
             reso::keyFilter(QString(info.parentKeyField), keys, m_request.profile.supportsIn)}};
        if (m_request.profile.supportsOrderBy)
            options.append({u"$orderby"_s, QString(info.keyField) + u" asc"_s});
        options.append({u"$top"_s, QString::number(m_request.settings.batchSize)});
        return reso::queryUrl(m_request.feedUrl, reso::resourceName(m_child), options);
    }

    void startNextGroup() {
        if (!m_result.error.isEmpty() || m_groups.empty()) {
            if (m_active == 0)
                m_loop.quit();
            return;
        }
        ++m_active;
        fetch(groupUrl(m_groups.front()));
        m_groups.pop_front();
    }

    void fetch(const QUrl &url) {
        m_client.get(url, [this](const reso::FetchResult &result) { onFetched(result); });
    }

    void onFetched(const reso::FetchResult &result) {
        if (!result.ok()) {
            m_result.error = result.message;
            return chainDone();
        }
        m_result.bytes += result.body.size();
        const QByteArray body = result.body;
        const Resource child = m_child;
        QtConcurrent::run(&m_pool, [body, child] {
            thread_local sync::PageParser parser;
            sync::ParsedPage page;
            sync::PageError error;
            const bool ok = parser.parse(child, body, &page, &error);
            return std::make_tuple(ok, qint64(page.records.size() + page.rejects.size()),
                                   page.nextLink, error.message);
        }).then(this, [this](std::tuple<bool, qint64, QByteArray, QString> parsed) {
            const auto &[ok, records, nextLink, error] = parsed;
            if (!ok) {
                m_result.error = u"a page could not be parsed: "_s + error;
                return chainDone();
            }
            m_result.records += records;
            if (!nextLink.isEmpty())
                return fetch(QUrl::fromEncoded(nextLink, QUrl::StrictMode));
            chainDone();
        });
    }

    void chainDone() {
        --m_active;
        startNextGroup();
    }

    sync::SyncRequest m_request;
    Resource m_child;
    std::deque<QStringList> m_groups;
    metrics::MetricsRecorder m_metrics;
    reso::FeedClient m_client;
    QThreadPool m_pool;
    QEventLoop m_loop;
    int m_active = 0;
    FeedFloorResult m_result;
};

/// The key groups of every listing batch, in the order the sync would ask for them.
std::deque<QStringList> keyGroups(const sync::SyncRequest &request, Resource child,
                                  QString *error) {
    db::SyncStore store(request.conninfo);
    const reso::ResourceInfo &info = reso::resourceInfo(child);
    reso::QueryOptions others;
    if (request.profile.supportsOrderBy)
        others.append({u"$orderby"_s, QString(info.keyField) + u" asc"_s});
    others.append({u"$top"_s, QString::number(request.settings.batchSize)});
    std::deque<QStringList> groups;
    QByteArray after;
    for (;;) {
        std::vector<db::ParentKey> parents;
        if (auto failure = store.nextParents(child, after, request.settings.propertyBatchSize,
                                             false, &parents)) {
            *error = failure->message;
            return {};
        }
        if (parents.empty())
            return groups;
        QStringList keys;
        for (const db::ParentKey &parent : parents)
            keys << QString::fromUtf8(parent.key);
        after = parents.back().key;
        for (QStringList &group : reso::splitKeysForUrl(
                 request.feedUrl, reso::resourceName(child), QString(info.parentKeyField), keys,
                 others, request.profile, request.profile.supportsIn))
            groups.push_back(std::move(group));
    }
}

} // namespace

FeedFloorResult measureFeedFloor(const sync::SyncRequest &request, Resource child) {
    FeedFloorResult result;
    std::deque<QStringList> groups = keyGroups(request, child, &result.error);
    if (!result.error.isEmpty())
        return result;
    FloorRun run(request, child, std::move(groups));
    return run.run();
}

} // namespace resosync::bench
