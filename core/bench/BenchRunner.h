#pragma once

#include "bench/BenchResult.h"

#include <QList>
#include <QString>

#include <functional>

namespace resosync::bench {

/// What `resosync-cli bench` measures, and at which sizes.
struct BenchOptions {
    QString adminConninfo;         ///< a server where scratch databases may be created (CREATEDB)
    int properties = 20'000;       ///< size S: about 25 media per listing
    int largeProperties = 100'000; ///< second size for the memory comparison; 0 skips it
    QList<int> concurrencies{1, 2, 3, 4, 6}; ///< tried on Media; the fastest is "best"
    bool seedDefaults = true; ///< also run the seed's settings (throttle 750 ms: slow)
    bool adaptive = true;     ///< also run with the adaptive tuner
    bool latency = true;      ///< the latency-bound scenario
    int latencyProperties = 5'000;
    int latencyPageSize = 1'000; ///< the largest $top most vendors serve
    int latencyMinMs = 300, latencyMaxMs = 1500;
    double vendorRequestsPerSecond = 2;
    /// Rendered JSON the Media comparison's simulator keeps (sim::RenderedRecords), rendered
    /// before the runs: the simulator then serves pages almost for free, as a remote server
    /// would cost this machine nothing. 0 = generate every page during the runs.
    qint64 renderedBytes = 2LL << 30;
    QString cliPath; ///< resosync-cli, for the memory runs (each in a process of its own)
    std::function<void(const QString &)> progress; ///< one line per step, for a person
};

/// Runs the whole benchmark in one process, so every ratio compares runs made minutes apart on
/// the same machine: the built-in simulator serves over HTTP on its own thread; each step gets
/// a fresh scratch database; Media runs start from an empty table with the listings loaded.
class BenchRunner final {
public:
    explicit BenchRunner(BenchOptions options);
    BenchResult run();

private:
    void say(const QString &line) const;
    void runMediaComparison(const QUrl &feed, const QString &conninfo, BenchResult &result);
    void runMemory(BenchResult &result);
    BenchRow measureMemory(int size, const QUrl &feed, const QString &reportPath);
    void runLatencyBound(BenchResult &result);

    BenchOptions m_options;
};

} // namespace resosync::bench
