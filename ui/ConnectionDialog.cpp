#include "ConnectionDialog.h"

#include "db/Conninfo.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using connections::ConnectionProfile;
using connections::FieldProblem;
using connections::ProfileField;
using connections::SecretKind;

namespace {

/// Wide on purpose: a value outside the vendor's range is typed, then refused with its
/// reason, rather than silently clamped by the spin box.
constexpr int kSpinMaximum = 10'000'000;

QString errorStyle() {
    return u"color: palette(highlighted-text); background: #b3261e; padding: 2px 4px;"_s;
}

QLabel *resultLabel(const char *objectName, QWidget *parent) {
    auto *label = new QLabel(parent);
    label->setObjectName(QLatin1StringView(objectName));
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setMinimumHeight(48);
    label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    return label;
}

QString authLabel(reso::AuthKind kind) {
    switch (kind) {
    case reso::AuthKind::None:
        return ConnectionDialog::tr("None");
    case reso::AuthKind::StaticToken:
        return ConnectionDialog::tr("Static bearer token");
    case reso::AuthKind::ClientCredentials:
        return ConnectionDialog::tr("OAuth2 client credentials");
    }
    return {};
}

/// A form row: the field with its object name (for tests) and its tooltip.
template<typename Field>
Field *addField(QFormLayout *form, const char *objectName, const QString &label,
                const QString &tooltip) {
    auto *field = new Field(form->parentWidget());
    field->setObjectName(QLatin1StringView(objectName));
    field->setToolTip(tooltip);
    form->addRow(label, field);
    return field;
}

} // namespace

ConnectionDialog::ConnectionDialog(connections::ProfileStore &store,
                                   connections::SecretStore &secrets, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_secrets(secrets) {
    setWindowTitle(tr("Connections"));
    auto *form = new QVBoxLayout;
    form->addWidget(buildFeedGroup());
    form->addWidget(buildDatabaseGroup());
    form->addWidget(buildSettingsGroup());
    m_secretNote = new QLabel(this);
    m_secretNote->setObjectName(u"secretNote"_s);
    m_secretNote->setWordWrap(true);
    m_secretNote->setStyleSheet(u"background: palette(alternate-base); border: 1px solid "
                                "#c77c02; padding: 4px;"_s);
    m_secretNote->hide();
    form->addWidget(m_secretNote);

    // The form scrolls rather than squeezing the test results out of sight on a small screen.
    auto *formPage = new QWidget(this);
    formPage->setLayout(form);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(formPage);
    auto *columns = new QHBoxLayout;
    columns->addWidget(buildProfileList());
    columns->addWidget(scroll, 1);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton *connectButton = buttons->button(QDialogButtonBox::Ok);
    connectButton->setText(tr("Connect"));
    connectButton->setToolTip(tr("Use this connection (checks every field first). Secrets "
                                 "typed here are used even if the profile is not saved."));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectionDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(1000, 860);

    connect(&m_feedProbe, &reso::FeedProbe::finished, this, &ConnectionDialog::showFeedResult);
    connect(&m_databaseProbe, &db::DatabaseProbe::finished, this,
            &ConnectionDialog::showDatabaseResult);
    connect(&m_secrets, &connections::SecretStore::keychainChecked, this,
            &ConnectionDialog::showSecretNote);
    m_secrets.checkKeychain();
    showSecretNote();

    reloadList({});
    if (!selectProfile(m_store.lastUsed()))
        selectProfile(m_store.builtIn().constLast().name);
}

QWidget *ConnectionDialog::buildProfileList() {
    auto *box = new QGroupBox(tr("Profiles"), this);
    m_list = new QListWidget(box);
    m_list->setObjectName(u"profiles"_s);
    m_list->setToolTip(tr("Built-in vendor templates (read-only: change one and Save as) and "
                          "your saved profiles."));
    connect(m_list, &QListWidget::currentTextChanged, this, [this](const QString &name) {
        if (!m_loading && !name.isEmpty())
            selectProfile(name);
    });
    m_save = new QPushButton(tr("Save"), box);
    m_save->setObjectName(u"save"_s);
    m_save->setToolTip(tr("Save the form as the profile named in Name (replacing a saved "
                          "profile of that name). Secrets go to the keychain."));
    auto *saveAs = new QPushButton(tr("Save as\u2026"), box);
    saveAs->setObjectName(u"saveAs"_s);
    saveAs->setToolTip(tr("Save the form as a new profile under another name."));
    m_rename = new QPushButton(tr("Rename\u2026"), box);
    m_rename->setObjectName(u"rename"_s);
    m_rename->setToolTip(tr("Rename the selected saved profile (its secrets move with it)."));
    m_delete = new QPushButton(tr("Delete"), box);
    m_delete->setObjectName(u"delete"_s);
    m_delete->setToolTip(tr("Delete the selected saved profile and its secrets."));
    connect(m_save, &QPushButton::clicked, this, &ConnectionDialog::saveCurrent);
    connect(saveAs, &QPushButton::clicked, this, &ConnectionDialog::askSaveAs);
    connect(m_rename, &QPushButton::clicked, this, &ConnectionDialog::renameCurrent);
    connect(m_delete, &QPushButton::clicked, this, &ConnectionDialog::deleteCurrent);

    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_list, 1);
    for (QPushButton *button : {m_save, saveAs, m_rename, m_delete})
        layout->addWidget(button);
    return box;
}

QLabel *ConnectionDialog::addErrorRow(QFormLayout *form, ProfileField field) {
    auto *label = new QLabel(form->parentWidget());
    label->setObjectName(
        u"error-"_s +
        form->itemAt(form->rowCount() - 1, QFormLayout::FieldRole)->widget()->objectName());
    label->setWordWrap(true);
    label->setStyleSheet(errorStyle());
    label->hide();
    form->addRow(QString(), label);
    m_errors.insert(field, label);
    return label;
}

QWidget *ConnectionDialog::buildFeedGroup() {
    auto *box = new QGroupBox(tr("Feed"), this);
    auto *form = new QFormLayout(box);
    const auto edited = [this] {
        if (!m_loading)
            showProblems();
    };

    m_name = addField<QLineEdit>(form, "name", tr("Name"),
                                 tr("The profile's name (Save stores the form under it)."));
    addErrorRow(form, ProfileField::Name);

    m_vendor =
        addField<QComboBox>(form, "vendor", tr("Vendor profile"),
                            tr("The vendor's rules: largest $top, `in` support, URL length cap, "
                               "rate limits and authentication. Changing it resets the sync "
                               "settings to the vendor's defaults."));
    for (const reso::FeedProfile &vendor : reso::FeedProfile::builtIn())
        m_vendor->addItem(vendor.displayName, vendor.name);
    addErrorRow(form, ProfileField::FeedProfile);

    m_feedUrl =
        addField<QLineEdit>(form, "feedUrl", tr("Feed URL"),
                            tr("The OData service root the vendor gives your account, e.g. "
                               "https://api.example.com/odata (no credentials in the URL)."));
    m_feedUrl->setPlaceholderText(u"https://api.example.com/odata"_s);
    addErrorRow(form, ProfileField::FeedUrl);

    m_auth = addField<QComboBox>(
        form, "auth", tr("Authentication"),
        tr("How the feed authenticates: none, a bearer token the vendor issued "
           "(MLS Grid, Bridge, Spark), or OAuth2 client credentials (Trestle)."));
    for (const reso::AuthKind kind :
         {reso::AuthKind::None, reso::AuthKind::StaticToken, reso::AuthKind::ClientCredentials})
        m_auth->addItem(authLabel(kind), connections::authKindName(kind));

    m_tokenUrl = addField<QLineEdit>(form, "tokenUrl", tr("Token URL"),
                                     tr("OAuth2 token endpoint (client credentials only), e.g. "
                                        "https://auth.example.com/oauth2/token."));
    addErrorRow(form, ProfileField::TokenUrl);

    m_clientId =
        addField<QLineEdit>(form, "clientId", tr("Client id"),
                            tr("OAuth2 client id the vendor issued (client credentials only)."));
    addErrorRow(form, ProfileField::ClientId);

    m_scope = addField<QLineEdit>(form, "scope", tr("Scope"),
                                  tr("OAuth2 scope requested with the token (default: api)."));
    addErrorRow(form, ProfileField::Scope);

    m_feedSecret = new QLineEdit(box);
    m_feedSecret->setObjectName(u"feedSecret"_s);
    m_feedSecret->setEchoMode(QLineEdit::Password);
    m_feedSecret->setToolTip(tr("The bearer token or client secret. Kept in the system "
                                "keychain, never in the settings file, logs or reports."));
    m_feedSecretLabel = new QLabel(tr("Secret"), box);
    form->addRow(m_feedSecretLabel, m_feedSecret);

    m_testFeed = new QPushButton(tr("Test feed"), box);
    m_testFeed->setObjectName(u"testFeed"_s);
    m_testFeed->setToolTip(tr("Fetches the service document, $metadata and one Property record "
                              "with $count: latency, OData version, authentication, record "
                              "count and rate-limit headers. Runs in the background."));
    form->addRow(QString(), m_testFeed);
    m_feedResult = resultLabel("feedResult", box);
    form->addRow(QString(), m_feedResult);
    connect(m_testFeed, &QPushButton::clicked, this, &ConnectionDialog::testFeed);

    connect(m_vendor, &QComboBox::currentIndexChanged, this, &ConnectionDialog::onVendorChanged);
    connect(m_auth, &QComboBox::currentIndexChanged, this, &ConnectionDialog::onAuthChanged);
    for (QLineEdit *edit : {m_name, m_feedUrl, m_tokenUrl, m_clientId, m_scope})
        connect(edit, &QLineEdit::textChanged, this, edited);
    return box;
}

QWidget *ConnectionDialog::buildDatabaseGroup() {
    auto *box = new QGroupBox(tr("Replica database"), this);
    auto *form = new QFormLayout(box);
    m_conninfo =
        addField<QLineEdit>(form, "conninfo", tr("Connection string"),
                            tr("libpq connection string or postgresql:// URI, WITHOUT the "
                               "password (type it below). Empty: the PG* environment variables. "
                               "~/.pgpass and service files work as in psql."));
    m_conninfo->setPlaceholderText(u"host=localhost port=5432 dbname=reso user=sync"_s);
    addErrorRow(form, ProfileField::Conninfo);

    m_dbPassword =
        addField<QLineEdit>(form, "dbPassword", tr("Password"),
                            tr("The database password, if the server asks for one. Kept in the "
                               "system keychain, never in the settings file."));
    m_dbPassword->setEchoMode(QLineEdit::Password);

    m_testDatabase = new QPushButton(tr("Test database"), box);
    m_testDatabase->setObjectName(u"testDatabase"_s);
    m_testDatabase->setToolTip(tr("Connects on a background thread: latency, server version, "
                                  "role, and the ResoSync schema's version."));
    form->addRow(QString(), m_testDatabase);
    m_databaseResult = resultLabel("databaseResult", box);
    form->addRow(QString(), m_databaseResult);
    connect(m_testDatabase, &QPushButton::clicked, this, &ConnectionDialog::testDatabase);
    connect(m_conninfo, &QLineEdit::textChanged, this, [this] {
        if (!m_loading)
            showProblems();
    });
    return box;
}

QSpinBox *ConnectionDialog::addSetting(QFormLayout *form, ProfileField field,
                                       const char *objectName, int minimum,
                                       const QString &tooltip) {
    auto *spin = addField<QSpinBox>(form, objectName, connections::fieldLabel(field), tooltip);
    spin->setRange(minimum, kSpinMaximum);
    spin->setProperty("baseTooltip", tooltip);
    addErrorRow(form, field);
    connect(spin, &QSpinBox::valueChanged, this, [this] {
        if (!m_loading)
            showProblems();
    });
    return spin;
}

QWidget *ConnectionDialog::buildSettingsGroup() {
    auto *box = new QGroupBox(tr("Sync settings"), this);
    auto *form = new QFormLayout(box);
    m_batchSize = addSetting(form, ProfileField::BatchSize, "batchSize", 0,
                             tr("Records per page ($top). Seed default 2000."));
    m_propertyBatchSize =
        addSetting(form, ProfileField::PropertyBatchSize, "propertyBatchSize", 0,
                   tr("Listings whose media, rooms and open houses one request asks for. Seed "
                      "default 500."));
    m_dbBatchSize = addSetting(form, ProfileField::DbBatchSize, "dbBatchSize", 0,
                               tr("Rows per COPY + merge statement. Seed default 100."));
    m_throttleMs = addSetting(form, ProfileField::ThrottleMs, "throttleMs", 0,
                              tr("Least gap between request starts, in ms. Seed default 750."));
    m_concurrency = addSetting(form, ProfileField::Concurrency, "concurrency", 0,
                               tr("Property batches in flight. Seed default 3."));
    auto *reset = new QPushButton(tr("Reset to profile defaults"), box);
    reset->setToolTip(tr("Sets the five settings to the vendor profile's defaults."));
    connect(reset, &QPushButton::clicked, this, [this] {
        if (const auto vendor = profile().vendorProfile())
            showSettings(sync::SyncSettings::fromProfile(*vendor));
    });
    form->addRow(QString(), reset);
    return box;
}

void ConnectionDialog::reloadList(const QString &select) {
    m_loading = true;
    m_list->clear();
    for (const ConnectionProfile &p : m_store.all()) {
        auto *item = new QListWidgetItem(p.name, m_list);
        if (p.builtIn) {
            QFont font = item->font();
            font.setItalic(true);
            item->setFont(font);
            item->setToolTip(tr("Built-in template (read-only)"));
        }
        if (p.name.compare(select, Qt::CaseInsensitive) == 0)
            m_list->setCurrentItem(item);
    }
    m_loading = false;
}

bool ConnectionDialog::selectProfile(const QString &name) {
    const auto found = m_store.find(name);
    if (!found)
        return false;
    showProfile(*found);
    m_loading = true;
    const QList<QListWidgetItem *> items = m_list->findItems(found->name, Qt::MatchFixedString);
    if (!items.isEmpty())
        m_list->setCurrentItem(items.first());
    m_loading = false;
    return true;
}

void ConnectionDialog::showProfile(const ConnectionProfile &p) {
    m_loading = true;
    m_shownName = p.builtIn ? QString() : p.name;
    m_name->setText(p.builtIn ? QString() : p.name);
    m_name->setPlaceholderText(p.builtIn ? tr("%1 (built-in: name a copy to save it)").arg(p.name)
                                         : QString());
    m_vendor->setCurrentIndex(std::max(0, m_vendor->findData(p.feedProfile)));
    m_feedUrl->setText(p.feedUrl.toString());
    m_auth->setCurrentIndex(std::max(0, m_auth->findData(connections::authKindName(p.authKind))));
    m_tokenUrl->setText(p.tokenUrl.toString());
    m_clientId->setText(p.clientId);
    m_scope->setText(p.scope);
    m_conninfo->setText(p.conninfo);
    m_feedSecret->clear();
    m_dbPassword->clear();
    showSettings(p.settings);
    m_feedResult->clear();
    m_databaseResult->clear();
    m_loading = false;
    m_rename->setEnabled(!p.builtIn);
    m_delete->setEnabled(!p.builtIn);
    onAuthChanged();
    updateSettingTooltips();
    showProblems();
    if (!p.builtIn)
        loadSecrets(p.name);
}

void ConnectionDialog::loadSecrets(const QString &name) {
    const auto fill = [this, name](QLineEdit *field) {
        return [this, name, field](const QString &secret, const QString &error) {
            // Only into the profile still shown, and never over what the user typed meanwhile.
            if (m_shownName != name)
                return;
            if (!error.isEmpty())
                setStatus(error, true);
            else if (field->text().isEmpty())
                field->setText(secret);
        };
    };
    m_secrets.read(name, SecretKind::FeedSecret, this, fill(m_feedSecret));
    m_secrets.read(name, SecretKind::DatabasePassword, this, fill(m_dbPassword));
}

void ConnectionDialog::showSettings(const sync::SyncSettings &settings) {
    const bool wasLoading = std::exchange(m_loading, true);
    m_batchSize->setValue(settings.batchSize);
    m_propertyBatchSize->setValue(settings.propertyBatchSize);
    m_dbBatchSize->setValue(settings.dbBatchSize);
    m_throttleMs->setValue(settings.throttleMs);
    m_concurrency->setValue(settings.concurrency);
    m_loading = wasLoading;
    if (!m_loading)
        showProblems();
}

void ConnectionDialog::onVendorChanged() {
    updateSettingTooltips();
    if (m_loading)
        return;
    // A vendor brings its own limits and authentication: start from its defaults.
    if (const auto vendor = profile().vendorProfile()) {
        m_loading = true;
        m_auth->setCurrentIndex(m_auth->findData(connections::authKindName(vendor->auth)));
        m_loading = false;
        onAuthChanged();
        showSettings(sync::SyncSettings::fromProfile(*vendor));
    }
}

void ConnectionDialog::onAuthChanged() {
    const auto kind = connections::authKindFromName(m_auth->currentData().toString())
                          .value_or(reso::AuthKind::None);
    const bool oauth = kind == reso::AuthKind::ClientCredentials;
    for (QWidget *field : {static_cast<QWidget *>(m_tokenUrl), static_cast<QWidget *>(m_clientId),
                           static_cast<QWidget *>(m_scope)})
        field->setEnabled(oauth);
    m_feedSecret->setEnabled(kind != reso::AuthKind::None);
    m_feedSecretLabel->setText(
        oauth ? tr("Client secret")
              : (kind == reso::AuthKind::StaticToken ? tr("Bearer token") : tr("Secret")));
    if (!m_loading)
        showProblems();
}

void ConnectionDialog::updateSettingTooltips() {
    const auto vendor = reso::FeedProfile::byName(m_vendor->currentData().toString());
    if (!vendor)
        return;
    const auto describe = [](QSpinBox *spin, const QString &range, int vendorDefault) {
        spin->setToolTip(
            spin->property("baseTooltip").toString() + u' ' +
            tr("Allowed: %1. This profile's default: %2.").arg(range).arg(vendorDefault));
    };
    describe(m_batchSize, u"1 to %1"_s.arg(vendor->maxTop), vendor->batchSize);
    describe(m_propertyBatchSize, u"1 to 10000"_s, vendor->propertyBatchSize);
    describe(m_dbBatchSize, u"1 to 100000"_s, vendor->dbBatchSize);
    describe(m_throttleMs, u"0 to 600000"_s, vendor->throttleMs);
    describe(m_concurrency, u"1 to %1"_s.arg(vendor->maxConcurrency), vendor->concurrency);
}

ConnectionProfile ConnectionDialog::profile() const {
    ConnectionProfile p;
    p.name = m_name->text().trimmed();
    p.feedProfile = m_vendor->currentData().toString();
    p.feedUrl = QUrl(m_feedUrl->text().trimmed());
    p.authKind = connections::authKindFromName(m_auth->currentData().toString())
                     .value_or(reso::AuthKind::None);
    if (p.authKind == reso::AuthKind::ClientCredentials) {
        p.tokenUrl = QUrl(m_tokenUrl->text().trimmed());
        p.clientId = m_clientId->text().trimmed();
        p.scope = m_scope->text().trimmed();
    }
    p.conninfo = m_conninfo->text().trimmed();
    p.settings.batchSize = m_batchSize->value();
    p.settings.propertyBatchSize = m_propertyBatchSize->value();
    p.settings.dbBatchSize = m_dbBatchSize->value();
    p.settings.throttleMs = m_throttleMs->value();
    p.settings.concurrency = m_concurrency->value();
    return p;
}

connections::ProfileSecrets ConnectionDialog::secrets() const {
    connections::ProfileSecrets s;
    if (m_feedSecret->isEnabled())
        s.feedSecret = m_feedSecret->text();
    s.databasePassword = m_dbPassword->text();
    return s;
}

QList<FieldProblem> ConnectionDialog::showProblems() {
    ConnectionProfile p = profile();
    // An unsaved built-in template has no name yet; that is fine until it is saved.
    if (p.name.isEmpty())
        p.name = m_name->placeholderText().isEmpty() ? p.name : u"unsaved"_s;
    const QList<FieldProblem> problems = p.validate();
    for (auto it = m_errors.begin(); it != m_errors.end(); ++it) {
        QStringList messages;
        for (const FieldProblem &problem : problems) {
            if (problem.field == it.key())
                messages << problem.message;
        }
        it.value()->setText(messages.join(u'\n'));
        it.value()->setVisible(!messages.isEmpty());
    }
    return problems;
}

void ConnectionDialog::saveAs(const QString &name) {
    ConnectionProfile p = profile();
    p.name = name.trimmed();
    const QList<FieldProblem> problems = m_store.save(p);
    if (!problems.isEmpty()) {
        showProblems();
        // The name problems (empty, a built-in's) show beside the Name field too.
        for (const FieldProblem &problem : problems) {
            if (problem.field == ProfileField::Name) {
                m_errors.value(ProfileField::Name)->setText(problem.message);
                m_errors.value(ProfileField::Name)->show();
            }
        }
        setStatus(tr("Not saved: %1").arg(problems.first().message), true);
        return;
    }
    const connections::ProfileSecrets s = secrets();
    const QString saved = p.name;
    const auto reportWrite = [this, saved](const QString &error) {
        if (!error.isEmpty())
            setStatus(error, true);
    };
    m_secrets.write(saved, SecretKind::FeedSecret, s.feedSecret, this, reportWrite);
    m_secrets.write(saved, SecretKind::DatabasePassword, s.databasePassword, this, reportWrite);
    reloadList(saved);
    m_loading = true;
    m_name->setText(saved);
    m_name->setPlaceholderText(QString());
    m_loading = false;
    m_shownName = saved;
    m_rename->setEnabled(true);
    m_delete->setEnabled(true);
    setStatus(m_secrets.persistent()
                  ? tr("Saved '%1'; its secrets are in the system keychain.").arg(saved)
                  : tr("Saved '%1'; its secrets are kept in memory only (no keychain).").arg(saved),
              false);
}

void ConnectionDialog::saveCurrent() {
    saveAs(m_name->text());
}

void ConnectionDialog::askSaveAs() {
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save profile as"), tr("Name:"),
                                               QLineEdit::Normal, m_name->text(), &ok);
    if (ok)
        saveAs(name);
}

void ConnectionDialog::renameCurrent() {
    const QString from = m_shownName;
    if (from.isEmpty())
        return;
    bool ok = false;
    const QString to = QInputDialog::getText(this, tr("Rename profile"), tr("New name:"),
                                             QLineEdit::Normal, from, &ok)
                           .trimmed();
    if (!ok || to == from)
        return;
    if (const QString error = m_store.rename(from, to); !error.isEmpty()) {
        setStatus(error, true);
        return;
    }
    // The secrets move with the profile: written under the new name, removed from the old.
    const connections::ProfileSecrets s = secrets();
    m_secrets.removeAll(from, this, [this, to, s](const QString &) {
        m_secrets.write(to, SecretKind::FeedSecret, s.feedSecret, this, [](const QString &) {});
        m_secrets.write(to, SecretKind::DatabasePassword, s.databasePassword, this,
                        [](const QString &) {});
    });
    reloadList(to);
    selectProfile(to);
    setStatus(tr("Renamed '%1' to '%2'.").arg(from, to), false);
}

void ConnectionDialog::deleteCurrent() {
    const QString name = m_shownName;
    if (name.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Delete profile"),
                              tr("Delete the profile '%1' and its stored secrets?").arg(name)) !=
        QMessageBox::Yes)
        return;
    if (const QString error = m_store.remove(name); !error.isEmpty()) {
        setStatus(error, true);
        return;
    }
    m_secrets.removeAll(name, this, [](const QString &) {});
    reloadList({});
    selectProfile(m_store.builtIn().constLast().name);
    setStatus(tr("Deleted '%1'.").arg(name), false);
}

void ConnectionDialog::testFeed() {
    const ConnectionProfile p = profile();
    const connections::ResolvedConnection resolved = p.resolve(secrets());
    reso::FeedProbeRequest request;
    request.feedUrl = resolved.feedUrl;
    request.profile = resolved.profile;
    request.auth = resolved.auth;
    m_testFeed->setEnabled(false);
    m_feedResult->setStyleSheet(QString());
    m_feedResult->setText(tr("Testing %1\u2026").arg(p.feedUrl.toDisplayString()));
    m_feedProbe.start(request);
}

void ConnectionDialog::testDatabase() {
    const connections::ResolvedConnection resolved = profile().resolve(secrets());
    m_testDatabase->setEnabled(false);
    m_databaseResult->setStyleSheet(QString());
    m_databaseResult->setText(
        tr("Connecting to %1\u2026").arg(db::describeTarget(resolved.conninfo)));
    m_databaseProbe.start(resolved.conninfo);
}

void ConnectionDialog::showFeedResult(const reso::FeedProbeResult &result) {
    m_testFeed->setEnabled(true);
    m_feedResult->setStyleSheet(result.ok() ? QString() : errorStyle());
    m_feedResult->setText(result.summary());
    Q_EMIT feedTested(result);
}

void ConnectionDialog::showDatabaseResult(const db::DatabaseProbeResult &result) {
    m_testDatabase->setEnabled(true);
    m_databaseResult->setStyleSheet(result.ok() ? QString() : errorStyle());
    m_databaseResult->setText(result.summary());
    Q_EMIT databaseTested(result);
}

void ConnectionDialog::showSecretNote() {
    const bool memoryOnly = m_secrets.isChecked() && !m_secrets.persistent();
    m_secretNote->setText(memoryOnly ? m_secrets.memoryOnlyReason() : QString());
    m_secretNote->setVisible(memoryOnly);
}

void ConnectionDialog::setStatus(const QString &text, bool error) {
    m_status->setStyleSheet(error ? errorStyle() : QString());
    m_status->setText(text);
}

void ConnectionDialog::accept() {
    ConnectionProfile p = profile();
    if (p.name.isEmpty()) {
        // A built-in template used as it is: it goes by its own name.
        if (const QListWidgetItem *item = m_list->currentItem())
            p.name = item->text();
    }
    const QList<FieldProblem> problems = p.validate();
    showProblems();
    if (!problems.isEmpty()) {
        setStatus(tr("Cannot connect: %1").arg(problems.first().message), true);
        return;
    }
    m_connection = p.resolve(secrets());
    if (!m_shownName.isEmpty())
        m_store.setLastUsed(m_shownName);
    QDialog::accept();
}

} // namespace resosync::ui
