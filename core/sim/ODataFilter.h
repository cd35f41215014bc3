#pragma once

#include "reso/DataDictionary.h"
#include "sim/FieldValue.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace resosync::sim {

namespace detail {
struct FilterNode;
}

/// The field types a filter may name, by field name; used to reject unknown fields and
/// literals of the wrong type at parse time, as an OData server answers 400.
using FilterSchema = QHash<QString, reso::FieldType>;

/// A parsed OData v4 `$filter` expression, as the simulator serves it.
///
/// Grammar: comparisons `eq ne gt ge lt le`, `and`, `or`, `not`, parentheses, and
/// `Field in ('a','b')`. Literals: strings in single quotes (`''` escapes a quote), numbers,
/// `true`, `false`, `null`, unquoted DateTimeOffset (`2024-01-01T00:00:00.123Z`) and Date
/// (`2024-01-01`). Operators are case-sensitive lower case, as OData specifies.
class ODataFilter final {
public:
    struct ParseResult;

    /// Parses `text`; on failure the result holds no filter and a message that names the
    /// position and what was expected (for a 400 response body).
    static ParseResult parse(QStringView text, const FilterSchema &schema);

    ODataFilter(ODataFilter &&) noexcept;
    ODataFilter &operator=(ODataFilter &&) noexcept;
    ~ODataFilter();

    bool matches(const FieldSource &record) const;

    /// True when the expression uses the `in` operator (some vendors refuse it).
    bool usesIn() const;

    /// When every match must have `field` equal to one of a finite set of values (the filter
    /// is `field eq 'x'`, `field in (...)`, an `or` chain of those, or an `and` with such a
    /// term), returns that set; the simulator uses it to answer from an index.
    std::optional<QStringList> requiredValues(QStringView field) const;

private:
    explicit ODataFilter(std::unique_ptr<detail::FilterNode> root);
    std::unique_ptr<detail::FilterNode> m_root;
};

struct ODataFilter::ParseResult {
    std::optional<ODataFilter> filter;
    QString error;
};

} // namespace resosync::sim
