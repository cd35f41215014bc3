#include "process/MallocTuning.h"

#include <QByteArray>
#include <QtGlobal>

#include <cstdio>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace Qt::StringLiterals;

namespace resosync::process {

namespace {

/// The user's own malloc setting, if any, in words.
QString explicitSetting() {
    for (const char *name :
         {"MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"}) {
        if (qEnvironmentVariableIsSet(name))
            return QLatin1StringView(name) + u" is set"_s;
    }
    if (qgetenv("GLIBC_TUNABLES").contains("glibc.malloc."))
        return u"GLIBC_TUNABLES sets glibc.malloc"_s;
    return {};
}

} // namespace

MallocTuning tuneMalloc(int arenas) {
    MallocTuning result;
#if defined(__GLIBC__)
    if (arenas < 1) {
        result.reason = u"an arena limit must be at least 1 (asked for %1)"_s.arg(arenas);
        return result;
    }
    if (const QString setting = explicitSetting(); !setting.isEmpty()) {
        result.reason = setting + u": malloc left as set"_s;
        return result;
    }
    struct Setting {
        int parameter;
        int value;
        const char *name;
    };
    for (const Setting &setting :
         {Setting{M_ARENA_MAX, arenas, "M_ARENA_MAX"},
          Setting{M_MMAP_THRESHOLD, int(kHeapBlockLimit), "M_MMAP_THRESHOLD"},
          Setting{M_TRIM_THRESHOLD, int(kHeapTrimThreshold), "M_TRIM_THRESHOLD"}}) {
        if (mallopt(setting.parameter, setting.value) != 1) {
            // AddressSanitizer, for one, replaces malloc and refuses mallopt().
            result.reason = u"mallopt(%1) was refused: the malloc in use is not glibc's"_s.arg(
                QLatin1StringView(setting.name));
            return result;
        }
    }
    result.applied = true;
    result.arenas = arenas;
    result.reason =
        u"malloc: %1 arenas, heap blocks up to %2 MB, trimmed beyond %3 MB"_s.arg(arenas)
            .arg(kHeapBlockLimit >> 20)
            .arg(kHeapTrimThreshold >> 20);
#else
    Q_UNUSED(arenas);
    result.reason = u"not glibc: the allocator's own settings are kept"_s;
#endif
    return result;
}

int mallocArenaCount() {
#if defined(__GLIBC__)
    // malloc_info() is glibc's only public account of its arenas: one <heap nr="N"> each.
    char *text = nullptr;
    std::size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    if (stream == nullptr)
        return -1;
    const bool ok = malloc_info(0, stream) == 0;
    std::fclose(stream);
    const int count = ok ? int(QByteArray(text, qsizetype(size)).count("<heap nr=")) : -1;
    std::free(text);
    return count;
#else
    return -1;
#endif
}

} // namespace resosync::process
