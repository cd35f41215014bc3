#pragma once

#include "reso/Resource.h"
#include "sync/ParsedPage.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace resosync::sync {

/// Why a page as a whole could not be used (the fetch is retried: a truncated body or an
/// HTML error page from a proxy is usually transient).
struct PageError {
    QString message; ///< e.g. "the response is not JSON (it looks like an HTML page: ...)"
};

/// A page parsed on a worker thread, handed back to its pipeline.
struct ParseOutcome {
    bool ok = false;
    ParsedPage page;
    QString error; ///< PageError::message when !ok
};

/// Parses OData JSON pages with simdjson On-Demand into rows for the staging COPY.
///
/// The record stored "as received" is the raw bytes of that record in the page (never a
/// re-serialization: QJsonDocument turns numbers into doubles and sorts keys). Typed columns
/// are converted and validated here, off the database: a value PostgreSQL would refuse (a
/// malformed timestamp, a number out of its column's range, a NUL character, a missing key)
/// rejects that record with a reason naming the field and value; the rest of the page lands.
///
/// A record with `MlgCanView: false` (MLS Grid's deletion signal) is flagged `withdrawn`.
///
/// Keeps its simdjson parser and buffers between pages: one instance per worker thread.
class PageParser final {
public:
    PageParser();
    ~PageParser();
    PageParser(const PageParser &) = delete;
    PageParser &operator=(const PageParser &) = delete;

    /// Parses `body` (a decoded OData collection response) of `resource`. On success fills
    /// `page` and returns true; otherwise fills `error`.
    bool parse(reso::Resource resource, const QByteArray &body, ParsedPage *page, PageError *error);

    /// Parses a page of a key sweep (`$select=<key>`): each record gives only its key, in
    /// `page->records[i].key`, with `copyLine` the key as one COPY text field. Stricter than
    /// parse(): a record without a string key fails the whole page, because a key list with
    /// a hole would make the sweep delete a record the feed still has.
    bool parseKeys(reso::Resource resource, const QByteArray &body, ParsedPage *page,
                   PageError *error);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace resosync::sync
