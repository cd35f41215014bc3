#include "sim/QueryEngine.h"

#include "sim/SimRecord.h"

#include <QHash>
#include <QUrl>

#include <algorithm>

namespace resosync::sim {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

QueryError badRequest(const QString &message) {
    return QueryError{400, u"BadRequest"_s, message};
}

std::optional<int> parseNonNegative(const QString &text) {
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < 0)
        return std::nullopt;
    return value;
}

QString decodeComponent(QByteArray raw) {
    raw.replace('+', ' ');
    return QUrl::fromPercentEncoding(raw);
}

/// Orders values of one field: null first, then by type-specific value.
int compareValues(const FieldValue &a, const FieldValue &b) {
    if (a.index() != b.index())
        return a.index() < b.index() ? -1 : 1;
    return std::visit(
        [&b](const auto &x) -> int {
            using T = std::decay_t<decltype(x)>;
            const T &y = std::get<T>(b);
            if constexpr (std::is_same_v<T, std::monostate>) {
                return 0;
            } else if constexpr (std::is_same_v<T, Number>) {
                return x.value < y.value ? -1 : (y.value < x.value ? 1 : 0);
            } else if constexpr (std::is_same_v<T, QString>) {
                return QStringView(x).compare(QStringView(y));
            } else if constexpr (std::is_same_v<T, Date>) {
                return x.days < y.days ? -1 : (y.days < x.days ? 1 : 0);
            } else if constexpr (std::is_same_v<T, QStringList>) {
                return x.join(u',').compare(y.join(u','));
            } else {
                return x < y ? -1 : (y < x ? 1 : 0);
            }
        },
        a);
}

} // namespace

QueryEngine::QueryEngine(const FeedData &data, const RecordGenerator &generator)
    : m_data(data)
    , m_generator(generator) {}

std::variant<QueryRequest, QueryError>
QueryEngine::parse(Resource resource, const QByteArray &rawQuery, const QByteArray &preferHeader) {
    QueryRequest request;
    request.resource = resource;
    for (const QByteArray &pair : rawQuery.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        const QString name = decodeComponent(pair.left(eq < 0 ? pair.size() : eq));
        const QString value = eq < 0 ? QString() : decodeComponent(pair.mid(eq + 1));
        if (name == "$filter"_L1) {
            request.filter = value;
        } else if (name == "$orderby"_L1) {
            for (const QString &item : value.split(u',', Qt::SkipEmptyParts)) {
                const QStringList parts = item.trimmed().split(u' ', Qt::SkipEmptyParts);
                if (parts.isEmpty() || parts.size() > 2 ||
                    (parts.size() == 2 && parts[1] != "asc"_L1 && parts[1] != "desc"_L1))
                    return badRequest(u"Invalid $orderby item '%1'"_s.arg(item.trimmed()));
                request.orderBy.append({parts[0], parts.size() == 2 && parts[1] == "desc"_L1});
            }
        } else if (name == "$top"_L1) {
            request.top = parseNonNegative(value);
            if (!request.top)
                return badRequest(
                    u"Invalid $top '%1': expected a non-negative integer"_s.arg(value));
        } else if (name == "$skip"_L1) {
            const auto skip = parseNonNegative(value);
            if (!skip)
                return badRequest(
                    u"Invalid $skip '%1': expected a non-negative integer"_s.arg(value));
            request.skip = *skip;
        } else if (name == "$select"_L1) {
            for (const QString &field : value.split(u',', Qt::SkipEmptyParts))
                request.select << field.trimmed();
        } else if (name == "$count"_L1) {
            if (value != "true"_L1 && value != "false"_L1)
                return badRequest(u"Invalid $count '%1': expected true or false"_s.arg(value));
            request.count = value == "true"_L1;
        } else if (name.startsWith(u'$') && name != "$format"_L1) {
            return badRequest(u"The query option '%1' is not supported"_s.arg(name));
        }
    }
    // Prefer: odata.maxpagesize=N (possibly among other preferences).
    for (const QByteArray &preference : preferHeader.split(',')) {
        const QByteArray p = preference.trimmed();
        if (p.startsWith("odata.maxpagesize=")) {
            const auto size = parseNonNegative(QString::fromLatin1(p.mid(18)));
            if (size && *size > 0)
                request.maxPageSize = *size;
        }
    }
    return request;
}

bool QueryEngine::isNaturalOrder(const QueryRequest &request) const {
    const reso::ResourceInfo &info = reso::resourceInfo(request.resource);
    if (request.orderBy.isEmpty())
        return true;
    const OrderKey &first = request.orderBy.first();
    const bool timestampFirst =
        !first.descending &&
        (first.field == info.timestampField ||
         (request.resource == Resource::Media && first.field == "MediaModificationTimestamp"_L1));
    if (!timestampFirst)
        return false;
    if (request.orderBy.size() == 1)
        return true;
    return request.orderBy.size() == 2 && request.orderBy[1].field == info.keyField &&
           !request.orderBy[1].descending;
}

std::vector<quint32> QueryEngine::candidates(const QueryRequest &request,
                                             const ODataFilter *filter) const {
    const reso::ResourceInfo &info = reso::resourceInfo(request.resource);
    std::optional<QStringList> keys;
    bool byParent = false;
    if (filter && !info.parentKeyField.isEmpty()) {
        keys = filter->requiredValues(QString(info.parentKeyField));
        byParent = keys.has_value();
    }
    if (filter && !keys)
        keys = filter->requiredValues(QString(info.keyField));
    if (!keys)
        return m_data.timeOrder(request.resource);

    std::vector<quint32> found;
    for (const QString &key : *keys) {
        if (byParent) {
            const qint64 parent = m_data.positionOfKey(Resource::Property, key);
            if (parent < 0)
                continue;
            const auto &children = m_data.childrenOf(request.resource, quint32(parent + 1));
            found.insert(found.end(), children.begin(), children.end());
        } else if (const qint64 position = m_data.positionOfKey(request.resource, key);
                   position >= 0) {
            found.push_back(quint32(position));
        }
    }
    // Into (ModificationTimestamp, key) order, without duplicates from repeated keys.
    const auto &all = m_data.records(request.resource);
    std::sort(found.begin(), found.end(), [&all](quint32 a, quint32 b) {
        return all[a].modifiedUsecs != all[b].modifiedUsecs
                   ? all[a].modifiedUsecs < all[b].modifiedUsecs
                   : a < b;
    });
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return found;
}

void QueryEngine::sortByOrderBy(const QueryRequest &request, std::vector<quint32> &matches) const {
    const auto &all = m_data.records(request.resource);
    if (request.orderBy.size() == 1 &&
        request.orderBy.front().field == QString(reso::resourceInfo(request.resource).keyField)) {
        // Keys are fixed-width ordinals (FeedData::keyFor): key order is ordinal order, and
        // sorting by it needs no generated field (a child batch re-sorts its matches per page).
        const bool descending = request.orderBy.front().descending;
        std::sort(matches.begin(), matches.end(), [&](quint32 a, quint32 b) {
            return descending ? all[a].ordinal > all[b].ordinal : all[a].ordinal < all[b].ordinal;
        });
        return;
    }
    QHash<quint32, std::vector<FieldValue>> keys;
    keys.reserve(qsizetype(matches.size()));
    for (quint32 position : matches) {
        const SimRecord record(m_generator, request.resource, all[position]);
        std::vector<FieldValue> values;
        for (const OrderKey &key : request.orderBy)
            values.push_back(record.field(key.field));
        keys.insert(position, std::move(values));
    }
    std::stable_sort(matches.begin(), matches.end(), [&](quint32 a, quint32 b) {
        const auto &ka = keys[a];
        const auto &kb = keys[b];
        for (qsizetype i = 0; i < request.orderBy.size(); ++i) {
            const int c = compareValues(ka[std::size_t(i)], kb[std::size_t(i)]);
            if (c != 0)
                return request.orderBy[i].descending ? c > 0 : c < 0;
        }
        return false;
    });
}

std::variant<QueryPage, QueryError> QueryEngine::execute(const QueryRequest &request,
                                                         const FaultOptions &faults,
                                                         int defaultPageSize) const {
    const FilterSchema &schema = m_generator.filterSchema(request.resource);
    std::optional<ODataFilter> filter;
    if (faults.refusedResources.contains(request.resource))
        return QueryError{400, u"NotSupported"_s,
                          u"The %1 resource is not available to this account"_s.arg(
                              reso::resourceName(request.resource))};
    if (!request.filter.trimmed().isEmpty()) {
        auto parsed = ODataFilter::parse(request.filter, schema);
        if (!parsed.filter)
            return badRequest(u"Invalid $filter: %1"_s.arg(parsed.error));
        filter = std::move(parsed.filter);
        if (faults.inOperatorUnsupported && filter->usesIn())
            return QueryError{400, u"NotSupported"_s,
                              u"The 'in' operator is not supported by this server; use 'or'"_s};
    }
    for (const OrderKey &key : request.orderBy) {
        if (!schema.contains(key.field))
            return badRequest(u"Could not find a property named '%1' to order by"_s.arg(key.field));
    }
    for (const QString &field : request.select) {
        if (!schema.contains(field))
            return badRequest(u"Could not find a property named '%1' to select"_s.arg(field));
    }
    if (request.top && faults.maxTop > 0 && *request.top > faults.maxTop)
        return badRequest(
            u"$top %1 exceeds this server's maximum of %2"_s.arg(*request.top).arg(faults.maxTop));

    QueryPage page;
    page.pageSize = request.top.value_or(defaultPageSize);
    if (request.maxPageSize > 0)
        page.pageSize = std::min(page.pageSize, request.maxPageSize);
    if (faults.maxTop > 0)
        page.pageSize = std::min(page.pageSize, faults.maxTop);

    const bool natural = isNaturalOrder(request);
    const auto &all = m_data.records(request.resource);
    // In natural order and without $count, stop as soon as we know whether more remain.
    const std::size_t enough = request.count || !natural
                                   ? std::numeric_limits<std::size_t>::max()
                                   : std::size_t(request.skip) + std::size_t(page.pageSize) + 1;
    std::vector<quint32> matches;
    for (quint32 position : candidates(request, filter ? &*filter : nullptr)) {
        const RecordState &state = all[position];
        if (!state.alive)
            continue;
        if (filter && !filter->matches(SimRecord(m_generator, request.resource, state)))
            continue;
        matches.push_back(position);
        if (matches.size() >= enough)
            break;
    }
    if (!natural)
        sortByOrderBy(request, matches);
    if (request.count)
        page.totalCount = qint64(matches.size());
    const std::size_t begin = std::min(matches.size(), std::size_t(request.skip));
    const std::size_t end = std::min(matches.size(), begin + std::size_t(page.pageSize));
    page.positions.assign(matches.begin() + qsizetype(begin), matches.begin() + qsizetype(end));
    page.hasMore = end < matches.size();
    return page;
}

} // namespace resosync::sim
