#pragma once

#include "db/BatchWriter.h"
#include "sync/ResourcePipeline.h"

#include <QUrl>

#include <deque>
#include <optional>

namespace resosync::sync {

/// Walks the feed's Property records by the cursor (ModificationTimestamp, ListingKey),
/// fenced above by the run's fence, following @odata.nextLink verbatim. Pages are parsed on
/// the pool while the next one is fetched, and written strictly in order, each committed with
/// the cursor of its last record, so a crash repeats at most one page.
class PropertyPipeline final : public ResourcePipeline {
    Q_OBJECT

public:
    /// `saved` is the resource's stored checkpoint; ignored in full mode.
    PropertyPipeline(RunContext &context, std::optional<db::Checkpoint> saved,
                     QObject *parent = nullptr);

    void start() override;
    void pump() override;

private:
    struct Cursor {
        qint64 usecs = 0;
        QByteArray key;
    };

    QUrl queryFrom(const std::optional<Cursor> &cursor, bool withCount) const;
    void fetch(const QUrl &url);
    void onFetched(const QUrl &url, const reso::FetchResult &result);
    void onParsed(const QUrl &url, bool ok, sync::ParsedPage page, const QString &error);
    void writeNext();
    void maybeFinish();

    std::optional<Cursor> m_cursor; ///< the last record fetched: where a rebuilt query resumes
    QUrl m_next;
    QUrl m_first;
    bool m_fetching = false;
    bool m_parsing = false;
    bool m_writing = false;
    bool m_feedDone = false;
    bool m_finished = false;
    int m_staleRebuilds = 0;
    int m_parseRetries = 0;
    std::deque<sync::ParsedPage> m_toWrite; ///< parsed, waiting for the database, in order
    static constexpr std::size_t kMaxPagesWaiting = 2;
};

} // namespace resosync::sync
