; BranchDesk 网点工作台 — Windows installer (NSIS 3, Unicode, Modern UI 2).
;
; Build (from any directory; relative paths are relative to this file's folder,
; because makensis changes into it):
;
;   makensis -WX -DVERSION=0.1.0 -DPAYLOAD=C:\src\dist\BranchDesk ^
;            -DOUTFILE=C:\src\dist\BranchDesk-0.1.0-setup.exe installer\branchdesk.nsi
;
;   VERSION  defaults to __version__ in ..\app\__init__.py
;   PAYLOAD  the PyInstaller one-folder app (BranchDesk.exe, branchdesk-cli.exe,
;            _internal\); defaults to ..\dist\BranchDesk
;   OUTFILE  defaults to ..\dist\BranchDesk-<VERSION>-setup.exe
;   VI_VERSION  X.X.X.X for the file version resource when VERSION is not
;            purely numeric (e.g. -DVERSION=1.2.0rc1 -DVI_VERSION=1.2.0.0)
;
; Behaviour:
;   * per-machine install to $PROGRAMFILES64\BranchDesk (admin; UAC prompt)
;   * setup.exe /S                silent install; /D=<folder> sets the folder
;                                 (last argument, no quotes)
;   * refuses to run while BranchDesk.exe or branchdesk-cli.exe is running
;   * upgrades in place: runs the installed version's uninstaller silently
;     (which always keeps the branch's data), then installs
;   * Start-menu and desktop shortcuts, an Add/Remove Programs entry
;   * uninstall.exe keeps the branch's data unless the user ticks
;     "also delete this PC's BranchDesk data"; uninstall.exe /S keeps it unless
;     /REMOVEDATA is given too (uninstall.exe /S /REMOVEDATA)
;   * machine-wide policy (what Group Policy sets, app/policy.py) from the command
;     line, written to HKLM\SOFTWARE\Policies\BranchDesk (64-bit view):
;       /SERVERURL=https://sync.bank.local   /PROXY=http://proxy:8080 (empty: direct)
;       /CABUNDLE=C:\path\ca.pem   /SYNCINTERVALMINUTES=30   /IDLELOCKMINUTES=10
;       /STALESYNCDAYS=7   /OFFERENGLISH=0|1
;     Only the values given are written; an upgrade without them keeps the ones set
;     before, and the uninstaller leaves them (they belong to IT, like Group Policy's).
;     A number out of range or a malformed option stops the setup (exit code 87)
;     before anything is installed.
;
; Data (never in the install folder; see app/store/config.py):
;   per user     %LOCALAPPDATA%\BranchDesk  (platformdirs user_data_dir)
;   machine-wide %BRANCHDESK_SHARED_DATA_DIR%, documented default %PROGRAMDATA%\BranchDesk
;   override     %BRANCHDESK_DATA_DIR%

Unicode true
ManifestDPIAware true
RequestExecutionLevel admin
SetCompressor /SOLID lzma
SetCompressorDictSize 64
CRCCheck on

!define APP_NAME      "BranchDesk"
!define APP_TITLE     "BranchDesk 网点工作台"
!define APP_EXE       "BranchDesk.exe"
!define CLI_EXE       "branchdesk-cli.exe"
!define UNINSTALLER   "uninstall.exe"
!define UNINST_KEY    "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_NAME}"
!define POLICY_KEY    "SOFTWARE\Policies\${APP_NAME}"
!ifndef PUBLISHER
  !define PUBLISHER   "BranchDesk"
!endif

; --- compile-time parameters -------------------------------------------------------

!ifndef VERSION
  !searchparse /file "..\app\__init__.py" `__version__ = "` VERSION `"`
!endif
!ifndef VI_VERSION
  !searchparse /noerrors "${VERSION}.0.0.0" "" _VI_1 "." _VI_2 "." _VI_3 "."
  !define VI_VERSION "${_VI_1}.${_VI_2}.${_VI_3}.0"
!endif
!ifndef PAYLOAD
  !define PAYLOAD "..\dist\BranchDesk"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\BranchDesk-${VERSION}-setup.exe"
!endif
!if ! /FileExists "${PAYLOAD}\${APP_EXE}"
  !error "PAYLOAD=${PAYLOAD} has no ${APP_EXE}: build the app first (pyinstaller build_installer.spec)"
!endif
!if ! /FileExists "${PAYLOAD}\${CLI_EXE}"
  !error "PAYLOAD=${PAYLOAD} has no ${CLI_EXE}"
!endif
!if ! /FileExists "${PAYLOAD}\_internal\*"
  !error "PAYLOAD=${PAYLOAD} has no _internal folder"
!endif

Name "${APP_TITLE}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
BrandingText "${APP_NAME} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"
!include "Sections.nsh"

; --- pages ------------------------------------------------------------------------------

!define MUI_ICON   "..\resources\icons\branchdesk.ico"
!define MUI_UNICON "..\resources\icons\branchdesk.ico"
!define MUI_ABORTWARNING
!define MUI_UNABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "$(RunApp)"
!define MUI_FINISHPAGE_RUN_FUNCTION LaunchAsUser
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!define MUI_COMPONENTSPAGE_TEXT_TOP "$(UnComponentsTop)"
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the fallback when Windows' UI language is neither.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

Var OldInstDir   ; folder of the installed version, empty on a first install

; --- strings ------------------------------------------------------------------------

LangString RunApp            ${LANG_SIMPCHINESE} "启动 ${APP_TITLE}"
LangString RunApp            ${LANG_ENGLISH}     "Start ${APP_TITLE}"
LangString MsgRunning        ${LANG_SIMPCHINESE} "${APP_TITLE} 正在运行。$\r$\n$\r$\n请先在本机关闭网点工作台（包括命令行窗口中的 branchdesk-cli），然后点击“重试”。"
LangString MsgRunning        ${LANG_ENGLISH}     "${APP_TITLE} is running.$\r$\n$\r$\nPlease close it on this PC (including branchdesk-cli in any command window), then click Retry."
LangString MsgNeeds64        ${LANG_SIMPCHINESE} "${APP_TITLE} 需要 64 位 Windows 10 或更高版本。"
LangString MsgNeeds64        ${LANG_ENGLISH}     "${APP_TITLE} needs 64-bit Windows 10 or later."
LangString MsgNeedsAdmin     ${LANG_SIMPCHINESE} "安装或卸载需要管理员权限。请右键选择“以管理员身份运行”，或联系本行科技人员。"
LangString MsgNeedsAdmin     ${LANG_ENGLISH}     "Installing or removing needs administrator rights. Right-click and choose Run as administrator, or contact IT."
LangString MsgOldUninstFailed ${LANG_SIMPCHINESE} "无法卸载已安装的旧版本（错误码 $0）。安装未进行，网点数据未受影响。"
LangString MsgOldUninstFailed ${LANG_ENGLISH}     "Could not remove the installed version (error $0). Nothing was installed; the branch's data is untouched."
LangString DetailUpgrade     ${LANG_SIMPCHINESE} "正在移除旧版本（保留网点数据）：$OldInstDir"
LangString DetailUpgrade     ${LANG_ENGLISH}     "Removing the previous version (keeping the branch's data): $OldInstDir"
LangString SecAppName        ${LANG_SIMPCHINESE} "程序文件"
LangString SecAppName        ${LANG_ENGLISH}     "Program files"
LangString SecAppDesc        ${LANG_SIMPCHINESE} "网点工作台程序、快捷方式和“应用和功能”中的条目。"
LangString SecAppDesc        ${LANG_ENGLISH}     "The program, its shortcuts and its Apps & features entry."
LangString SecDataName       ${LANG_SIMPCHINESE} "同时删除本机的网点数据"
LangString SecDataName       ${LANG_ENGLISH}     "Also delete this PC's BranchDesk data"
LangString SecDataDesc       ${LANG_SIMPCHINESE} "删除客户数据库、备份、日志和设置（当前 Windows 用户的数据目录，以及本机共享数据目录）。删除后无法恢复。换机或重装时请不要勾选。"
LangString SecDataDesc       ${LANG_ENGLISH}     "Deletes the client database, backups, logs and settings (this Windows user's data folder and the PC's shared data folder). This cannot be undone. Leave it unticked when reinstalling or moving PCs."
LangString UnComponentsTop   ${LANG_SIMPCHINESE} "默认只卸载程序，网点数据（客户数据库、备份）保留在本机。"
LangString UnComponentsTop   ${LANG_ENGLISH}     "By default only the program is removed; the branch's data (client database, backups) stays on this PC."
LangString MsgConfirmData    ${LANG_SIMPCHINESE} "确定要永久删除本机的网点数据吗？$\r$\n$\r$\n客户数据库和所有备份都会被删除，无法恢复。"
LangString MsgConfirmData    ${LANG_ENGLISH}     "Permanently delete this PC's BranchDesk data?$\r$\n$\r$\nThe client database and all backups will be deleted. This cannot be undone."
LangString DetailKeepData    ${LANG_SIMPCHINESE} "网点数据已保留。"
LangString MsgBadOption      ${LANG_SIMPCHINESE} "命令行参数 /$R1 的值“$R2”无效：应为 $R3。安装未进行。"
LangString MsgBadOption      ${LANG_ENGLISH}     "The value '$R2' of /$R1 is not valid: expected $R3. Nothing was installed."
LangString DetailPolicy      ${LANG_SIMPCHINESE} "写入本机策略：$R1"
LangString DetailPolicy      ${LANG_ENGLISH}     "Machine policy set: $R1"
LangString DetailKeepData    ${LANG_ENGLISH}     "The branch's data was kept."

; --- version resource of setup.exe ----------------------------------------------------

VIProductVersion "${VI_VERSION}"
VIFileVersion    "${VI_VERSION}"
!macro VERSION_KEYS LANG
  VIAddVersionKey /LANG=${LANG} "ProductName"     "${APP_TITLE}"
  VIAddVersionKey /LANG=${LANG} "ProductVersion"  "${VERSION}"
  VIAddVersionKey /LANG=${LANG} "FileVersion"     "${VERSION}"
  VIAddVersionKey /LANG=${LANG} "FileDescription" "${APP_TITLE} Setup"
  VIAddVersionKey /LANG=${LANG} "CompanyName"     "${PUBLISHER}"
  VIAddVersionKey /LANG=${LANG} "LegalCopyright"  "${PUBLISHER}"
!macroend
!insertmacro VERSION_KEYS ${LANG_SIMPCHINESE}
!insertmacro VERSION_KEYS ${LANG_ENGLISH}

; --- shared functions (installer and uninstaller) -----------------------------------

; Push "1" when a process with the given image name runs (in any session), else "0".
; tasklist prints matches as "Name","PID",... (CSV); its "no tasks" message is
; localized, so look for the quoted image name instead.
!macro IS_PROCESS_RUNNING UN
Function ${UN}IsProcessRunning
  Exch $R0          ; image name
  Push $R1
  Push $R2
  Push $R3
  Push $R4
  Push $R5
  StrCpy $R5 '"$R0"'
  StrLen $R3 $R5
  StrCpy $R4 "0"
  nsExec::ExecToStack '"$SYSDIR\tasklist.exe" /NH /FO CSV /FI "IMAGENAME eq $R0"'
  Pop $R1           ; exit code, or "error"
  Pop $R2           ; output
  ${If} $R1 == "0"
    StrCpy $R1 0
    ${Do}
      StrCpy $R0 $R2 $R3 $R1
      ${If} $R0 == ""
        ${Break}
      ${EndIf}
      ${If} $R0 == $R5   ; StrCmp is case-insensitive, like Windows file names
        StrCpy $R4 "1"
        ${Break}
      ${EndIf}
      IntOp $R1 $R1 + 1
    ${Loop}
  ${EndIf}
  StrCpy $R0 $R4
  Pop $R5
  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Exch $R0
FunctionEnd

; Quit with exit code 2 while either executable runs; the user may close it and retry.
; Besides tasklist: a running BranchDesk.exe in the install folder cannot be opened
; for writing.
Function ${UN}RefuseWhileRunning
  Push $0
  Push $1
  check:
    StrCpy $1 "0"
    Push "${APP_EXE}"
    Call ${UN}IsProcessRunning
    Pop $0
    StrCmp $0 "1" 0 +2
      StrCpy $1 "1"
    Push "${CLI_EXE}"
    Call ${UN}IsProcessRunning
    Pop $0
    StrCmp $0 "1" 0 +2
      StrCpy $1 "1"
    ${If} $1 == "0"
    ${AndIf} ${FileExists} "$INSTDIR\${APP_EXE}"
      ClearErrors
      FileOpen $0 "$INSTDIR\${APP_EXE}" a
      ${If} ${Errors}
        StrCpy $1 "1"
      ${Else}
        FileClose $0
      ${EndIf}
    ${EndIf}
    StrCmp $1 "0" done
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(MsgRunning)" /SD IDCANCEL IDRETRY check
    SetErrorLevel 2
    Quit
  done:
  Pop $1
  Pop $0
FunctionEnd

Function ${UN}RequireAdminAnd64Bit
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "$(MsgNeeds64)" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 != "Admin"
    MessageBox MB_OK|MB_ICONSTOP "$(MsgNeedsAdmin)" /SD IDOK
    SetErrorLevel 740   ; ERROR_ELEVATION_REQUIRED
    Quit
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd
!macroend
!insertmacro IS_PROCESS_RUNNING ""
!insertmacro IS_PROCESS_RUNNING "un."

; --- machine policy from the command line -----------------------------------------------
;
; Each /NAME= option becomes the registry value of the same policy (app/policy.py,
; resources/policy/BranchDesk.admx). Checked in .onInit, written after the files.
; Registers: $R1 the option, $R2 its value, $R3 what was expected, $R4 the number.


Var PolicyOpts    ; the command line's parameters

; The value of /NAME= in the parameters, or the error flag when the option is absent.
; Unlike GetOptions (whose values end at the next "/", which cuts URLs), a value runs
; to the next option (" /" or ' "/') or the end, and may be quoted: /SERVERURL=https://x.bank.local,
; "/CABUNDLE=C:\Program Files\Bank\ca.pem", /PROXY= (empty). Case-insensitive.
; Push the parameters, then "/NAME="; Pop the value.
Function GetPolicyOption
  Exch $R6          ; "/NAME="
  Exch
  Exch $R5          ; the parameters
  Push $R7
  Push $R8
  Push $R9
  Push $0
  StrLen $R7 $R6
  StrCpy $R8 0      ; position
  ClearErrors
  ${Do}
    StrCpy $R9 $R5 $R7 $R8
    ${If} $R9 == ""
      SetErrors
      StrCpy $R6 ""
      ${Break}
    ${EndIf}
    StrCpy $0 ""
    ${If} $R8 > 0
      IntOp $0 $R8 - 1
      StrCpy $0 $R5 1 $0
    ${EndIf}
    ${If} $0 != ""
    ${AndIf} $0 != " "
    ${AndIf} $0 != '"'
      StrCpy $R9 ""   ; inside another word: not this option
    ${EndIf}
    ${If} $R9 == $R6
      IntOp $R8 $R8 + $R7
      StrCpy $R9 $R5 "" $R8   ; from the value to the end
      StrCpy $R8 0
      ${Do}
        StrCpy $0 $R9 2 $R8
        ${If} $0 == " /"
        ${OrIf} $0 == ""
          ${Break}
        ${EndIf}
        StrCpy $0 $R9 3 $R8
        ${If} $0 == ' "/'
          ${Break}
        ${EndIf}
        IntOp $R8 $R8 + 1
      ${Loop}
      StrCpy $R6 $R9 $R8
      ${Do}                   ; trailing spaces and quotes, then a leading quote
        StrCpy $0 $R6 1 -1
        ${If} $0 != " "
        ${AndIf} $0 != '"'
          ${Break}
        ${EndIf}
        StrCpy $R6 $R6 -1
      ${Loop}
      StrCpy $0 $R6 1
      ${If} $0 == '"'
        StrCpy $R6 $R6 "" 1
      ${EndIf}
      ${Break}
    ${EndIf}
    IntOp $R8 $R8 + 1
  ${Loop}
  Pop $0
  Pop $R9
  Pop $R8
  Pop $R7
  Pop $R5
  Exch $R6
FunctionEnd

; Check or write one policy option: MODE check|write, the option, its registry value
; name, type (sz|dword) and, for numbers, the range. A bad number quits with exit code 87.
!macro POLICY_OPTION MODE OPTION VALUE TYPE MIN MAX
  Push $PolicyOpts
  Push "/${OPTION}="
  Call GetPolicyOption
  Pop $R2
  ${IfNot} ${Errors}
    StrCpy $R1 "${OPTION}"
    ${If} "${TYPE}" == "dword"
      IntOp $R4 $R2 + 0
      ${If} "$R4" != "$R2"
      ${OrIf} $R4 < ${MIN}
      ${OrIf} $R4 > ${MAX}
        ${If} "${MODE}" == "check"
          StrCpy $R3 "${MIN}–${MAX}"
          MessageBox MB_OK|MB_ICONSTOP "$(MsgBadOption)" /SD IDOK
          SetErrorLevel 87   ; ERROR_INVALID_PARAMETER
          Quit
        ${EndIf}
      ${ElseIf} "${MODE}" == "write"
        WriteRegDWORD HKLM "${POLICY_KEY}" "${VALUE}" $R4
        DetailPrint "$(DetailPolicy)"
      ${EndIf}
    ${Else}
      ${If} "${MODE}" == "write"
        WriteRegStr HKLM "${POLICY_KEY}" "${VALUE}" $R2
        DetailPrint "$(DetailPolicy)"
      ${EndIf}
    ${EndIf}
  ${EndIf}
!macroend

!macro POLICY_OPTIONS MODE
  !insertmacro POLICY_OPTION ${MODE} SERVERURL ServerUrl sz 0 0
  !insertmacro POLICY_OPTION ${MODE} PROXY Proxy sz 0 0
  !insertmacro POLICY_OPTION ${MODE} CABUNDLE CaBundle sz 0 0
  !insertmacro POLICY_OPTION ${MODE} SYNCINTERVALMINUTES SyncIntervalMinutes dword 1 1440
  !insertmacro POLICY_OPTION ${MODE} IDLELOCKMINUTES IdleLockMinutes dword 1 240
  !insertmacro POLICY_OPTION ${MODE} STALESYNCDAYS StaleSyncDays dword 1 30
  !insertmacro POLICY_OPTION ${MODE} OFFERENGLISH OfferEnglish dword 0 1
!macroend

Function CheckPolicyOptions
  ${GetParameters} $PolicyOpts
  !insertmacro POLICY_OPTIONS check
FunctionEnd

Function WritePolicyOptions
  SetRegView 64
  !insertmacro POLICY_OPTIONS write
FunctionEnd

; --- installer ------------------------------------------------------------------------

Function .onInit
  Call RequireAdminAnd64Bit
  ; Where the installed version lives (empty on a first install).
  ReadRegStr $OldInstDir HKLM "${UNINST_KEY}" "InstallLocation"
  ${If} $OldInstDir == ""
    ReadRegStr $0 HKLM "${UNINST_KEY}" "UninstallString"
    ${If} $0 != ""
      ${GetParent} $0 $OldInstDir   ; the value is quoted: "C:\...\uninstall.exe"
      StrCpy $1 $OldInstDir 1
      ${If} $1 == '"'
        StrCpy $OldInstDir $OldInstDir "" 1
      ${EndIf}
    ${EndIf}
  ${EndIf}
  ; Upgrades go where the installed version is, unless /D= chose a folder.
  ${If} $OldInstDir != ""
  ${AndIf} $INSTDIR == "$PROGRAMFILES64\${APP_NAME}"
    StrCpy $INSTDIR $OldInstDir
  ${EndIf}
  Call CheckPolicyOptions
  Call RefuseWhileRunning
FunctionEnd

Section "-Upgrade"
  Call RefuseWhileRunning
  ${If} $OldInstDir != ""
  ${AndIf} ${FileExists} "$OldInstDir\${UNINSTALLER}"
    DetailPrint "$(DetailUpgrade)"
    ; /S: silent, which always keeps the data. _?= runs it in place so ExecWait
    ; really waits (it must be last and unquoted).
    ClearErrors
    ExecWait '"$OldInstDir\${UNINSTALLER}" /S _?=$OldInstDir' $0
    ${If} ${Errors}
    ${OrIf} $0 != 0
      MessageBox MB_OK|MB_ICONSTOP "$(MsgOldUninstFailed)" /SD IDOK
      SetErrorLevel 3
      Quit
    ${EndIf}
    ; Run in place, the old uninstaller cannot delete itself or its folder.
    Delete "$OldInstDir\${UNINSTALLER}"
    RMDir "$OldInstDir"
  ${EndIf}
SectionEnd

Section "-App" SecApp
  SetOutPath "$INSTDIR"
  ; The two executables first: they share most of their bytes (the same
  ; bootloader and Python archive), which the solid LZMA stream then stores once.
  File "${PAYLOAD}\${APP_EXE}"
  File "${PAYLOAD}\${CLI_EXE}"
  File /r "${PAYLOAD}\_internal"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortcut "$SMPROGRAMS\${APP_TITLE}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  CreateShortcut "$DESKTOP\${APP_TITLE}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP_TITLE}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0
  Call WritePolicyOptions
SectionEnd

; The finish page's "start" box: the installer runs elevated, the app must not
; (its data folder is per user). Explorer starts it as the signed-in user.
Function LaunchAsUser
  Exec '"$WINDIR\explorer.exe" "$INSTDIR\${APP_EXE}"'
FunctionEnd

; --- uninstaller --------------------------------------------------------------------

Function un.onInit
  Call un.RequireAdminAnd64Bit
  Call un.RefuseWhileRunning
  Call un.SelectDataRemoval
FunctionEnd

Section "un.$(SecAppName)" SecUnApp
  SectionIn RO
  Delete "$SMPROGRAMS\${APP_TITLE}.lnk"
  Delete "$DESKTOP\${APP_TITLE}.lnk"
  ; Only what the installer put there: a folder chosen with /D may hold other files.
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd

; Remove the known contents of a data folder named by an environment variable,
; then the folder itself if that left it empty (never a recursive delete of a
; folder someone may have pointed at something else).
Function un.DeleteDataFolderContents
  Exch $R0
  ${If} $R0 != ""
  ${AndIf} ${FileExists} "$R0\*"
    Delete "$R0\branchdesk.db"
    Delete "$R0\branchdesk.db-wal"
    Delete "$R0\branchdesk.db-shm"
    Delete "$R0\branchdesk.db-journal"
    Delete "$R0\branchdesk.key"
    Delete "$R0\branchdesk.lock"
    Delete "$R0\settings.json"
    Delete "$R0\settings.json.tmp"
    Delete "$R0\state.json"
    RMDir /r "$R0\backups"
    RMDir /r "$R0\logs"
    RMDir "$R0"
  ${EndIf}
  Pop $R0
FunctionEnd

Section /o "un.$(SecDataName)" SecUnData
  ${If} ${Silent}
    ; silent: selected only by /REMOVEDATA (un.SelectDataRemoval); every upgrade keeps the data
    Goto delete
  ${EndIf}
  MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "$(MsgConfirmData)" /SD IDNO IDYES delete
  DetailPrint "$(DetailKeepData)"
  Return
  delete:
  ; Folders named for BranchDesk are removed whole.
  SetShellVarContext current
  ${If} $LOCALAPPDATA != ""
    RMDir /r "$LOCALAPPDATA\${APP_NAME}"
  ${EndIf}
  SetShellVarContext all
  ReadEnvStr $0 PROGRAMDATA
  ${If} $0 == ""
    StrCpy $0 $APPDATA   ; all users' application data = %PROGRAMDATA%
  ${EndIf}
  RMDir /r "$0\${APP_NAME}"
  ReadEnvStr $0 BRANCHDESK_SHARED_DATA_DIR
  Push $0
  Call un.DeleteDataFolderContents
  ReadEnvStr $0 BRANCHDESK_DATA_DIR
  Push $0
  Call un.DeleteDataFolderContents
SectionEnd

; uninstall.exe /S /REMOVEDATA: IT asks for the data to go too (the section is off by default).
Function un.SelectDataRemoval
  ${If} ${Silent}
    ${GetParameters} $0
    ClearErrors
    ${GetOptions} $0 "/REMOVEDATA" $1
    ${IfNot} ${Errors}
      !insertmacro SelectSection ${SecUnData}
    ${EndIf}
  ${EndIf}
FunctionEnd

!insertmacro MUI_UNFUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecUnApp} "$(SecAppDesc)"
  !insertmacro MUI_DESCRIPTION_TEXT ${SecUnData} "$(SecDataDesc)"
!insertmacro MUI_UNFUNCTION_DESCRIPTION_END
