#pragma once

#include "db/DbError.h"
#include "metrics/MetricsSnapshot.h"
#include "metrics/RunReport.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace resosync::db {

/// A run's recorded time series by name (the recorder's names, e.g. "memory.rss_mb"), each
/// oldest first with atMs relative to the run's start: what the charts show.
using SeriesByName = QHash<QString, QList<metrics::SeriesPoint>>;

/// One past run as the history lists it.
struct RunListEntry {
    qint64 runId = 0;
    QDateTime startedAt;  ///< UTC
    QDateTime finishedAt; ///< invalid while the run is recorded as running
    /// From the saved report; for a run without one, finished minus started; -1 when unknown.
    double durationSeconds = -1;
    /// "running", "succeeded", "failed" or "cancelled". A run still "running" long after its
    /// start ended without saving its outcome (the program was killed).
    QString status;
    QString mode;
    QStringList resources;
    QString feed;              ///< the feed URL as stored: never with credentials
    qint64 recordsFetched = 0; ///< records received from the feed, all resources
    qint64 recordsWritten = 0; ///< rows inserted or updated, all resources
    double recordsPerSecond = 0;
    QString error; ///< why the run failed, as saved
    /// The run's report rebuilt from its saved summary (RunReport::fromJson); none for a run
    /// that did not save one (still running, or killed).
    std::optional<metrics::RunReport> report;
};

/// A page of the run list, newest first.
struct RunPage {
    QList<RunListEntry> runs;
    qint64 totalRuns = 0; ///< in the database, for "showing 100 of 340"
    std::optional<DbError> error;
};

/// One run with everything needed to show its charts again.
struct RecordedRun {
    RunListEntry run;
    SeriesByName series;
    QList<metrics::RunEvent> events; ///< in the order they happened, atMs relative to the start
    std::optional<DbError> error;
};

/// The figures of one run that trend charts plot across runs.
struct RunTrendPoint {
    qint64 runId = 0;
    QDateTime startedAt;
    QString status;
    double recordsPerSecond = 0;
    double apiP95Ms = 0;
    double dbAvgMs = 0;
    double peakRssMb = 0;
};

struct RunTrends {
    QList<RunTrendPoint> points; ///< oldest first
    std::optional<DbError> error;
};

/// Past sync runs from resosync.runs with their saved reports, samples (resosync.run_samples)
/// and marked events (resosync.run_events): the console's history, comparison and trends.
///
/// Blocking: call it from a pool thread. Every call opens its own connection, so one instance
/// may be used from any thread, one call at a time per thread.
class RunHistory final {
public:
    /// `conninfo` is passed to libpq unchanged (see openConnection()).
    explicit RunHistory(QString conninfo);

    /// Up to `limit` runs, newest (highest run id) first, skipping the `offset` newest.
    RunPage listRuns(int limit, int offset = 0) const;
    /// One run with its report, samples grouped by series and events. A run id that does not
    /// exist gives an error saying so.
    RecordedRun loadRun(qint64 runId) const;
    /// Deletes a run; its samples and events go with it (foreign keys cascade), rejects it
    /// caused stay with their run id cleared. A run id that does not exist gives an error.
    std::optional<DbError> deleteRun(qint64 runId) const;
    /// The trend figures of the `lastRuns` newest runs that saved a report (with
    /// `succeededOnly`, of succeeded runs only: a cancelled run's rate says little), oldest first.
    RunTrends trends(int lastRuns, bool succeededOnly = true) const;

private:
    QString m_conninfo;
};

} // namespace resosync::db
