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
; entry and the autostart; the settings, the database, the logs and the exchange folder stay
; unless the user ticks «Удалить также настройки, базу данных и каталог обмена».

Unicode true
ManifestDPIAware true
RequestExecutionLevel user

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

!define MUI_ICON "${ASSETS}\logo.ico"
!define MUI_UNICON "${ASSETS}\logo.ico"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\trayapp.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Запустить «${APP_NAME}»"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Russian"
!insertmacro MUI_LANGUAGE "English"

; a running tray holds its files: close it before copying or removing them
!macro CloseRunning
  nsExec::Exec '"$SYSDIR\taskkill.exe" /F /IM trayapp.exe'
  Pop $0
  Sleep 500
!macroend

Section "Программа «${APP_NAME}»" SecApp
  SectionIn RO
  !insertmacro CloseRunning
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

Section "Запускать при входе в Windows" SecAutostart
  ; the same entry `trayapp settings set autostart 1` writes (trayapp/autostart.py)
  WriteRegStr HKCU "${RUN_KEY}" "${APP}" '"$INSTDIR\trayapp.exe" tray --minimized'
SectionEnd

Section "-NoAutostart"
  ${IfNot} ${SectionIsSelected} ${SecAutostart}
    DeleteRegValue HKCU "${RUN_KEY}" "${APP}"
  ${EndIf}
SectionEnd

; ------------------------------------------------------------------------------ uninstall

Section "un.Программа «${APP_NAME}»" UnSecApp
  SectionIn RO
  !insertmacro CloseRunning
  DeleteRegValue HKCU "${RUN_KEY}" "${APP}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  Delete "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk"
  Delete "$SMPROGRAMS\${APP_NAME}\Удалить «${APP_NAME}».lnk"
  RMDir "$SMPROGRAMS\${APP_NAME}"
  ; only what the installer put there: a folder chosen by hand may hold other files
  Delete "$INSTDIR\trayapp.exe"
  Delete "$INSTDIR\trayapp-cli.exe"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd

Section /o "un.Удалить также настройки, базу данных и каталог обмена" UnSecData
  ; settings, database, logs and the default exchange folder («Мои счета» inside the data
  ; folder); an exchange folder chosen elsewhere in the settings is the user's and stays
  RMDir /r "${DATA_ROOT}"
SectionEnd

Function .onInit
  ; an upgrade installs where the previous version is
  ReadRegStr $0 HKCU "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
  ${EndIf}
FunctionEnd
