#pragma once

#include <QtGlobal>

#include <initializer_list>

namespace resosync::sim {

/// A tiny, fast, well-mixed PRNG (Steele et al., SplitMix64) whose sequence is fixed forever,
/// unlike std:: engines' distributions: the simulator's feed must be byte-identical for a
/// seed across platforms and library versions.
class SplitMix64 final {
public:
    explicit SplitMix64(quint64 seed)
        : m_state(seed) {}

    /// Seeds from several values (seed, resource, ordinal, version...) so each record gets
    /// an independent stream.
    static SplitMix64 from(std::initializer_list<quint64> parts) {
        quint64 h = 0x9E3779B97F4A7C15ULL;
        for (quint64 p : parts)
            h = mix(h ^ mix(p + 0x632BE59BD9B4E019ULL));
        return SplitMix64(h);
    }

    quint64 next() {
        m_state += 0x9E3779B97F4A7C15ULL;
        return mix(m_state);
    }
    /// Uniform in [0, bound).
    quint64 below(quint64 bound) { return bound == 0 ? 0 : next() % bound; }
    /// Uniform in [lo, hi].
    qint64 between(qint64 lo, qint64 hi) {
        return lo + static_cast<qint64>(below(static_cast<quint64>(hi - lo) + 1));
    }
    /// Uniform in [0, 1).
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double probability) { return unit() < probability; }

    static quint64 mix(quint64 z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

private:
    quint64 m_state;
};

} // namespace resosync::sim
