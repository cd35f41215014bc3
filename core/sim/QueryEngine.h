#pragma once

#include "reso/Resource.h"
#include "sim/FeedData.h"
#include "sim/RecordGenerator.h"

#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <optional>
#include <variant>
#include <vector>

namespace resosync::sim {

struct OrderKey {
    QString field;
    bool descending = false;
};

/// The OData query options of one request, parsed and validated.
struct QueryRequest {
    reso::Resource resource = reso::Resource::Property;
    QString filter;
    QList<OrderKey> orderBy;
    std::optional<int> top;
    int skip = 0;
    QStringList select;
    bool count = false;
    int maxPageSize = 0; ///< from `Prefer: odata.maxpagesize`; 0 when absent
};

/// An OData error response: HTTP status, OData error code, and a message for a person.
struct QueryError {
    int status = 400;
    QString code;
    QString message;
};

/// One page of matches: positions into FeedData::records(resource).
struct QueryPage {
    std::vector<quint32> positions;
    qint64 totalCount = -1; ///< with $count=true
    int pageSize = 0;
    bool hasMore = false;
};

/// Answers OData queries over the simulated records like a real RESO server: `$filter`,
/// `$orderby`, `$top` (the page size, as RESO vendors treat it), `$skip`, `$select`,
/// `$count`. Queries that name a parent or a key are answered from an index; the common
/// replication order (ModificationTimestamp, key) walks a presorted index and stops early.
class QueryEngine final {
public:
    QueryEngine(const FeedData &data, const RecordGenerator &generator);

    /// Parses query options. A `+` in the query means a space, as in form encoding and as
    /// ASP.NET-based RESO servers read it: a client must send a literal plus as `%2B`.
    static std::variant<QueryRequest, QueryError>
    parse(reso::Resource resource, const QByteArray &rawQuery, const QByteArray &preferHeader);

    /// Runs a query; the caller holds FeedData::lock() for reading.
    std::variant<QueryPage, QueryError>
    execute(const QueryRequest &request, const FaultOptions &faults, int defaultPageSize) const;

private:
    bool isNaturalOrder(const QueryRequest &request) const;
    std::vector<quint32> candidates(const QueryRequest &request, const ODataFilter *filter) const;
    void sortByOrderBy(const QueryRequest &request, std::vector<quint32> &matches) const;

    const FeedData &m_data;
    const RecordGenerator &m_generator;
};

} // namespace resosync::sim
