# One INTERFACE target carries the compile policy every ResoSync target links
# (qBittorrent's CommonConfig pattern): language level, warnings, Qt's safety defines.
add_library(resosync_policy INTERFACE)
target_compile_features(resosync_policy INTERFACE cxx_std_20)
target_compile_options(resosync_policy INTERFACE
    -Wall -Wextra -pedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough)
target_compile_definitions(resosync_policy INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_KEYWORDS
    QT_USE_QSTRINGBUILDER
    QT_NO_URL_CAST_FROM_STRING
    QT_STRICT_ITERATORS
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)
option(RESOSYNC_WERROR "Treat warnings as errors" OFF)
if(RESOSYNC_WERROR)
    target_compile_options(resosync_policy INTERFACE -Werror)
endif()
option(RESOSYNC_SANITIZE "Build with AddressSanitizer and UBSan" OFF)
if(RESOSYNC_SANITIZE)
    # Undefined behaviour aborts like an address error (no "recoverable" reports a test run
    # could pass despite); scripts/test.sh sets ASAN_OPTIONS/UBSAN_OPTIONS halt_on_error=1.
    target_compile_options(resosync_policy INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(resosync_policy INTERFACE -fsanitize=address,undefined)
endif()
