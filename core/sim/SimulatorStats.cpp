#include "sim/SimulatorStats.h"

namespace resosync::sim {

using namespace Qt::StringLiterals;

QJsonObject SimulatorStats::toJson() const {
    QJsonObject byResource, records, statuses, pages;
    for (auto it = requestsByResource.begin(); it != requestsByResource.end(); ++it)
        byResource.insert(it.key(), it.value());
    for (auto it = recordsByResource.begin(); it != recordsByResource.end(); ++it)
        records.insert(it.key(), it.value());
    for (auto it = byStatus.begin(); it != byStatus.end(); ++it)
        statuses.insert(QString::number(it.key()), it.value());
    for (auto it = pagesByTop.begin(); it != pagesByTop.end(); ++it)
        pages.insert(QString::number(it.key()), it.value());
    const QJsonObject faults{{u"rate_limited"_s, rateLimited},
                             {u"quota_refused"_s, quotaRefused},
                             {u"server_errors"_s, serverErrors},
                             {u"resets"_s, resets},
                             {u"truncated"_s, truncated},
                             {u"slow"_s, slow},
                             {u"expired_links"_s, expiredLinks},
                             {u"refused_in"_s, refusedIn},
                             {u"url_too_long"_s, urlTooLong},
                             {u"unauthorized"_s, unauthorized},
                             {u"tokens_refused"_s, tokensRefused},
                             {u"duplicates_served"_s, duplicatesServed},
                             {u"malformed_served"_s, malformedServed}};
    return QJsonObject{{u"requests"_s, requests},
                       {u"rate_limited"_s, rateLimited},
                       {u"server_errors"_s, serverErrors},
                       {u"resets"_s, resets},
                       {u"truncated"_s, truncated},
                       {u"bytes_sent"_s, bytesSent},
                       {u"gzipped"_s, gzipped},
                       {u"tokens_issued"_s, tokensIssued},
                       {u"requests_by_resource"_s, byResource},
                       {u"records_by_resource"_s, records},
                       {u"by_status"_s, statuses},
                       {u"faults"_s, faults},
                       {u"pages_by_top"_s, pages}};
}

} // namespace resosync::sim
