#pragma once

#include "reso/Resource.h"
#include "sync/SyncSettings.h"

#include <QList>
#include <QWidget>

#include <array>

class QAction;
class QCheckBox;
class QComboBox;
class QToolButton;

namespace resosync::ui {

/// What to sync (resources, mode) and the run's buttons: Start, Pause/Resume, Cancel and
/// Retry failed, each a QAction with a shortcut (runActions() puts them in a menu too). It
/// keeps no run state of its own: the owner says which state to show.
///
/// Shortcuts: Start Ctrl+R or F9; Pause/Resume Ctrl+P; Cancel Ctrl+. (period, as on macOS;
/// not Esc, which is pressed by habit to close a popup and must not end a long run); Retry
/// failed Ctrl+Shift+R.
class RunControls final : public QWidget {
    Q_OBJECT

public:
    enum class State { Idle, Running, Paused, Cancelling };

    explicit RunControls(QWidget *parent = nullptr);

    /// The resources ticked, in run order (Property first).
    QList<reso::Resource> resources() const;
    sync::SyncMode mode() const;
    void setMode(sync::SyncMode mode);

    void setState(State state);
    State state() const { return m_state; }
    /// Why Start cannot be pressed although no run is in progress (e.g. a refused setting);
    /// empty when it can.
    void setStartBlocked(const QString &reason);
    /// Offers Retry failed after a run that left `resources` incomplete (empty: none).
    void setRetryResources(const QList<reso::Resource> &resources);
    QList<reso::Resource> retryResources() const { return m_retryResources; }

    QList<QAction *> runActions() const;

Q_SIGNALS:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void cancelRequested();
    void retryRequested();

private:
    QAction *makeAction(const QString &objectName, const QString &text,
                        const QList<QKeySequence> &shortcuts);
    QToolButton *buttonFor(QAction *action);
    void updateEnabled();

    std::array<QCheckBox *, reso::kAllResources.size()> m_resourceBoxes{};
    QComboBox *m_mode = nullptr;
    QAction *m_start = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_cancel = nullptr;
    QAction *m_retry = nullptr;
    State m_state = State::Idle;
    QString m_startBlocked;
    QList<reso::Resource> m_retryResources;
};

} // namespace resosync::ui
