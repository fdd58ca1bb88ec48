<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
    <context>
        <name>Domain</name>
        <message>
            <source>客户</source>
            <translation>Client</translation>
        </message>
        <message>
            <source>核心客户号</source>
            <translation>Client number</translation>
        </message>
        <message>
            <source>客户类型</source>
            <translation>Client type</translation>
        </message>
        <message>
            <source>个人</source>
            <translation>Individual</translation>
        </message>
        <message>
            <source>企业</source>
            <translation>Business</translation>
        </message>
        <message>
            <source>客户名称</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>证件号码</source>
            <translation>ID number</translation>
        </message>
        <message>
            <source>手机号</source>
            <translation>Mobile</translation>
        </message>
        <message>
            <source>所属村</source>
            <translation>Village</translation>
        </message>
        <message>
            <source>村民小组</source>
            <translation>Village group</translation>
        </message>
        <message>
            <source>地址</source>
            <translation>Address</translation>
        </message>
        <message>
            <source>客群</source>
            <translation>Segment</translation>
        </message>
        <message>
            <source>农户</source>
            <translation>Farmer</translation>
        </message>
        <message>
            <source>个体工商户</source>
            <translation>Sole trader</translation>
        </message>
        <message>
            <source>代发工资</source>
            <translation>Payroll</translation>
        </message>
        <message>
            <source>退休</source>
            <translation>Retiree</translation>
        </message>
        <message>
            <source>学生</source>
            <translation>Student</translation>
        </message>
        <message>
            <source>小微企业</source>
            <translation>Small business</translation>
        </message>
        <message>
            <source>合作社</source>
            <translation>Cooperative</translation>
        </message>
        <message>
            <source>资产（AUM）</source>
            <translation>Assets (AUM)</translation>
        </message>
        <message>
            <source>存款余额</source>
            <translation>Deposits</translation>
        </message>
        <message>
            <source>贷款余额</source>
            <translation>Loans</translation>
        </message>
        <message>
            <source>手机银行签约</source>
            <translation>Mobile banking signed</translation>
        </message>
        <message>
            <source>手机银行月活</source>
            <translation>Mobile banking active</translation>
        </message>
        <message>
            <source>生命周期</source>
            <translation>Lifecycle</translation>
        </message>
        <message>
            <source>新客首面</source>
            <translation>New</translation>
        </message>
        <message>
            <source>蜜月期</source>
            <translation>Honeymoon</translation>
        </message>
        <message>
            <source>成熟</source>
            <translation>Mature</translation>
        </message>
        <message>
            <source>流失预警</source>
            <translation>Churn warning</translation>
        </message>
        <message>
            <source>流失</source>
            <translation>Churned</translation>
        </message>
        <message>
            <source>挽回</source>
            <translation>Won back</translation>
        </message>
        <message>
            <source>潜力客户</source>
            <translation>Prospect</translation>
        </message>
        <message>
            <source>管户客户经理</source>
            <translation>Relationship manager</translation>
        </message>
        <message>
            <source>营销授权</source>
            <translation>Marketing consent</translation>
        </message>
        <message>
            <source>授权日期</source>
            <translation>Consent date</translation>
        </message>
        <message>
            <source>授权渠道</source>
            <translation>Consent channel</translation>
        </message>
        <message>
            <source>柜面</source>
            <translation>Counter</translation>
        </message>
        <message>
            <source>手机银行</source>
            <translation>Mobile banking</translation>
        </message>
        <message>
            <source>电话</source>
            <translation>Phone</translation>
        </message>
        <message>
            <source>纸质授权书</source>
            <translation>Paper form</translation>
        </message>
        <message>
            <source>上门</source>
            <translation>Home visit</translation>
        </message>
        <message>
            <source>备注</source>
            <translation>Notes</translation>
        </message>
        <message>
            <source>最近联系日期</source>
            <translation>Last contact</translation>
        </message>
        <message>
            <source>确认试点期信用代码</source>
            <translation>Credit code confirmed (pilot)</translation>
        </message>
        <message>
            <source>总行标签</source>
            <translation>Head-office tags</translation>
        </message>
        <message>
            <source>网点标签</source>
            <translation>Branch tags</translation>
        </message>
        <message>
            <source>基础客户</source>
            <translation>Basic</translation>
        </message>
        <message>
            <source>千元级</source>
            <translation>¥1k+</translation>
        </message>
        <message>
            <source>万元级</source>
            <translation>¥10k+</translation>
        </message>
        <message>
            <source>五万元级</source>
            <translation>¥50k+</translation>
        </message>
        <message>
            <source>贵宾</source>
            <translation>VIP</translation>
        </message>
        <message>
            <source>客户经理</source>
            <translation>Relationship manager</translation>
        </message>
        <message>
            <source>网点负责人</source>
            <translation>Branch head</translation>
        </message>
        <message>
            <source>县支行管理</source>
            <translation>County manager</translation>
        </message>
        <message>
            <source>管理员</source>
            <translation>Administrator</translation>
        </message>
        <message>
            <source>是</source>
            <translation>Yes</translation>
        </message>
        <message>
            <source>否</source>
            <translation>No</translation>
        </message>
        <message>
            <source>（无字段变化）</source>
            <translation>(no field changed)</translation>
        </message>
        <message>
            <source>白名单营销结果</source>
            <translation>Whitelist outcome</translation>
        </message>
        <message>
            <source>白名单</source>
            <translation>Whitelist</translation>
        </message>
        <message>
            <source>营销状态</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>未联系</source>
            <translation>Not contacted</translation>
        </message>
        <message>
            <source>已联系</source>
            <translation>Contacted</translation>
        </message>
        <message>
            <source>有意向</source>
            <translation>Interested</translation>
        </message>
        <message>
            <source>已申请</source>
            <translation>Applied</translation>
        </message>
        <message>
            <source>已用信</source>
            <translation>Drawn</translation>
        </message>
        <message>
            <source>无法联系</source>
            <translation>Unreachable</translation>
        </message>
        <message>
            <source>拒绝</source>
            <translation>Refused</translation>
        </message>
        <message>
            <source>用信金额</source>
            <translation>Amount drawn</translation>
        </message>
        <message>
            <source>日期</source>
            <translation>Date</translation>
        </message>
        <message>
            <source>原因</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>客户触达</source>
            <translation>Contact</translation>
        </message>
        <message>
            <source>触达日期</source>
            <translation>Contact date</translation>
        </message>
        <message>
            <source>触达方式</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>邀约到店</source>
            <translation>Invited to branch</translation>
        </message>
        <message>
            <source>厅堂</source>
            <translation>In the hall</translation>
        </message>
        <message>
            <source>微信</source>
            <translation>WeChat</translation>
        </message>
        <message>
            <source>转介</source>
            <translation>Referral</translation>
        </message>
        <message>
            <source>短信</source>
            <translation>SMS</translation>
        </message>
        <message>
            <source>结果</source>
            <translation>Outcome</translation>
        </message>
        <message>
            <source>营销活动</source>
            <translation>Campaign</translation>
        </message>
        <message>
            <source>下次跟进日期</source>
            <translation>Next follow-up</translation>
        </message>
        <message>
            <source>其他</source>
            <translation>other</translation>
        </message>
        <message>
            <source>营销成效（按客户经理）</source>
            <translation>Marketing results (by manager)</translation>
        </message>
        <message>
            <source>营销成效（按营销活动）</source>
            <translation>Marketing results (by campaign)</translation>
        </message>
        <message>
            <source>触达与转化趋势</source>
            <translation>Reach and conversion over time</translation>
        </message>
        <message>
            <source>客群提升</source>
            <translation>Segment growth</translation>
        </message>
        <message>
            <source>手机银行渗透率（按村）</source>
            <translation>Mobile-banking penetration (by village)</translation>
        </message>
        <message>
            <source>手机银行渗透率（按乡镇）</source>
            <translation>Mobile-banking penetration (by township)</translation>
        </message>
        <message>
            <source>白名单营销漏斗</source>
            <translation>Whitelist funnel</translation>
        </message>
        <message>
            <source>场景获客</source>
            <translation>Scenario acquisition</translation>
        </message>
        <message>
            <source>活动代码</source>
            <translation>Campaign code</translation>
        </message>
        <message>
            <source>目标客户</source>
            <translation>Targets</translation>
        </message>
        <message>
            <source>已触达</source>
            <translation>Reached</translation>
        </message>
        <message>
            <source>已转化</source>
            <translation>Converted</translation>
        </message>
        <message>
            <source>触达率</source>
            <translation>Reach rate</translation>
        </message>
        <message>
            <source>转化率</source>
            <translation>Conversion rate</translation>
        </message>
        <message>
            <source>比率</source>
            <translation>Rate</translation>
        </message>
        <message>
            <source>周次</source>
            <translation>Week</translation>
        </message>
        <message>
            <source>月份</source>
            <translation>Month</translation>
        </message>
        <message>
            <source>起</source>
            <translation>From</translation>
        </message>
        <message>
            <source>止</source>
            <translation>To</translation>
        </message>
        <message>
            <source>触达次数</source>
            <translation>Contacts</translation>
        </message>
        <message>
            <source>新触达客户</source>
            <translation>Newly reached</translation>
        </message>
        <message>
            <source>新转化客户</source>
            <translation>Newly converted</translation>
        </message>
        <message>
            <source>累计触达率</source>
            <translation>Cumulative reach rate</translation>
        </message>
        <message>
            <source>累计转化率</source>
            <translation>Cumulative conversion rate</translation>
        </message>
        <message>
            <source>累计比率</source>
            <translation>Cumulative rate</translation>
        </message>
        <message>
            <source>期初户数</source>
            <translation>Clients at start</translation>
        </message>
        <message>
            <source>期末户数</source>
            <translation>Clients at end</translation>
        </message>
        <message>
            <source>净增</source>
            <translation>Net change</translation>
        </message>
        <message>
            <source>新增客户</source>
            <translation>New clients</translation>
        </message>
        <message>
            <source>转入</source>
            <translation>Moved in</translation>
        </message>
        <message>
            <source>上移</source>
            <translation>Moved up</translation>
        </message>
        <message>
            <source>下移</source>
            <translation>Moved down</translation>
        </message>
        <message>
            <source>客户数（户）</source>
            <translation>Clients</translation>
        </message>
        <message>
            <source>村</source>
            <translation>Village</translation>
        </message>
        <message>
            <source>乡镇</source>
            <translation>Township</translation>
        </message>
        <message>
            <source>客户数</source>
            <translation>Clients</translation>
        </message>
        <message>
            <source>签约率</source>
            <translation>Sign-up rate</translation>
        </message>
        <message>
            <source>活跃率</source>
            <translation>Active rate</translation>
        </message>
        <message>
            <source>产业集群</source>
            <translation>Industry cluster</translation>
        </message>
        <message>
            <source>白名单户数</source>
            <translation>Whitelist entries</translation>
        </message>
        <message>
            <source>核定额度（万元）</source>
            <translation>Approved lines (10k yuan)</translation>
        </message>
        <message>
            <source>用信金额（万元）</source>
            <translation>Drawn (10k yuan)</translation>
        </message>
        <message>
            <source>联系率</source>
            <translation>Contact rate</translation>
        </message>
        <message>
            <source>户数</source>
            <translation>Households</translation>
        </message>
        <message>
            <source>场景</source>
            <translation>Scenario</translation>
        </message>
        <message>
            <source>类型</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>村/乡镇</source>
            <translation>Village / township</translation>
        </message>
        <message>
            <source>进度</source>
            <translation>Progress</translation>
        </message>
        <message>
            <source>期前已获客</source>
            <translation>Won before the period</translation>
        </message>
        <message>
            <source>本期获客</source>
            <translation>Won in the period</translation>
        </message>
        <message>
            <source>累计获客</source>
            <translation>Won in all</translation>
        </message>
        <message>
            <source>开户数（{}）</source>
            <translation>Accounts opened ({})</translation>
        </message>
        <message>
            <source>手机银行注册（{}）</source>
            <translation>Mobile-banking registrations ({})</translation>
        </message>
        <message>
            <source>手机银行月活（{}）</source>
            <translation>Mobile-banking monthly active ({})</translation>
        </message>
        <message>
            <source>获客（户）</source>
            <translation>Clients won</translation>
        </message>
        <message>
            <source>（未分发）</source>
            <translation>(not assigned)</translation>
        </message>
    </context>
</TS>