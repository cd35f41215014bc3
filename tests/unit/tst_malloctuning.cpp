// tuneMalloc(): an explicit malloc setting is left alone; once tuned, threads started after it
// share at most the arenas allowed, and a block the size of a parse buffer comes from the heap
// while a larger one is mapped. Measured from glibc's own accounts (malloc_info, mallinfo2).
#include "process/MallocTuning.h"

#include <QTest>

#include <algorithm>
#include <cstdlib>
#include <latch>
#include <thread>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace resosync::process;
using namespace Qt::StringLiterals;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizedMalloc = true;
#else
constexpr bool kSanitizedMalloc = false;
#endif

class TestMallocTuning : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
#if !defined(__GLIBC__)
        QSKIP("the settings tuned are glibc's");
#endif
    }

    // AddressSanitizer replaces malloc: mallopt() is refused, and tuneMalloc() says so.
    void aMallocOtherThanGlibcsIsReported() {
        if (!kSanitizedMalloc)
            QSKIP("glibc's malloc is in use");
        const MallocTuning tuning = tuneMalloc(2);
        QVERIFY(!tuning.applied);
        QVERIFY2(tuning.reason.contains(u"not glibc's"_s), qPrintable(tuning.reason));
    }

    // Runs first: once tuned, a process stays tuned.
    void anExplicitSettingIsLeftAlone() {
        for (const char *name : {"MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_"}) {
            qputenv(name, "8");
            const MallocTuning tuning = tuneMalloc(2);
            qunsetenv(name);
            QVERIFY(!tuning.applied);
            QVERIFY2(tuning.reason.contains(QLatin1StringView(name)), qPrintable(tuning.reason));
        }
        qputenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=4");
        const MallocTuning tuning = tuneMalloc(2);
        qunsetenv("GLIBC_TUNABLES");
        QVERIFY(!tuning.applied);
    }

    void anArenaLimitBelowOneIsRefused() {
        const MallocTuning tuning = tuneMalloc(0);
        QVERIFY(!tuning.applied);
        QVERIFY(!tuning.reason.isEmpty());
    }

    // Without the limit, glibc gives each of these threads an arena of its own (up to eight
    // per core), so this fails when the limit is not applied.
    void concurrentThreadsShareTheAllowedArenas() {
        if (kSanitizedMalloc)
            QSKIP("AddressSanitizer's malloc has no glibc arenas");
        constexpr int kLimit = 2;
        constexpr int kThreads = 8;
        const MallocTuning tuning = tuneMalloc(kLimit);
        QVERIFY2(tuning.applied, qPrintable(tuning.reason));
        QCOMPARE(tuning.arenas, kLimit);

        // Every thread allocates while all the others are alive, so none can take over an
        // arena that an exited thread gave back.
        std::latch allAllocated(kThreads);
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i) {
            threads.emplace_back([&allAllocated] {
                void *volatile block = std::malloc(64 * 1024); // volatile: kept, not elided
                allAllocated.arrive_and_wait();
                std::free(block);
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        const int arenas = mallocArenaCount();
        QVERIFY2(arenas >= 1 && arenas <= kLimit, qPrintable(QString::number(arenas)));
    }

    // glibc's default maps any block over 128 KB (until a mapped block is freed), so this
    // fails untuned.
    void blocksUpToTheLimitComeFromTheHeap() {
        if (kSanitizedMalloc)
            QSKIP("AddressSanitizer's malloc has no glibc heap");
#if defined(__GLIBC__)
        QVERIFY(tuneMalloc(2).applied);
        const auto mapped = [] { return mallinfo2().hblkhd; };
        // Through volatile pointers: the compiler may drop a malloc whose block is only freed.
        void *volatile parseBuffer = nullptr;
        void *volatile huge = nullptr;
        const std::size_t before = mapped();
        parseBuffer = std::malloc(kHeapBlockLimit / 2);
        QCOMPARE(mapped(), before);
        // Larger than any free heap top may stay (kHeapTrimThreshold), so it cannot be served
        // from one: glibc maps a block over the limit only when no free heap holds it.
        const std::size_t hugeSize = 2 * std::max(kHeapBlockLimit, kHeapTrimThreshold);
        huge = std::malloc(hugeSize);
        QVERIFY(mapped() >= before + hugeSize);
        std::free(huge);
        QCOMPARE(mapped(), before); // a mapped block goes back to the system when freed
        std::free(parseBuffer);
#endif
    }
};

QTEST_GUILESS_MAIN(TestMallocTuning)
#include "tst_malloctuning.moc"
