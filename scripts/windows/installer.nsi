; tsm-desk installer: per user, no administrator rights (an attendance officer's
; locked-down laptop). Installs into %LOCALAPPDATA%\Programs\tsm-desk, adds a Start
; menu shortcut to the app, and registers an uninstaller under HKCU. The database is
; not here: it lives in %APPDATA%\tsm-desk and the uninstaller leaves it alone.
;
; Built by scripts/windows-check:  makensis -DVERSION=x.y.z -DSTAGE=<folder> -DOUT=<exe>
Unicode true
!include "MUI2.nsh"

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef STAGE
  !error "pass -DSTAGE=<folder with the files to install>"
!endif
!ifndef OUT
  !define OUT "tsm-desk-${VERSION}-setup.exe"
!endif

Name "tsm-desk ${VERSION}"
OutFile "${OUT}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\tsm-desk"
SetCompressor /SOLID lzma

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\tsm-desk"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\tsm-desk-app.exe"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "tsm-desk"
  SetOutPath "$INSTDIR"
  File "${STAGE}\tsm-desk-app.exe"
  File "${STAGE}\tsm-desk.exe"
  File "${STAGE}\README.md"
  SetOutPath "$INSTDIR\sample_data"
  File "${STAGE}\sample_data\*.*"
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortCut "$SMPROGRAMS\tsm-desk.lnk" "$INSTDIR\tsm-desk-app.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "tsm-desk"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "tsm-desk"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\tsm-desk-app.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
SectionEnd

; Removes exactly what the installer put there; the database and its backups in
; %APPDATA%\tsm-desk stay (they hold the user's meetings).
Section "Uninstall"
  Delete "$SMPROGRAMS\tsm-desk.lnk"
  Delete "$INSTDIR\tsm-desk-app.exe"
  Delete "$INSTDIR\tsm-desk.exe"
  Delete "$INSTDIR\README.md"
  RMDir /r "$INSTDIR\sample_data"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINST_KEY}"
SectionEnd
