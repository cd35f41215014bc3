#include "sim/ODataFilter.h"

#include <QSet>

#include <algorithm>
#include <compare>
#include <vector>

using namespace Qt::StringLiterals;

namespace resosync::sim {

namespace detail {

enum class LiteralKind { Null, Boolean, Number, String, Timestamp, Date };

// Typed once at parse time: matching runs over half a million records per request, so the
// hot path must never look at literal text again.
struct Literal {
    LiteralKind kind = LiteralKind::Null;
    bool boolean = false;
    double number = 0;
    qint64 integer = 0; // microseconds for a Timestamp, days for a Date
    QString string;
    QString text; // what requiredValues() reports
};

enum class CompareOp { Eq, Ne, Gt, Ge, Lt, Le };
enum class NodeKind { And, Or, Not, Compare, In };

// `and`/`or` chains are flattened into one node with many children, so a long flat filter
// (a thousand `or` terms) never makes the tree, and thus evaluation, deep.
struct FilterNode {
    NodeKind kind = NodeKind::Compare;
    std::vector<std::unique_ptr<FilterNode>> children;
    QString field;
    CompareOp op = CompareOp::Eq;
    std::vector<Literal> literals; // one for Compare, one or more for In
    // An `in` of string literals only (a child batch's hundreds of parent keys), for lookup
    // by hash: evaluating it literal by literal was the simulator's largest cost per request.
    QSet<QString> stringSet;
};

} // namespace detail

namespace {

using detail::CompareOp;
using detail::FilterNode;
using detail::Literal;
using detail::LiteralKind;
using detail::NodeKind;
using reso::FieldType;

// Parentheses and `not` recurse; the cap turns a hostile filter into a 400, not a crash.
constexpr int kMaxDepth = 100;
// Error messages quote the offending token, but a megabyte of it helps nobody.
constexpr qsizetype kMaxQuoted = 40;

// ---------------------------------------------------------------------------------------------
// Lexer

enum class TokenKind { End, LParen, RParen, Comma, Word, Literal, Invalid };

struct Token {
    TokenKind kind = TokenKind::End;
    qsizetype pos = 0;
    QStringView text;
    Literal literal;
};

QString position(qsizetype pos) {
    return QString::number(pos + 1);
}

QString quoted(QStringView text) {
    if (text.size() <= kMaxQuoted)
        return u'\'' + text.toString() + u'\'';
    return u'\'' + text.first(kMaxQuoted).toString() + u"...'"_s;
}

QString describeChar(QChar c) {
    if (c.unicode() > 0x20 && c.unicode() < 0x7f)
        return u'\'' + QString(c) + u'\'';
    return u"U+"_s + QString::number(c.unicode(), 16).toUpper().rightJustified(4, u'0');
}

bool isDigit(QChar c) {
    return c >= u'0' && c <= u'9';
}

bool isIdentifierStart(QChar c) {
    return c == u'_' || c.isLetter();
}

bool isIdentifierPart(QChar c) {
    return c == u'_' || c.isLetterOrNumber();
}

// Bare literals (numbers, dates, timestamps) are scanned as one run and classified after, so
// `2024-01-01T00:00:00+02:00` is one token rather than a subtraction puzzle.
bool isBareLiteralPart(QChar c) {
    return c.unicode() < 0x80 &&
           (c.isLetterOrNumber() || c == u'.' || c == u':' || c == u'+' || c == u'-');
}

qsizetype skipDigits(QStringView s, qsizetype i) {
    while (i < s.size() && isDigit(s[i]))
        ++i;
    return i;
}

// OData's decimalValue / doubleValue without INF and NaN: -?D+(.D+)?([eE][+-]?D+)?
bool isNumberSyntax(QStringView s) {
    qsizetype i = !s.isEmpty() && s[0] == u'-' ? 1 : 0;
    qsizetype end = skipDigits(s, i);
    if (end == i)
        return false;
    if (end < s.size() && s[end] == u'.') {
        i = end + 1;
        if ((end = skipDigits(s, i)) == i)
            return false;
    }
    if (end < s.size() && (s[end] == u'e' || s[end] == u'E')) {
        i = end + 1;
        if (i < s.size() && (s[i] == u'+' || s[i] == u'-'))
            ++i;
        if ((end = skipDigits(s, i)) == i)
            return false;
    }
    return end == s.size();
}

class Lexer {
public:
    explicit Lexer(QStringView text)
        : m_text(text) {}

    Token next();
    const QString &error() const { return m_error; }

private:
    Token single(TokenKind kind);
    Token stringLiteral();
    Token word();
    Token bareLiteral();
    std::optional<Literal> classify(QStringView text, qsizetype pos);
    Token invalid(qsizetype pos, const QString &message);

    QStringView m_text;
    qsizetype m_pos = 0;
    QString m_error;
};

Token Lexer::next() {
    while (m_pos < m_text.size() && (m_text[m_pos] == u' ' || m_text[m_pos] == u'\t'))
        ++m_pos;
    if (m_pos >= m_text.size())
        return {TokenKind::End, m_pos, {}, {}};
    const QChar c = m_text[m_pos];
    if (c == u'(')
        return single(TokenKind::LParen);
    if (c == u')')
        return single(TokenKind::RParen);
    if (c == u',')
        return single(TokenKind::Comma);
    if (c == u'\'')
        return stringLiteral();
    if (isIdentifierStart(c))
        return word();
    if (isDigit(c) || (c == u'-' && m_pos + 1 < m_text.size() && isDigit(m_text[m_pos + 1])))
        return bareLiteral();
    return invalid(m_pos, u"unexpected character "_s + describeChar(c));
}

Token Lexer::single(TokenKind kind) {
    const qsizetype pos = m_pos++;
    return {kind, pos, m_text.sliced(pos, 1), {}};
}

Token Lexer::stringLiteral() {
    const qsizetype start = m_pos++;
    Literal literal;
    literal.kind = LiteralKind::String;
    while (m_pos < m_text.size()) {
        const qsizetype quote = m_text.indexOf(u'\'', m_pos);
        if (quote < 0)
            break;
        literal.string += m_text.sliced(m_pos, quote - m_pos);
        m_pos = quote + 1;
        if (m_pos < m_text.size() && m_text[m_pos] == u'\'') {
            literal.string += u'\'';
            ++m_pos;
            continue;
        }
        literal.text = literal.string;
        return {TokenKind::Literal, start, m_text.sliced(start, m_pos - start), literal};
    }
    return invalid(start, u"unterminated string literal: expected a closing ' but found end of "
                          u"filter"_s);
}

Token Lexer::word() {
    const qsizetype start = m_pos;
    while (m_pos < m_text.size() && isIdentifierPart(m_text[m_pos]))
        ++m_pos;
    return {TokenKind::Word, start, m_text.sliced(start, m_pos - start), {}};
}

Token Lexer::bareLiteral() {
    const qsizetype start = m_pos++;
    while (m_pos < m_text.size() && isBareLiteralPart(m_text[m_pos]))
        ++m_pos;
    const QStringView text = m_text.sliced(start, m_pos - start);
    std::optional<Literal> literal = classify(text, start);
    if (!literal)
        return {TokenKind::Invalid, start, text, {}};
    return {TokenKind::Literal, start, text, std::move(*literal)};
}

std::optional<Literal> Lexer::classify(QStringView text, qsizetype pos) {
    Literal literal;
    literal.text = text.toString();
    if (isNumberSyntax(text)) {
        bool ok = false;
        literal.kind = LiteralKind::Number;
        literal.number = text.toDouble(&ok);
        if (ok)
            return literal;
        invalid(pos, u"number "_s + quoted(text) + u" is out of range"_s);
        return std::nullopt;
    }
    if (text.size() > 10 && text[10] == u'T') {
        if (const auto timestamp = reso::Timestamp::parse(text)) {
            literal.kind = LiteralKind::Timestamp;
            literal.integer = timestamp->usecs();
            literal.text = timestamp->toString();
            return literal;
        }
        invalid(pos, u"invalid Edm.DateTimeOffset literal "_s + quoted(text));
        return std::nullopt;
    }
    if (text.size() == 10 && text[4] == u'-' && text[7] == u'-') {
        if (const auto days = reso::parseDate(text)) {
            literal.kind = LiteralKind::Date;
            literal.integer = *days;
            return literal;
        }
        invalid(pos, u"invalid Edm.Date literal "_s + quoted(text));
        return std::nullopt;
    }
    invalid(pos, u"invalid literal "_s + quoted(text) +
                     u": expected a number, an Edm.Date or an "
                     u"Edm.DateTimeOffset"_s);
    return std::nullopt;
}

// After one bad token nothing that follows can be trusted, so the lexer reports end of input
// from then on; the parser keeps the first error.
Token Lexer::invalid(qsizetype pos, const QString &message) {
    m_error = u"syntax error at position "_s + position(pos) + u": "_s + message;
    m_pos = m_text.size();
    return {TokenKind::Invalid, pos, {}, {}};
}

// ---------------------------------------------------------------------------------------------
// Parser

std::optional<CompareOp> comparisonOperator(QStringView word) {
    static constexpr std::pair<QStringView, CompareOp> kOperators[] = {
        {u"eq", CompareOp::Eq}, {u"ne", CompareOp::Ne}, {u"gt", CompareOp::Gt},
        {u"ge", CompareOp::Ge}, {u"lt", CompareOp::Lt}, {u"le", CompareOp::Le}};
    for (const auto &[name, op] : kOperators) {
        if (word == name)
            return op;
    }
    return std::nullopt;
}

// `5 lt BedroomsTotal` is stored as `BedroomsTotal gt 5`, so evaluation has one shape only.
CompareOp mirrored(CompareOp op) {
    switch (op) {
    case CompareOp::Gt:
        return CompareOp::Lt;
    case CompareOp::Ge:
        return CompareOp::Le;
    case CompareOp::Lt:
        return CompareOp::Gt;
    case CompareOp::Le:
        return CompareOp::Ge;
    case CompareOp::Eq:
    case CompareOp::Ne:
        break;
    }
    return op;
}

bool isReservedWord(QStringView word) {
    return word == u"and" || word == u"or" || word == u"not" || word == u"in" ||
           comparisonOperator(word).has_value();
}

std::optional<Literal> keywordLiteral(QStringView word) {
    Literal literal;
    literal.text = word.toString();
    if (word == u"null")
        return literal;
    literal.kind = LiteralKind::Boolean;
    literal.boolean = word == u"true";
    if (literal.boolean || word == u"false")
        return literal;
    return std::nullopt;
}

QString edmName(FieldType type) {
    switch (type) {
    case FieldType::String:
        return u"Edm.String"_s;
    case FieldType::Integer:
        return u"Edm.Int64"_s;
    case FieldType::Decimal:
        return u"Edm.Decimal"_s;
    case FieldType::Boolean:
        return u"Edm.Boolean"_s;
    case FieldType::Timestamp:
        return u"Edm.DateTimeOffset"_s;
    case FieldType::Date:
        return u"Edm.Date"_s;
    case FieldType::Enum:
        return u"an enumeration (compared as Edm.String)"_s;
    }
    return {};
}

QString edmName(LiteralKind kind) {
    switch (kind) {
    case LiteralKind::Null:
        return u"null"_s;
    case LiteralKind::Boolean:
        return u"Edm.Boolean"_s;
    case LiteralKind::Number:
        return u"numeric"_s;
    case LiteralKind::String:
        return u"Edm.String"_s;
    case LiteralKind::Timestamp:
        return u"Edm.DateTimeOffset"_s;
    case LiteralKind::Date:
        return u"Edm.Date"_s;
    }
    return {};
}

bool compatible(FieldType type, LiteralKind kind) {
    if (kind == LiteralKind::Null)
        return true;
    switch (type) {
    case FieldType::String:
    case FieldType::Enum:
        return kind == LiteralKind::String;
    case FieldType::Integer:
    case FieldType::Decimal:
        return kind == LiteralKind::Number;
    case FieldType::Boolean:
        return kind == LiteralKind::Boolean;
    case FieldType::Timestamp:
        return kind == LiteralKind::Timestamp;
    case FieldType::Date:
        return kind == LiteralKind::Date;
    }
    return false;
}

// One side of a comparison: a property of the schema or a typed literal.
struct Operand {
    qsizetype pos = 0;
    QStringView text;
    bool isField = false;
    FieldType type = FieldType::String;
    Literal literal;
};

class Parser {
public:
    Parser(QStringView text, const FilterSchema &schema)
        : m_lexer(text)
        , m_schema(schema) {}

    std::unique_ptr<FilterNode> parseFilter();
    const QString &error() const { return m_error; }

private:
    using Rule = std::unique_ptr<FilterNode> (Parser::*)();

    std::unique_ptr<FilterNode> parseChain(NodeKind kind, QStringView keyword, Rule next);
    std::unique_ptr<FilterNode> parseOr() {
        return parseChain(NodeKind::Or, u"or", &Parser::parseAnd);
    }
    std::unique_ptr<FilterNode> parseAnd() {
        return parseChain(NodeKind::And, u"and", &Parser::parseUnary);
    }
    std::unique_ptr<FilterNode> parseUnary();
    std::unique_ptr<FilterNode> parseNested(Rule rule);
    std::unique_ptr<FilterNode> parseNot();
    std::unique_ptr<FilterNode> parseParenthesised();
    std::unique_ptr<FilterNode> parseComparison();
    std::unique_ptr<FilterNode> parseIn(const Operand &field);
    std::unique_ptr<FilterNode> makeComparison(const Operand &lhs, CompareOp op,
                                               const Operand &rhs);
    std::optional<Operand> parseOperand();
    std::optional<Operand> parseLiteral(const QString &what);
    std::optional<Operand> parseField();
    bool checkType(const Operand &field, const Operand &value);

    bool atWord(QStringView word) const {
        return m_token.kind == TokenKind::Word && m_token.text == word;
    }
    void advance();
    std::nullptr_t fail(qsizetype pos, const QString &message);
    std::nullptr_t expected(const QString &what);

    Lexer m_lexer;
    const FilterSchema &m_schema;
    Token m_token;
    int m_depth = 0;
    QString m_error;
};

std::unique_ptr<FilterNode> Parser::parseFilter() {
    advance();
    auto root = parseOr();
    if (root && m_token.kind != TokenKind::End)
        expected(u"'and', 'or' or end of filter"_s);
    if (!m_error.isEmpty())
        return nullptr;
    return root;
}

std::unique_ptr<FilterNode> Parser::parseChain(NodeKind kind, QStringView keyword, Rule next) {
    auto first = (this->*next)();
    if (!first || !atWord(keyword))
        return first;
    auto chain = std::make_unique<FilterNode>();
    chain->kind = kind;
    chain->children.push_back(std::move(first));
    while (atWord(keyword)) {
        advance();
        auto operand = (this->*next)();
        if (!operand)
            return nullptr;
        chain->children.push_back(std::move(operand));
    }
    return chain;
}

std::unique_ptr<FilterNode> Parser::parseUnary() {
    if (atWord(u"not"))
        return parseNested(&Parser::parseNot);
    if (m_token.kind == TokenKind::LParen)
        return parseNested(&Parser::parseParenthesised);
    const bool startsComparison =
        m_token.kind == TokenKind::Literal ||
        (m_token.kind == TokenKind::Word && !isReservedWord(m_token.text));
    if (!startsComparison)
        return expected(u"a comparison, 'not' or '('"_s);
    return parseComparison();
}

std::unique_ptr<FilterNode> Parser::parseNested(Rule rule) {
    if (m_depth == kMaxDepth)
        return fail(m_token.pos, u"expressions nest deeper than "_s + QString::number(kMaxDepth) +
                                     u" levels of parentheses and 'not'"_s);
    ++m_depth;
    auto node = (this->*rule)();
    --m_depth;
    return node;
}

// `not` takes the comparison or parenthesised expression after it; stricter OData precedence
// would make `not A eq B` mean `(not A) eq B`, a type error for every non-Boolean A.
std::unique_ptr<FilterNode> Parser::parseNot() {
    advance();
    auto operand = parseUnary();
    if (!operand)
        return nullptr;
    auto node = std::make_unique<FilterNode>();
    node->kind = NodeKind::Not;
    node->children.push_back(std::move(operand));
    return node;
}

std::unique_ptr<FilterNode> Parser::parseParenthesised() {
    advance();
    auto inner = parseOr();
    if (!inner)
        return nullptr;
    if (m_token.kind != TokenKind::RParen)
        return expected(u"')'"_s);
    advance();
    return inner;
}

std::unique_ptr<FilterNode> Parser::parseComparison() {
    const auto lhs = parseOperand();
    if (!lhs)
        return nullptr;
    if (atWord(u"in"))
        return parseIn(*lhs);
    const auto op =
        m_token.kind == TokenKind::Word ? comparisonOperator(m_token.text) : std::nullopt;
    if (!op)
        return expected(u"a comparison operator (eq, ne, gt, ge, lt, le or in)"_s);
    advance();
    const auto rhs = parseOperand();
    if (!rhs)
        return nullptr;
    return makeComparison(*lhs, *op, *rhs);
}

std::unique_ptr<FilterNode> Parser::parseIn(const Operand &field) {
    if (!field.isField)
        return fail(field.pos, u"the left operand of 'in' must be a property"_s);
    advance();
    if (m_token.kind != TokenKind::LParen)
        return expected(u"'(' after 'in'"_s);
    auto node = std::make_unique<FilterNode>();
    node->kind = NodeKind::In;
    node->field = field.text.toString();
    do {
        advance();
        const auto value = parseLiteral(u"a literal"_s);
        if (!value || !checkType(field, *value))
            return nullptr;
        node->literals.push_back(value->literal);
    } while (m_token.kind == TokenKind::Comma);
    if (m_token.kind != TokenKind::RParen)
        return expected(u"',' or ')'"_s);
    advance();
    const bool allStrings =
        std::all_of(node->literals.cbegin(), node->literals.cend(),
                    [](const Literal &l) { return l.kind == LiteralKind::String; });
    if (allStrings) {
        for (const Literal &literal : node->literals)
            node->stringSet.insert(literal.string);
    }
    return node;
}

std::unique_ptr<FilterNode> Parser::makeComparison(const Operand &lhs, CompareOp op,
                                                   const Operand &rhs) {
    if (lhs.isField && rhs.isField)
        return fail(lhs.pos, u"comparing two properties is not supported"_s);
    if (!lhs.isField && !rhs.isField)
        return fail(lhs.pos, u"a comparison needs a property on one side"_s);
    const Operand &field = lhs.isField ? lhs : rhs;
    const Operand &value = lhs.isField ? rhs : lhs;
    if (!checkType(field, value))
        return nullptr;
    auto node = std::make_unique<FilterNode>();
    node->kind = NodeKind::Compare;
    node->field = field.text.toString();
    node->op = lhs.isField ? op : mirrored(op);
    node->literals.push_back(value.literal);
    return node;
}

std::optional<Operand> Parser::parseOperand() {
    if (m_token.kind == TokenKind::Word && !keywordLiteral(m_token.text))
        return parseField();
    return parseLiteral(u"a property name or a literal"_s);
}

std::optional<Operand> Parser::parseLiteral(const QString &what) {
    Operand operand{m_token.pos, m_token.text, false, FieldType::String, m_token.literal};
    const auto keyword =
        m_token.kind == TokenKind::Word ? keywordLiteral(m_token.text) : std::nullopt;
    if (keyword) {
        operand.literal = *keyword;
    } else if (m_token.kind != TokenKind::Literal) {
        expected(what);
        return std::nullopt;
    }
    advance();
    return operand;
}

std::optional<Operand> Parser::parseField() {
    if (isReservedWord(m_token.text)) {
        expected(u"a property name or a literal"_s);
        return std::nullopt;
    }
    const auto it = m_schema.constFind(m_token.text.toString());
    if (it == m_schema.cend()) {
        fail(m_token.pos, u"Could not find a property named "_s + quoted(m_token.text) +
                              u" on the filtered entity type"_s);
        return std::nullopt;
    }
    Operand operand{m_token.pos, m_token.text, true, *it, {}};
    advance();
    return operand;
}

bool Parser::checkType(const Operand &field, const Operand &value) {
    if (compatible(field.type, value.literal.kind))
        return true;
    const bool isString = value.literal.kind == LiteralKind::String;
    fail(value.pos, field.text.toString() + u" is "_s + edmName(field.type) +
                        u" and cannot be compared with the "_s + edmName(value.literal.kind) +
                        u" literal "_s +
                        quoted(isString ? QStringView(value.literal.string) : value.text));
    return false;
}

void Parser::advance() {
    m_token = m_lexer.next();
    if (m_token.kind == TokenKind::Invalid && m_error.isEmpty())
        m_error = m_lexer.error();
}

std::nullptr_t Parser::fail(qsizetype pos, const QString &message) {
    if (m_error.isEmpty())
        m_error = u"invalid filter at position "_s + position(pos) + u": "_s + message;
    return nullptr;
}

std::nullptr_t Parser::expected(const QString &what) {
    if (!m_error.isEmpty())
        return nullptr;
    QString found;
    if (m_token.kind == TokenKind::End)
        found = u"end of filter"_s;
    else if (m_token.kind == TokenKind::Literal && m_token.literal.kind == LiteralKind::String)
        found = u"string literal "_s + quoted(m_token.literal.string);
    else
        found = quoted(m_token.text);
    m_error = u"syntax error at position "_s + position(m_token.pos) + u": expected "_s + what +
              u" but found "_s + found;
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

// Unordered whenever the record's value has a type other than the literal's (a FieldSource
// that disagrees with the schema): such values are neither equal nor ordered.
std::partial_ordering order(const FieldValue &value, const Literal &literal) {
    switch (literal.kind) {
    case LiteralKind::String:
        if (const auto *s = std::get_if<QString>(&value))
            return QStringView(*s).compare(literal.string) <=> 0;
        break;
    case LiteralKind::Number:
        if (const auto *n = std::get_if<Number>(&value))
            return n->value <=> literal.number;
        break;
    case LiteralKind::Boolean:
        if (const auto *b = std::get_if<bool>(&value))
            return *b <=> literal.boolean;
        break;
    case LiteralKind::Timestamp:
        if (const auto *t = std::get_if<reso::Timestamp>(&value))
            return t->usecs() <=> literal.integer;
        break;
    case LiteralKind::Date:
        if (const auto *d = std::get_if<Date>(&value))
            return d->days <=> literal.integer;
        break;
    case LiteralKind::Null:
        break;
    }
    return std::partial_ordering::unordered;
}

bool holds(CompareOp op, std::partial_ordering ordering) {
    switch (op) {
    case CompareOp::Eq:
        return ordering == 0;
    case CompareOp::Ne:
        return ordering != 0;
    case CompareOp::Gt:
        return ordering > 0;
    case CompareOp::Ge:
        return ordering >= 0;
    case CompareOp::Lt:
        return ordering < 0;
    case CompareOp::Le:
        return ordering <= 0;
    }
    return false;
}

// OData: null equals only null, and an ordering comparison involving null is false.
bool compare(const FieldValue &value, CompareOp op, const Literal &literal) {
    const bool valueNull = isNull(value);
    const bool literalNull = literal.kind == LiteralKind::Null;
    if (valueNull || literalNull) {
        if (op == CompareOp::Eq)
            return valueNull && literalNull;
        return op == CompareOp::Ne && valueNull != literalNull;
    }
    if (std::holds_alternative<QStringList>(value))
        return false;
    return holds(op, order(value, literal));
}

bool evaluate(const FilterNode &node, const FieldSource &record) {
    const auto evaluateChild = [&record](const auto &child) { return evaluate(*child, record); };
    switch (node.kind) {
    case NodeKind::And:
        return std::all_of(node.children.cbegin(), node.children.cend(), evaluateChild);
    case NodeKind::Or:
        return std::any_of(node.children.cbegin(), node.children.cend(), evaluateChild);
    case NodeKind::Not:
        return !evaluate(*node.children.front(), record);
    case NodeKind::Compare:
        return compare(record.field(node.field), node.op, node.literals.front());
    case NodeKind::In: {
        const FieldValue value = record.field(node.field);
        if (!node.stringSet.isEmpty()) {
            // Equal to a string literal only a string of the same text (never null or a list).
            const auto *text = std::get_if<QString>(&value);
            return text && node.stringSet.contains(*text);
        }
        return std::any_of(node.literals.cbegin(), node.literals.cend(),
                           [&value](const Literal &l) { return compare(value, CompareOp::Eq, l); });
    }
    }
    return false;
}

bool containsIn(const FilterNode &node) {
    return node.kind == NodeKind::In ||
           std::any_of(node.children.cbegin(), node.children.cend(),
                       [](const auto &child) { return containsIn(*child); });
}

// ---------------------------------------------------------------------------------------------
// requiredValues

// A null among the values means records without the field match too, so no finite set of
// values covers every match.
std::optional<QStringList> valuesOf(const std::vector<Literal> &literals) {
    QStringList values;
    for (const Literal &literal : literals) {
        if (literal.kind == LiteralKind::Null)
            return std::nullopt;
        values.append(literal.text);
    }
    values.removeDuplicates();
    return values;
}

std::optional<QStringList> requiredValuesOf(const FilterNode &node, QStringView field);

std::optional<QStringList> unionOf(const FilterNode &node, QStringView field) {
    QStringList values;
    for (const auto &child : node.children) {
        const auto childValues = requiredValuesOf(*child, field);
        if (!childValues)
            return std::nullopt;
        values += *childValues;
    }
    values.removeDuplicates();
    return values;
}

std::optional<QStringList> intersectionOf(const FilterNode &node, QStringView field) {
    std::optional<QStringList> values;
    for (const auto &child : node.children) {
        auto childValues = requiredValuesOf(*child, field);
        if (!childValues)
            continue;
        if (!values)
            values = std::move(childValues);
        else
            values->removeIf([&](const QString &v) { return !childValues->contains(v); });
    }
    return values;
}

std::optional<QStringList> requiredValuesOf(const FilterNode &node, QStringView field) {
    switch (node.kind) {
    case NodeKind::Compare:
        if (node.op == CompareOp::Eq && node.field == field)
            return valuesOf(node.literals);
        return std::nullopt;
    case NodeKind::In:
        if (node.field == field)
            return valuesOf(node.literals);
        return std::nullopt;
    case NodeKind::Or:
        return unionOf(node, field);
    case NodeKind::And:
        return intersectionOf(node, field);
    case NodeKind::Not:
        break;
    }
    return std::nullopt;
}

} // namespace

ODataFilter::ParseResult ODataFilter::parse(QStringView text, const FilterSchema &schema) {
    Parser parser(text, schema);
    auto root = parser.parseFilter();
    ParseResult result;
    if (root)
        result.filter = ODataFilter(std::move(root));
    else
        result.error = parser.error();
    return result;
}

ODataFilter::ODataFilter(std::unique_ptr<detail::FilterNode> root)
    : m_root(std::move(root)) {}

ODataFilter::ODataFilter(ODataFilter &&) noexcept = default;
ODataFilter &ODataFilter::operator=(ODataFilter &&) noexcept = default;
ODataFilter::~ODataFilter() = default;

bool ODataFilter::matches(const FieldSource &record) const {
    return m_root && evaluate(*m_root, record);
}

bool ODataFilter::usesIn() const {
    return m_root && containsIn(*m_root);
}

std::optional<QStringList> ODataFilter::requiredValues(QStringView field) const {
    if (!m_root)
        return std::nullopt;
    return requiredValuesOf(*m_root, field);
}

} // namespace resosync::sim
