#include "db/MergeSql.h"

#include "db/PgText.h"
#include "reso/FieldCatalog.h"

#include <array>

namespace resosync::db {

namespace {

std::string toStd(QLatin1StringView name) {
    return std::string(name.data(), static_cast<std::size_t>(name.size()));
}

std::string quoted(QLatin1StringView name) {
    return PgText::quoteIdent(toStd(name));
}

std::string quoted(const QString &name) {
    return PgText::quoteIdent(name.toStdString());
}

/// `a, b, c`
std::string joined(const std::vector<std::string> &parts, const std::string &prefix = {}) {
    std::string out;
    for (const std::string &part : parts) {
        if (!out.empty())
            out += ", ";
        out += prefix + part;
    }
    return out;
}

/// `WITH gone AS (<deleteGone> RETURNING key), ...` counting the rows deleted per resource.
/// `deleteGone` deletes from `target AS t`; for Property, the children of the listings it
/// deletes and their resosync.child_sync rows go in the same statement.
std::string cascadingDelete(reso::Resource resource, const std::string &deleteGone) {
    const reso::ResourceInfo &info = reso::resourceInfo(resource);
    std::string sql =
        "WITH gone AS (" + deleteGone + " RETURNING t." + quoted(info.keyField) + " AS key)";
    std::vector<std::string> counts(reso::kAllResources.size(), "0");
    counts[static_cast<std::size_t>(resource)] = "(SELECT count(*) FROM gone)";
    if (resource == reso::Resource::Property) {
        for (reso::Resource child : reso::kAllResources) {
            const reso::ResourceInfo &childInfo = reso::resourceInfo(child);
            if (childInfo.parentKeyField.isEmpty())
                continue;
            const std::string name = "gone_" + toStd(childInfo.name);
            sql += ", " + name + " AS (DELETE FROM public." + quoted(childInfo.name) +
                   " c USING gone WHERE c." + quoted(childInfo.parentKeyField) +
                   " = gone.key RETURNING 1)";
            counts[static_cast<std::size_t>(child)] = "(SELECT count(*) FROM " + name + ")";
        }
        sql += ", gone_child_sync AS (DELETE FROM resosync.child_sync s USING gone "
               "WHERE s.listing_key = gone.key RETURNING 1)";
    }
    return sql + " SELECT " + joined(counts);
}

MergeSql build(reso::Resource resource) {
    const reso::ResourceInfo &info = reso::resourceInfo(resource);
    MergeSql sql;
    sql.resource = resource;
    sql.targetTable = "public." + quoted(info.name);
    sql.stagingTable = "pg_temp." + PgText::quoteIdent("resosync_stage_" + toStd(info.name));
    sql.keyColumn = quoted(info.keyField);
    if (!info.parentKeyField.isEmpty())
        sql.parentColumn = quoted(info.parentKeyField);
    const std::string timestamp = quoted(info.timestampField);

    std::vector<std::string> updated; // every column but the key
    for (const reso::CatalogColumn &column : reso::FieldCatalog::columns(resource)) {
        sql.copyColumns.push_back(quoted(column.field.name));
        if (!column.isKey)
            updated.push_back(sql.copyColumns.back());
    }
    sql.copyColumns.push_back("record");
    updated.push_back("record");

    // No primary key in staging (duplicates of a key are legal there); the ordinal orders
    // equal timestamps by page order. ON COMMIT DELETE ROWS empties it in place at commit,
    // without the catalog churn of DROP/CREATE or TRUNCATE per page.
    sql.createStaging = "CREATE TEMP TABLE IF NOT EXISTS " + sql.stagingTable + " (LIKE " +
                        sql.targetTable +
                        " INCLUDING DEFAULTS, resosync_ordinal bigint GENERATED ALWAYS AS "
                        "IDENTITY) ON COMMIT DELETE ROWS";
    // Between chunks of one page. Measured: TRUNCATE costs about 3.6 ms a chunk (a new file
    // node and cache invalidation each time), DELETE of a chunk's rows about 0.4 ms; the dead
    // rows go with the commit's truncation.
    sql.clearStaging = "DELETE FROM " + sql.stagingTable;

    std::string assignments;
    for (const std::string &column : updated)
        assignments += column + " = EXCLUDED." + column + ", ";
    assignments += "replicated_at = now()";

    const std::string columns = joined(sql.copyColumns);
    const std::string conflict =
        " ON CONFLICT (" + sql.keyColumn + ") DO UPDATE SET " + assignments + " WHERE t." +
        timestamp + " < EXCLUDED." + timestamp + " OR (t." + timestamp + " IS NULL AND EXCLUDED." +
        timestamp + " IS NOT NULL) OR (t." + timestamp + " IS NOT DISTINCT FROM EXCLUDED." +
        timestamp + " AND t.record IS DISTINCT FROM EXCLUDED.record)";
    sql.merge = "INSERT INTO " + sql.targetTable + " AS t (" + columns + ") SELECT DISTINCT ON (" +
                sql.keyColumn + ") " + columns + " FROM " + sql.stagingTable + " ORDER BY " +
                sql.keyColumn + ", " + timestamp + " DESC NULLS LAST, resosync_ordinal DESC" +
                conflict;
    sql.mergeUniqueKeys = "INSERT INTO " + sql.targetTable + " AS t (" + columns + ") SELECT " +
                          columns + " FROM " + sql.stagingTable + conflict;

    sql.anyStored = "SELECT EXISTS (SELECT 1 FROM " + sql.targetTable + " WHERE " + sql.keyColumn +
                    " = ANY($1::text[]))";
    sql.deleteUnlisted = cascadingDelete(
        resource, "DELETE FROM " + sql.targetTable + " t WHERE t.replicated_at < $1::timestamptz " +
                      "AND NOT EXISTS (SELECT 1 FROM " + MergeSql::kFeedKeysTable +
                      " k WHERE k.key = t." + sql.keyColumn + ")");
    sql.deleteWithdrawn = cascadingDelete(
        resource,
        "DELETE FROM " + sql.targetTable +
            " t USING unnest($1::text[], $2::timestamptz[]) AS w(key, modified) WHERE t." +
            sql.keyColumn + " = w.key AND (t." + timestamp + " IS NULL OR t." + timestamp +
            " <= w.modified)");

    if (!sql.parentColumn.empty()) {
        // NOT IN over a subquery is planned as a hashed SubPlan even in the generic plan a
        // prepared statement switches to after five runs; `<> ALL($2)` would then compare
        // every row with every kept key (measured: 12k keys, 19 ms -> 1 s). Keys are never
        // null, so NOT IN's null semantics do not bite.
        sql.deleteUnseenChildren = "DELETE FROM " + sql.targetTable + " WHERE " + sql.parentColumn +
                                   " = ANY($1::text[]) AND " + sql.keyColumn +
                                   " NOT IN (SELECT unnest($2::text[]))";
    }
    return sql;
}

} // namespace

const MergeSql &MergeSql::of(reso::Resource resource) {
    static const std::array<MergeSql, 4> kSql{
        build(reso::Resource::Property), build(reso::Resource::Media),
        build(reso::Resource::PropertyRooms), build(reso::Resource::OpenHouse)};
    return kSql[static_cast<std::size_t>(resource)];
}

} // namespace resosync::db
