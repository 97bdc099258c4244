/* A stand-in for trayapp.exe and trayapp-cli.exe in the installer's Wine test
 * (tests/installer/test_windows_wine.py), built with x86_64-w64-mingw32-gcc.
 *
 * It appends one line per start to the file named by TRAYAPP_STANDIN_LOG (UTF-8):
 *   "<exe> <VERSION> start <pid> <command line>", and "<exe> <pid> quit-request" / "stopped".
 * `--version` prints "trayapp VERSION" and exits. trayapp.exe and `trayapp-cli.exe hold`
 * keep running and hold their own .exe open (no write or delete sharing, as Windows does for
 * a running image) until TRAYAPP_STANDIN_STOP names a file that exists, or, for trayapp.exe,
 * until the tray's quit event (QUIT_EVENT, trayapp/ui/winquit.py) is set -- unless
 * TRAYAPP_STANDIN_DEAF=1, a tray that hangs. Any other run records itself and exits 0.
 */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

#ifndef VERSION
#define VERSION "0.0.0"
#endif
#define QUIT_EVENT L"trayapp-quit"

static void record(const wchar_t *text) {
    wchar_t path[MAX_PATH];
    if (!GetEnvironmentVariableW(L"TRAYAPP_STANDIN_LOG", path, MAX_PATH)) return;
    HANDLE f = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE) return;
    char buf[8192];
    int n = WideCharToMultiByte(CP_UTF8, 0, text, -1, buf, sizeof buf - 2, NULL, NULL);
    if (n > 0) {
        buf[n - 1] = '\n';
        DWORD done;
        WriteFile(f, buf, (DWORD)n, &done, NULL);
    }
    CloseHandle(f);
}

static int stop_file_exists(void) {
    wchar_t path[MAX_PATH];
    if (!GetEnvironmentVariableW(L"TRAYAPP_STANDIN_STOP", path, MAX_PATH)) return 0;
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

int main(void) {
    wchar_t self[MAX_PATH], line[4096];
    GetModuleFileNameW(NULL, self, MAX_PATH);
    const wchar_t *name = wcsrchr(self, L'\\') ? wcsrchr(self, L'\\') + 1 : self;
    const wchar_t *cmd = GetCommandLineW();
    int tray = _wcsicmp(name, L"trayapp.exe") == 0;
    DWORD pid = GetCurrentProcessId();

    if (wcsstr(cmd, L" --version")) {
        printf("trayapp %s\n", VERSION);
        return 0;
    }
    swprintf(line, 4096, L"%ls %hs start %lu %ls", name, VERSION, pid, cmd);
    record(line);
    if (!tray && !wcsstr(cmd, L" hold")) return 0;

    /* a running program: its image cannot be written or deleted while it runs */
    HANDLE image = CreateFileW(self, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    HANDLE quit = NULL;
    wchar_t deaf[8] = L"";
    GetEnvironmentVariableW(L"TRAYAPP_STANDIN_DEAF", deaf, 8);
    if (tray && wcscmp(deaf, L"1") != 0)
        quit = CreateEventW(NULL, TRUE, FALSE, QUIT_EVENT);
    swprintf(line, 4096, L"%ls %lu ready", name, pid);
    record(line);
    for (int i = 0; i < 3000; i++) { /* at most 5 minutes: a test that forgot us */
        if (quit && WaitForSingleObject(quit, 100) == WAIT_OBJECT_0) {
            swprintf(line, 4096, L"%ls %lu quit-request", name, pid);
            record(line);
            break;
        }
        if (!quit) Sleep(100);
        if (stop_file_exists()) break;
    }
    CloseHandle(image);
    swprintf(line, 4096, L"%ls %lu stopped", name, pid);
    record(line);
    return 0;
}
