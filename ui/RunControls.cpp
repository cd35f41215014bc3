#include "RunControls.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QToolButton>
#include <QVBoxLayout>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

QString resourceTooltip(Resource resource) {
    switch (resource) {
    case Resource::Property:
        return RunControls::tr("Listings, by their ModificationTimestamp cursor. The other "
                               "resources are fetched for the listings stored.");
    case Resource::Media:
        return RunControls::tr("Photos and documents of the listings stored, by listing key "
                               "batches; media the feed no longer has are deleted.");
    case Resource::PropertyRooms:
        return RunControls::tr("Rooms of the listings stored, by listing key batches.");
    case Resource::OpenHouse:
        return RunControls::tr("Open houses of the listings stored, by listing key batches.");
    }
    return {};
}

QString capitalized(QString text) {
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return text;
}

} // namespace

RunControls::RunControls(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *resources = new QGridLayout;
    for (Resource resource : reso::kAllResources) {
        const auto index = std::size_t(resource);
        auto *box = new QCheckBox(reso::resourceName(resource), this);
        box->setObjectName(u"resource_"_s + reso::resourceName(resource));
        box->setChecked(true);
        box->setToolTip(resourceTooltip(resource));
        connect(box, &QCheckBox::toggled, this, &RunControls::updateEnabled);
        resources->addWidget(box, int(index / 2), int(index % 2));
        m_resourceBoxes[index] = box;
    }
    layout->addLayout(resources);

    m_mode = new QComboBox(this);
    m_mode->setObjectName(u"modeBox"_s);
    QStringList modeHelp;
    for (sync::SyncMode mode : sync::kSyncModes) {
        m_mode->addItem(capitalized(sync::syncModeName(mode)), int(mode));
        m_mode->setItemData(m_mode->count() - 1, sync::syncModeDescription(mode), Qt::ToolTipRole);
        modeHelp << u"<b>%1</b>: %2"_s.arg(capitalized(sync::syncModeName(mode)),
                                           sync::syncModeDescription(mode).toHtmlEscaped());
    }
    m_mode->setToolTip(modeHelp.join(u"<br>"_s));
    auto *modeRow = new QFormLayout;
    modeRow->addRow(tr("&Mode:"), m_mode);
    layout->addLayout(modeRow);

    // Start's, Pause's and Retry's tooltips depend on the state: updateEnabled() sets them.
    m_start = makeAction(u"startAction"_s, tr("&Start"),
                         {QKeySequence(tr("Ctrl+R")), QKeySequence(Qt::Key_F9)});
    m_pause = makeAction(u"pauseAction"_s, tr("&Pause"), {QKeySequence(tr("Ctrl+P"))});
    m_cancel = makeAction(u"cancelAction"_s, tr("&Cancel"), {QKeySequence(tr("Ctrl+."))});
    m_cancel->setToolTip(tr("Cancel the run: requests on the wire are aborted, transactions in "
                            "progress finish, so the database stays consistent and the next "
                            "incremental run continues where this one stopped (Ctrl+.)"));
    m_retry = makeAction(u"retryAction"_s, tr("&Retry failed"), {QKeySequence(tr("Ctrl+Shift+R"))});
    connect(m_start, &QAction::triggered, this, &RunControls::startRequested);
    connect(m_pause, &QAction::triggered, this, [this] {
        if (m_state == State::Paused)
            Q_EMIT resumeRequested();
        else
            Q_EMIT pauseRequested();
    });
    connect(m_cancel, &QAction::triggered, this, &RunControls::cancelRequested);
    connect(m_retry, &QAction::triggered, this, &RunControls::retryRequested);

    auto *buttons = new QGridLayout;
    buttons->addWidget(buttonFor(m_start), 0, 0);
    buttons->addWidget(buttonFor(m_pause), 0, 1);
    buttons->addWidget(buttonFor(m_cancel), 1, 0);
    buttons->addWidget(buttonFor(m_retry), 1, 1);
    layout->addLayout(buttons);
    layout->addStretch(1);
    updateEnabled();
}

QAction *RunControls::makeAction(const QString &objectName, const QString &text,
                                 const QList<QKeySequence> &shortcuts) {
    auto *action = new QAction(text, this);
    action->setObjectName(objectName);
    action->setShortcuts(shortcuts);
    // Window-wide, so the keys work wherever the focus is in the console.
    action->setShortcutContext(Qt::WindowShortcut);
    addAction(action);
    return action;
}

QToolButton *RunControls::buttonFor(QAction *action) {
    auto *button = new QToolButton(this);
    button->setObjectName(action->objectName().replace(u"Action"_s, u"Button"_s));
    button->setDefaultAction(action); // follows the action's text, enabled state and tooltip
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    return button;
}

QList<Resource> RunControls::resources() const {
    QList<Resource> chosen;
    for (Resource resource : reso::kAllResources) {
        if (m_resourceBoxes[std::size_t(resource)]->isChecked())
            chosen << resource;
    }
    return chosen;
}

sync::SyncMode RunControls::mode() const {
    return sync::SyncMode(m_mode->currentData().toInt());
}

void RunControls::setMode(sync::SyncMode mode) {
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
}

void RunControls::setState(State state) {
    m_state = state;
    updateEnabled();
}

void RunControls::setStartBlocked(const QString &reason) {
    m_startBlocked = reason;
    updateEnabled();
}

void RunControls::setRetryResources(const QList<Resource> &resources) {
    m_retryResources = resources;
    updateEnabled();
}

QList<QAction *> RunControls::runActions() const {
    return {m_start, m_pause, m_cancel, m_retry};
}

void RunControls::updateEnabled() {
    const bool idle = m_state == State::Idle;
    const bool nothingChosen = resources().isEmpty();
    for (QCheckBox *box : m_resourceBoxes)
        box->setEnabled(idle);
    m_mode->setEnabled(idle);

    m_start->setEnabled(idle && !nothingChosen && m_startBlocked.isEmpty());
    QString startWhy = m_startBlocked;
    if (nothingChosen)
        startWhy = tr("Tick at least one resource to sync.");
    m_start->setStatusTip(startWhy);
    const QString shortcuts =
        QKeySequence::listToString(m_start->shortcuts(), QKeySequence::NativeText);
    m_start->setToolTip(
        tr("Start a sync of the ticked resources in the chosen mode, with the settings shown "
           "(%1)%2")
            .arg(shortcuts, startWhy.isEmpty()
                                ? QString()
                                : u"<br><b>"_s + startWhy.toHtmlEscaped() + u"</b>"_s));

    const bool paused = m_state == State::Paused;
    m_pause->setEnabled(m_state == State::Running || paused);
    m_pause->setText(paused ? tr("&Resume") : tr("&Pause"));
    m_pause->setToolTip(paused ? tr("Resume the paused run (Ctrl+P)")
                               : tr("Pause: requests and batches in progress finish, nothing "
                                    "new starts until Resume (Ctrl+P)"));

    m_cancel->setEnabled(m_state == State::Running || paused);
    m_cancel->setText(m_state == State::Cancelling ? tr("Cancelling…") : tr("&Cancel"));

    m_retry->setEnabled(idle && !m_retryResources.isEmpty());
    QStringList names;
    for (Resource resource : m_retryResources)
        names << reso::resourceName(resource);
    QString retryWhat =
        m_retryResources.isEmpty()
            ? tr("Available after a run with failed batches: runs the incomplete resources "
                 "again, incrementally")
            : tr("Run %1 again, incrementally: listings whose children were not stored "
                 "completely (the failed batches) are fetched again")
                  .arg(names.join(u", "_s));
    if (m_retryResources.contains(Resource::Property))
        retryWhat += tr("; Property resumes from its cursor");
    m_retry->setToolTip(retryWhat + u" (Ctrl+Shift+R)"_s);
}

} // namespace resosync::ui
