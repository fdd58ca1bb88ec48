<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
            <source>The branch's client book: search by name, village, phone or ID tail; filter by tags, segment, tier and lifecycle; edit, tag and follow up clients.</source>
            <translation>网点的客户视图：按姓名、村名、手机尾号或证件尾号查找；按标签、客群、层级和生命周期筛选；修改客户信息、打标签、跟进客户。</translation>
        </message>
        <message>
            <source>Scenarios</source>
            <translation>场景</translation>
        </message>
        <message>
            <source>Smart-village scenario records (livestock, village governance, collective assets, school fees...) with their pipeline and period metrics, compared year on year and period on period.</source>
            <translation>智慧乡村场景记录（智慧畜牧、乡村治理、三资管理、教育缴费等）及其推进阶段和各期指标，可做同比、环比比较。</translation>
        </message>
        <message>
            <source>Whitelist</source>
            <translation>白名单</translation>
        </message>
        <message>
            <source>Head office's pre-approved microloan lines for the branch's clients, the outcome of each contact, and new nominations with an offline scorecard pre-check.</source>
            <translation>总行下发的本网点客户预授信额度、每次触达的结果，以及新推荐客户（可离线按评分卡预判额度）。</translation>
        </message>
        <message>
            <source>Campaigns</source>
            <translation>营销</translation>
        </message>
        <message>
            <source>Head office's campaigns and target lists, distributed to relationship managers by village; contacts and conversions.</source>
            <translation>总行的营销活动与目标名单，按村分发给客户经理；记录触达与转化。</translation>
        </message>
        <message>
            <source>Follow-ups</source>
            <translation>跟进</translation>
        </message>
        <message>
            <source>Due and overdue follow-ups, and printed worksheets for village visits.</source>
            <translation>到期和逾期的跟踪回检，以及下村走访用的打印工作单。</translation>
        </message>
        <message>
            <source>Reports</source>
            <translation>报表</translation>
        </message>
        <message>
            <source>Process reports: reach and conversion by manager and campaign, mobile-banking penetration by village, scenario progress.</source>
            <translation>过程管控报表：按客户经理和活动统计触达率、转化率，按村统计手机银行渗透率，场景推进情况。</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>同步</translation>
        </message>
        <message>
            <source>Synchronisation with head office: the last sync, changes not yet sent, and conflicts for a person to review.</source>
            <translation>与总行同步：上次同步情况、尚未上传的变更、需要人工处理的冲突。</translation>
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
            <source>Relationship manager</source>
            <translation>客户经理</translation>
        </message>
        <message>
            <source>Branch head</source>
            <translation>网点负责人</translation>
        </message>
        <message>
            <source>County manager</source>
            <translation>县支行管理</translation>
        </message>
        <message>
            <source>Administrator</source>
            <translation>管理员</translation>
        </message>
        <message>
            <source>Unsynced changes: %1</source>
            <translation>待同步变更：%1 条</translation>
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