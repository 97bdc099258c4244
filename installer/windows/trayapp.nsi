; The Windows installer of trayapp («Мои счета»): per user, no administrator rights.
;
;   makensis -DDIST=<PyInstaller onedir folder> -DVERSION=<version> -DOUTDIR=<folder> \
;            installer/windows/trayapp.nsi
;
; DIST is dist/trayapp from installer/windows/trayapp.spec (trayapp.exe, trayapp-cli.exe,
; _internal/); VERSION the one of pyproject.toml; the installer is written to
; OUTDIR/trayapp-<VERSION>-setup.exe. It installs into %LOCALAPPDATA%\Programs\trayapp, makes
; a Start-menu entry, offers autostart (HKCU ...\Run, `trayapp.exe tray --minimized`), and
; registers its uninstaller under HKCU. The uninstaller removes the program, the Start-menu
; entry and the autostart; the settings, the database, the logs, the exchange folder and the
; saved passwords stay unless the user ticks «Удалить также мои данные» (silent: /PURGE).
;
; A running program is asked to quit, never killed: the tray answers the named event
; QUIT_EVENT (trayapp/ui/winquit.py) by finishing as «Выход» does; the installer waits for it
; and, after an upgrade, starts it again. A program file still in use (a scheduled
; `trayapp-cli.exe exchange`, a tray that does not answer) is waited for (silent: /WAIT=seconds,
; default 60) or retried (the Russian «Повтор»/«Отмена» box); a silent run that cannot replace
; or remove it exits with code 2 and changes nothing: the uninstall entry stays until the files
; are gone. The file is saved with a BOM: makensis on Windows reads a BOM-less script in the
; ANSI code page. The tests: tests/installer/test_windows_wine.py (under Wine).

Unicode true
ManifestDPIAware true
RequestExecutionLevel user
AllowSkipFiles off  ; a file that cannot be written: «Повтор» or «Отмена», never skipped

!ifndef DIST
  !error "DIST is not set: makensis -DDIST=dist\trayapp -DVERSION=x.y.z -DOUTDIR=out trayapp.nsi"
!endif
!ifndef VERSION
  !error "VERSION is not set (the version of pyproject.toml)"
!endif
!ifndef OUTDIR
  !define OUTDIR "."
!endif

!define APP "trayapp"
!define APP_NAME "Мои счета"
!define PUBLISHER "trayapp"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define APPROVED_KEY "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
; the notifications' app ID (trayapp/ui/notify.py) and the one of versions before it
!define AUMID_KEY "Software\Classes\AppUserModelId"
!define AUMID "trayapp.MoiScheta"
; the named event the tray waits on (trayapp/ui/winquit.py)
!define QUIT_EVENT "trayapp-quit"
; where platformdirs puts the data of trayapp.paths (appname trayapp, appauthor trayapp)
!define DATA_ROOT "$LOCALAPPDATA\${APP}"
!define ASSETS "${__FILEDIR__}\..\..\assets"

; VERSION may be 1.2.3 or 1.2.3.4 (or 1.2); the version resource wants four numbers
!searchparse /noerrors "${VERSION}.0.0.0" "" V1 "." V2 "." V3 "." V4 "."
!ifndef V2
  !define V2 0
!endif
!ifndef V3
  !define V3 0
!endif

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTDIR}\${APP}-${VERSION}-setup.exe"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
SetCompressor /SOLID lzma
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${V1}.${V2}.${V3}.0"
VIAddVersionKey /LANG=1049 "ProductName" "${APP_NAME}: обмен реестрами"
VIAddVersionKey /LANG=1049 "FileDescription" "Установка «${APP_NAME}»"
VIAddVersionKey /LANG=1049 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1049 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1049 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1049 "LegalCopyright" "${PUBLISHER}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "Sections.nsh"

!define MUI_ICON "${ASSETS}\logo.ico"
!define MUI_UNICON "${ASSETS}\logo.ico"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\trayapp.exe"
!define MUI_FINISHPAGE_RUN_TEXT "$(RunText)"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!define MUI_COMPONENTSPAGE_TEXT_TOP "$(UnDataHint)"
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Russian"
!insertmacro MUI_LANGUAGE "English"

; everything the pages show in the installer's own words, in both languages: a component
; name fits the components list (about 45 characters of it show; tests check 40)
LangString SecAppName ${LANG_RUSSIAN} "Программа «${APP_NAME}»"
LangString SecAppName ${LANG_ENGLISH} "${APP} program"
LangString SecAutostartName ${LANG_RUSSIAN} "Запускать при входе в Windows"
LangString SecAutostartName ${LANG_ENGLISH} "Start when I sign in to Windows"
LangString UnSecDataName ${LANG_RUSSIAN} "Удалить также мои данные"
LangString UnSecDataName ${LANG_ENGLISH} "Also remove my data"
LangString UnDataHint ${LANG_RUSSIAN} "«Мои данные» — настройки, база данных, журналы, \
  сохранённые пароли и каталог обмена по умолчанию. Без этой галочки они остаются."
LangString UnDataHint ${LANG_ENGLISH} "«My data» is the settings, the database, the logs, \
  the saved passwords and the default exchange folder. Unticked, they are kept."
LangString RunText ${LANG_RUSSIAN} "Запустить «${APP_NAME}»"
LangString RunText ${LANG_ENGLISH} "Start ${APP}"
LangString BusyText ${LANG_RUSSIAN} "Файл $R9 занят: «${APP_NAME}» ещё работает \
  (например, обмен по расписанию).$\r$\nДождитесь окончания или закройте программу и нажмите \
  «Повтор»; «Отмена» прервёт установку, ничего не изменив."
LangString BusyText ${LANG_ENGLISH} "$R9 is in use: ${APP} is still running (a scheduled \
  exchange, for one).$\r$\nWait for it or close it, then press Retry; Cancel stops without \
  changing anything."
LangString BusyAbort ${LANG_RUSSIAN} "Файл $R9 занят: ничего не изменено."
LangString BusyAbort ${LANG_ENGLISH} "$R9 is in use: nothing was changed."

Var WasRunning  ; a tray was running (asked to quit): start it again after the upgrade
Var BusyWait    ; seconds a silent run waits for a busy file (/WAIT=)

; A running program holds its files. The tray is asked to quit through its named event and
; waited for (at most 30 s: it finishes or abandons its session safely); then every program
; file must be writable: a silent run waits up to $BusyWait seconds for that (a scheduled
; exchange ending), an interactive one asks «Повтор»/«Отмена». Nothing is changed before.
!macro CloseRunning un
Function ${un}AskTrayToQuit
  StrCpy $WasRunning 0
  ; EVENT_MODIFY_STATE (2) | SYNCHRONIZE (0x100000)
  System::Call 'kernel32::OpenEventW(i 0x100002, i 0, w "${QUIT_EVENT}") p .r0'
  ${If} $0 P<> 0
    StrCpy $WasRunning 1
    DetailPrint "«${APP_NAME}»: просьба завершиться"
    System::Call 'kernel32::SetEvent(p r0)'
    System::Call 'kernel32::CloseHandle(p r0)'
    ; the event lives as long as a tray holds it: gone = every tray has quit
    ${ForEach} $1 1 120 + 1
      Sleep 250
      System::Call 'kernel32::OpenEventW(i 0x100000, i 0, w "${QUIT_EVENT}") p .r0'
      ${If} $0 P= 0
        ${Break}
      ${EndIf}
      System::Call 'kernel32::CloseHandle(p r0)'
    ${Next}
  ${EndIf}
FunctionEnd

; $R9: the first program file of $INSTDIR that cannot be opened for writing, or ""
Function ${un}FindBusyFile
  StrCpy $R9 ""
  ${ForEach} $1 0 1 + 1
    ${If} $1 = 0
      StrCpy $2 "$INSTDIR\trayapp.exe"
    ${Else}
      StrCpy $2 "$INSTDIR\trayapp-cli.exe"
    ${EndIf}
    ${If} ${FileExists} $2
      ClearErrors
      FileOpen $3 $2 a
      ${If} ${Errors}
        StrCpy $R9 $2
        ${Break}
      ${EndIf}
      FileClose $3
    ${EndIf}
  ${Next}
FunctionEnd

Function ${un}CloseRunning
  Call ${un}AskTrayToQuit
  StrCpy $4 0
  ${Do}
    Call ${un}FindBusyFile
    ${If} $R9 == ""
      ${Break}
    ${EndIf}
    ${If} ${Silent}
      ${If} $4 >= $BusyWait
        DetailPrint "$(BusyAbort)"
        SetErrorLevel 2
        Abort "$(BusyAbort)"
      ${EndIf}
      Sleep 1000
      IntOp $4 $4 + 1
    ${Else}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(BusyText)" /SD IDCANCEL IDRETRY busy_retry
      SetErrorLevel 2
      Abort "$(BusyAbort)"
      busy_retry:
    ${EndIf}
  ${Loop}
FunctionEnd

Function ${un}ReadOptions
  ${GetParameters} $R0
  StrCpy $BusyWait 60
  ClearErrors
  ${GetOptions} $R0 "/WAIT=" $R1
  ${IfNot} ${Errors}
    IntOp $BusyWait $R1 + 0
  ${EndIf}
FunctionEnd
!macroend
!insertmacro CloseRunning ""
!insertmacro CloseRunning "un."

Section "$(SecAppName)" SecApp
  SectionIn RO
  Call CloseRunning
  SetOutPath "$INSTDIR"
  File /r "${DIST}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\trayapp.exe" "" \
    "$INSTDIR\trayapp.exe" 0
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\Удалить «${APP_NAME}».lnk" "$INSTDIR\uninstall.exe"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}: обмен реестрами"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\trayapp.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "$(SecAutostartName)" SecAutostart
  ; the same entry `trayapp settings set autostart 1` writes (trayapp/autostart.py); a
  ; «disabled» mark of Task Manager's Startup tab is left as it is (the user's choice)
  WriteRegStr HKCU "${RUN_KEY}" "${APP}" '"$INSTDIR\trayapp.exe" tray --minimized'
SectionEnd

Section "-NoAutostart"
  ${IfNot} ${SectionIsSelected} ${SecAutostart}
    DeleteRegValue HKCU "${RUN_KEY}" "${APP}"
  ${EndIf}
SectionEnd

Section "-Restart"
  ; a tray that was asked to quit for the upgrade comes back as it was: only the icon
  ${If} $WasRunning = 1
    Exec '"$INSTDIR\trayapp.exe" tray --minimized'
  ${EndIf}
SectionEnd

; ------------------------------------------------------------------------------ uninstall

Section "un.$(SecAppName)" UnSecApp
  SectionIn RO
  Call un.CloseRunning
  Call un.ForgetPasswords  ; needs trayapp-cli.exe: before the files go
  ; only what the installer put there: a folder chosen by hand may hold other files
  Delete "$INSTDIR\trayapp.exe"
  Delete "$INSTDIR\trayapp-cli.exe"
  RMDir /r "$INSTDIR\_internal"
  ${If} ${FileExists} "$INSTDIR\trayapp.exe"
  ${OrIf} ${FileExists} "$INSTDIR\trayapp-cli.exe"
  ${OrIf} ${FileExists} "$INSTDIR\_internal\*.*"
    ; the program stays: so do its autostart, its menu entry and its uninstall entry
    DetailPrint "$(BusyAbort)"
    SetErrorLevel 2
    Abort "$(BusyAbort)"
  ${EndIf}
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk"
  Delete "$SMPROGRAMS\${APP_NAME}\Удалить «${APP_NAME}».lnk"
  RMDir "$SMPROGRAMS\${APP_NAME}"
  DeleteRegValue HKCU "${RUN_KEY}" "${APP}"
  DeleteRegValue HKCU "${APPROVED_KEY}" "${APP}"
  DeleteRegKey HKCU "${AUMID_KEY}\${AUMID}"
  DeleteRegKey HKCU "${AUMID_KEY}\${APP_NAME}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"  ; last: while anything is left, it can be removed
SectionEnd

Section /o "un.$(UnSecDataName)" UnSecData
  ; settings, database, logs and the default exchange folder («Мои счета» inside the data
  ; folder); an exchange folder chosen elsewhere in the settings is the user's and stays
  RMDir /r "${DATA_ROOT}"
SectionEnd

; with «remove my data»: the passwords in Credential Manager too (trayapp-cli removes the
; entries of the saved login and database)
Function un.ForgetPasswords
  ${If} ${SectionIsSelected} ${UnSecData}
  ${AndIf} ${FileExists} "$INSTDIR\trayapp-cli.exe"
    nsExec::Exec '"$INSTDIR\trayapp-cli.exe" settings forget-passwords'
    Pop $0
  ${EndIf}
FunctionEnd

Function un.onInit
  Call un.ReadOptions
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${UnSecData}
  ${EndIf}
FunctionEnd

Function .onInit
  Call ReadOptions
  ; an upgrade installs where the previous version is, and keeps the autostart as it is
  ReadRegStr $0 HKCU "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
    ClearErrors
    ReadRegStr $1 HKCU "${RUN_KEY}" "${APP}"
    ${If} ${Errors}
      !insertmacro UnselectSection ${SecAutostart}
    ${EndIf}
  ${EndIf}
FunctionEnd
