#include "sync/PageParser.h"

#include "db/PgText.h"

#include "reso/FieldCatalog.h"
#include "reso/Timestamp.h"

#include <QStringList>

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace resosync::sync {

using namespace Qt::StringLiterals;
namespace od = simdjson::ondemand;
using reso::FieldType;
using reso::Resource;
using simdjson::error_code;

namespace {

/// Values quoted in messages are cut to about this many characters.
constexpr qsizetype kQuoteChars = 80;
/// PostgreSQL's numeric (and so every jsonb number) holds at most this many digits before the
/// decimal point and this many after; past them it answers "value overflows numeric format"
/// and the whole COPY fails.
constexpr qint64 kNumericMaxDigitsBefore = 131072;
constexpr qint64 kNumericMaxDigitsAfter = 16383;
/// Exponents are only compared with the limits above: clamp them so they never overflow.
constexpr qint64 kExponentClamp = 1'000'000'000'000LL;
/// Records are flat (an $expand nests one level); deeper nesting is not a RESO record, and the
/// validation below recurses.
constexpr int kMaxDepth = 64;
/// 0001-01-01: PostgreSQL has no year 0, and earlier instants would print as years <= 0.
constexpr qint64 kFirstDay = -719162;
constexpr qint64 kUsecsPerDay = 86'400'000'000LL;

std::size_t idx(Resource r) {
    return static_cast<std::size_t>(r);
}

QString fromUtf8(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

bool isJsonSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// simdjson's raw tokens run to the next token: drop the whitespace they carry.
std::string_view trimmed(std::string_view token) {
    while (!token.empty() && isJsonSpace(token.back()))
        token.remove_suffix(1);
    return token;
}

/// A value for a person: cut to about kQuoteChars characters, on one line.
QString shortened(std::string_view text) {
    // A few bytes more than needed, so the cut lands on a character, not inside one.
    QString s = fromUtf8(text.substr(0, std::size_t(kQuoteChars) * 4)).simplified();
    if (s.size() > kQuoteChars || text.size() > std::size_t(kQuoteChars) * 4)
        s = s.left(kQuoteChars - 1) + u'…';
    return s;
}

QString typeName(od::json_type type) {
    switch (type) {
    case od::json_type::array:
        return u"an array"_s;
    case od::json_type::object:
        return u"an object"_s;
    case od::json_type::number:
        return u"a number"_s;
    case od::json_type::string:
        return u"a string"_s;
    case od::json_type::boolean:
        return u"a boolean"_s;
    case od::json_type::null:
        return u"null"_s;
    }
    return u"a value"_s;
}

// ---------------------------------------------------------------------------------------------
// Numbers: checked on their text, never through a double.

struct NumberToken {
    std::string_view intDigits;  ///< without the sign
    std::string_view fracDigits; ///< empty without a fraction
    qint64 exponent = 0;         ///< clamped to +-kExponentClamp
    bool hasFraction = false;
    bool hasExponent = false;
};

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

/// Checks the JSON number grammar (RFC 8259): simdjson validates a number only when it is
/// read, and numbers of fields that are not columns are skipped, not read.
bool scanNumber(std::string_view t, NumberToken &n) {
    n = {};
    std::size_t i = 0;
    const std::size_t len = t.size();
    if (i < len && t[i] == '-')
        ++i;
    const std::size_t intStart = i;
    if (i < len && t[i] == '0') {
        ++i;
    } else {
        while (i < len && isDigit(t[i]))
            ++i;
    }
    if (i == intStart)
        return false;
    n.intDigits = t.substr(intStart, i - intStart);
    if (i < len && t[i] == '.') {
        const std::size_t fracStart = ++i;
        while (i < len && isDigit(t[i]))
            ++i;
        if (i == fracStart)
            return false;
        n.fracDigits = t.substr(fracStart, i - fracStart);
        n.hasFraction = true;
    }
    if (i < len && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < len && (t[i] == '+' || t[i] == '-'))
            negative = t[i++] == '-';
        const std::size_t expStart = i;
        qint64 e = 0;
        while (i < len && isDigit(t[i])) {
            if (e < kExponentClamp)
                e = e * 10 + (t[i] - '0');
            ++i;
        }
        if (i == expStart)
            return false;
        n.exponent = negative ? -e : e;
        n.hasExponent = true;
    }
    return i == len;
}

/// The digits of a number without its point, leading zeros skipped.
struct Digits {
    const NumberToken &n;
    qint64 leadingZeros = 0;
    qint64 total = 0;

    explicit Digits(const NumberToken &token)
        : n(token)
        , total(qint64(token.intDigits.size() + token.fracDigits.size())) {
        while (leadingZeros < total && at(leadingZeros) == '0')
            ++leadingZeros;
    }
    char at(qint64 i) const {
        const auto intSize = qint64(n.intDigits.size());
        return i < intSize ? n.intDigits[std::size_t(i)] : n.fracDigits[std::size_t(i - intSize)];
    }
    bool isZero() const { return leadingZeros == total; }
    /// Digits before the decimal point of the value (<= 0 for a value below 0.1).
    qint64 weight() const { return qint64(n.intDigits.size()) - leadingZeros + n.exponent; }
};

bool fitsPostgresNumeric(const NumberToken &n) {
    if (qint64(n.fracDigits.size()) - n.exponent > kNumericMaxDigitsAfter)
        return false;
    const Digits digits(n);
    return digits.isZero() || digits.weight() <= kNumericMaxDigitsBefore;
}

/// Whether numeric(precision, scale) holds the number: PostgreSQL first rounds it to `scale`
/// decimals (half away from zero), then refuses it when it needs more than precision - scale
/// digits before the point (999999999999.995 overflows numeric(14,2)).
bool fitsDecimal(const NumberToken &n, int precision, int scale) {
    if (precision <= 0)
        return true; // unconstrained numeric
    const Digits digits(n);
    if (digits.isZero())
        return true;
    qint64 weight = digits.weight();
    const qint64 kept = weight + scale; // significant digits left after rounding
    if (kept < 0)
        return true; // rounds to zero
    const qint64 significant = digits.total - digits.leadingZeros;
    if (kept < significant && digits.at(digits.leadingZeros + kept) >= '5') {
        bool allNines = true;
        for (qint64 i = 0; i < kept && allNines; ++i)
            allNines = digits.at(digits.leadingZeros + i) == '9';
        if (allNines)
            ++weight; // 99.995 rounds up to 100.00
    }
    return std::max<qint64>(weight, 0) <= precision - scale;
}

// ---------------------------------------------------------------------------------------------
// COPY text format

constexpr std::array<bool, 256> kCopySpecial = [] {
    std::array<bool, 256> table{};
    table['\\'] = table['\t'] = table['\n'] = table['\r'] = true;
    return table;
}();

/// The first byte COPY gives a meaning to (backslash, tab, newline, carriage return), looked
/// for eight bytes at a time: most text has none.
const char *findCopySpecial(const char *p, const char *end) {
#ifdef __SSE2__
    // x86-64 always has SSE2: sixteen bytes at a time.
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i newline = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i hits =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, tab)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, newline), _mm_cmpeq_epi8(v, cr)));
        if (const int mask = _mm_movemask_epi8(hits))
            return p + __builtin_ctz(unsigned(mask));
        p += 16;
    }
#endif
    constexpr quint64 kOnes = 0x0101010101010101ULL;
    constexpr quint64 kHighs = 0x8080808080808080ULL;
    while (end - p >= 8) {
        quint64 word = 0;
        std::memcpy(&word, p, 8);
        const quint64 backslashes = word ^ (kOnes * '\\');
        // Nonzero exactly when a byte is below 0x20 or is a backslash.
        if ((((word - kOnes * 0x20) & ~word) | ((backslashes - kOnes) & ~backslashes)) & kHighs) {
            for (int i = 0; i < 8; ++i) {
                if (kCopySpecial[static_cast<unsigned char>(p[i])])
                    return p + i;
            }
        }
        p += 8;
    }
    while (p < end && !kCopySpecial[static_cast<unsigned char>(*p)])
        ++p;
    return p;
}

char *appendCopyEscape(char *out, char c) {
    *out++ = '\\';
    switch (c) {
    case '\t':
        *out++ = 't';
        break;
    case '\n':
        *out++ = 'n';
        break;
    case '\r':
        *out++ = 'r';
        break;
    default:
        *out++ = c;
    }
    return out;
}

/// Appends `text` escaped for a COPY text column: backslash, tab, newline and carriage return
/// are the bytes COPY gives a meaning to. `out` has room for twice the text.
char *appendCopyEscaped(char *out, std::string_view text) {
    const char *p = text.data();
    const char *const end = p + text.size();
    for (;;) {
        const char *special = findCopySpecial(p, end);
        std::memcpy(out, p, std::size_t(special - p));
        out += special - p;
        if (special == end)
            return out;
        out = appendCopyEscape(out, *special);
        p = special + 1;
    }
}

bool hex4(std::string_view json, std::size_t at, unsigned &out) {
    if (at + 4 > json.size())
        return false;
    out = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
        const char c = json[i];
        unsigned v = 0;
        if (c >= '0' && c <= '9')
            v = unsigned(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = unsigned(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = unsigned(c - 'A' + 10);
        else
            return false;
        out = out * 16 + v;
    }
    return true;
}

enum class JsonEscapeProblem { None, Nul, Surrogate, Invalid };

/// Appends a record's raw JSON escaped for COPY, checking on the way each string escape the
/// way PostgreSQL's jsonb input does: it refuses `\u0000` and unpaired UTF-16 surrogates, and
/// one refused record would fail the whole COPY. The record has been parsed, so a backslash
/// only ever starts an escape inside a string. Returns nullptr and the problem's offset on
/// failure. `out` has room for twice the JSON.
char *appendCopyEscapedJson(char *out, std::string_view json, JsonEscapeProblem &problem,
                            std::size_t &problemAt) {
    const char *p = json.data();
    const char *const end = p + json.size();
    while (p < end) {
        const char *run = p;
        p = findCopySpecial(p, end);
        std::memcpy(out, run, std::size_t(p - run));
        out += p - run;
        if (p == end)
            break;
        if (*p != '\\') {
            out = appendCopyEscape(out, *p++); // whitespace between tokens
            continue;
        }
        const std::size_t at = std::size_t(p - json.data());
        const char e = at + 1 < json.size() ? json[at + 1] : '\0';
        std::size_t length = 2;
        if (e == 'u') {
            unsigned cp = 0;
            problem = JsonEscapeProblem::None;
            if (!hex4(json, at + 2, cp))
                problem = JsonEscapeProblem::Invalid;
            else if (cp == 0)
                problem = JsonEscapeProblem::Nul;
            else if (cp >= 0xDC00 && cp <= 0xDFFF)
                problem = JsonEscapeProblem::Surrogate;
            else if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned low = 0;
                if (at + 7 < json.size() && json[at + 6] == '\\' && json[at + 7] == 'u' &&
                    hex4(json, at + 8, low) && low >= 0xDC00 && low <= 0xDFFF)
                    length = 12;
                else
                    problem = JsonEscapeProblem::Surrogate;
            }
            if (problem != JsonEscapeProblem::None) {
                problemAt = at;
                return nullptr;
            }
            if (length == 2)
                length = 6;
        } else if (!std::strchr("\"\\/bfnrt", e) || e == '\0') {
            problem = JsonEscapeProblem::Invalid;
            problemAt = at;
            return nullptr;
        }
        out = appendCopyEscaped(out, std::string_view(p, length));
        p += length;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Timestamps

char *appendDigits(char *out, qint64 value, int width) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = char('0' + value % 10);
        value /= 10;
    } while (value > 0 || n < width);
    while (n > 0)
        *out++ = digits[--n];
    return out;
}

/// reso::Timestamp::toUtf8() without its allocations, for years from 1 on (the tests check
/// that the two agree): UTC, three fraction digits for whole milliseconds, six otherwise.
char *appendTimestamp(char *out, qint64 usecs) {
    const qint64 days = usecs >= 0 ? usecs / kUsecsPerDay : -((-usecs - 1) / kUsecsPerDay) - 1;
    const qint64 rest = usecs - days * kUsecsPerDay;
    // Howard Hinnant's civil_from_days.
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2);
    const qint64 second = rest / 1'000'000;
    const qint64 fraction = rest % 1'000'000;
    out = appendDigits(out, year, 4);
    *out++ = '-';
    out = appendDigits(out, month, 2);
    *out++ = '-';
    out = appendDigits(out, day, 2);
    *out++ = 'T';
    out = appendDigits(out, second / 3600, 2);
    *out++ = ':';
    out = appendDigits(out, second / 60 % 60, 2);
    *out++ = ':';
    out = appendDigits(out, second % 60, 2);
    *out++ = '.';
    out = fraction % 1000 == 0 ? appendDigits(out, fraction / 1000, 3)
                               : appendDigits(out, fraction, 6);
    *out++ = 'Z';
    return out;
}

// ---------------------------------------------------------------------------------------------
// What to read from a record of each resource, built once.

enum class Kind : quint8 { Text, Integer, Decimal, Boolean, Timestamp, Date, TextArray };

struct SlotSpec {
    QByteArray name;
    Kind kind = Kind::Text;
    int precision = 0;
    int scale = 0;
    QString sqlType;
};

/// Field name -> slot, probed once per field of every record (a Property record has about
/// 110 fields, most of them not columns): open addressing on a cheap hash of the length and
/// the first and last eight bytes, which tells RESO's long shared-prefix names apart.
class FieldIndex {
public:
    void insert(std::string_view name, int slot) {
        std::size_t i = hash(name);
        while (m_entries[i].name)
            i = (i + 1) % kSize;
        m_entries[i] = {name.data(), name.size(), slot};
    }
    int find(std::string_view name) const {
        for (std::size_t i = hash(name);; i = (i + 1) % kSize) {
            const Entry &e = m_entries[i];
            if (!e.name)
                return -1;
            if (e.size == name.size() && std::memcmp(e.name, name.data(), e.size) == 0)
                return e.slot;
        }
    }

private:
    static constexpr std::size_t kSize = 512; // > 8x the slots: misses end at an empty entry
    static std::size_t hash(std::string_view s) {
        quint64 head = 0, tail = 0;
        if (s.size() >= 8) {
            std::memcpy(&head, s.data(), 8);
            std::memcpy(&tail, s.data() + s.size() - 8, 8);
        } else {
            std::memcpy(&head, s.data(), s.size());
        }
        const quint64 h =
            (head * 0x9E3779B97F4A7C15ULL) ^ ((tail + s.size()) * 0xC2B2AE3D27D4EB4FULL);
        return std::size_t(h >> 40) % kSize;
    }
    struct Entry {
        const char *name = nullptr;
        std::size_t size = 0;
        int slot = -1;
    };
    std::array<Entry, kSize> m_entries{};
};

/// The fields a parse reads: the catalog's columns in catalog order, then the key, parent
/// and cursor fields when the catalog lacks them (it has them all today).
struct Plan {
    std::vector<SlotSpec> slots;
    std::size_t columnCount = 0;
    FieldIndex byName; ///< views into slots[].name
    int keySlot = -1;
    int parentSlot = -1;
    int timestampSlot = -1;
    int contractStatusSlot = -1; ///< the local column filled from StandardStatus when absent
    int standardStatusSlot = -1;
    int canViewSlot = -1; ///< MLS Grid's MlgCanView, which is not a column
    QString resourceName;
    QString keyField;
    QString parentField;
    QString timestampField;
};

Kind kindOf(const reso::DdField &field) {
    if (field.isCollection)
        return Kind::TextArray;
    switch (field.type) {
    case FieldType::String:
    case FieldType::Enum:
        return Kind::Text;
    case FieldType::Integer:
        return Kind::Integer;
    case FieldType::Decimal:
        return Kind::Decimal;
    case FieldType::Boolean:
        return Kind::Boolean;
    case FieldType::Timestamp:
        return Kind::Timestamp;
    case FieldType::Date:
        return Kind::Date;
    }
    return Kind::Text;
}

Plan buildPlan(Resource resource) {
    Plan plan;
    const reso::ResourceInfo &info = reso::resourceInfo(resource);
    for (const reso::CatalogColumn &column : reso::FieldCatalog::columns(resource)) {
        plan.slots.push_back({column.field.name.toUtf8(), kindOf(column.field),
                              column.field.precision, column.field.scale, column.sqlType});
    }
    plan.columnCount = plan.slots.size();
    const auto slotFor = [&plan](QLatin1StringView name, Kind kind, bool add) {
        if (name.isEmpty())
            return -1;
        const QByteArrayView wanted(name.data(), name.size());
        for (std::size_t i = 0; i < plan.slots.size(); ++i) {
            if (plan.slots[i].name == wanted)
                return int(i);
        }
        if (!add)
            return -1;
        plan.slots.push_back({wanted.toByteArray(), kind, 0, 0,
                              kind == Kind::Timestamp ? u"timestamptz"_s : u"text"_s});
        return int(plan.slots.size() - 1);
    };
    plan.keySlot = slotFor(info.keyField, Kind::Text, true);
    plan.parentSlot = slotFor(info.parentKeyField, Kind::Text, true);
    plan.timestampSlot = slotFor(info.timestampField, Kind::Timestamp, true);
    plan.canViewSlot = slotFor("MlgCanView"_L1, Kind::Boolean, true);
    plan.contractStatusSlot = slotFor("ContractStatus"_L1, Kind::Text, false);
    if (plan.contractStatusSlot >= 0)
        plan.standardStatusSlot = slotFor("StandardStatus"_L1, Kind::Text, true);
    // Views into the names' heap data, which stays put from here on.
    for (std::size_t i = 0; i < plan.slots.size(); ++i) {
        const QByteArray &name = plan.slots[i].name;
        plan.byName.insert(std::string_view(name.constData(), std::size_t(name.size())), int(i));
    }
    plan.resourceName = QString(info.name);
    plan.keyField = QString(info.keyField);
    plan.parentField = QString(info.parentKeyField);
    plan.timestampField = QString(info.timestampField);
    return plan;
}

const Plan &planFor(Resource resource) {
    static const std::array<Plan, 4> kPlans{
        buildPlan(Resource::Property), buildPlan(Resource::Media),
        buildPlan(Resource::PropertyRooms), buildPlan(Resource::OpenHouse)};
    return kPlans[idx(resource)];
}

/// How big a parse buffer stays: it fits the largest recent input with headroom, so inputs of
/// about the same size never reallocate; after a window of inputs all under half of it (Media
/// pages after Property's, pages after a key sweep's) it shrinks to them. Each worker keeps its
/// buffers, so keeping the largest page ever seen made memory grow with the feed: the more
/// Property pages a run had, the more workers held Property-sized buffers through Media.
class BufferSizing {
public:
    std::size_t capacityFor(std::size_t current, std::size_t needed) {
        if (needed > current) {
            m_seen = 0;
            m_recentMax = 0;
            return std::max(kMinimum, needed + needed / 4);
        }
        m_recentMax = std::max(m_recentMax, needed);
        if (++m_seen < kWindow)
            return current;
        const std::size_t recent = m_recentMax;
        m_seen = 0;
        m_recentMax = 0;
        if (recent >= current / 2 || current <= kMinimum)
            return current;
        return std::max(kMinimum, recent + recent / 4);
    }

private:
    static constexpr std::size_t kMinimum = 64 * 1024;
    static constexpr int kWindow = 8; ///< inputs judged together before shrinking
    std::size_t m_recentMax = 0;
    int m_seen = 0;
};

/// A simdjson parser whose buffers follow BufferSizing.
class SizedParser {
public:
    error_code reserve(std::size_t size) {
        const std::size_t capacity = m_sizing.capacityFor(m_parser.capacity(), size);
        return capacity == m_parser.capacity() ? simdjson::SUCCESS
                                               : m_parser.allocate(capacity, m_parser.max_depth());
    }
    od::parser &parser() { return m_parser; }

private:
    od::parser m_parser;
    BufferSizing m_sizing;
};

/// A reusable copy of the input with the zeroed padding simdjson may read past its end
/// (QByteArray guarantees one byte).
class PaddedBuffer {
public:
    std::string_view load(const char *data, std::size_t size) {
        const std::size_t capacity = m_sizing.capacityFor(m_capacity, size);
        if (capacity != m_capacity) {
            m_data = std::make_unique_for_overwrite<char[]>(capacity + simdjson::SIMDJSON_PADDING);
            m_capacity = capacity;
        }
        std::memcpy(m_data.get(), data, size);
        std::memset(m_data.get() + size, 0, simdjson::SIMDJSON_PADDING);
        return {m_data.get(), size};
    }
    /// The bytes readable from the start of the buffer, padding included.
    std::size_t readable() const { return m_capacity + simdjson::SIMDJSON_PADDING; }

private:
    std::unique_ptr<char[]> m_data;
    std::size_t m_capacity = 0;
    BufferSizing m_sizing;
};

enum class State : quint8 { Absent, Null, Value, Invalid };

/// A top-level member of the record being read: where it starts in the record's JSON (its
/// key's opening quote) and ends (after its value), and its key as jsonb compares it.
struct MemberSpan {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string_view key; ///< unescaped; into the record's buffers, valid until the next record
};

/// jsonb's order of object keys: shorter first, then bytewise (PostgreSQL's
/// lengthCompareJsonbStringValue).
bool beforeInJsonb(const MemberSpan &a, const MemberSpan &b) {
    if (a.key.size() != b.key.size())
        return a.key.size() < b.key.size();
    return a.key < b.key; // char_traits<char> compares as unsigned char, as memcmp does
}

/// A field's converted value during one record. `text` points into the record's simdjson
/// buffers or into `own`; both live until the next record.
struct SlotValue {
    State state = State::Absent;
    std::string_view text;
    std::string own;
    qint64 usecs = 0;
};

} // namespace

/// How a page is read: the page parser walks the top-level object and takes each record's raw
/// bytes (`raw_json()`); a second parser then walks that record, copied into a padded buffer,
/// field by field. The second walk converts the catalog's columns and checks every other value
/// too: simdjson skips what is not read without validating it, and one value jsonb refuses
/// would fail the whole COPY. So a bad record rejects only itself, and a page fails only when
/// its own structure does (cut short, not JSON, not an OData collection).
struct PageParser::Impl {
    SizedParser pageParser;
    SizedParser recordParser;
    PaddedBuffer pageBuffer;
    PaddedBuffer recordBuffer;
    std::vector<SlotValue> slots;
    std::vector<MemberSpan> members;   ///< the current record's top-level members, in order
    const char *recordStart = nullptr; ///< the current record's first byte in recordBuffer
    std::string ordered;               ///< the current record in jsonb's key order
    QStringList reasons;               ///< why the current record is rejected
    std::string_view field;            ///< the record's top-level field being read, for reasons
    bool recordMalformed = false;      ///< simdjson stopped inside the current record
    std::size_t lastCount = 0;         ///< records of the previous page, to reserve
    bool keysOnly = false;             ///< a key sweep's page: take each record's key, nothing else

    bool parsePage(Resource resource, std::string_view json, ParsedPage &page, QString &message);
    void parseRecord(const Plan &plan, std::string_view raw, ParsedPage &page);
    bool takeKey(const Plan &plan, od::object &object, ParsedPage &page, QString &message);
    error_code walkRecord(const Plan &plan, od::document &doc);
    error_code convert(const SlotSpec &spec, SlotValue &slot, od::value &v);
    error_code convertArray(SlotValue &slot, od::value &v);
    error_code validate(od::value &v, int depth);
    error_code checkNumber(std::string_view token, NumberToken &n);
    void fail(std::string_view token, const QString &expected);
    void finishRecord(const Plan &plan, std::string_view raw, ParsedPage &page);
    std::string_view inJsonbKeyOrder(std::string_view raw);
};

namespace {

error_code checkNull(od::value &v) {
    bool isNull = false;
    if (const error_code e = v.is_null().get(isNull))
        return e;
    return isNull ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
}

bool hasNul(std::string_view text) {
    return text.find('\0') != std::string_view::npos;
}

const QString kNoNul = u"text without U+0000 (PostgreSQL text cannot hold it)"_s;

bool validDate(std::string_view text) {
    if (text.size() != 10)
        return false;
    std::array<char16_t, 10> utf16{};
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (static_cast<unsigned char>(text[i]) > 0x7f)
            return false;
        utf16[i] = char16_t(text[i]);
    }
    const auto days = reso::parseDate(QStringView(utf16.data(), qsizetype(utf16.size())));
    return days && *days >= kFirstDay;
}

} // namespace

void PageParser::Impl::fail(std::string_view token, const QString &expected) {
    reasons.append(u"%1 = %2: expected %3"_s.arg(fromUtf8(field), shortened(token), expected));
}

error_code PageParser::Impl::checkNumber(std::string_view token, NumberToken &n) {
    if (!scanNumber(token, n))
        return simdjson::NUMBER_ERROR;
    if (!fitsPostgresNumeric(n))
        fail(token, u"a number PostgreSQL can store (at most %1 digits before the decimal point "
                    "and %2 after)"_s.arg(kNumericMaxDigitsBefore)
                        .arg(kNumericMaxDigitsAfter));
    return simdjson::SUCCESS;
}

/// Walks a value that is not a column: simdjson skips what is not read without validating
/// it, and jsonb would refuse a malformed number or atom (failing the whole COPY).
error_code PageParser::Impl::validate(od::value &v, int depth) {
    if (depth > kMaxDepth)
        return simdjson::DEPTH_ERROR;
    od::json_type type{};
    if (const error_code e = v.type().get(type))
        return e;
    switch (type) {
    case od::json_type::object: {
        od::object object;
        if (const error_code e = v.get_object().get(object))
            return e;
        for (auto result : object) {
            od::field member;
            if (const error_code e = std::move(result).get(member))
                return e;
            if (const error_code e = validate(member.value(), depth + 1))
                return e;
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::array: {
        od::array array;
        if (const error_code e = v.get_array().get(array))
            return e;
        for (auto result : array) {
            od::value element;
            if (const error_code e = std::move(result).get(element))
                return e;
            if (const error_code e = validate(element, depth + 1))
                return e;
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::number: {
        NumberToken n;
        return checkNumber(trimmed(v.raw_json_token()), n);
    }
    case od::json_type::string:
        return simdjson::SUCCESS; // escapes are checked as the raw JSON is copied
    case od::json_type::boolean: {
        bool b = false;
        return v.get_bool().get(b);
    }
    case od::json_type::null:
        return checkNull(v);
    }
    return simdjson::TAPE_ERROR;
}

error_code PageParser::Impl::convertArray(SlotValue &slot, od::value &v) {
    od::array array;
    if (const error_code e = v.get_array().get(array))
        return e;
    slot.own = '{';
    bool first = true;
    for (auto result : array) {
        od::value element;
        if (const error_code e = std::move(result).get(element))
            return e;
        if (!first)
            slot.own += ',';
        first = false;
        od::json_type type{};
        if (const error_code e = element.type().get(type))
            return e;
        const std::string_view token = trimmed(element.raw_json_token());
        switch (type) {
        case od::json_type::string: {
            std::string_view s;
            if (const error_code e = element.get_string().get(s))
                return e;
            if (hasNul(s))
                fail(token, kNoNul);
            db::PgText::appendArrayElement(slot.own, s);
            break;
        }
        case od::json_type::null:
            if (const error_code e = checkNull(element))
                return e;
            slot.own += "NULL";
            break;
        case od::json_type::number: {
            NumberToken n;
            if (const error_code e = checkNumber(token, n))
                return e;
            db::PgText::appendArrayElement(slot.own, token);
            break;
        }
        case od::json_type::boolean: {
            bool b = false;
            if (const error_code e = element.get_bool().get(b))
                return e;
            db::PgText::appendArrayElement(slot.own, b ? "true" : "false");
            break;
        }
        case od::json_type::object:
        case od::json_type::array:
            fail(type == od::json_type::object ? "{…}" : "[…]",
                 u"an array of strings (text[]), not of %1"_s.arg(typeName(type)));
            if (const error_code e = validate(element, 1))
                return e;
            break;
        }
    }
    slot.own += '}';
    slot.text = slot.own;
    return simdjson::SUCCESS;
}

error_code PageParser::Impl::convert(const SlotSpec &spec, SlotValue &slot, od::value &v) {
    od::json_type type{};
    if (const error_code e = v.type().get(type))
        return e;
    if (type == od::json_type::null) {
        slot.state = State::Null;
        slot.text = {};
        return checkNull(v);
    }
    const qsizetype reasonsBefore = reasons.size();
    slot.state = State::Value;
    slot.text = {};
    std::string_view token = trimmed(v.raw_json_token());
    if (type == od::json_type::object || type == od::json_type::array)
        token = type == od::json_type::object ? "{…}" : "[…]";
    const auto wrongType = [&](const QString &expected) {
        fail(token, expected);
        slot.state = State::Invalid;
        return validate(v, 1);
    };
    error_code e = simdjson::SUCCESS;
    switch (spec.kind) {
    case Kind::Text:
        switch (type) {
        case od::json_type::string:
            e = v.get_string().get(slot.text);
            if (!e && hasNul(slot.text))
                fail(token, kNoNul);
            break;
        case od::json_type::number: {
            NumberToken n;
            e = checkNumber(token, n);
            slot.text = token;
            break;
        }
        case od::json_type::boolean: {
            bool b = false;
            e = v.get_bool().get(b);
            slot.text = b ? "true" : "false";
            break;
        }
        default:
            return wrongType(u"a string for %1 (%2 given)"_s.arg(spec.sqlType, typeName(type)));
        }
        break;
    case Kind::Integer: {
        if (type != od::json_type::number)
            return wrongType(u"a whole JSON number for bigint (%1 given)"_s.arg(typeName(type)));
        NumberToken n;
        if ((e = checkNumber(token, n)))
            return e;
        qint64 value = 0;
        if (reasons.size() > reasonsBefore) {
            // out of PostgreSQL's range altogether: said already
        } else if (n.hasFraction || n.hasExponent) {
            fail(token, u"a whole number without fraction or exponent (bigint)"_s);
        } else if (std::from_chars(token.data(), token.data() + token.size(), value).ec !=
                   std::errc()) {
            fail(token, u"a whole number within 64 bits (bigint)"_s);
        }
        slot.text = token;
        break;
    }
    case Kind::Decimal: {
        if (type != od::json_type::number)
            return wrongType(
                u"a JSON number for %1 (%2 given)"_s.arg(spec.sqlType, typeName(type)));
        NumberToken n;
        if ((e = checkNumber(token, n)))
            return e;
        if (reasons.size() == reasonsBefore && !fitsDecimal(n, spec.precision, spec.scale)) {
            fail(token, u"at most %1 digits before the decimal point (%2)"_s
                            .arg(spec.precision - spec.scale)
                            .arg(spec.sqlType));
        }
        slot.text = token;
        break;
    }
    case Kind::Boolean: {
        if (type != od::json_type::boolean)
            return wrongType(u"true or false (%1 given)"_s.arg(typeName(type)));
        bool b = false;
        e = v.get_bool().get(b);
        slot.text = b ? "t" : "f";
        break;
    }
    case Kind::Timestamp: {
        if (type != od::json_type::string)
            return wrongType(u"an Edm.DateTimeOffset string (%1 given)"_s.arg(typeName(type)));
        std::string_view s;
        if ((e = v.get_string().get(s)))
            return e;
        const auto ts = reso::Timestamp::parse(QByteArrayView(s.data(), qsizetype(s.size())));
        if (!ts || ts->usecs() < kFirstDay * kUsecsPerDay) {
            fail(token, u"an Edm.DateTimeOffset such as 2024-05-21T06:28:34.123Z"_s);
        } else {
            slot.usecs = ts->usecs();
            slot.own.resize(40);
            const char *end = appendTimestamp(slot.own.data(), slot.usecs);
            slot.own.resize(std::size_t(end - slot.own.data()));
            slot.text = slot.own;
        }
        break;
    }
    case Kind::Date: {
        if (type != od::json_type::string)
            return wrongType(u"an Edm.Date string (%1 given)"_s.arg(typeName(type)));
        if ((e = v.get_string().get(slot.text)))
            return e;
        if (!validDate(slot.text))
            fail(token, u"an Edm.Date such as 2024-05-21"_s);
        break;
    }
    case Kind::TextArray:
        if (type == od::json_type::array) {
            e = convertArray(slot, v);
        } else if (type == od::json_type::string) {
            // Older RESO feeds send collections as one comma-separated string.
            std::string_view s;
            if ((e = v.get_string().get(s)))
                return e;
            if (hasNul(s))
                fail(token, kNoNul);
            slot.own = '{';
            bool first = true;
            std::size_t start = 0;
            while (start <= s.size()) {
                std::size_t comma = s.find(',', start);
                if (comma == std::string_view::npos)
                    comma = s.size();
                std::string_view part = s.substr(start, comma - start);
                while (!part.empty() && part.front() == ' ')
                    part.remove_prefix(1);
                while (!part.empty() && part.back() == ' ')
                    part.remove_suffix(1);
                if (!part.empty()) {
                    if (!first)
                        slot.own += ',';
                    first = false;
                    db::PgText::appendArrayElement(slot.own, part);
                }
                start = comma + 1;
            }
            slot.own += '}';
            slot.text = slot.own;
        } else {
            return wrongType(
                u"an array of strings for %1 (%2 given)"_s.arg(spec.sqlType, typeName(type)));
        }
        break;
    }
    if (reasons.size() > reasonsBefore)
        slot.state = State::Invalid;
    return e;
}

error_code PageParser::Impl::walkRecord(const Plan &plan, od::document &doc) {
    od::object object;
    if (const error_code e = doc.get_object().get(object))
        return e;
    for (auto result : object) {
        od::field member;
        if (const error_code e = std::move(result).get(member))
            return e;
        // The key as it stands in the JSON, unless it holds an escape (stage 1 found its
        // closing quote, so the scan ends there).
        const char *const keyStart = member.key().raw();
        const char *keyEnd = keyStart;
        while (*keyEnd != '"' && *keyEnd != '\\')
            ++keyEnd;
        std::string_view key(keyStart, std::size_t(keyEnd - keyStart));
        if (*keyEnd == '\\') {
            if (const error_code e = member.unescaped_key().get(key))
                return e;
        }
        field = key;
        members.push_back({std::size_t(keyStart - 1 - recordStart), 0, key});
        const int slot = plan.byName.find(key);
        // A field named twice: the last one wins, as it does in jsonb.
        const error_code e = slot < 0 ? validate(member.value(), 1)
                                      : convert(plan.slots[std::size_t(slot)],
                                                slots[std::size_t(slot)], member.value());
        if (e)
            return e;
    }
    return simdjson::SUCCESS;
}

void PageParser::Impl::parseRecord(const Plan &plan, std::string_view raw, ParsedPage &page) {
    reasons.clear();
    field = {};
    for (std::size_t i = 0; i < plan.slots.size(); ++i) {
        slots[i].state = State::Absent;
        slots[i].text = {};
    }
    const std::string_view copy = recordBuffer.load(raw.data(), raw.size());
    recordStart = copy.data();
    members.clear();
    od::document doc;
    error_code e = recordParser.reserve(copy.size());
    if (!e)
        e = recordParser.parser()
                .iterate(copy.data(), copy.size(), recordBuffer.readable())
                .get(doc);
    if (!e)
        e = walkRecord(plan, doc);
    recordMalformed = e != simdjson::SUCCESS;
    if (recordMalformed) {
        // Only the first error is certain: simdjson stops at it.
        reasons.clear();
        reasons.append(field.empty()
                           ? u"the record is not valid JSON (%1)"_s.arg(
                                 QLatin1StringView(simdjson::error_message(e)))
                           : u"the record is not valid JSON at field %1 (%2)"_s.arg(
                                 fromUtf8(field), QLatin1StringView(simdjson::error_message(e))));
    }
    finishRecord(plan, raw, page);
}

/// The record with its top-level members in jsonb's key order, each member's bytes as received
/// (nested objects untouched): PostgreSQL sorts the keys of every jsonb it reads, and given
/// them in order its sort only confirms that (a tenth of its CPU on a Media load otherwise).
/// A key given twice keeps its order, so the last one still wins in jsonb. Called only for a
/// record whose walk succeeded, so between members there are only whitespace and a comma.
std::string_view PageParser::Impl::inJsonbKeyOrder(std::string_view raw) {
    if (members.size() < 2)
        return raw;
    const auto backOverSpace = [raw](std::size_t at) {
        while (at > 0 && isJsonSpace(raw[at - 1]))
            --at;
        return at;
    };
    const std::size_t closingBrace = raw.rfind('}');
    for (std::size_t i = 0; i < members.size(); ++i) {
        const bool last = i + 1 == members.size();
        std::size_t end = backOverSpace(last ? closingBrace : members[i + 1].begin);
        if (!last)
            end = backOverSpace(end - 1); // the comma
        members[i].end = end;
    }
    if (std::is_sorted(members.cbegin(), members.cend(), beforeInJsonb))
        return raw;
    std::stable_sort(members.begin(), members.end(), beforeInJsonb);
    ordered.clear();
    ordered.reserve(raw.size());
    ordered += '{';
    for (const MemberSpan &member : members) {
        if (ordered.size() > 1)
            ordered += ',';
        ordered.append(raw.substr(member.begin, member.end - member.begin));
    }
    ordered += '}';
    return ordered;
}

void PageParser::Impl::finishRecord(const Plan &plan, std::string_view raw, ParsedPage &page) {
    const bool walked = !recordMalformed;
    const auto required = [&](int slotIndex, const QString &name, const QString &why) {
        const SlotValue &slot = slots[std::size_t(slotIndex)];
        if (slot.state == State::Invalid || (slot.state == State::Value && !slot.text.empty()))
            return;
        const QString what = slot.state == State::Absent ? u"missing"_s
                             : slot.state == State::Null ? u"null"_s
                                                         : u"empty"_s;
        reasons.append(u"%1 is %2: %3"_s.arg(name, what, why));
    };
    if (walked) {
        if (plan.contractStatusSlot >= 0 && plan.standardStatusSlot >= 0) {
            SlotValue &contract = slots[std::size_t(plan.contractStatusSlot)];
            const SlotValue &standard = slots[std::size_t(plan.standardStatusSlot)];
            if ((contract.state == State::Absent || contract.state == State::Null) &&
                standard.state == State::Value) {
                contract.state = State::Value;
                contract.text = standard.text;
            }
        }
        required(plan.keySlot, plan.keyField,
                 u"every %1 record needs its key"_s.arg(plan.resourceName));
        if (plan.parentSlot >= 0) {
            required(plan.parentSlot, plan.parentField,
                     u"a %1 record names its listing there"_s.arg(plan.resourceName));
        }
        required(plan.timestampSlot, plan.timestampField,
                 u"replication orders and merges records by it"_s);
    }
    // Known when read, even if the record went wrong after it.
    const SlotValue &key = slots[std::size_t(plan.keySlot)];
    const bool keyKnown = key.state == State::Value && !key.text.empty();

    if (reasons.isEmpty()) {
        std::size_t bound = 2 * raw.size() + 1;
        for (std::size_t i = 0; i < plan.columnCount; ++i)
            bound += 2 * slots[i].text.size() + 3;
        // Written in place at the worst-case size, then shrunk (realloc shrinks in place).
        QByteArray line(qsizetype(bound), Qt::Uninitialized);
        char *const begin = line.data();
        char *out = begin;
        for (std::size_t i = 0; i < plan.columnCount; ++i) {
            const SlotValue &slot = slots[i];
            if (slot.state == State::Value) {
                out = appendCopyEscaped(out, slot.text);
            } else {
                *out++ = '\\';
                *out++ = 'N';
            }
            *out++ = '\t';
        }
        JsonEscapeProblem problem = JsonEscapeProblem::None;
        std::size_t problemAt = 0;
        const std::string_view json = inJsonbKeyOrder(raw);
        out = appendCopyEscapedJson(out, json, problem, problemAt);
        if (out) {
            ParsedRecord record;
            record.key = QByteArray(key.text.data(), qsizetype(key.text.size()));
            if (plan.parentSlot >= 0) {
                const SlotValue &parent = slots[std::size_t(plan.parentSlot)];
                record.parentKey = QByteArray(parent.text.data(), qsizetype(parent.text.size()));
            }
            record.modifiedUsecs = slots[std::size_t(plan.timestampSlot)].usecs;
            const SlotValue &canView = slots[std::size_t(plan.canViewSlot)];
            record.withdrawn = canView.state == State::Value && canView.text == "f";
            line.resize(out - begin);
            line.squeeze();
            record.copyLine = std::move(line);
            page.records.push_back(std::move(record));
            return;
        }
        // Say where the escape stands in the record as received (the line is scrap now and
        // has room for it).
        if (json.data() != raw.data())
            appendCopyEscapedJson(begin, raw, problem, problemAt);
        const std::size_t from = problemAt > 40 ? problemAt - 40 : 0;
        const QString context = shortened(raw.substr(from, 60));
        switch (problem) {
        case JsonEscapeProblem::Nul:
            reasons.append(u"the record holds the escape \\u0000 (U+0000, which PostgreSQL's jsonb "
                           "cannot store) at byte %1: …%2"_s.arg(problemAt)
                               .arg(context));
            break;
        case JsonEscapeProblem::Surrogate:
            reasons.append(u"the record holds an unpaired UTF-16 surrogate escape (which "
                           "PostgreSQL's jsonb refuses) at byte %1: …%2"_s.arg(problemAt)
                               .arg(context));
            break;
        case JsonEscapeProblem::Invalid:
        case JsonEscapeProblem::None:
            reasons.append(
                u"the record holds an invalid string escape at byte %1: …%2"_s.arg(problemAt).arg(
                    context));
            break;
        }
    }
    RejectedRecord reject;
    if (keyKnown)
        reject.key = QByteArray(key.text.data(), qsizetype(key.text.size()));
    reject.reason = reasons.join(u"; "_s);
    reject.payload = QByteArray(raw.data(), qsizetype(raw.size()));
    page.rejects.push_back(std::move(reject));
}

namespace {

/// A string or other scalar as text, for error bodies.
QString scalarText(od::value &v) {
    od::json_type type{};
    if (v.type().get(type))
        return {};
    if (type == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s))
            return {};
        return fromUtf8(s);
    }
    if (type == od::json_type::object) {
        // OData v3 style: "message": {"lang": "en", "value": "..."}
        od::object object;
        if (v.get_object().get(object))
            return {};
        for (auto result : object) {
            od::field member;
            if (std::move(result).get(member))
                return {};
            if (member.key() == "value")
                return scalarText(member.value());
        }
        return {};
    }
    return fromUtf8(trimmed(v.raw_json_token()));
}

QString odataErrorMessage(od::value &v) {
    QString code;
    QString message;
    od::object object;
    if (!v.get_object().get(object)) {
        for (auto result : object) {
            od::field member;
            if (std::move(result).get(member))
                break;
            if (member.key() == "code")
                code = scalarText(member.value());
            else if (member.key() == "message")
                message = scalarText(member.value());
        }
    }
    return u"the server answered with an OData error instead of records: code %1: %2"_s.arg(
        code.isEmpty() ? u"(none)"_s : shortened(code.toStdString()),
        message.isEmpty() ? u"(no message)"_s : shortened(message.toStdString()));
}

} // namespace

bool PageParser::Impl::takeKey(const Plan &plan, od::object &object, ParsedPage &page,
                               QString &message) {
    const std::string name = plan.keyField.toStdString();
    std::string_view key;
    od::value value;
    error_code e = object.find_field_unordered(name).get(value);
    if (!e)
        e = value.get_string().get(key);
    if (e || key.empty()) {
        message = u"a record of the key list has no %1 string (%2): the list cannot be trusted "
                  "to be complete"_s.arg(plan.keyField, QLatin1StringView(simdjson::error_message(
                                                            e ? e : simdjson::INCORRECT_TYPE)));
        return false;
    }
    ParsedRecord record;
    record.key = db::PgText::validText(QByteArrayView(key.data(), qsizetype(key.size())));
    db::PgText::appendCopyEscaped(record.copyLine, record.key);
    page.records.push_back(std::move(record));
    return true;
}

bool PageParser::Impl::parsePage(Resource resource, std::string_view json, ParsedPage &page,
                                 QString &message) {
    const Plan &plan = planFor(resource);
    if (slots.size() < plan.slots.size())
        slots.resize(plan.slots.size());

    const auto malformed = [&](error_code e) {
        const std::string_view tail = json.substr(json.size() > 40 ? json.size() - 40 : 0);
        message = u"the response was cut short or is malformed JSON (%1 bytes, ending with "
                  "\"%2\"): %3"_s.arg(json.size())
                      .arg(shortened(tail), QLatin1StringView(simdjson::error_message(e)));
        return false;
    };

    od::document doc;
    if (const error_code e = pageParser.reserve(json.size())) {
        message = u"no memory to parse a page of %1 bytes (%2)"_s.arg(json.size())
                      .arg(QLatin1StringView(simdjson::error_message(e)));
        return false;
    }
    if (const error_code e =
            pageParser.parser().iterate(json.data(), json.size(), pageBuffer.readable()).get(doc))
        return malformed(e);
    od::json_type type{};
    if (const error_code e = doc.type().get(type))
        return malformed(e);
    if (type != od::json_type::object) {
        message = u"the response is %1, not an OData object with a \"value\" array"_s.arg(
            type == od::json_type::array ? u"a JSON array"_s : u"a single JSON value"_s);
        return false;
    }
    od::object top;
    if (const error_code e = doc.get_object().get(top))
        return malformed(e);

    bool sawValue = false;
    for (auto result : top) {
        od::field member;
        if (const error_code e = std::move(result).get(member))
            return malformed(e);
        std::string_view key;
        if (const error_code e = member.unescaped_key().get(key))
            return malformed(e);
        od::value &v = member.value();
        if (key == "value") {
            od::json_type valueType{};
            if (const error_code e = v.type().get(valueType))
                return malformed(e);
            if (valueType != od::json_type::array) {
                message = u"\"value\" is %1, not an array of records"_s.arg(typeName(valueType));
                return false;
            }
            sawValue = true;
            od::array records;
            if (const error_code e = v.get_array().get(records))
                return malformed(e);
            for (auto element : records) {
                od::value record;
                if (const error_code e = std::move(element).get(record))
                    return malformed(e);
                od::json_type recordType{};
                if (const error_code e = record.type().get(recordType))
                    return malformed(e);
                std::string_view raw;
                if (recordType == od::json_type::object) {
                    od::object object;
                    if (const error_code e = record.get_object().get(object))
                        return malformed(e);
                    if (keysOnly) {
                        if (!takeKey(plan, object, page, message))
                            return false;
                        continue;
                    }
                    if (const error_code e = object.raw_json().get(raw))
                        return malformed(e);
                    parseRecord(plan, trimmed(raw), page);
                    continue;
                }
                if (recordType == od::json_type::array) {
                    od::array array;
                    if (const error_code e = record.get_array().get(array))
                        return malformed(e);
                    if (const error_code e = array.raw_json().get(raw))
                        return malformed(e);
                } else {
                    raw = record.raw_json_token();
                }
                raw = trimmed(raw);
                RejectedRecord reject;
                reject.reason = u"the record is %1, not a JSON object: %2"_s.arg(
                    typeName(recordType), shortened(raw));
                reject.payload = QByteArray(raw.data(), qsizetype(raw.size()));
                page.rejects.push_back(std::move(reject));
            }
        } else if (key == "@odata.nextLink") {
            od::json_type linkType{};
            if (const error_code e = v.type().get(linkType))
                return malformed(e);
            if (linkType == od::json_type::null)
                continue;
            std::string_view link;
            if (linkType != od::json_type::string || v.get_string().get(link)) {
                message = u"@odata.nextLink is %1, not a URL string"_s.arg(typeName(linkType));
                return false;
            }
            page.nextLink = QByteArray(link.data(), qsizetype(link.size()));
        } else if (key == "@odata.count") {
            od::json_type countType{};
            if (const error_code e = v.type().get(countType))
                return malformed(e);
            std::string_view text;
            if (countType == od::json_type::number) {
                text = trimmed(v.raw_json_token());
            } else if (countType == od::json_type::string) {
                // IEEE754Compatible=true sends 64-bit numbers as strings.
                if (const error_code e = v.get_string().get(text))
                    return malformed(e);
            }
            qint64 count = -1;
            if (!text.empty() &&
                std::from_chars(text.data(), text.data() + text.size(), count).ptr ==
                    text.data() + text.size() &&
                count >= 0) {
                page.count = count;
            }
        } else if (key == "error") {
            message = odataErrorMessage(v);
            return false;
        }
    }
    // Iteration stops at the object's end: anything after it is not part of one JSON value.
    const char *after = nullptr;
    if (!doc.current_location().get(after) && after < json.data() + json.size())
        return malformed(simdjson::TRAILING_CONTENT);
    if (!sawValue) {
        message = u"the response has no \"value\" array: it is not an OData collection page"_s;
        return false;
    }
    lastCount = page.records.size() + page.rejects.size();
    return true;
}

PageParser::PageParser()
    : d(std::make_unique<Impl>()) {}

PageParser::~PageParser() = default;

bool PageParser::parse(Resource resource, const QByteArray &body, ParsedPage *page,
                       PageError *error) {
    page->resource = resource;
    page->records.clear();
    page->rejects.clear();
    page->withdrawn.clear();
    page->nextLink.clear();
    page->count = -1;
    page->bytes = body.size();
    page->records.reserve(d->lastCount);

    QString message;
    std::string_view json(body.constData(), std::size_t(body.size()));
    if (json.substr(0, 3) == "\xEF\xBB\xBF")
        json.remove_prefix(3); // a UTF-8 byte order mark, which some servers send
    std::size_t first = 0;
    while (first < json.size() && isJsonSpace(json[first]))
        ++first;
    if (first == json.size()) {
        message = body.isEmpty() ? u"the response body is empty"_s
                                 : u"the response body is only whitespace"_s;
    } else if (json[first] == '<') {
        message = u"the response is not JSON (it looks like an HTML page: %1)"_s.arg(
            shortened(json.substr(first)));
    } else if (!std::strchr("{[\"-0123456789tfn", json[first])) {
        message =
            u"the response is not JSON (it starts with: %1)"_s.arg(shortened(json.substr(first)));
    } else {
        const std::string_view padded = d->pageBuffer.load(json.data(), json.size());
        if (d->parsePage(resource, padded, *page, message))
            return true;
    }
    page->records.clear();
    page->rejects.clear();
    page->nextLink.clear();
    page->count = -1;
    if (error)
        error->message = message;
    return false;
}

bool PageParser::parseKeys(Resource resource, const QByteArray &body, ParsedPage *page,
                           PageError *error) {
    d->keysOnly = true;
    const bool ok = parse(resource, body, page, error);
    d->keysOnly = false;
    if (ok && !page->rejects.empty()) {
        // A record that is not an object: the list has a hole where a key should be.
        if (error)
            error->message =
                u"the key list holds an entry without a key: "_s + page->rejects.front().reason;
        page->records.clear();
        page->rejects.clear();
        page->nextLink.clear();
        return false;
    }
    return ok;
}

} // namespace resosync::sync
