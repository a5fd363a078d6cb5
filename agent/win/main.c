/* dloagent.exe entry point: hardens the process, initialises COM, turns the UTF-16 command line
 * into UTF-8 and hands it to the portable core with a platform of real Win32 functions. */
#include <windows.h>
#include <objbase.h>

#include <stdlib.h>

#include "dlo/app.h"
#include "win/winplatform.h"
#include "win/winutil.h"

int wmain(int argc, wchar_t **wargv)
{
    char **argv = NULL;
    int i, code = 3;
    HRESULT com;

    /* Before anything can load a DLL: a planted DLL in the current or the application folder
     * must never be picked up by a process that runs as LocalSystem. */
    SetDefaultDllDirectories(LOAD_LIBRARY_SEARCH_SYSTEM32);
    SetDllDirectoryW(L"");
    /* Abort rather than continue on a corrupted heap. */
    HeapSetInformation(NULL, HeapEnableTerminationOnCorruption, NULL, 0);

    /* COM, for the firewall API, initialised here once for the whole process, in the
     * multithreaded apartment: the service's loop waits in WaitForMultipleObjectsEx with no
     * message loop, which a single-threaded apartment would need, and the thread on which the
     * Service Control Manager runs the service joins the process's multithreaded apartment
     * without initialising COM itself. A failure leaves COM off: opening the firewall then
     * reports it. */
    com = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    argv = calloc((size_t)argc + 1, sizeof(*argv));
    if (!argv)
        goto cleanup_argv;
    for (i = 0; i < argc; i++) {
        argv[i] = win_utf16_to_utf8(wargv[i]);
        if (!argv[i])
            goto cleanup_argv;
    }

    code = dlo_app_run(win_platform(), argc, argv);

cleanup_argv:
    if (argv) {
        for (i = 0; i < argc; i++)
            free(argv[i]);
        free(argv);
    }
    if (SUCCEEDED(com))
        CoUninitialize();
    return code;
}
