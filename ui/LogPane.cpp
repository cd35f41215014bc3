#include "LogPane.h"

#include "reso/Resource.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTime>
#include <QVBoxLayout>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using sync::LogLevel;

namespace {

/// The level filter's entries: the least level shown.
enum LevelFilter { AllLevels, WarningsAndErrors, ErrorsOnly };
/// The resource filter's first entries; the resources follow.
enum ResourceFilter { AllResources, RunOnly };

const char *levelTag(LogLevel level) {
    switch (level) {
    case LogLevel::Error:
        return "ERROR";
    case LogLevel::Warning:
        return "WARN ";
    case LogLevel::Info:
        break;
    }
    return "info ";
}

} // namespace

LogPane::LogPane(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *filters = new QHBoxLayout;
    m_level = new QComboBox(this);
    m_level->setObjectName(u"logLevelFilter"_s);
    m_level->addItems({tr("All levels"), tr("Warnings and errors"), tr("Errors")});
    m_level->setToolTip(tr("The least level shown"));
    m_resource = new QComboBox(this);
    m_resource->setObjectName(u"logResourceFilter"_s);
    m_resource->addItems({tr("All resources"), tr("Run (no resource)")});
    for (reso::Resource resource : reso::kAllResources)
        m_resource->addItem(reso::resourceName(resource));
    m_resource->setToolTip(tr("Only the lines of one resource, or of the run as a whole"));
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"logSearch"_s);
    m_search->setPlaceholderText(tr("Filter text"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(tr("Only lines containing this text (case does not matter)"));
    auto *copyAllButton = new QPushButton(tr("Copy all"), this);
    copyAllButton->setObjectName(u"logCopyAll"_s);
    copyAllButton->setToolTip(tr("Copies every line the filter shows to the clipboard"));
    filters->addWidget(m_level);
    filters->addWidget(m_resource);
    filters->addWidget(m_search, 1);
    filters->addWidget(copyAllButton);
    layout->addLayout(filters);

    m_view = new QPlainTextEdit(this);
    m_view->setObjectName(u"logView"_s);
    m_view->setReadOnly(true);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_view->setMaximumBlockCount(kMaxLines);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setToolTip(
        tr("The sync's log (the last %L1 lines). Select and press Ctrl+C to copy.").arg(kMaxLines));
    layout->addWidget(m_view, 1);

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &LogPane::flush);
    connect(m_level, &QComboBox::currentIndexChanged, this, &LogPane::refilter);
    connect(m_resource, &QComboBox::currentIndexChanged, this, &LogPane::refilter);
    connect(m_search, &QLineEdit::textChanged, this, &LogPane::refilter);
    connect(copyAllButton, &QPushButton::clicked, this, &LogPane::copyAll);
}

void LogPane::append(LogLevel level, const QString &resource, const QString &message) {
    Line line{level, resource,
              u"%1  %2  %3%4"_s.arg(QTime::currentTime().toString(u"HH:mm:ss.zzz"_s),
                                    QLatin1StringView(levelTag(level)),
                                    resource.isEmpty() ? QString() : resource + u"  "_s, message)};
    if (matches(line)) {
        m_pending << line.text;
        if (!m_flushTimer.isActive())
            m_flushTimer.start();
    }
    m_lines.push_back(std::move(line));
    if (m_lines.size() > std::size_t(kMaxLines))
        m_lines.pop_front();
}

bool LogPane::matches(const Line &line) const {
    const int least = m_level->currentIndex();
    if ((least == WarningsAndErrors && line.level == LogLevel::Info) ||
        (least == ErrorsOnly && line.level != LogLevel::Error))
        return false;
    const int resource = m_resource->currentIndex();
    if (resource == RunOnly && !line.resource.isEmpty())
        return false;
    if (resource > RunOnly && line.resource != m_resource->currentText())
        return false;
    return m_search->text().isEmpty() || line.text.contains(m_search->text(), Qt::CaseInsensitive);
}

void LogPane::flush() {
    if (m_pending.isEmpty())
        return;
    QScrollBar *bar = m_view->verticalScrollBar();
    const bool following = bar->value() == bar->maximum();
    const int position = bar->value();
    // One insertion for the whole batch: a block per line, one layout and one repaint.
    m_view->appendPlainText(m_pending.join(u'\n'));
    m_pending.clear();
    // Someone reading further up keeps their place; otherwise follow the newest line.
    bar->setValue(following ? bar->maximum() : position);
}

void LogPane::refilter() {
    m_flushTimer.stop();
    m_pending.clear();
    QStringList shown;
    for (const Line &line : m_lines) {
        if (matches(line))
            shown << line.text;
    }
    m_view->setPlainText(shown.join(u'\n'));
    m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->maximum());
}

QString LogPane::visibleText() const {
    QString text = m_view->toPlainText();
    if (!m_pending.isEmpty())
        text += (text.isEmpty() ? QString() : u"\n"_s) + m_pending.join(u'\n');
    return text;
}

void LogPane::copyAll() const {
    QApplication::clipboard()->setText(visibleText());
}

} // namespace resosync::ui
