#pragma once

#include "sim/FeedData.h"
#include "sim/SimulatorOptions.h"
#include "sim/SimulatorStats.h"

#include <QObject>
#include <QThread>
#include <QUrl>

#include <memory>

namespace resosync::sim {

class FeedService;
class HttpServer;

/// The built-in RESO feed: deterministic data served over real HTTP on 127.0.0.1, on a
/// thread of its own so a client in the same process (the console's demo, tests) sees it as
/// it would see a remote server.
class FeedSimulator final : public QObject {
    Q_OBJECT

public:
    explicit FeedSimulator(const SimulatorOptions &options, QObject *parent = nullptr);
    ~FeedSimulator() override;

    /// Listens on 127.0.0.1:`port` (0 picks a free port). On failure returns false and says
    /// why in `error`.
    bool start(quint16 port = 0, QString *error = nullptr);
    void stop();
    bool isRunning() const { return m_port != 0; }

    quint16 port() const { return m_port; }
    QUrl baseUrl() const;  ///< http://127.0.0.1:PORT/odata
    QUrl tokenUrl() const; ///< the OAuth2 client-credentials endpoint

    MutationResult mutate(const MutationSpec &spec);
    /// Renders every record into the server's store (SimulatorOptions::renderedBytes), on the
    /// server's thread, before a benchmark starts measuring. Returns the seconds it took.
    double prerender();
    SimulatorStats stats() const;
    void resetStats();
    void setFaults(const FaultOptions &faults);
    FaultOptions faults() const;
    const SimulatorOptions &options() const { return m_options; }
    const FeedData &data() const { return *m_data; }

private:
    SimulatorOptions m_options;
    std::unique_ptr<FeedData> m_data;
    std::unique_ptr<FeedService> m_service;
    QThread m_thread;
    QObject *m_threadContext = nullptr; ///< lives in m_thread; parent of the server
    HttpServer *m_server = nullptr;
    quint16 m_port = 0;
};

} // namespace resosync::sim
