<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AddClientDialog</name>
    <message>
        <source>New client</source>
        <translation>新建客户</translation>
    </message>
</context>
<context>
    <name>AssignPreviewDialog</name>
    <message>
        <source>Assign the unassigned entries</source>
        <translation>分配尚未分配的白名单</translation>
    </message>
    <message>
        <source>%1 entries, split by village and existing relationship:</source>
        <translation>共 %1 条，按村和现有管户关系均衡分配：</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>New entries</source>
        <translation>新分配（条）</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>分配</translation>
    </message>
</context>
<context>
    <name>CampaignsWorkspace</name>
    <message>
        <source>Campaign</source>
        <translation>营销活动</translation>
    </message>
    <message>
        <source>Dates</source>
        <translation>起止</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>目标客户</translation>
    </message>
    <message>
        <source>Left out</source>
        <translation>未授权排除</translation>
    </message>
    <message>
        <source>Distributed</source>
        <translation>已分发</translation>
    </message>
    <message>
        <source>Reach</source>
        <translation>触达率</translation>
    </message>
    <message>
        <source>Conversion</source>
        <translation>转化率</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Reached</source>
        <translation>已触达</translation>
    </message>
    <message>
        <source>Converted</source>
        <translation>已转化</translation>
    </message>
    <message>
        <source>Show the targets left out (no marketing consent)</source>
        <translation>显示因未授权营销而排除的目标</translation>
    </message>
    <message>
        <source>Distribute automatically…</source>
        <translation>自动分发…</translation>
    </message>
    <message>
        <source>Log contact… (Ctrl+T)</source>
        <translation>记录触达…（Ctrl+T）</translation>
    </message>
    <message>
        <source>Record a contact with the selected target for this campaign</source>
        <translation>为所选目标客户记录一次本活动的触达</translation>
    </message>
    <message>
        <source>Print worksheet…</source>
        <translation>打印工作单…</translation>
    </message>
    <message>
        <source>A manager&apos;s targets of this campaign on paper, by village, with the script and a QR code per row for keying back</source>
        <translation>把一位客户经理在本活动中的目标客户按村打印出来，附话术，每行一个二维码，便于回录</translation>
    </message>
    <message>
        <source>Script</source>
        <translation>话术</translation>
    </message>
    <message>
        <source>Week by week</source>
        <translation>按周</translation>
    </message>
    <message>
        <source>New local campaign…</source>
        <translation>新建本网点活动…</translation>
    </message>
    <message>
        <source>A campaign of this branch, with its script and its own target list</source>
        <translation>本网点自己的营销活动，有自己的话术和目标客户</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Change this branch&apos;s campaign: its theme, dates, goal, script and benefits, and add targets</source>
        <translation>修改本网点的活动：主题、起止日期、目标、话术和权益，并可追加目标客户</translation>
    </message>
    <message>
        <source>Marketing worksheet: %1</source>
        <translation>营销工作单：%1</translation>
    </message>
    <message>
        <source>Week from</source>
        <translation>周（自）</translation>
    </message>
    <message>
        <source>By manager</source>
        <translation>按客户经理</translation>
    </message>
    <message>
        <source>No contact logged for this campaign yet.</source>
        <translation>这个活动还没有触达记录。</translation>
    </message>
    <message>
        <source>Of %1 targets, reached and converted by the end of each week (rates of the targets).</source>
        <translation>%1 户目标客户中，截至每周末累计触达和转化的户数（比率按目标户数计）。</translation>
    </message>
    <message>
        <source>Campaigns</source>
        <translation>营销</translation>
    </message>
    <message>
        <source>No campaigns yet. Head office&apos;s campaigns arrive at the next sync; a branch head can also start one here (New local campaign…).</source>
        <translation>还没有营销活动。总行的活动在下次同步时下发；网点负责人也可以在这里发起本网点的活动（新建本网点活动…）。</translation>
    </message>
    <message>
        <source>%1 campaigns; targets without marketing consent are left out of every list</source>
        <translation>共 %1 个营销活动；未授权营销的客户不进入任何名单</translation>
    </message>
    <message>
        <source>%1 (this branch)</source>
        <translation>%1（本网点）</translation>
    </message>
    <message>
        <source>Local campaign “%1” created: %2 targets, %3 left out (no marketing consent). Distribute it to the managers from its Targets tab.</source>
        <translation>已新建本网点活动“%1”：目标客户 %2 户，%3 户因未授权营销未纳入。请在“目标客户”页分发给客户经理。</translation>
    </message>
    <message>
        <source>Local campaign “%1” saved: %2 targets added, %3 left out (no marketing consent), %4 already targets.</source>
        <translation>已保存本网点活动“%1”：追加目标客户 %2 户，%3 户因未授权营销未纳入，%4 户原已是目标客户。</translation>
    </message>
    <message>
        <source>Local campaign “%1” saved.</source>
        <translation>已保存本网点活动“%1”。</translation>
    </message>
    <message>
        <source>The script holds words that may not go to clients.</source>
        <translation>话术含有不能对客户使用的词。</translation>
    </message>
    <message>
        <source>No blocked words.</source>
        <translation>未发现禁用词。</translation>
    </message>
    <message>
        <source>Words to use with care are marked in yellow.</source>
        <translation>需谨慎使用的词已用黄色标出。</translation>
    </message>
    <message>
        <source>Benefits</source>
        <translation>权益</translation>
    </message>
    <message>
        <source>Risk line</source>
        <translation>风险提示</translation>
    </message>
    <message>
        <source>Not distributed</source>
        <translation>未分发</translation>
    </message>
    <message>
        <source>Why left out</source>
        <translation>排除原因</translation>
    </message>
    <message>
        <source>Refused marketing</source>
        <translation>客户拒绝营销</translation>
    </message>
    <message>
        <source>Never asked for consent</source>
        <translation>未取得营销授权</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>Contact logged.</source>
        <translation>已记录触达。</translation>
    </message>
    <message>
        <source>Every target of this campaign already has a manager.</source>
        <translation>这个活动的目标客户都已分发。</translation>
    </message>
    <message>
        <source>%1 targets distributed (recorded for sync).</source>
        <translation>已分发 %1 户（已记入同步日志）。</translation>
    </message>
</context>
<context>
    <name>ClientDetailPanel</name>
    <message>
        <source>No client selected</source>
        <translation>未选择客户</translation>
    </message>
    <message>
        <source>Log contact… (Ctrl+T)</source>
        <translation>记录触达…（Ctrl+T）</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>保存 (Ctrl+S)</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>撤销修改</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>资料</translation>
    </message>
    <message>
        <source>When / who / sync</source>
        <translation>时间 / 经办 / 同步</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>修改内容</translation>
    </message>
    <message>
        <source>Record a call, visit or other contact with this client</source>
        <translation>记录与这位客户的一次电话、上门或其他触达</translation>
    </message>
    <message>
        <source>Won through a scenario…</source>
        <translation>经由场景获客…</translation>
    </message>
    <message>
        <source>Record that this client was won through a smart-village scenario</source>
        <translation>登记这位客户是经由哪个智慧乡村场景获得的</translation>
    </message>
    <message>
        <source>History</source>
        <translation>变更历史</translation>
    </message>
    <message>
        <source>Access</source>
        <translation>访问</translation>
    </message>
    <message>
        <source>Access log</source>
        <translation>访问记录</translation>
    </message>
    <message>
        <source>prospect</source>
        <translation>潜在客户</translation>
    </message>
    <message>
        <source>%1 %2 · %3 · AUM %4 yuan · deposits %5 · loans %6 · manager %7</source>
        <translation>%1 %2 · %3 · 资产 %4 元 · 存款 %5 · 贷款 %6 · 客户经理 %7</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Not yet synced</source>
        <translation>待同步</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <source>Local only</source>
        <translation>仅本地</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>没有修改。</translation>
    </message>
    <message>
        <source>Not saved: please correct the fields marked in red.</source>
        <translation>未保存：请修改红字标出的栏目。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>ClientForm</name>
    <message>
        <source>Name</source>
        <translation>客户名称</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>客群</translation>
    </message>
    <message>
        <source>Lifecycle</source>
        <translation>生命周期</translation>
    </message>
    <message>
        <source>Potential client</source>
        <translation>潜力客户</translation>
    </message>
    <message>
        <source>Marketing consent</source>
        <translation>营销授权</translation>
    </message>
    <message>
        <source>Consent date</source>
        <translation>授权日期</translation>
    </message>
    <message>
        <source>Consent channel</source>
        <translation>授权渠道</translation>
    </message>
    <message>
        <source>Last contact</source>
        <translation>最近联系</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Show the full number (recorded in the audit trail)</source>
        <translation>查看完整号码（将记入审计记录）</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>Not asked</source>
        <translation>未询问</translation>
    </message>
    <message>
        <source>Consented</source>
        <translation>已授权</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
</context>
<context>
    <name>ClientTableModel</name>
    <message>
        <source>Name</source>
        <translation>客户名称</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>客群</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>AUM (yuan)</source>
        <translation>资产（元）</translation>
    </message>
    <message>
        <source>Deposits (yuan)</source>
        <translation>存款（元）</translation>
    </message>
    <message>
        <source>Loans (yuan)</source>
        <translation>贷款（元）</translation>
    </message>
    <message>
        <source>Lifecycle</source>
        <translation>生命周期</translation>
    </message>
    <message>
        <source>Mobile banking</source>
        <translation>手机银行</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Last contact</source>
        <translation>最近联系</translation>
    </message>
    <message>
        <source>Marketing consent</source>
        <translation>营销授权</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Core client no.</source>
        <translation>核心客户号</translation>
    </message>
    <message>
        <source>Not signed</source>
        <translation>未签约</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签约</translation>
    </message>
    <message>
        <source>Monthly active</source>
        <translation>月活</translation>
    </message>
    <message>
        <source>Consented</source>
        <translation>已授权</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Not asked</source>
        <translation>未询问</translation>
    </message>
    <message>
        <source>Prospect</source>
        <translation>潜在客户</translation>
    </message>
</context>
<context>
    <name>ClientsWorkspace</name>
    <message>
        <source>Search: name, village, phone or ID last 4/6 digits, client number (Ctrl+F)</source>
        <translation>搜索：姓名、村名、手机或证件号后 4/6 位、客户号 (Ctrl+F)</translation>
    </message>
    <message>
        <source>My views</source>
        <translation>我的视图</translation>
    </message>
    <message>
        <source>Save view</source>
        <translation>保存视图</translation>
    </message>
    <message>
        <source>New client</source>
        <translation>新建客户</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Merge duplicates</source>
        <translation>合并重复客户</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>显示列</translation>
    </message>
    <message>
        <source>client details</source>
        <translation>客户资料</translation>
    </message>
    <message>
        <source>Could not load: %1</source>
        <translation>加载失败：%1</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>No clients yet. Import a client list (Import… above) or sync with head office (the Sync page).</source>
        <translation>还没有客户。请导入客户名单（上方“导入…”），或与总行同步（“同步”页）。</translation>
    </message>
    <message>
        <source>No client matches the search and the filters. Clear them to see every client.</source>
        <translation>没有符合搜索和筛选条件的客户。清除搜索和筛选即可看到全部客户。</translation>
    </message>
    <message>
        <source>%1 clients match</source>
        <translation>共 %1 位客户符合条件</translation>
    </message>
    <message>
        <source>This column cannot be sorted.</source>
        <translation>此列不能排序。</translation>
    </message>
    <message>
        <source>Contact logged.</source>
        <translation>已记录触达。</translation>
    </message>
    <message>
        <source>No scenarios recorded yet (场景 workspace).</source>
        <translation>还没有登记场景（见“场景”页）。</translation>
    </message>
    <message>
        <source>Won through a scenario</source>
        <translation>经由场景获客</translation>
    </message>
    <message>
        <source>Which scenario won this client?</source>
        <translation>这位客户是经由哪个场景获得的？</translation>
    </message>
    <message>
        <source>Linked to “%1”.</source>
        <translation>已登记到“%1”。</translation>
    </message>
    <message>
        <source>Already linked to “%1”.</source>
        <translation>此前已登记到“%1”。</translation>
    </message>
    <message>
        <source>Client %1 created.</source>
        <translation>已新建客户 %1。</translation>
    </message>
    <message>
        <source>Delete clients</source>
        <translation>删除客户</translation>
    </message>
    <message>
        <source>Delete %1 client(s): %2?
The record is kept as deleted so that the deletion syncs.</source>
        <translation>删除 %1 位客户：%2？
记录会标记为已删除并保留，以便同步到总行。</translation>
    </message>
    <message>
        <source>Deleted.</source>
        <translation>已删除。</translation>
    </message>
    <message>
        <source>Merged into %1.</source>
        <translation>已合并到 %1。</translation>
    </message>
    <message>
        <source>Export clients</source>
        <translation>导出客户</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Exporting clients…</source>
        <translation>正在导出客户…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>导出已取消，没有写入文件。</translation>
    </message>
    <message>
        <source>Exported %1 rows to %2.</source>
        <translation>已导出 %1 行到 %2。</translation>
    </message>
    <message>
        <source>(current)</source>
        <translation>（当前）</translation>
    </message>
    <message>
        <source>Name of this view:</source>
        <translation>视图名称：</translation>
    </message>
</context>
<context>
    <name>CommitPage</name>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>The rows that passed are written in one go: if it is cancelled or fails, nothing is written.</source>
        <translation>通过检查的行一次写入：取消或失败时不会写入任何内容。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>These new clients share an ID number with a client already in the book. Merge each pair in the client book (Merge duplicates).</source>
        <translation>以下新增客户与客户视图中已有客户证件号码相同，请在客户视图中逐对合并（合并重复）。</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Client in the book</source>
        <translation>已有客户</translation>
    </message>
    <message>
        <source>New client</source>
        <translation>新增客户</translation>
    </message>
    <message>
        <source>Save the rows that did not pass…</source>
        <translation>保存未通过的行…</translation>
    </message>
    <message>
        <source>An Excel file with those rows as they were and the reason for each: correct them there and import that file again.</source>
        <translation>生成 Excel 文件，保留这些行的原样并附上原因：在文件中改正后再次导入即可。</translation>
    </message>
    <message>
        <source>Importing %1 rows…</source>
        <translation>正在导入 %1 行…</translation>
    </message>
    <message>
        <source>Imported. The changes will go to head office at the next sync.</source>
        <translation>已导入。变更将在下次同步时上传总行。</translation>
    </message>
    <message>
        <source>Import cancelled: nothing was written.</source>
        <translation>已取消导入，没有写入任何内容。</translation>
    </message>
    <message>
        <source>Not imported: nothing was written.</source>
        <translation>未导入，没有写入任何内容。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>ComparePage</name>
    <message>
        <source>Scenario</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Township</source>
        <translation>乡镇</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>latest month</source>
        <translation>最近一个月</translation>
    </message>
    <message>
        <source>Export to Excel…</source>
        <translation>导出到 Excel…</translation>
    </message>
    <message>
        <source>Every common figure, one sheet each, grouped as shown</source>
        <translation>每项通用指标一页，按当前分组</translation>
    </message>
    <message>
        <source>By</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <source>Print the report…</source>
        <translation>打印报告…</translation>
    </message>
    <message>
        <source>The scenario report for the month shown, by township, as a PDF to preview, print or save</source>
        <translation>按乡镇排列的当月场景报告（PDF），可预览、打印或保存</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>vs last month</source>
        <translation>环比</translation>
    </message>
    <message>
        <source>vs a year ago</source>
        <translation>同比</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>Same month last year</source>
        <translation>去年同月</translation>
    </message>
    <message>
        <source>%1 rows; a rate is left out (—) where the month compared with has no figure or a zero</source>
        <translation>共 %1 行；对比月份没有数字或为零时不计比率（—）</translation>
    </message>
    <message>
        <source>No figures for this month.</source>
        <translation>这个月没有数字。</translation>
    </message>
    <message>
        <source>Scenario report</source>
        <translation>智慧乡村场景报告</translation>
    </message>
    <message>
        <source>Export the comparison</source>
        <translation>导出比较表</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Exported %1 rows to %2</source>
        <translation>已导出 %1 行到 %2</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>ConflictReviewDialog</name>
    <message>
        <source>Review a sync conflict</source>
        <translation>复核同步冲突</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>This branch</source>
        <translation>本网点</translation>
    </message>
    <message>
        <source>Keep this branch&apos;s</source>
        <translation>保留本网点的值</translation>
    </message>
    <message>
        <source>Head office</source>
        <translation>总行</translation>
    </message>
    <message>
        <source>Keep head office&apos;s</source>
        <translation>保留总行的值</translation>
    </message>
    <message>
        <source>Or a merged value</source>
        <translation>或填写合并后的值</translation>
    </message>
    <message>
        <source>Use this value</source>
        <translation>采用这个值</translation>
    </message>
    <message>
        <source>The decision is saved as a change to the record and sent to head office at the next sync. The audit trail records who decided which side, not the values.</source>
        <translation>决定会作为对这条记录的修改保存，下次同步时报送总行。审计日志记录由谁选择了哪一方，不记录具体的值。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Changed by: not known</source>
        <translation>修改人：不详</translation>
    </message>
    <message>
        <source>Changed by %1 at %2</source>
        <translation>由 %1 于 %2 修改</translation>
    </message>
    <message>
        <source>not known</source>
        <translation>不详</translation>
    </message>
    <message>
        <source>an unknown time</source>
        <translation>时间不详</translation>
    </message>
    <message>
        <source>This conflict cannot be reviewed</source>
        <translation>这条冲突无法复核</translation>
    </message>
    <message>
        <source>Field: %1</source>
        <translation>字段：%1</translation>
    </message>
    <message>
        <source>Head office kept this branch&apos;s value; its own value was overwritten.</source>
        <translation>总行采用了本网点的值，总行原来的值被覆盖。</translation>
    </message>
    <message>
        <source>This PC took head office&apos;s value; this branch&apos;s value was kept for review.</source>
        <translation>本机采用了总行的值，本网点的值留待复核。</translation>
    </message>
    <message>
        <source>Type the merged value first.</source>
        <translation>请先填写合并后的值。</translation>
    </message>
    <message>
        <source>Could not save: %1</source>
        <translation>未能保存：%1</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <source>Log contact</source>
        <translation>记录触达</translation>
    </message>
    <message>
        <source>Campaign: %1</source>
        <translation>营销活动：%1</translation>
    </message>
    <message>
        <source>e.g. 有意向, 已办理</source>
        <translation>如 有意向、已办理</translation>
    </message>
    <message>
        <source>What was said (checked for marketing wording)</source>
        <translation>沟通内容（会检查营销用语）</translation>
    </message>
    <message>
        <source>next follow-up, e.g. 2026-12-09 (optional)</source>
        <translation>下次跟进日期，如 2026-12-09（可不填）</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>触达方式</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Next follow-up</source>
        <translation>下次跟进</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消（Esc）</translation>
    </message>
    <message>
        <source>Save (Enter)</source>
        <translation>保存（Enter）</translation>
    </message>
    <message>
        <source>Could not save: %1</source>
        <translation>未能保存：%1</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>Scenario</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Accounts opened</source>
        <translation>开户数</translation>
    </message>
    <message>
        <source>Scenarios in %1</source>
        <translation>%1 的场景</translation>
    </message>
    <message>
        <source>%1 scenarios · %2 clients won through them</source>
        <translation>%1 个场景 · 经由场景获客 %2 户</translation>
    </message>
    <message>
        <source>Most accounts opened in %1</source>
        <translation>%1 开户数最多的场景</translation>
    </message>
    <message>
        <source>Accounts opened and mobile-banking monthly actives, all scenarios</source>
        <translation>全部场景的开户数与手机银行月活</translation>
    </message>
    <message>
        <source>No figures entered yet</source>
        <translation>还没有录入数字</translation>
    </message>
    <message>
        <source>Scenarios by step</source>
        <translation>各进度的场景数</translation>
    </message>
    <message>
        <source>Scenarios</source>
        <translation>场景</translation>
    </message>
</context>
<context>
    <name>EntryPanel</name>
    <message>
        <source>No entry selected</source>
        <translation>未选择白名单条目</translation>
    </message>
    <message>
        <source>Head office&apos;s terms (read-only)</source>
        <translation>总行核定条件（只读）</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Approved limit</source>
        <translation>核定额度</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>利率</translation>
    </message>
    <message>
        <source>Valid</source>
        <translation>有效期</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>产业集群</translation>
    </message>
    <message>
        <source>Score / band</source>
        <translation>评分 / 档位</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>营销状态</translation>
    </message>
    <message>
        <source>Open client record</source>
        <translation>打开客户资料</translation>
    </message>
    <message>
        <source>Log contact… (Ctrl+T)</source>
        <translation>记录触达…（Ctrl+T）</translation>
    </message>
    <message>
        <source>Record a call, visit or other contact about this entry</source>
        <translation>记录关于这条白名单的一次电话、上门或其他触达</translation>
    </message>
    <message>
        <source>Record an outcome</source>
        <translation>登记营销结果</translation>
    </message>
    <message>
        <source>e.g. 5万 or 50000</source>
        <translation>如 5万 或 50000</translation>
    </message>
    <message>
        <source>— (not logged as a contact)</source>
        <translation>—（不记入联系记录）</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Contacted by</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>Amount drawn</source>
        <translation>用信金额</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Save outcome (Ctrl+S)</source>
        <translation>保存结果 (Ctrl+S)</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>经办</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Outcome history</source>
        <translation>营销记录</translation>
    </message>
    <message>
        <source>Past its validity (to %1): it can no longer be applied for.</source>
        <translation>已过有效期（至 %1）：不能再申请。</translation>
    </message>
    <message>
        <source>The client has not consented to marketing: left out of outreach lists.</source>
        <translation>客户未授权营销：不列入外呼/走访名单。</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <source>Drawn is the final status: nothing more to record.</source>
        <translation>已用信是最终状态，无需再登记。</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <source>Not yet</source>
        <translation>待同步</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>Could not save: %1</source>
        <translation>保存失败：%1</translation>
    </message>
</context>
<context>
    <name>ExportOptionsDialog</name>
    <message>
        <source>Export options</source>
        <translation>导出选项</translation>
    </message>
    <message>
        <source>Mask individuals&apos; names (张*伟)</source>
        <translation>个人客户姓名脱敏（张*伟）</translation>
    </message>
    <message>
        <source>Full ID and phone numbers (recorded in the audit trail)</source>
        <translation>完整证件号和手机号（记入审计）</translation>
    </message>
    <message>
        <source>ID and phone numbers are masked unless you choose otherwise. The file says which columns are masked.</source>
        <translation>除非另行选择，证件号和手机号均脱敏导出；文件中会注明哪些列已脱敏。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
</context>
<context>
    <name>FilePage</name>
    <message>
        <source>File and sheet</source>
        <translation>文件和工作表</translation>
    </message>
    <message>
        <source>Choose the spreadsheet to import. Excel (xlsx, xls), WPS (et), OpenDocument (ods), csv and txt files can be read.</source>
        <translation>选择要导入的表格。可读取 Excel（xlsx、xls）、WPS（et）、OpenDocument（ods）、csv 和 txt 文件。</translation>
    </message>
    <message>
        <source>No file chosen</source>
        <translation>尚未选择文件</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Sheet:</source>
        <translation>工作表：</translation>
    </message>
    <message>
        <source>The row that names the columns (name, ID number, village…) is found by itself, even under a title or over two rows; the next step shows it and lets you change it. Nothing is written before the last step.</source>
        <translation>程序会自动找到列名所在的行（姓名、证件号码、村……），即使上面有标题或表头跨两行；下一步会显示并允许修改。最后一步之前不会写入任何内容。</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Reading the file…</source>
        <translation>正在读取文件…</translation>
    </message>
    <message>
        <source>Header found on row %1 (%2 columns); %3 data rows under it.</source>
        <translation>表头在第 %1 行（%2 列），其下有 %3 行数据。</translation>
    </message>
</context>
<context>
    <name>FilterPanel</name>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>All of</source>
        <translation>全部包含</translation>
    </message>
    <message>
        <source>Any of</source>
        <translation>任一包含</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>客群</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>Lifecycle</source>
        <translation>生命周期</translation>
    </message>
    <message>
        <source>Place and people</source>
        <translation>地区与人员</translation>
    </message>
    <message>
        <source>Township</source>
        <translation>乡镇</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Mobile banking</source>
        <translation>手机银行</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>营销授权</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Not signed</source>
        <translation>未签约</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签约</translation>
    </message>
    <message>
        <source>Monthly active</source>
        <translation>月活</translation>
    </message>
    <message>
        <source>Signed, not active</source>
        <translation>已签约未月活</translation>
    </message>
    <message>
        <source>Consented</source>
        <translation>已授权</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Not asked</source>
        <translation>未询问</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <source>All townships</source>
        <translation>全部乡镇</translation>
    </message>
    <message>
        <source>All managers</source>
        <translation>全部客户经理</translation>
    </message>
    <message>
        <source>All villages</source>
        <translation>全部村</translation>
    </message>
    <message>
        <source>%1 clients</source>
        <translation>%1 位客户</translation>
    </message>
</context>
<context>
    <name>FollowupsWorkspace</name>
    <message>
        <source>Everything open</source>
        <translation>全部待跟进</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Print follow-up sheet…</source>
        <translation>打印跟进工作单…</translation>
    </message>
    <message>
        <source>Overdue and this week&apos;s follow-ups on paper, with a QR code per row for keying back</source>
        <translation>把已逾期和本周到期的跟进打印出来，每行一个二维码，便于回录</translation>
    </message>
    <message>
        <source>No follow-up selected</source>
        <translation>未选择跟进</translation>
    </message>
    <message>
        <source>Log the contact</source>
        <translation>登记这次触达</translation>
    </message>
    <message>
        <source>e.g. 有意向, 已办理</source>
        <translation>如 有意向、已办理</translation>
    </message>
    <message>
        <source>What was said (checked for marketing wording)</source>
        <translation>沟通内容（会检查营销用语）</translation>
    </message>
    <message>
        <source>next follow-up, e.g. 2026-12-09</source>
        <translation>下次跟进，如 2026-12-09</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>触达方式</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下次跟进</translation>
    </message>
    <message>
        <source>Result (to close)</source>
        <translation>跟进结果（完成时）</translation>
    </message>
    <message>
        <source>Done (Ctrl+Enter)</source>
        <translation>完成 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Log contact… (Ctrl+T)</source>
        <translation>记录触达…（Ctrl+T）</translation>
    </message>
    <message>
        <source>Record a contact without closing the follow-up</source>
        <translation>记录一次触达，但不结束这条跟进</translation>
    </message>
    <message>
        <source>Put off</source>
        <translation>推迟</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>推迟到</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>All managers</source>
        <translation>全部客户经理</translation>
    </message>
    <message>
        <source>No open follow-ups here. Plan one when you log a contact with a client (Ctrl+T), or choose another manager or period above.</source>
        <translation>这里没有待办的跟进。记录一次客户接触时可以安排跟进（Ctrl+T），或在上方换一位客户经理或时间段。</translation>
    </message>
    <message>
        <source>%1 open follow-ups, %2 overdue (clients who consented to marketing only)</source>
        <translation>共 %1 条待跟进，其中 %2 条已逾期（只列已授权营销的客户）</translation>
    </message>
    <message>
        <source>Overdue by manager: %1</source>
        <translation>各客户经理逾期：%1</translation>
    </message>
    <message>
        <source>Follow-up sheet</source>
        <translation>跟进工作单</translation>
    </message>
</context>
<context>
    <name>FunnelChart</name>
    <message>
        <source>Entries</source>
        <translation>白名单户数</translation>
    </message>
    <message>
        <source>limits</source>
        <translation>额度</translation>
    </message>
    <message>
        <source>Reached</source>
        <translation>已联系</translation>
    </message>
    <message>
        <source>Applied</source>
        <translation>已申请</translation>
    </message>
    <message>
        <source>Drawn</source>
        <translation>已用信</translation>
    </message>
    <message>
        <source>drawn</source>
        <translation>用信</translation>
    </message>
    <message>
        <source>No entries</source>
        <translation>没有白名单</translation>
    </message>
</context>
<context>
    <name>FunnelPanel</name>
    <message>
        <source>Group by</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Relationship manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Industry cluster</source>
        <translation>产业集群</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组别</translation>
    </message>
    <message>
        <source>Entries</source>
        <translation>白名单户数</translation>
    </message>
    <message>
        <source>Reached</source>
        <translation>已联系</translation>
    </message>
    <message>
        <source>Reach rate</source>
        <translation>触达率</translation>
    </message>
    <message>
        <source>Applied</source>
        <translation>已申请</translation>
    </message>
    <message>
        <source>Drawn</source>
        <translation>已用信</translation>
    </message>
    <message>
        <source>Drawn (10k yuan)</source>
        <translation>用信金额（万元）</translation>
    </message>
    <message>
        <source>Conversion</source>
        <translation>转化率</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <source>(no cluster)</source>
        <translation>（无集群）</translation>
    </message>
    <message>
        <source>Whole branch</source>
        <translation>全网点</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>Welcome to BranchDesk</source>
        <translation>欢迎使用网点工作台</translation>
    </message>
    <message>
        <source>Skip the guide</source>
        <translation>跳过引导</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>You can open this guide again from Help (F1).</source>
        <translation>以后可在帮助（F1）中再次打开本引导。</translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation>第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>HelpWindow</name>
    <message>
        <source>BranchDesk help</source>
        <translation>网点工作台帮助</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Contents</source>
        <translation>目录</translation>
    </message>
    <message>
        <source>First-run guide…</source>
        <translation>新手引导…</translation>
    </message>
</context>
<context>
    <name>ImportKind</name>
    <message>
        <source>Line</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Import clients</source>
        <translation>导入客户</translation>
    </message>
    <message>
        <source>When an ID number is already in the client book:</source>
        <translation>证件号码已在客户视图中时：</translation>
    </message>
    <message>
        <source>Amounts without a unit in their header are in</source>
        <translation>表头未注明单位的金额按</translation>
    </message>
    <message>
        <source>元 (unless the sheet says)</source>
        <translation>元（表格注明的除外）</translation>
    </message>
    <message>
        <source>Import scenario figures</source>
        <translation>导入场景月度指标</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <source>Figures</source>
        <translation>指标数</translation>
    </message>
    <message>
        <source>When the month already has a figure:</source>
        <translation>该月已有数字时：</translation>
    </message>
    <message>
        <source>Month of the whole sheet (when it has no month column)</source>
        <translation>整张表的月份（表中没有月份列时）</translation>
    </message>
    <message>
        <source>Import whitelist nominations</source>
        <translation>导入白名单推荐名单</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>产业集群</translation>
    </message>
    <message>
        <source>Amount (万元)</source>
        <translation>金额（万元）</translation>
    </message>
    <message>
        <source>Expected band</source>
        <translation>预计评级</translation>
    </message>
    <message>
        <source>When the person is already nominated or on the whitelist:</source>
        <translation>已推荐或已在白名单中时：</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Choose the spreadsheet to import</source>
        <translation>选择要导入的表格</translation>
    </message>
    <message>
        <source>Spreadsheets (%1);;All files (*)</source>
        <translation>表格文件 (%1);;所有文件 (*)</translation>
    </message>
    <message>
        <source>The file could not be read (%1).</source>
        <translation>无法读取文件（%1）。</translation>
    </message>
    <message>
        <source>No data rows.</source>
        <translation>没有数据行。</translation>
    </message>
    <message>
        <source>Check cancelled.</source>
        <translation>已取消检查。</translation>
    </message>
    <message>
        <source>The rows could not be checked (%1).</source>
        <translation>无法检查这些行（%1）。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>The import failed (%1); nothing was written.</source>
        <translation>导入失败（%1），没有写入任何内容。</translation>
    </message>
    <message>
        <source>Save the rows that did not pass</source>
        <translation>保存未通过的行</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>%1 rows saved to %2: correct them there and import that file again.</source>
        <translation>已将 %1 行保存到 %2：改正后再次导入该文件即可。</translation>
    </message>
    <message>
        <source>The file could not be written (%1).</source>
        <translation>无法写入文件（%1）。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>BranchDesk</source>
        <translation>网点工作台</translation>
    </message>
    <message>
        <source>Workspaces</source>
        <translation>工作区</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Your role does not give access to the client book.</source>
        <translation>您的角色不能查看客户视图。</translation>
    </message>
    <message>
        <source>Your role does not give access to the whitelist.</source>
        <translation>您的岗位无权查看白名单。</translation>
    </message>
    <message>
        <source>Scenarios</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Whitelist</source>
        <translation>白名单</translation>
    </message>
    <message>
        <source>Campaigns</source>
        <translation>营销</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>Worksheets</source>
        <translation>工作单</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Your role does not give access to the reports.</source>
        <translation>您的角色无权查看报表。</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>显示(&amp;V)</translation>
    </message>
    <message>
        <source>Search everything…</source>
        <translation>全局搜索…</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>文字大小</translation>
    </message>
    <message>
        <source>Colours</source>
        <translation>配色</translation>
    </message>
    <message>
        <source>Follow Windows (light, dark, high contrast)</source>
        <translation>跟随 Windows（浅色、深色、高对比度）</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Help for this page</source>
        <translation>本页帮助</translation>
    </message>
    <message>
        <source>Contents</source>
        <translation>帮助目录</translation>
    </message>
    <message>
        <source>Keyboard</source>
        <translation>键盘操作</translation>
    </message>
    <message>
        <source>First-run guide…</source>
        <translation>新手引导…</translation>
    </message>
    <message>
        <source>Signed in: %1 (%2)</source>
        <translation>当前用户：%1（%2）</translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation>数据文件：%1</translation>
    </message>
    <message>
        <source>Last sync: never</source>
        <translation>上次同步：从未同步</translation>
    </message>
    <message>
        <source>Warning: the database key is kept in a key file</source>
        <translation>警告：数据库密钥保存在密钥文件中</translation>
    </message>
    <message>
        <source>Demo data</source>
        <translation>演示数据</translation>
    </message>
    <message>
        <source>Unsynced changes: %1</source>
        <translation>待同步变更：%1 条</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>%1 hours ago</source>
        <translation>%1 小时前</translation>
    </message>
    <message>
        <source>%1 days ago</source>
        <translation>%1 天前</translation>
    </message>
    <message>
        <source>Last confirmed sync: %1</source>
        <translation>上次确认同步：%1</translation>
    </message>
    <message>
        <source>Head office has not confirmed a sync for more than %1 hours: sync in the Sync workspace (its settings say when this warning shows).</source>
        <translation>总行已超过 %1 小时没有确认同步：请在“同步”页同步（何时提醒可在其设置中调整）。</translation>
    </message>
</context>
<context>
    <name>MappingPage</name>
    <message>
        <source>Column mapping</source>
        <translation>列对应</translation>
    </message>
    <message>
        <source>Check what each column of the file is. Columns set to “(do not import)” are left out; fields marked * are required.</source>
        <translation>核对表格每一列的含义。设为“（不导入）”的列不会导入；带 * 的字段必须指定。</translation>
    </message>
    <message>
        <source>The row of the file that holds the column names</source>
        <translation>表格中列名所在的行</translation>
    </message>
    <message>
        <source>This mapping was remembered from an earlier file with the same columns.</source>
        <translation>已沿用上次同样格式文件的列对应。</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Header in the file</source>
        <translation>表格中的列名</translation>
    </message>
    <message>
        <source>Import as</source>
        <translation>导入为</translation>
    </message>
    <message>
        <source>The first rows under the header (ID and phone numbers masked):</source>
        <translation>表头下的前几行（证件号码和电话已遮蔽）：</translation>
    </message>
    <message>
        <source>Header row:</source>
        <translation>表头行：</translation>
    </message>
    <message>
        <source>%1 (from the title)</source>
        <translation>%1（取自标题）</translation>
    </message>
    <message>
        <source>(over two rows)</source>
        <translation>（跨两行）</translation>
    </message>
    <message>
        <source>(no header)</source>
        <translation>（无列名）</translation>
    </message>
    <message>
        <source>(do not import)</source>
        <translation>（不导入）</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>Merge duplicates</source>
        <translation>合并重复客户</translation>
    </message>
    <message>
        <source>Keep: %1 (no. %2, %3)</source>
        <translation>保留：%1（编号 %2，%3）</translation>
    </message>
    <message>
        <source>prospect</source>
        <translation>潜在客户</translation>
    </message>
    <message>
        <source>ID number: %1</source>
        <translation>证件号码：%1</translation>
    </message>
    <message>
        <source>Folded in and marked deleted:</source>
        <translation>并入并标记为已删除：</translation>
    </message>
    <message>
        <source>The kept record gains:</source>
        <translation>保留的记录将补充：</translation>
    </message>
    <message>
        <source>The kept record does not change.</source>
        <translation>保留的记录不变。</translation>
    </message>
    <message>
        <source>Every step is written to the change journal.</source>
        <translation>每一步都会写入变更日志。</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
</context>
<context>
    <name>MetricTile</name>
    <message>
        <source>vs last month %1</source>
        <translation>环比 %1</translation>
    </message>
    <message>
        <source>vs a year ago %1</source>
        <translation>同比 %1</translation>
    </message>
</context>
<context>
    <name>NewCampaignDialog</name>
    <message>
        <source>New local campaign</source>
        <translation>新建本网点营销活动</translation>
    </message>
    <message>
        <source>Edit local campaign</source>
        <translation>修改本网点营销活动</translation>
    </message>
    <message>
        <source>Changes go to head office with the next sync. The product stays as it was made; the clients chosen below are added to the targets (never twice), those without marketing consent are left out.</source>
        <translation>修改会在下次同步时报送总行。产品不能更改；下面选中的客户会追加为目标客户（不会重复），未授权营销的客户不纳入。</translation>
    </message>
    <message>
        <source>A campaign of this branch only: it goes to head office with the next sync. Clients without marketing consent are never made targets.</source>
        <translation>仅限本网点的活动，下次同步时报送总行。未授权营销的客户不会成为目标客户。</translation>
    </message>
    <message>
        <source>e.g. 茶季存款回馈</source>
        <translation>如 茶季存款回馈</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Deposits</source>
        <translation>存款</translation>
    </message>
    <message>
        <source>Mobile banking</source>
        <translation>手机银行</translation>
    </message>
    <message>
        <source>Social security card</source>
        <translation>社保卡</translation>
    </message>
    <message>
        <source>Digital RMB (e-CNY)</source>
        <translation>数字人民币</translation>
    </message>
    <message>
        <source>Wealth management</source>
        <translation>理财</translation>
    </message>
    <message>
        <source>Funds</source>
        <translation>基金</translation>
    </message>
    <message>
        <source>Insurance (agency)</source>
        <translation>代理保险</translation>
    </message>
    <message>
        <source>%1 — the script needs the risk line</source>
        <translation>%1（话术须含风险提示语）</translation>
    </message>
    <message>
        <source>e.g. 2026-12-01</source>
        <translation>如 2026-12-01</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>clients to convert (optional)</source>
        <translation>目标转化户数（可不填）</translation>
    </message>
    <message>
        <source>What the managers say to clients (checked for marketing wording as you type)</source>
        <translation>客户经理对客户说的话（输入时即检查营销用语）</translation>
    </message>
    <message>
        <source>Add the risk line</source>
        <translation>加上风险提示语</translation>
    </message>
    <message>
        <source>e.g. 存满一万送大米一袋 (optional)</source>
        <translation>如 存满一万送大米一袋（可不填）</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Dates</source>
        <translation>起止日期</translation>
    </message>
    <message>
        <source>Goal</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Script</source>
        <translation>话术</translation>
    </message>
    <message>
        <source>Benefits</source>
        <translation>权益</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消（Esc）</translation>
    </message>
    <message>
        <source>Save (Ctrl+Enter)</source>
        <translation>保存（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>目标客户</translation>
    </message>
    <message>
        <source>Add targets</source>
        <translation>追加目标客户</translation>
    </message>
    <message>
        <source>Clients of the village</source>
        <translation>本村客户</translation>
    </message>
    <message>
        <source>Clients with the tag</source>
        <translation>带此标签的客户</translation>
    </message>
    <message>
        <source>These clients</source>
        <translation>指定客户</translation>
    </message>
    <message>
        <source>Add no targets</source>
        <translation>不追加目标客户</translation>
    </message>
    <message>
        <source>client numbers, comma-separated, e.g. 1491, CQ2600001491</source>
        <translation>客户编号，用逗号分隔，如 1491, CQ2600001491</translation>
    </message>
    <message>
        <source>The product of a campaign cannot be changed once it is made.</source>
        <translation>活动建立后不能更改产品。</translation>
    </message>
    <message>
        <source>A wealth product&apos;s script must carry the risk line: %1</source>
        <translation>理财类产品的话术须含风险提示语：%1</translation>
    </message>
    <message>
        <source>The risk line is in the script.</source>
        <translation>话术中已有风险提示语。</translation>
    </message>
    <message>
        <source>No clients are added: only the fields above change.</source>
        <translation>不追加客户：只修改上面的内容。</translation>
    </message>
    <message>
        <source>Choose a village or a tag, or type client numbers.</source>
        <translation>请选择村或标签，或填写客户编号。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>No client with the number %1.</source>
        <translation>没有编号为 %1 的客户。</translation>
    </message>
    <message>
        <source>%1 clients chosen: %2 new targets to add, %3 left out (no marketing consent), %4 already targets.</source>
        <translation>选中 %1 位客户：将追加 %2 位，%3 位未授权营销不纳入，%4 位原已是目标客户。</translation>
    </message>
    <message>
        <source>%1 clients chosen: %2 with marketing consent become targets, %3 left out (no marketing consent).</source>
        <translation>选中 %1 位客户：%2 位已授权营销，将成为目标客户；%3 位未授权营销，不纳入。</translation>
    </message>
    <message>
        <source>Loading the word list…</source>
        <translation>正在读取合规词表…</translation>
    </message>
    <message>
        <source>The campaign could not be loaded.</source>
        <translation>无法读取这个活动。</translation>
    </message>
    <message>
        <source>The script holds blocked words: reword it to save.</source>
        <translation>话术含禁用词：请改写后再保存。</translation>
    </message>
    <message>
        <source>The script lacks the risk line a wealth product needs.</source>
        <translation>话术缺少理财类产品必须的风险提示语。</translation>
    </message>
    <message>
        <source>Tick the box under the script to confirm the words to use with care.</source>
        <translation>请勾选话术下方的确认框，确认慎用词的用法。</translation>
    </message>
    <message>
        <source>Nothing to save: change a field, or choose clients to add.</source>
        <translation>没有要保存的内容：请修改某项，或选择要追加的客户。</translation>
    </message>
    <message>
        <source>Choose the targets.</source>
        <translation>请选择目标客户。</translation>
    </message>
    <message>
        <source>Counting the targets…</source>
        <translation>正在统计目标客户…</translation>
    </message>
    <message>
        <source>Correct the client numbers.</source>
        <translation>请更正客户编号。</translation>
    </message>
    <message>
        <source>None of these clients would be added (already targets, or no marketing consent): choose others, or “Add no targets”.</source>
        <translation>这些客户都不会被追加（已是目标客户或未授权营销）：请另选，或选择“不追加目标客户”。</translation>
    </message>
    <message>
        <source>No client of this choice has consented to marketing: there would be no targets.</source>
        <translation>所选客户都未授权营销：将没有目标客户。</translation>
    </message>
    <message>
        <source>Could not save: %1</source>
        <translation>未能保存：%1</translation>
    </message>
</context>
<context>
    <name>NewScenarioDialog</name>
    <message>
        <source>New scenario</source>
        <translation>新建场景</translation>
    </message>
    <message>
        <source>e.g. 青泉村生猪养殖智慧畜牧</source>
        <translation>如 青泉村生猪养殖智慧畜牧</translation>
    </message>
    <message>
        <source>township + village, e.g. 厚坪乡青泉村; or a township for all of it</source>
        <translation>乡镇+村，如 厚坪乡青泉村；全乡镇的场景只填乡镇</translation>
    </message>
    <message>
        <source>村委会, 合作社, school, government office…</source>
        <translation>村委会、合作社、学校、政府部门…</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Partner</source>
        <translation>合作方</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
</context>
<context>
    <name>NominationDialog</name>
    <message>
        <source>Nominate a client for the whitelist</source>
        <translation>推荐白名单客户</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>被推荐人</translation>
    </message>
    <message>
        <source>e.g. 10万</source>
        <translation>如 10万</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名/名称</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>产业集群</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Suggested limit</source>
        <translation>建议额度</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>推荐理由</translation>
    </message>
    <message>
        <source>Scorecard inputs (amounts in 10k yuan)</source>
        <translation>评分卡输入（金额以万元计）</translation>
    </message>
    <message>
        <source>Submit nomination</source>
        <translation>提交推荐</translation>
    </message>
    <message>
        <source>Pre-check with head office&apos;s scorecard</source>
        <translation>按总行评分卡预检</translation>
    </message>
    <message>
        <source>Loading the scorecards…</source>
        <translation>正在读取评分卡…</translation>
    </message>
    <message>
        <source>Factor</source>
        <translation>评分项</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>No scorecard from head office for this cluster.</source>
        <translation>总行尚未发布该产业集群的评分卡。</translation>
    </message>
    <message>
        <source>%1 points: band %2, expected limit %3 – %4</source>
        <translation>%1 分：%2 档，预计额度 %3 – %4</translation>
    </message>
    <message>
        <source>%1 points: below every band</source>
        <translation>%1 分：未达准入</translation>
    </message>
    <message>
        <source>Capped: %1</source>
        <translation>封顶：%1</translation>
    </message>
    <message>
        <source>Missing (count as 0): %1</source>
        <translation>缺少（按 0 分计）：%1</translation>
    </message>
    <message>
        <source>Could not save: %1</source>
        <translation>保存失败：%1</translation>
    </message>
</context>
<context>
    <name>PlaceholderWorkspace</name>
    <message>
        <source>This workspace is not available yet in this version.</source>
        <translation>本版本暂未开放此工作区。</translation>
    </message>
</context>
<context>
    <name>PreviewPage</name>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Every row is checked by the rules used when it is typed in by hand. Nothing is written yet: the rows that pass are imported in the next step, all at once.</source>
        <translation>按手工录入时的同样规则逐行检查。此时尚未写入：通过检查的行将在下一步一次导入。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <source>Show only the rows that did not pass</source>
        <translation>只看未通过的行</translation>
    </message>
    <message>
        <source>Checking %1 rows…</source>
        <translation>正在检查 %1 行…</translation>
    </message>
    <message>
        <source>%1 rows will be imported when you press Import.</source>
        <translation>按“导入”后将导入 %1 行。</translation>
    </message>
    <message>
        <source>No row can be imported: see the reasons below.</source>
        <translation>没有可导入的行：原因见下表。</translation>
    </message>
</context>
<context>
    <name>QuarantineFixDialog</name>
    <message>
        <source>Fix a change head office refused</source>
        <translation>更正被总行拒绝的修改</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Head office&apos;s reason</source>
        <translation>总行的拒绝原因</translation>
    </message>
    <message>
        <source>Corrected values</source>
        <translation>更正后的值</translation>
    </message>
    <message>
        <source>The corrected change is sent to head office at the next sync; the values you do not change are sent as they were. The audit trail records which fields were corrected, not the values.</source>
        <translation>更正后的修改将在下次同步时上传总行；未改动的值按原样上传。审计记录只记下更正了哪些字段，不记录具体的值。</translation>
    </message>
    <message>
        <source>Fix and send again</source>
        <translation>更正并重新上传</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>This change cannot be fixed here</source>
        <translation>这条修改无法在此更正</translation>
    </message>
    <message>
        <source>%1 by %2 at %3: %4</source>
        <translation>%2 于 %3 %1：%4</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>总行拒绝：%1</translation>
    </message>
    <message>
        <source>Correct at least one value first (or close this and send the change again as it was).</source>
        <translation>请至少更正一个值（或关闭本窗口，按原样重新上传）。</translation>
    </message>
    <message>
        <source>Could not save: %1</source>
        <translation>无法保存：%1</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>以后</translation>
    </message>
    <message>
        <source>When</source>
        <translation>到期</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Campaign</source>
        <translation>营销活动</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source> (%1 days)</source>
        <translation>（%1 天）</translation>
    </message>
</context>
<context>
    <name>ReportsWorkspace</name>
    <message>
        <source>Marketing results</source>
        <translation>营销成效</translation>
    </message>
    <message>
        <source>Reach and conversion over time</source>
        <translation>触达与转化趋势</translation>
    </message>
    <message>
        <source>Segment growth</source>
        <translation>客群提升</translation>
    </message>
    <message>
        <source>Mobile-banking penetration</source>
        <translation>手机银行渗透率</translation>
    </message>
    <message>
        <source>Whitelist funnel</source>
        <translation>白名单营销漏斗</translation>
    </message>
    <message>
        <source>Scenario acquisition</source>
        <translation>场景获客</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>This quarter</source>
        <translation>本季度</translation>
    </message>
    <message>
        <source>This year so far</source>
        <translation>今年以来</translation>
    </message>
    <message>
        <source>Last 12 weeks</source>
        <translation>近 12 周</translation>
    </message>
    <message>
        <source>Dates below</source>
        <translation>自定日期</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>网点</translation>
    </message>
    <message>
        <source>By</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Export to Excel…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <source>Export to PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>All branches</source>
        <translation>全部网点</translation>
    </message>
    <message>
        <source>A relationship manager sees their own figures.</source>
        <translation>客户经理只能查看自己的数字。</translation>
    </message>
    <message>
        <source>All managers</source>
        <translation>全部客户经理</translation>
    </message>
    <message>
        <source>All villages</source>
        <translation>全部村</translation>
    </message>
    <message>
        <source>Campaign</source>
        <translation>营销活动</translation>
    </message>
    <message>
        <source>Township</source>
        <translation>乡镇</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>The report could not be made: %1</source>
        <translation>报表未能生成：%1</translation>
    </message>
    <message>
        <source>Made by %1 at %2</source>
        <translation>制表：%1&#x3000;%2</translation>
    </message>
    <message>
        <source>No figures for these filters</source>
        <translation>当前筛选条件下没有数据</translation>
    </message>
    <message>
        <source>First %1 of %2 shown; the table holds them all</source>
        <translation>图中为前 %1 项（共 %2 项），表格列出全部</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>RowsModel</name>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Keyed back</source>
        <translation>回录结果</translation>
    </message>
    <message>
        <source>Cannot be keyed: %1</source>
        <translation>不能回录：%1</translation>
    </message>
</context>
<context>
    <name>ScenarioDetail</name>
    <message>
        <source>No scenario selected</source>
        <translation>未选择场景</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Mark the scenario as no longer in use</source>
        <translation>把场景标为停用</translation>
    </message>
    <message>
        <source>Move back one step; a reason is asked for and kept in the note</source>
        <translation>退回一步；须填写原因，原因记入备注</translation>
    </message>
    <message>
        <source>Link clients…</source>
        <translation>登记获客…</translation>
    </message>
    <message>
        <source>Clients won through this scenario, by client number</source>
        <translation>按客户编号登记经由这个场景获得的客户</translation>
    </message>
    <message>
        <source>Figures for a month</source>
        <translation>月度指标</translation>
    </message>
    <message>
        <source>The month, e.g. 2026-10; the figures entered before for it are shown</source>
        <translation>月份，如 2026-10；会显示该月已录入的数字</translation>
    </message>
    <message>
        <source>Save figures (Enter)</source>
        <translation>保存指标（Enter）</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <source>Amounts in yuan; a field left empty is not changed.</source>
        <translation>金额单位为元；留空的项不作改动。</translation>
    </message>
    <message>
        <source>The last 12 months</source>
        <translation>最近 12 个月</translation>
    </message>
    <message>
        <source>Attachments (the files stay on this PC; names and checksums sync)</source>
        <translation>附件（文件留在本机；名称和校验值会同步）</translation>
    </message>
    <message>
        <source>Attach files…</source>
        <translation>添加附件…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>no village</source>
        <translation>未填村</translation>
    </message>
    <message>
        <source>%1 clients won</source>
        <translation>获客 %1 户</translation>
    </message>
    <message>
        <source>yuan</source>
        <translation>元</translation>
    </message>
    <message>
        <source> (yuan)</source>
        <translation>（元）</translation>
    </message>
    <message>
        <source>Move to %1</source>
        <translation>推进到%1</translation>
    </message>
    <message>
        <source>Move to the next step</source>
        <translation>推进到下一步</translation>
    </message>
    <message>
        <source>Back to %1…</source>
        <translation>退回%1…</translation>
    </message>
    <message>
        <source>Move back…</source>
        <translation>退回…</translation>
    </message>
    <message>
        <source>Move back</source>
        <translation>退回</translation>
    </message>
    <message>
        <source>Why does “%1” go back from %2 to %3?</source>
        <translation>“%1”为什么从%2退回%3？</translation>
    </message>
    <message>
        <source>Moved to %1.</source>
        <translation>已改为%1。</translation>
    </message>
    <message>
        <source>“%1” is not an amount; type yuan, e.g. 12,000.50 or 1.5万.</source>
        <translation>“%1”不是金额；请按元填写，如 12,000.50 或 1.5万。</translation>
    </message>
    <message>
        <source>%1 figures saved for %2.</source>
        <translation>已保存 %2 的 %1 项指标。</translation>
    </message>
    <message>
        <source>Nothing changed: the figures are as entered before.</source>
        <translation>没有变化：与已录入的数字相同。</translation>
    </message>
    <message>
        <source>Link clients</source>
        <translation>登记获客</translation>
    </message>
    <message>
        <source>Client numbers won through “%1”, separated by commas:</source>
        <translation>经由“%1”获得的客户编号，用逗号分隔：</translation>
    </message>
    <message>
        <source>Not a client number: %1</source>
        <translation>不是客户编号：%1</translation>
    </message>
    <message>
        <source>Type at least one client number.</source>
        <translation>请至少填写一个客户编号。</translation>
    </message>
    <message>
        <source>%1 clients linked; %2 were linked before.</source>
        <translation>已登记 %1 位客户；%2 位此前已登记。</translation>
    </message>
    <message>
        <source>not on this PC</source>
        <translation>不在本机</translation>
    </message>
    <message>
        <source>Attach files to “%1”</source>
        <translation>给“%1”添加附件</translation>
    </message>
    <message>
        <source>File attached.</source>
        <translation>已添加附件。</translation>
    </message>
    <message>
        <source>This file is not on this PC: it was attached on another one.</source>
        <translation>这个文件不在本机：它是在另一台电脑上添加的。</translation>
    </message>
    <message>
        <source>Removed “%1”.</source>
        <translation>已移除“%1”。</translation>
    </message>
</context>
<context>
    <name>ScenarioListPage</name>
    <message>
        <source>All types</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>All steps</source>
        <translation>全部进度</translation>
    </message>
    <message>
        <source>New scenario…</source>
        <translation>新建场景…</translation>
    </message>
    <message>
        <source>Import figures…</source>
        <translation>导入月度指标…</translation>
    </message>
    <message>
        <source>Monthly figures from a spreadsheet (xlsx, xls, et, csv): one row per scenario and month, amounts in 元 or 万元</source>
        <translation>从表格（xlsx、xls、et、csv）导入月度指标：每个场景每月一行，金额为元或万元</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Partner</source>
        <translation>合作方</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>自</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>获客</translation>
    </message>
    <message>
        <source>a scenario&apos;s figures</source>
        <translation>场景指标</translation>
    </message>
    <message>
        <source>%1 scenarios</source>
        <translation>%1 个场景</translation>
    </message>
    <message>
        <source>No smart-village scenarios yet. Record the first with New scenario… above.</source>
        <translation>还没有智慧乡村场景。用上方“新建场景…”登记第一个。</translation>
    </message>
    <message>
        <source>No scenario matches these filters. Choose All types and All steps to see every scenario.</source>
        <translation>没有符合筛选条件的场景。选择“全部类型”和“全部进度”即可看到全部场景。</translation>
    </message>
</context>
<context>
    <name>ScenariosWorkspace</name>
    <message>
        <source>Dashboard</source>
        <translation>看板</translation>
    </message>
    <message>
        <source>Scenarios</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Could not read the scenarios: %1</source>
        <translation>无法读取场景：%1</translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <source>Search everything</source>
        <translation>全局搜索</translation>
    </message>
    <message>
        <source>Name, phone or ID last digits, client number, campaign, scenario, village, sheet number</source>
        <translation>姓名、手机或证件号后几位、客户号、营销活动、场景、村、工作单号</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>Type to search. ↑↓ choose, Enter opens, Esc closes.</source>
        <translation>输入即搜索。↑↓ 选择，回车打开，Esc 关闭。</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Whitelist entries</source>
        <translation>白名单</translation>
    </message>
    <message>
        <source>Campaigns</source>
        <translation>营销活动</translation>
    </message>
    <message>
        <source>Scenarios</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Villages</source>
        <translation>村</translation>
    </message>
    <message>
        <source>Worksheets</source>
        <translation>工作单</translation>
    </message>
    <message>
        <source>Nothing found for “%1”. Try part of a name, the last 4 digits of a phone, or a village.</source>
        <translation>没有找到“%1”。试试姓名的一部分、手机号后 4 位或村名。</translation>
    </message>
    <message>
        <source>%1 found. ↑↓ choose, Enter opens, Esc closes.</source>
        <translation>找到 %1 项。↑↓ 选择，回车打开，Esc 关闭。</translation>
    </message>
</context>
<context>
    <name>SheetPrintDialog</name>
    <message>
        <source>Preparing the sheet…</source>
        <translation>正在准备工作单…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>另存为 PDF…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Rendering %1 rows…</source>
        <translation>正在生成 %1 行…</translation>
    </message>
    <message>
        <source>Sheet %1: %2 rows, %3 pages. Key it back later by its number or any row&apos;s QR code.</source>
        <translation>工作单 %1：%2 行，%3 页。收回后凭工作单号或任一行的二维码回录。</translation>
    </message>
    <message>
        <source>Cancelled: nothing was printed or kept.</source>
        <translation>已取消：没有打印，也没有保留任何内容。</translation>
    </message>
    <message>
        <source>The sheet could not be written: %1</source>
        <translation>无法写入工作单：%1</translation>
    </message>
    <message>
        <source>The sheet could not be made.</source>
        <translation>未能生成工作单。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <source>Sent %1 pages to the printer.</source>
        <translation>已把 %1 页发送到打印机。</translation>
    </message>
    <message>
        <source>Save the sheet as PDF</source>
        <translation>把工作单另存为 PDF</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Could not save to %1: %2</source>
        <translation>无法保存到 %1：%2</translation>
    </message>
    <message>
        <source>Saved to %1.</source>
        <translation>已保存到 %1。</translation>
    </message>
    <message>
        <source>Print a worksheet</source>
        <translation>打印工作单</translation>
    </message>
    <message>
        <source>For which manager?</source>
        <translation>为哪位客户经理打印？</translation>
    </message>
</context>
<context>
    <name>SheetsWorkspace</name>
    <message>
        <source>Sheet number, or scan any QR code of the sheet</source>
        <translation>输入工作单号，或扫描工作单上任一二维码</translation>
    </message>
    <message>
        <source>Open a returned sheet</source>
        <translation>打开收回的工作单</translation>
    </message>
    <message>
        <source>No sheet open</source>
        <translation>未打开工作单</translation>
    </message>
    <message>
        <source>way result [MMDD], e.g. 32 1215; 0 if not visited</source>
        <translation>方式 结果 [月日]，如 32 1215；未走访填 0</translation>
    </message>
    <message>
        <source>note (optional)</source>
        <translation>备注（可不填）</translation>
    </message>
    <message>
        <source>Worksheets</source>
        <translation>工作单</translation>
    </message>
    <message>
        <source>%1 of %2 keyed</source>
        <translation>已回录 %1/%2</translation>
    </message>
    <message>
        <source>No sheets printed on this PC yet.</source>
        <translation>本机还没有打印过工作单。</translation>
    </message>
    <message>
        <source>“%1” is not a sheet number (like M261202-0001).</source>
        <translation>“%1”不是工作单号（如 M261202-0001）。</translation>
    </message>
    <message>
        <source>%1 of %2 rows keyed</source>
        <translation>已回录 %1/%2 行</translation>
    </message>
    <message>
        <source>%1 rows cannot be keyed: their clients were merged or deleted since printing.</source>
        <translation>%1 行不能回录：打印后客户已被合并或删除。</translation>
    </message>
    <message>
        <source>Way: %1 · Result: %2 · next date as MMDD · 0 = not visited</source>
        <translation>方式：%1 · 结果：%2 · 下次日期按月日四位 · 未走访填 0</translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>Row %1 was keyed before: %2. Nothing changed.</source>
        <translation>第 %1 行此前已回录：%2，未作改动。</translation>
    </message>
    <message>
        <source>Row %1: %2.</source>
        <translation>第 %1 行：%2。</translation>
    </message>
    <message>
        <source>Every row of sheet %1 is keyed.</source>
        <translation>工作单 %1 已全部回录。</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>BranchDesk — sign in</source>
        <translation>网点工作台 — 登录</translation>
    </message>
    <message>
        <source>BranchDesk — locked</source>
        <translation>网点工作台 — 已锁定</translation>
    </message>
    <message>
        <source>Sign in to BranchDesk</source>
        <translation>登录网点工作台</translation>
    </message>
    <message>
        <source>Locked after inactivity. Enter your PIN to continue.</source>
        <translation>长时间未操作，已锁定。请输入 PIN 继续。</translation>
    </message>
    <message>
        <source>6–12 digits</source>
        <translation>6–12 位数字</translation>
    </message>
    <message>
        <source>Staff member</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Repeat PIN</source>
        <translation>再次输入 PIN</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Sign out and quit</source>
        <translation>注销并退出</translation>
    </message>
    <message>
        <source>First sign-in: choose a PIN of 6 to 12 digits and enter it twice.</source>
        <translation>首次登录：请设置 6–12 位数字的 PIN，并输入两次。</translation>
    </message>
    <message>
        <source>The two PINs differ.</source>
        <translation>两次输入的 PIN 不一致。</translation>
    </message>
</context>
<context>
    <name>SyncSettingsDialog</name>
    <message>
        <source>Sync settings</source>
        <translation>同步设置</translation>
    </message>
    <message>
        <source>Head-office address</source>
        <translation>总行地址</translation>
    </message>
    <message>
        <source>optional, e.g. http://proxy:8080</source>
        <translation>可不填，如 http://proxy:8080</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <source>optional: the bank&apos;s CA certificate (PEM)</source>
        <translation>可不填：本行的 CA 证书（PEM）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA 证书</translation>
    </message>
    <message>
        <source>minutes (%1–%2)</source>
        <translation>分钟（%1–%2）</translation>
    </message>
    <message>
        <source>Sync in the background every</source>
        <translation>后台同步间隔</translation>
    </message>
    <message>
        <source>hours (%1–%2)</source>
        <translation>小时（%1–%2）</translation>
    </message>
    <message>
        <source>Warn after no confirmed sync for</source>
        <translation>超过多久未确认同步时提醒</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Ask head office at the address above, through the proxy and CA above</source>
        <translation>按上面的地址、代理和 CA 证书连接总行试试</translation>
    </message>
    <message>
        <source>Set for every PC by the bank&apos;s IT (policy); it cannot be changed here.</source>
        <translation>由银行 IT 为所有电脑统一设置（策略），不能在此修改。</translation>
    </message>
    <message>
        <source>The address must not contain spaces</source>
        <translation>地址中不能有空格</translation>
    </message>
    <message>
        <source>The address must start with https:// (or http://)</source>
        <translation>地址应以 https://（或 http://）开头</translation>
    </message>
    <message>
        <source>The address has no server name after the //</source>
        <translation>// 后面缺少服务器名称</translation>
    </message>
    <message>
        <source>The port after the colon must be a number from 1 to 65535</source>
        <translation>冒号后的端口应为 1 到 65535 之间的数字</translation>
    </message>
    <message>
        <source>The address must not contain ? or #</source>
        <translation>地址中不能有 ? 或 #</translation>
    </message>
    <message>
        <source>No such file</source>
        <translation>文件不存在</translation>
    </message>
    <message>
        <source>This is a folder; choose the certificate file</source>
        <translation>这是文件夹，请选择证书文件</translation>
    </message>
    <message>
        <source>The file cannot be read (no permission)</source>
        <translation>无法读取文件（没有权限）</translation>
    </message>
    <message>
        <source>The file holds no certificate in PEM format (-----BEGIN CERTIFICATE-----)</source>
        <translation>文件中没有 PEM 格式的证书（-----BEGIN CERTIFICATE-----）</translation>
    </message>
    <message>
        <source>The file cannot be read: %1</source>
        <translation>无法读取文件：%1</translation>
    </message>
    <message>
        <source>Enter %1</source>
        <translation>请填写%1</translation>
    </message>
    <message>
        <source>Not a number: enter %1</source>
        <translation>不是数字：请填写%1</translation>
    </message>
    <message>
        <source>Out of range: enter %1</source>
        <translation>超出范围：请填写%1</translation>
    </message>
    <message>
        <source>Enter the head-office address, e.g. https://sync.bank.local</source>
        <translation>请填写总行地址，如 https://sync.bank.local</translation>
    </message>
    <message>
        <source>minutes from %1 to %2</source>
        <translation> %1 到 %2 分钟</translation>
    </message>
    <message>
        <source>hours from %1 to %2</source>
        <translation> %1 到 %2 小时</translation>
    </message>
    <message>
        <source>This PC is enrolled with %1 as device %2 of branch %3. Its branch, device and token stay as they are: if the new address is a different head-office service, this PC must be enrolled again with a new one-time code before it can sync.</source>
        <translation>本机已注册到 %1，是网点 %3 的设备 %2。网点、设备和令牌保持不变：如果新地址是另一个总行服务，须用新的一次性注册码重新注册后才能同步。</translation>
    </message>
    <message>
        <source>Change the head-office address</source>
        <translation>更改总行地址</translation>
    </message>
    <message>
        <source>This PC is enrolled with %1. Change the address to %2?

If it is a different head-office service, this PC must be enrolled again before it can sync.</source>
        <translation>本机已注册到 %1。要把地址改为 %2 吗？

如果这是另一个总行服务，须重新注册后才能同步。</translation>
    </message>
    <message>
        <source>The settings could not be saved: %1</source>
        <translation>无法保存设置：%1</translation>
    </message>
    <message>
        <source>Correct the fields marked in red first.</source>
        <translation>请先更正标红的项。</translation>
    </message>
    <message>
        <source>Asking head office at %1…</source>
        <translation>正在连接总行 %1…</translation>
    </message>
    <message>
        <source>Connected: head office answered in %1 ms (sync protocol %2).</source>
        <translation>连接成功：总行 %1 毫秒内应答（同步协议 %2）。</translation>
    </message>
    <message>
        <source>Head office speaks sync protocol %1, this BranchDesk %2: one of them must be upgraded before syncing.</source>
        <translation>总行使用同步协议 %1，本程序使用 %2：须升级其中之一后才能同步。</translation>
    </message>
    <message>
        <source>This PC&apos;s clock is %1 minutes off head office&apos;s; please correct it.</source>
        <translation>本机时钟与总行相差 %1 分钟，请校准。</translation>
    </message>
    <message>
        <source>This address answers, but not as a BranchDesk head-office service (%1).</source>
        <translation>这个地址有应答，但不是 BranchDesk 总行服务（%1）。</translation>
    </message>
    <message>
        <source>Could not reach head office: %1</source>
        <translation>无法连接总行：%1</translation>
    </message>
    <message>
        <source>The test failed: %1</source>
        <translation>测试失败：%1</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM 证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>SyncWorkspace</name>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Sync with head office</source>
        <translation>与总行同步</translation>
    </message>
    <message>
        <source>Changes made on this PC go to head office, and head office&apos;s data comes here. A sync is marked synced only after head office has confirmed that both sides hold the same data.</source>
        <translation>本机的修改上传到总行，总行的数据下载到本机。只有总行核对确认双方数据一致后，才显示“已同步”。</translation>
    </message>
    <message>
        <source>Enrol this PC</source>
        <translation>注册本机</translation>
    </message>
    <message>
        <source>optional, e.g. http://proxy:8080</source>
        <translation>可选，如 http://proxy:8080</translation>
    </message>
    <message>
        <source>optional: the bank&apos;s CA certificate (PEM)</source>
        <translation>可选：本行的 CA 证书（PEM）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Head-office address</source>
        <translation>总行服务地址</translation>
    </message>
    <message>
        <source>One-time code</source>
        <translation>一次性注册码</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA 证书</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Recent syncs</source>
        <translation>最近的同步</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Set for every PC by the bank&apos;s IT (policy); it cannot be changed here.</source>
        <translation>由银行 IT 为所有电脑统一设置（策略），不能在此修改。</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Head-office address, proxy, CA certificate, how often to sync</source>
        <translation>总行地址、代理、CA 证书、同步频率</translation>
    </message>
    <message>
        <source>Export offline bundle…</source>
        <translation>导出离线包…</translation>
    </message>
    <message>
        <source>No line? Write the unsent changes to an encrypted, signed file and carry it to a connected PC or to head office</source>
        <translation>没有网络？把未上传的修改写入加密并签名的文件，带到联网的电脑或总行导入</translation>
    </message>
    <message>
        <source>Import head office&apos;s reply…</source>
        <translation>导入总行回执…</translation>
    </message>
    <message>
        <source>Bring back the reply head office wrote for your bundle: answers, missing data, check</source>
        <translation>导入总行为离线包生成的回执：上传结果、补齐的数据与核对</translation>
    </message>
    <message>
        <source>Hand on a bundle…</source>
        <translation>转交离线包…</translation>
    </message>
    <message>
        <source>Someone brought a bundle from a PC with no line: send it to head office over this PC&apos;s line and write the reply for them to carry back</source>
        <translation>有人从无网络的电脑带来离线包：经本机的网络交给总行，并写出回执包由其带回</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>隔离</translation>
    </message>
    <message>
        <source>Data (KB)</source>
        <translation>流量（KB）</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>修改内容</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>重新上传</translation>
    </message>
    <message>
        <source>After correcting the record, send the refused change again</source>
        <translation>改正记录后，重新上传被拒绝的修改</translation>
    </message>
    <message>
        <source>Discard…</source>
        <translation>放弃…</translation>
    </message>
    <message>
        <source>Give up the change; the record returns to head office&apos;s version</source>
        <translation>放弃这项修改，记录恢复为总行的数据</translation>
    </message>
    <message>
        <source>Fix…</source>
        <translation>更正…</translation>
    </message>
    <message>
        <source>Correct the refused values and send the change again</source>
        <translation>更正被拒绝的值并重新上传</translation>
    </message>
    <message>
        <source>Refused by head office</source>
        <translation>总行拒绝的修改</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>This branch</source>
        <translation>本网点的值</translation>
    </message>
    <message>
        <source>Head office</source>
        <translation>总行的值</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Review…</source>
        <translation>复核…</translation>
    </message>
    <message>
        <source>Decide the chosen conflict: keep one side&apos;s value or type a merged one</source>
        <translation>处理所选冲突：保留一方的值，或填写合并后的值</translation>
    </message>
    <message>
        <source>Conflicts to review</source>
        <translation>待复核的冲突</translation>
    </message>
    <message>
        <source>Synced (confirmed by head office)</source>
        <translation>已同步（总行已确认）</translation>
    </message>
    <message>
        <source>Not confirmed</source>
        <translation>未确认</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Head office: %1 · Branch: %2 · Device: %3</source>
        <translation>总行：%1 · 网点：%2 · 设备：%3</translation>
    </message>
    <message>
        <source> · County device: reads every branch of county %1</source>
        <translation> · 县域设备：只读同步区县 %1 的所有网点</translation>
    </message>
    <message>
        <source>This PC is not enrolled with head office yet.</source>
        <translation>本机尚未注册到总行。</translation>
    </message>
    <message>
        <source>Correct the record in its workspace, then send the change again; or discard it.</source>
        <translation>可在相应工作区改正记录后重新上传，或放弃这项修改。</translation>
    </message>
    <message>
        <source>Refused by head office (%1)</source>
        <translation>总行拒绝的修改（%1）</translation>
    </message>
    <message>
        <source>head office kept this branch&apos;s value</source>
        <translation>总行采用了本网点的值</translation>
    </message>
    <message>
        <source>this PC took head office&apos;s value</source>
        <translation>本机采用了总行的值</translation>
    </message>
    <message>
        <source>Conflicts to review (%1)</source>
        <translation>待复核的冲突（%1）</translation>
    </message>
    <message>
        <source>Choose a refused change in the list first.</source>
        <translation>请先在列表中选择一项被拒绝的修改。</translation>
    </message>
    <message>
        <source>Discard the change</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <source>Give up this change? The record returns to head office&apos;s version at the next sync. This is recorded in the audit trail.</source>
        <translation>确定放弃这项修改吗？下次同步时该记录将恢复为总行的数据。此操作会记入审计记录。</translation>
    </message>
    <message>
        <source>Unsent changes: %1 · Quarantined (refused by head office): %2 · Conflicts to review: %3</source>
        <translation>未上传的修改：%1 · 已隔离（总行拒绝）：%2 · 待复核冲突：%3</translation>
    </message>
    <message>
        <source> · Records from head office set aside (invalid): %1</source>
        <translation> · 总行数据中不符合规范、已隔离的记录：%1</translation>
    </message>
    <message>
        <source>Version %1 has been released by the bank&apos;s IT and is waiting to be installed (this PC runs %2).</source>
        <translation>新版本 %1 已由银行 IT 发布，等待安装（本机为 %2；程序不会自行更新）。</translation>
    </message>
    <message>
        <source>Last sync: never</source>
        <translation>上次同步：从未同步</translation>
    </message>
    <message>
        <source>Last sync: confirmed by head office at %1</source>
        <translation>上次同步：总行已确认（%1）</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <source> (last confirmed %1)</source>
        <translation>（上次确认 %1）</translation>
    </message>
    <message>
        <source>Sync waits for unsaved edits to be saved or reverted: %1</source>
        <translation>同步等待中：请先保存或撤销正在编辑的内容（%1）</translation>
    </message>
    <message>
        <source>Connecting to head office…</source>
        <translation>正在连接总行…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Sending changes</source>
        <translation>上传变更</translation>
    </message>
    <message>
        <source>Receiving data</source>
        <translation>下载数据</translation>
    </message>
    <message>
        <source>Checking with head office</source>
        <translation>与总行核对</translation>
    </message>
    <message>
        <source>sent %1, received %2, conflicts %3, quarantined %4, %5 KB, %6 s</source>
        <translation>上传 %1，下载 %2，冲突 %3，隔离 %4，%5 KB，%6 秒</translation>
    </message>
    <message>
        <source>Export offline bundle</source>
        <translation>导出离线包</translation>
    </message>
    <message>
        <source>Offline bundle (*.bdbundle)</source>
        <translation>离线包 (*.bdbundle)</translation>
    </message>
    <message>
        <source>Import head office&apos;s reply</source>
        <translation>导入总行回执</translation>
    </message>
    <message>
        <source>Offline bundle (*.bdbundle);;All files (*)</source>
        <translation>离线包 (*.bdbundle);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Hand on a bundle</source>
        <translation>转交离线包</translation>
    </message>
    <message>
        <source>A sync is running; try again when it has finished.</source>
        <translation>正在同步，请等同步结束后再试。</translation>
    </message>
    <message>
        <source>Writing the bundle…</source>
        <translation>正在写出离线包…</translation>
    </message>
    <message>
        <source>Importing the reply…</source>
        <translation>正在导入回执…</translation>
    </message>
    <message>
        <source>Sending the bundle to head office…</source>
        <translation>正在把离线包交给总行…</translation>
    </message>
    <message>
        <source>Bundle %1 written: %2 unsent changes, %3 KB. Carry it to a connected PC or to head office, then import the reply here. The changes stay unsent until then.</source>
        <translation>已写出第 %1 号离线包：%2 条未上传的修改，%3 KB。请带到联网的电脑或总行导入，再把回执带回本机导入。在此之前这些修改仍算未上传。</translation>
    </message>
    <message>
        <source>Bundle %1 of branch %2, device %3 handed to head office (%4 changes). Reply written to %5: carry it back to that PC and import it there.</source>
        <translation>网点 %2 设备 %3 的第 %1 号离线包已交给总行（%4 条修改）。回执已写到 %5：请带回那台电脑导入。</translation>
    </message>
    <message>
        <source>This reply was imported before; nothing changed.</source>
        <translation>这份回执此前已导入，本次没有任何改动。</translation>
    </message>
    <message>
        <source>reply to bundle %1: confirmed %2, conflicts %3, quarantined %4, received %5</source>
        <translation>第 %1 号离线包的回执：上传确认 %2，冲突 %3，隔离 %4，下载 %5</translation>
    </message>
    <message>
        <source>Head-office address: enter an address starting with https://</source>
        <translation>总行服务地址：请输入以 https:// 开头的地址</translation>
    </message>
    <message>
        <source>One-time code: enter the code head office gave you</source>
        <translation>一次性注册码：请输入总行提供的注册码</translation>
    </message>
</context>
<context>
    <name>TodayWorkspace</name>
    <message>
        <source>Search everything (Ctrl+K)</source>
        <translation>全局搜索（Ctrl+K）</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Overdue follow-ups</source>
        <translation>已逾期的跟进</translation>
    </message>
    <message>
        <source>Nothing overdue. Well done.</source>
        <translation>没有逾期的跟进，做得好。</translation>
    </message>
    <message>
        <source>Follow-ups due today</source>
        <translation>今天要跟进</translation>
    </message>
    <message>
        <source>No follow-ups due today. Plan one when you log a contact (Ctrl+T).</source>
        <translation>今天没有要跟进的客户。记录触达（Ctrl+T）时可以安排下次跟进。</translation>
    </message>
    <message>
        <source>Whitelist lines expiring soon, never contacted</source>
        <translation>即将到期且从未联系的白名单</translation>
    </message>
    <message>
        <source>No whitelist line ends within 30 days without a contact.</source>
        <translation>30 天内没有未联系就到期的白名单额度。</translation>
    </message>
    <message>
        <source>Whitelist entries never contacted</source>
        <translation>从未联系的白名单客户</translation>
    </message>
    <message>
        <source>Every whitelist entry has been contacted.</source>
        <translation>白名单客户都已联系过。</translation>
    </message>
    <message>
        <source>Campaign targets not reached yet</source>
        <translation>营销活动中尚未触达的目标客户</translation>
    </message>
    <message>
        <source>No running campaign has targets waiting for you.</source>
        <translation>进行中的营销活动没有等你触达的客户。</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Nothing waits for head office.</source>
        <translation>没有等待与总行处理的事项。</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Could not read the front page: %1</source>
        <translation>无法读取今日工作台：%1</translation>
    </message>
    <message>
        <source>All follow-ups →</source>
        <translation>全部跟进 →</translation>
    </message>
    <message>
        <source>Whitelist →</source>
        <translation>白名单 →</translation>
    </message>
    <message>
        <source>Campaigns →</source>
        <translation>营销活动 →</translation>
    </message>
    <message>
        <source>Sync →</source>
        <translation>同步 →</translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <source>This month (from %1): %2 campaign targets, reach %3, conversion %4</source>
        <translation>本月（自 %1 起）：营销目标客户 %2 户，触达率 %3，转化率 %4</translation>
    </message>
    <message>
        <source>Smart-village scenarios: %1 (%2)</source>
        <translation>智慧乡村场景：%1 个（%2）</translation>
    </message>
    <message>
        <source>Accounts opened through scenarios in %1: %2 (month before: %3)</source>
        <translation>%1 场景开户数：%2（上月：%3）</translation>
    </message>
    <message>
        <source>Today, %1</source>
        <translation>今日 · %1</translation>
    </message>
    <message>
        <source>%1 (%2). Click an item to open it; the lists show the first %3.</source>
        <translation>%1（%2）。点击一项即可打开；每栏列出前 %3 项。</translation>
    </message>
    <message>
        <source>By manager: who has overdue work</source>
        <translation>按客户经理：谁有逾期的工作</translation>
    </message>
    <message>
        <source>By branch</source>
        <translation>按网点</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>网点</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>今天到期</translation>
    </message>
    <message>
        <source>Whitelist expiring</source>
        <translation>白名单即将到期</translation>
    </message>
    <message>
        <source>Whitelist never contacted</source>
        <translation>白名单从未联系</translation>
    </message>
    <message>
        <source>Campaign targets not reached</source>
        <translation>营销未触达</translation>
    </message>
</context>
<context>
    <name>WhitelistTableModel</name>
    <message>
        <source>Client</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Limit (10k yuan)</source>
        <translation>额度（万元）</translation>
    </message>
    <message>
        <source>Valid to</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>产业集群</translation>
    </message>
    <message>
        <source>Band</source>
        <translation>档位</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>营销状态</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>营销授权</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <source>No consent</source>
        <translation>未授权</translation>
    </message>
</context>
<context>
    <name>WhitelistWorkspace</name>
    <message>
        <source>Search: client name or client number (Ctrl+F)</source>
        <translation>搜索：客户姓名或核心客户号 (Ctrl+F)</translation>
    </message>
    <message>
        <source>All entries</source>
        <translation>全部白名单</translation>
    </message>
    <message>
        <source>Expiring within 30 days</source>
        <translation>30 天内到期</translation>
    </message>
    <message>
        <source>Expiring within 60 days</source>
        <translation>60 天内到期</translation>
    </message>
    <message>
        <source>Expiring within 90 days</source>
        <translation>90 天内到期</translation>
    </message>
    <message>
        <source>Never reached</source>
        <translation>从未联系上</translation>
    </message>
    <message>
        <source>Past validity</source>
        <translation>已过有效期</translation>
    </message>
    <message>
        <source>Outreach list (consented only)</source>
        <translation>外呼/走访名单（仅已授权）</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Soonest to lapse</source>
        <translation>最先到期</translation>
    </message>
    <message>
        <source>Largest limit</source>
        <translation>额度最高</translation>
    </message>
    <message>
        <source>By village</source>
        <translation>按村</translation>
    </message>
    <message>
        <source>By name</source>
        <translation>按姓名</translation>
    </message>
    <message>
        <source>Least progress</source>
        <translation>进展最少</translation>
    </message>
    <message>
        <source>Nominate…</source>
        <translation>推荐客户…</translation>
    </message>
    <message>
        <source>Assign selected…</source>
        <translation>分配所选…</translation>
    </message>
    <message>
        <source>Auto-assign…</source>
        <translation>自动分配…</translation>
    </message>
    <message>
        <source>Print visit sheet…</source>
        <translation>打印走访工作单…</translation>
    </message>
    <message>
        <source>A manager&apos;s live entries with consent on paper, by village, in the cluster and village chosen, with a QR code per row</source>
        <translation>把一位客户经理名下已授权营销、仍有效的白名单按村打印出来（按所选集群和村），每行一个二维码</translation>
    </message>
    <message>
        <source>Import nominations…</source>
        <translation>导入推荐名单…</translation>
    </message>
    <message>
        <source>A list of candidates from a spreadsheet (xlsx, xls, et, csv), each checked by the nomination rules</source>
        <translation>从表格（xlsx、xls、et、csv）导入推荐名单，每人按推荐规则检查</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>产业集群</translation>
    </message>
    <message>
        <source>Township</source>
        <translation>乡镇</translation>
    </message>
    <message>
        <source>Village</source>
        <translation>所属村</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>客户经理</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>营销状态</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>排序</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名/名称</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Suggested (10k yuan)</source>
        <translation>建议额度（万元）</translation>
    </message>
    <message>
        <source>Head office</source>
        <translation>总行结论</translation>
    </message>
    <message>
        <source>Opinion</source>
        <translation>总行意见</translation>
    </message>
    <message>
        <source>List</source>
        <translation>名单</translation>
    </message>
    <message>
        <source>Funnel</source>
        <translation>转化漏斗</translation>
    </message>
    <message>
        <source>Nominations</source>
        <translation>推荐</translation>
    </message>
    <message>
        <source>Could not load: %1</source>
        <translation>无法读取：%1</translation>
    </message>
    <message>
        <source>Whitelist</source>
        <translation>白名单</translation>
    </message>
    <message>
        <source>All clusters</source>
        <translation>全部集群</translation>
    </message>
    <message>
        <source>All townships</source>
        <translation>全部乡镇</translation>
    </message>
    <message>
        <source>All managers</source>
        <translation>全部客户经理</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <source>All villages</source>
        <translation>全部村</translation>
    </message>
    <message>
        <source>%1 entries match</source>
        <translation>共 %1 条白名单符合条件</translation>
    </message>
    <message>
        <source>No whitelist entries yet. Head office sends the pre-approved credit lines: they arrive at the next sync (the Sync page).</source>
        <translation>还没有白名单。预授信额度由总行下发，下次同步（“同步”页）后出现。</translation>
    </message>
    <message>
        <source>No entry matches these filters. Clear them to see every entry.</source>
        <translation>没有符合筛选条件的白名单条目。清除筛选即可看到全部条目。</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>待总行评估</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已通过</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>未通过</translation>
    </message>
    <message>
        <source>Contact logged.</source>
        <translation>已记录触达。</translation>
    </message>
    <message>
        <source>Whitelist visit sheet</source>
        <translation>白名单走访工作单</translation>
    </message>
    <message>
        <source>Nomination submitted; it goes to head office with the next sync.</source>
        <translation>推荐已提交，下次同步时报送总行。</translation>
    </message>
    <message>
        <source>Select the entries to assign first.</source>
        <translation>请先选择要分配的白名单。</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>Give %1 entries to:</source>
        <translation>把 %1 条分给：</translation>
    </message>
    <message>
        <source>%1 entries assigned (recorded for sync).</source>
        <translation>已分配 %1 条（已记入同步日志）。</translation>
    </message>
    <message>
        <source>Every entry already has a manager.</source>
        <translation>每条白名单都已有客户经理。</translation>
    </message>
</context>
<context>
    <name>WordingWarning</name>
    <message>
        <source>I have read the warning — save anyway</source>
        <translation>我已阅读提示，仍要保存</translation>
    </message>
    <message>
        <source>The confirmation is recorded in the audit trail (the words, not the note).</source>
        <translation>确认将记入审计日志（只记词语，不记备注内容）。</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>禁用</translation>
    </message>
    <message>
        <source>Use with care</source>
        <translation>慎用</translation>
    </message>
    <message>
        <source>Reword it: words that are blocked cannot be saved.</source>
        <translation>请改写：含禁用词的文字不能保存。</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Something went wrong</source>
        <translation>出现问题</translation>
    </message>
    <message>
        <source>BranchDesk met an unexpected problem. Your saved data is safe; the last action may not have completed. If it happens again, send the details to IT.</source>
        <translation>网点工作台遇到意外问题。已保存的数据是安全的，最后一步操作可能没有完成。如再次出现，请把详细信息发给 IT。</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
</context>
<context>
    <name>run_gui</name>
    <message>
        <source>BranchDesk</source>
        <translation>网点工作台</translation>
    </message>
    <message>
        <source>BranchDesk is already running for this data folder.</source>
        <translation>网点工作台已在运行（同一数据目录只能打开一个）。</translation>
    </message>
</context>
</TS>
