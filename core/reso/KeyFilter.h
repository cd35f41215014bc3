#pragma once

#include "reso/FeedProfile.h"
#include "reso/QueryUrl.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace resosync::reso {

/// `ListingKey in ('a','b')`, or `ListingKey eq 'a' or ListingKey eq 'b'` without `in`.
QString keyFilter(const QString &field, const QStringList &keys, bool useIn);

/// Splits `keys` into groups such that the URL `queryUrl(base, resource, options + $filter)`
/// of each group stays within profile.maxUrlLength (request target, i.e. path and query) and
/// an `or` chain within profile.maxOrTerms. `options` are the other query options, e.g. $top.
/// Keys keep their order; a single key too long for the cap still gets a group of its own.
QList<QStringList> splitKeysForUrl(const QUrl &base, const QString &resource, const QString &field,
                                   const QStringList &keys, const QueryOptions &options,
                                   const FeedProfile &profile, bool useIn);

} // namespace resosync::reso
