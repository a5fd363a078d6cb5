/* dloagent.exe entry point: hardens the process, turns the UTF-16 command line into UTF-8 and
 * hands it to the portable core with a platform of real Win32 functions. */
#include <windows.h>

#include <stdlib.h>

#include "dlo/app.h"
#include "win/console.h"

int wmain(int argc, wchar_t **wargv)
{
    char **argv = NULL;
    int i, code = 3;

    /* Before anything can load a DLL: a planted DLL in the current or the application folder
     * must never be picked up by a process that runs as LocalSystem. */
    SetDefaultDllDirectories(LOAD_LIBRARY_SEARCH_SYSTEM32);
    SetDllDirectoryW(L"");
    /* Abort rather than continue on a corrupted heap. */
    HeapSetInformation(NULL, HeapEnableTerminationOnCorruption, NULL, 0);

    argv = calloc((size_t)argc + 1, sizeof(*argv));
    if (!argv)
        goto cleanup_argv;
    for (i = 0; i < argc; i++) {
        argv[i] = win_utf16_to_utf8(wargv[i]);
        if (!argv[i])
            goto cleanup_argv;
    }

    code = dlo_app_run(win_console_platform(), argc, argv);

cleanup_argv:
    if (argv) {
        for (i = 0; i < argc; i++)
            free(argv[i]);
        free(argv);
    }
    return code;
}
