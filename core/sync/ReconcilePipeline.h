#pragma once

#include "db/BatchWriter.h"
#include "sync/ResourcePipeline.h"

#include <QElapsedTimer>
#include <QUrl>

#include <deque>
#include <memory>

namespace resosync::sync {

/// Reconcile for one resource, for vendors that signal a deletion only by no longer returning
/// the record: sweeps the feed's key list (`$select=<key>`, the profile's key-only page size,
/// ordered by key and paged by key so records deleted or added during the sweep cannot shift a
/// page boundary), COPYs every page of keys into a temporary table on its own connection (the
/// client keeps no key beyond the page in hand), and only after the COMPLETE list arrived
/// deletes the rows the feed no longer has (a listing with its children) in one transaction.
///
/// A failed page ends the sweep with nothing deleted. The delete is refused, deleting nothing,
/// when it would remove more than the allowed share of the table or the feed listed no key at
/// all, unless the request confirms it (ReconcileOptions).
class ReconcilePipeline final : public ResourcePipeline {
    Q_OBJECT

public:
    ReconcilePipeline(RunContext &context, reso::Resource resource, QObject *parent = nullptr);
    ~ReconcilePipeline() override;

    void start() override;
    void pump() override;

private:
    QUrl pageUrl(const QByteArray &afterKey, bool withCount) const;
    void fetch();
    void onFetched(const reso::FetchResult &result);
    void onParsed(bool ok, ParsedPage page, const QString &error);
    void copyNext();
    void deleteUnlisted();
    void onSwept(const db::SweepResult &result);
    void summarize(const QString &outcome, const db::SweepResult &result);
    void maybeFinish();

    /// The sweep's own connection: its temporary key table lives there. Used only on the
    /// store pool (one thread), one job at a time.
    std::unique_ptr<db::BatchWriter> m_writer;
    QUrl m_next;
    QByteArray m_lastKey;     ///< the last key listed: where the next page starts
    bool m_keyset = true;     ///< page by key (needs $orderby); else follow nextLinks
    bool m_beginning = false; ///< creating the key table
    bool m_begun = false;     ///< the key table is ready
    bool m_fetching = false;
    bool m_parsing = false;
    bool m_copying = false;
    bool m_deleting = false;
    bool m_listed = false; ///< the last page of keys arrived
    bool m_summarized = false;
    bool m_finished = false;
    int m_parseRetries = 0;
    qint64 m_keys = 0;
    qint64 m_expected = -1;
    std::deque<ParsedPage> m_toCopy; ///< the page being copied first, then at most one more
    QElapsedTimer m_timer;
    static constexpr int kMaxParseRetries = 4;
    static constexpr std::size_t kMaxPagesWaiting = 2;
};

} // namespace resosync::sync
