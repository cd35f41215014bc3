#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <string>
#include <vector>

namespace resosync::db {

/// The text forms PostgreSQL reads and writes that the writers build by hand: identifiers,
/// COPY text format fields, array literals, and text values it accepts at all.
///
/// Everything here is pure (no connection): libpqxx 6.4 quotes identifiers only through a live
/// connection and has no array literal builder, and statements are prepared before one exists.
class PgText final {
public:
    /// `name` as a quoted SQL identifier: `"Media"`, with embedded `"` doubled.
    static std::string quoteIdent(std::string_view name);

    /// `bytes` as text PostgreSQL accepts: every invalid UTF-8 sequence and every NUL byte
    /// (which `text` cannot hold) become U+FFFD; valid UTF-8 passes through unchanged.
    static QByteArray validText(QByteArrayView bytes);

    /// Appends `value` to `out` escaped as one field of COPY text format: backslash, tab,
    /// newline and carriage return become `\\`, `\t`, `\n`, `\r`.
    static void appendCopyEscaped(QByteArray &out, QByteArrayView value);
    /// The last tab-separated field of a COPY text line, unescaped (`\N` gives a null
    /// QByteArray). Understands every escape COPY text format defines, including `\b`, `\f`,
    /// `\v`, octal `\NNN` and hex `\xHH`.
    static QByteArray lastCopyField(QByteArrayView line);
    /// A COPY text field unescaped; `\N` (the null marker) gives a null QByteArray.
    static QByteArray unescapeCopyField(QByteArrayView field);

    /// A one-dimensional array literal, `{"a","b\"c"}`: every element double-quoted with `"`
    /// and `\` backslash-escaped, so any text (commas, braces, spaces, `NULL`) stays one
    /// element. Elements go through validText(); a null QByteArray becomes an SQL NULL.
    static std::string arrayLiteral(const std::vector<QByteArray> &elements);
    /// Appends one element of a text[] literal: always double-quoted (so commas, braces, spaces
    /// and the word NULL stay text), with `"` and `\` escaped.
    static void appendArrayElement(std::string &out, std::string_view text);
};

} // namespace resosync::db
