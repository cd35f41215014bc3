#pragma once

#include "metrics/RunReport.h"

#include <QList>
#include <QString>

#include <optional>

namespace resosync::metrics {

/// Which way a figure improves, where that is known.
enum class BetterWhen {
    Higher,  ///< e.g. records/s, success rate, parallel efficiency
    Lower,   ///< e.g. latencies, failures, memory, duration
    Unknown, ///< settings and volumes: a change is neither good nor bad by itself
};

/// How run B fares against run A on one figure.
enum class ComparisonVerdict {
    Same,      ///< equal, or within RunComparison::kNoiseShare of each other
    Better,    ///< moved in the direction the figure improves
    Worse,     ///< moved against it
    Different, ///< changed, with no known better direction (settings, volumes, text)
};

/// One line of a comparison: a setting or a metric of both runs.
struct ComparisonRow {
    QString section; ///< "Config", "API", "Database: merge", "Resource: Media", ...
    QString metric;  ///< "p95 (ms)", "Batch size", ...
    QString a;       ///< run A's figure as shown
    QString b;
    std::optional<double> valueA; ///< the figures as numbers; none for text or "n/a"
    std::optional<double> valueB;
    BetterWhen betterWhen = BetterWhen::Unknown;

    /// B / A when both are numbers and A is not 0.
    std::optional<double> ratio() const;
    /// ratio() as shown: "1.25", "0.0041", "n/a" (A is 0 or n/a), or empty for text.
    QString ratioText() const;
    ComparisonVerdict verdict() const;
};

/// Two runs side by side: every config field and every metric of their reports, with the
/// ratio B / A and whether B is better or worse where the direction is known.
class RunComparison final {
public:
    /// Differences smaller than this share of the larger figure count as the same: run-to-run
    /// noise, not an effect of the settings.
    static constexpr double kNoiseShare = 0.02;

    RunComparison(RunReport a, RunReport b);

    const RunReport &a() const { return m_a; }
    const RunReport &b() const { return m_b; }
    const QList<ComparisonRow> &rows() const { return m_rows; }

    /// An aligned plain-text table (section, metric, A, B, B/A, verdict) under a header naming
    /// both runs.
    QString toText() const;
    /// RFC 4180 CSV with a header row: section,metric,run_a,run_b,ratio_b_over_a,verdict.
    QString toCsv() const;

    /// "better", "worse", "same" or "different".
    static QString verdictName(ComparisonVerdict verdict);

private:
    RunReport m_a;
    RunReport m_b;
    QList<ComparisonRow> m_rows;
};

} // namespace resosync::metrics
