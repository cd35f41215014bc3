#pragma once

#include "db/DbError.h"

#include <QString>

#include <memory>

namespace resosync::bench {

/// A database of its own for one benchmark step: created (dropped first if a crashed run left
/// it) on the server an administrative connection string reaches, with the replica schema
/// applied, and dropped again when the object goes. Every step starts from the same empty
/// state, so steps compare fairly and the user's databases are never touched.
class ScratchDatabase final {
public:
    /// Creates database `name` (an identifier, quoted) through `adminConninfo`; on failure
    /// returns null and says why in `error` (e.g. the role lacks CREATEDB).
    static std::unique_ptr<ScratchDatabase> create(const QString &adminConninfo,
                                                   const QString &name, db::DbError *error);
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase &) = delete;
    ScratchDatabase &operator=(const ScratchDatabase &) = delete;

    /// The connection string of the new database (the admin one with dbname replaced).
    const QString &conninfo() const { return m_conninfo; }
    const QString &name() const { return m_name; }

private:
    ScratchDatabase(QString adminConninfo, QString name, QString conninfo);

    QString m_adminConninfo;
    QString m_name;
    QString m_conninfo;
};

/// `conninfo` naming database `dbname` instead: a URI gets its path replaced, a key=value
/// string gets `dbname=...` appended (libpq takes the last value of a keyword).
QString withDatabase(const QString &conninfo, const QString &dbname);

} // namespace resosync::bench
