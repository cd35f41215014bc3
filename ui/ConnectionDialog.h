#pragma once

#include "connections/ConnectionProfile.h"
#include "connections/ProfileStore.h"
#include "connections/SecretStore.h"
#include "db/DatabaseProbe.h"
#include "reso/FeedProbe.h"

#include <QDialog>
#include <QMap>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace resosync::ui {

/// Chooses and edits a connection: a feed (vendor profile, URL, authentication) and a replica
/// database, with the sync settings to use. Tests either side in the background (FeedProbe,
/// DatabaseProbe) and shows what came back or the classified failure with what to check.
/// Saves, renames and deletes user profiles (ProfileStore); secrets go to the SecretStore,
/// with a visible note when it can keep them in memory only.
///
/// Use:
///     ConnectionDialog dialog(store, secrets, parent);
///     dialog.selectProfile(store.lastUsed());
///     if (dialog.exec() == QDialog::Accepted)
///         use(dialog.connection()); // feed URL, FeedProfile, FeedAuth and conninfo with secrets
///
/// Every field refuses a bad value inline with its reason; Connect refuses while any is bad.
/// Child widgets carry object names for tests: name, vendor, feedUrl, auth, tokenUrl,
/// clientId, scope, feedSecret, conninfo, dbPassword, batchSize, propertyBatchSize,
/// dbBatchSize, throttleMs, concurrency, error-<field> (the reason beside a field), testFeed,
/// feedResult, testDatabase, databaseResult, secretNote, profiles, save, saveAs, rename, delete.
class ConnectionDialog final : public QDialog {
    Q_OBJECT

public:
    ConnectionDialog(connections::ProfileStore &store, connections::SecretStore &secrets,
                     QWidget *parent = nullptr);

    /// Shows the profile named `name` (built-in or saved); false if there is none.
    bool selectProfile(const QString &name);
    /// The profile as the form holds it now.
    connections::ConnectionProfile profile() const;
    /// The secrets as the form holds them now.
    connections::ProfileSecrets secrets() const;
    /// After Connect: the chosen connection, secrets filled in.
    connections::ResolvedConnection connection() const { return m_connection; }

    void accept() override;

Q_SIGNALS:
    /// A feed or database test finished (for tests and status lines).
    void feedTested(const resosync::reso::FeedProbeResult &result);
    void databaseTested(const resosync::db::DatabaseProbeResult &result);

private:
    QWidget *buildProfileList();
    QWidget *buildFeedGroup();
    QWidget *buildDatabaseGroup();
    QWidget *buildSettingsGroup();
    QLabel *addErrorRow(QFormLayout *form, connections::ProfileField field);
    QSpinBox *addSetting(QFormLayout *form, connections::ProfileField field, const char *objectName,
                         int minimum, const QString &tooltip);
    void reloadList(const QString &select);
    void showProfile(const connections::ConnectionProfile &profile);
    void loadSecrets(const QString &name);
    void showSettings(const sync::SyncSettings &settings);
    void onVendorChanged();
    void onAuthChanged();
    void updateSettingTooltips();
    QList<connections::FieldProblem> showProblems();
    void saveAs(const QString &name);
    void saveCurrent();
    void askSaveAs();
    void renameCurrent();
    void deleteCurrent();
    void testFeed();
    void testDatabase();
    void showFeedResult(const reso::FeedProbeResult &result);
    void showDatabaseResult(const db::DatabaseProbeResult &result);
    void showSecretNote();
    void setStatus(const QString &text, bool error);

    connections::ProfileStore &m_store;
    connections::SecretStore &m_secrets;
    reso::FeedProbe m_feedProbe;
    db::DatabaseProbe m_databaseProbe;
    connections::ResolvedConnection m_connection;
    QString m_shownName; ///< the profile the form was loaded from
    bool m_loading = false;

    QListWidget *m_list = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_rename = nullptr;
    QPushButton *m_delete = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_vendor = nullptr;
    QLineEdit *m_feedUrl = nullptr;
    QComboBox *m_auth = nullptr;
    QLineEdit *m_tokenUrl = nullptr;
    QLineEdit *m_clientId = nullptr;
    QLineEdit *m_scope = nullptr;
    QLabel *m_feedSecretLabel = nullptr;
    QLineEdit *m_feedSecret = nullptr;
    QLineEdit *m_conninfo = nullptr;
    QLineEdit *m_dbPassword = nullptr;
    QSpinBox *m_batchSize = nullptr;
    QSpinBox *m_propertyBatchSize = nullptr;
    QSpinBox *m_dbBatchSize = nullptr;
    QSpinBox *m_throttleMs = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QPushButton *m_testFeed = nullptr;
    QLabel *m_feedResult = nullptr;
    QPushButton *m_testDatabase = nullptr;
    QLabel *m_databaseResult = nullptr;
    QLabel *m_secretNote = nullptr;
    QLabel *m_status = nullptr;
    QMap<connections::ProfileField, QLabel *> m_errors;
};

} // namespace resosync::ui
