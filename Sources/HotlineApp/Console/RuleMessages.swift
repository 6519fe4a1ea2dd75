/// Chinese for the rules' refusals. The rules and the API word them in English, a stable text
/// for API clients and logs (each also has a machine `code`); the console shows Chinese first.
///
/// Keyed on the English wording with `{}` for the parts filled in, the way gettext keys on the
/// source text, so a rule needs no second name. A refusal without an entry is shown in English
/// rather than not at all; `ConsoleTests` reads every literal rule in `Sources/` and fails on
/// one that has no entry here.
enum RuleMessages {
    /// The rule in the reader's language: Chinese where the catalogue has it.
    static func text(_ rule: String, _ lang: ConsoleLanguage) -> String {
        lang == .zh ? (zh(rule) ?? rule) : rule
    }

    /// The Chinese for `rule`, with the filled-in parts (field names, actions, states, roles)
    /// turned into their console labels; nil when no entry matches.
    static func zh(_ rule: String) -> String? {
        if let exact = exact[rule] { return exact }
        for p in patterns {
            guard let parts = p.captures(in: rule) else { continue }
            var out = p.zh
            for (i, part) in parts.enumerated() { out = out.replacingOccurrences(of: "{\(i)}", with: term(part)) }
            return out
        }
        return nil
    }

    /// A filled-in part in Chinese: a field, a code the console labels, or a list of them;
    /// numbers, dates and names stay as they are.
    static func term(_ value: String) -> String {
        if value.contains(", ") { return value.components(separatedBy: ", ").map(term).joined(separator: "、") }
        if let t = terms[value] { return t }
        for prefix in ["action.", "status.", "asg.", "role."] {
            if let t = ConsoleStrings.zh[prefix + value] { return t }
        }
        let last = value.split(separator: ".").last.map(String.init) ?? value
        return terms[last] ?? ConsoleStrings.zh[last] ?? value
    }

    struct Pattern {
        /// The literal text between the `{}`s.
        var literals: [String]
        var zh: String

        init(_ english: String, _ zh: String) {
            literals = english.components(separatedBy: "{}")
            self.zh = zh
        }

        /// The filled-in parts when `rule` has this pattern's wording.
        func captures(in rule: String) -> [String]? {
            guard let first = literals.first, let last = literals.last, rule.hasPrefix(first), rule.hasSuffix(last),
                rule.count >= first.count + last.count
            else { return nil }
            var rest = rule.dropFirst(first.count).dropLast(last.count)
            var parts: [String] = []
            for literal in literals.dropFirst().dropLast() {
                guard !literal.isEmpty, let r = rest.range(of: literal) else { return nil }
                parts.append(String(rest[..<r.lowerBound]))
                rest = rest[r.upperBound...]
            }
            parts.append(String(rest))
            return parts.contains(where: \.isEmpty) ? nil : parts
        }
    }

    static let exact: [String: String] = [
        "Idempotency-Key must be 1–200 characters": "Idempotency-Key 须为 1–200 个字符",
        "a category code starts with its parent's code, so limits and statistics roll up": "分类编码须以上级分类的编码开头，时限和统计才能逐级汇总",
        "a merged order is appealed through the order it joined": "已并单的工单须通过其并入的工单申诉",
        "a notice runs at most 90 days": "一条报备最长 90 天",
        "a sub-dispatched order goes back to its parent unit through the sub-review, not a return to the platform": "下派的工单经上级单位审核退回，不能直接退回平台",
        "a unit account holds only unitHandler and unitLeader": "单位账号只能有承办人和分管领导角色",
        "a unit appears twice among the lead and co-units": "主办单位和协办单位中有重复的单位",
        "a unit files notices for itself": "单位只能为本单位报备",
        "a unit withdraws its own notices": "单位只能撤回本单位的报备",
        "amount must be a whole number of working days": "天数须为整数个工作日",
        "amount must be at least 1": "天数至少为 1",
        "an archived order is read-only": "已归档的工单不能修改",
        "an extension request for this assignment is already waiting for a decision": "该承办记录已有延期申请在等待审批",
        "an order can only join an open order": "只能并入尚未办结的工单",
        "an order cannot be linked to itself": "工单不能关联到自身",
        "an order cannot be merged into itself": "工单不能并入自身",
        "area is required": "范围为必填项",
        "at least one role": "至少选择一个角色",
        "callback.samplingRatio must be a number from 0 to 1": "回访抽样比例须为 0 到 1 之间的数",
        "choose the earlier order from the caller's history or the possible duplicates": "请从来电历史或可能重复的工单中选择",
        "citizen.idNumber must be an 18-character resident ID with a valid check digit": "身份证号须为 18 位且校验位正确",
        "citizen.phone must be 7–20 digits, optionally with a leading + and dashes": "电话须为 7–20 位数字，可带开头的 + 和连字符",
        "co-units send an opinion to the lead; only the lead unit writes the feedback (R-UH-5)": "协办单位向主办单位提交意见，只有主办单位填写办理反馈（R-UH-5）",
        "code is required": "编码为必填项",
        "no SMS gateway is configured (HOTLINE_SMS_WEBHOOK_SECRET)": "未配置短信网关（HOTLINE_SMS_WEBHOOK_SECRET）",
        "X-Hotline-Signature must be sha256=<hex HMAC-SHA256 of the body>": "请求签名不正确（X-Hotline-Signature）",
        "to must not be before from": "截止日期不能早于起始日期",
        "a period is at most 366 days": "统计期最长 366 天",
        "no CTI is configured (HOTLINE_CTI_WEBHOOK_SECRET)": "未配置话务系统接口（HOTLINE_CTI_WEBHOOK_SECRET）",
        "callId must be 1–100 characters without spaces": "通话编号须为 1–100 个字符且不含空格",
        "callId names no call that rang": "没有这个通话编号的来电",
        "callerNumber is required for ringing": "振铃事件须有来电号码",
        "callerNumber must be 3–20 digits, optionally starting with +": "来电号码须为 3–20 位数字，可以 + 开头",
        "event must be one of ringing, answered, hungUp, recording": "事件须为 ringing、answered、hungUp 或 recording",
        "extension is required for ringing": "振铃事件须有座席分机",
        "extension must be 1–20 letters or digits": "座席分机须为 1–20 位字母或数字",
        "recordingUrl is required for recording": "录音事件须有录音地址",
        "recordingUrl must be an http or https URL of at most 2000 characters": "录音地址须为 http 或 https 链接，最长 2000 个字符",
        "the call was changed by another delivery at the same moment; send the event again": "该通话同时被另一条事件修改，请重发",
        "body must be 1–300 characters": "短信内容须为 1–300 个字",
        "code must be 1–32 characters": "编码须为 1–32 个字符",
        "contactedAt must be a date and time": "联系时间须为日期和时间",
        "could not draw an order number": "未能生成工单编号，请重试",
        "displayName is required": "姓名为必填项",
        "divisionCode is a 6-digit district or 9-digit street code": "区划代码须为 6 位区县代码或 9 位街道代码",
        "divisionPrefix is a 6-digit district or 9-digit street code": "区划代码须为 6 位区县代码或 9 位街道代码",
        "elements.course must be at most 20000 characters": "经过最多 20000 字",
        "endsAt must be a date and time": "结束时间须为日期和时间",
        "endsAt must be after startsAt": "结束时间须晚于开始时间",
        "extensions are asked by the unit the platform dispatched to": "延期由平台派单的承办单位申请",
        "feedback.responsiblePhone must be a phone number": "责任人电话须为电话号码",
        "fileName is required: 1–200 characters, no slashes": "文件名为必填项：1–200 个字符，不含斜杠",
        "from must be an ISO-8601 time": "开始时间须为 ISO-8601 时间",
        "from must be an ISO-8601 time such as 2025-09-30T10:00:00+08:00": "开始时间须为 ISO-8601 时间，如 2025-09-30T10:00:00+08:00",
        "give exactly one of workingDays, workingHours, naturalDays, naturalHours": "工作日、工作小时、自然日、自然小时只能给出一项",
        "latitude must be between -90 and 90": "纬度须在 -90 到 90 之间",
        "liaisonPhone must be a phone number": "联络员电话须为电话号码",
        "limit.amount must be 0…365": "时限须为 0…365",
        "log in first: POST /api/v1/sessions": "请先登录",
        "log in from this site's own login page": "请从本站的登录页登录",
        "longitude must be between -180 and 180": "经度须在 -180 到 180 之间",
        "must be 0…3650": "须为 0…3650",
        "name is required": "名称为必填项",
        "only a co-unit sends an opinion to the lead unit (R-UH-5)": "只有协办单位向主办单位提交意见（R-UH-5）",
        "orders are dispatched to level-2 or level-3 units, not to the platform": "工单派给二级或三级单位，不能派给平台",
        "parentId names no unit": "上级单位不存在",
        "password must be at least 8 characters": "密码至少 8 个字符",
        "platform staff name the unit whose inbox they want": "平台人员请指定要查看收件箱的单位",
        "q must contain a Chinese character, a letter or a digit": "关键词须包含汉字、字母或数字",
        "request types and channels are fixed by the rules; edit their names instead": "诉求类型和渠道由规则固定，只能修改名称",
        "request types and channels cannot be switched off": "诉求类型和渠道不能停用",
        "review the sub-units' answers before reporting up (R-UNIT-2)": "请先审核下级单位的答复再上报（R-UNIT-2）",
        "satisfaction is required when the citizen was reached (R-CB-2)": "联系上诉求人时须填写满意度（R-CB-2）",
        "send If-Match with the version (ETag) you read": "请附上所读取的版本（If-Match）",
        "send the year file as the JSON body": "请以 JSON 提交年度文件",
        "solved is required when the citizen was reached (R-CB-2)": "联系上诉求人时须填写是否解决（R-CB-2）",
        "something went wrong on our side; nothing was changed": "系统出错，未做任何修改",
        "startsAt must be a date and time": "开始时间须为日期和时间",
        "sub-dispatch goes from a level-2 unit to one of its own level-3 units (R-UH-4)": "二级单位只能下派给本单位所属的三级单位（R-UH-4）",
        "subjectUnitId names no unit": "被反映单位不存在",
        "targetId names no work order": "所选工单不存在",
        "the body could not be read": "无法读取提交的内容",
        "the body is not valid JSON": "提交的内容不是有效的 JSON",
        "the catalogue names a level-2 unit (a district, department or enterprise)": "派单目录只能列二级单位（区、委办局或企业）",
        "the file is empty": "文件为空",
        "the network has three levels; a level-3 unit cannot have sub-units (R-UNIT-1)": "网络共三级，三级单位不能再设下级（R-UNIT-1）",
        "the order changed since you read it; reload and try again (R-NF-4)": "工单在您打开后已被他人修改，请刷新后重试（R-NF-4）",
        "the order complains about this unit; dispatching to it needs conflictOverrideReason (R-DIS-3)": "该工单反映的正是此单位，派给它须填写回避说明（R-DIS-3）",
        "the time limit must be 0…365 working days": "时限须为 0…365 个工作日",
        "there is no submitted feedback to review": "没有待审核的办理反馈",
        "timeLimit.amount must be 0…365": "时限须为 0…365",
        "title is required": "标题为必填项",
        "to must be an ISO-8601 time": "结束时间须为 ISO-8601 时间",
        "unitHandler and unitLeader belong to a level-2 or level-3 unit": "承办人和分管领导须属于二级或三级单位",
        "unitId names no unit": "单位不存在",
        "unknown username or wrong password": "用户名或密码错误",
        "username must be 3–40 letters, digits, dot, dash or underscore": "用户名须为 3–40 个字母、数字、点、连字符或下划线",
        "warning.margin must be like '1wd' or '20%'": "预警提前量须形如 '1wd' 或 '20%'",
        "writes with a session cookie must send the X-CSRF-Token given at login (R-NF-5)": "表单已失效，请刷新页面后重试（R-NF-5）",
        "year must be 2000…2100": "年份须为 2000…2100",
        "呈办 needs the leader's instruction first: escalate, then instruct": "呈办须先有领导批示：先呈报，再批示",
        "直办 goes to one unit": "直办只能派给一个单位",
        "直办 is for consultations answered on a three-way call (R-DIS-1)": "直办用于三方通话即时答复的咨询（R-DIS-1）",
        "直办 records the unit's answer given on the call": "直办须记录单位在通话中的答复",
        "name is required: 1–100 characters": "名称为必填项，1–100 字",
        "no order has this number and query secret": "工单编号或查询密码不正确",
        "photos must be JPEG, PNG, GIF or WebP images": "照片须为 JPEG、PNG、GIF 或 WebP 图片",
        "the form could not be read": "表单无法读取",
        "the order is not published": "该工单未公开",
        "the key is already revoked": "该密钥已撤销",
        "your rating is recorded; a callback agent will contact you": "您的评价已记录，回访员将联系您",
        "number must be the order number: digits only": "工单编号只含数字",
        "the platform unit is missing; run the migrations": "缺少热线平台单位，请先执行数据库迁移",
        "only orders whose citizen agreed to disclosure are published (R-CIT-4)": "诉求人未同意公开的工单不能公开（R-CIT-4）",
        "an order whose citizen asked for secrecy is never published (R-CIT-4)": "诉求人要求保密的工单不能公开（R-CIT-4）",
        "an order flagged by sensitive keywords is not published (R-CIT-4)": "含敏感关键词的工单不公开（R-CIT-4）",
        "reports (举报) are not published (R-CIT-4)": "举报类工单不公开（R-CIT-4）",
        "only closed orders are published (R-CIT-4)": "只有已办结的工单才能公开（R-CIT-4）",
        "a merged order is published through the order it joined": "已并单的工单随主工单公开",
        "only orders with an answer are published (R-CIT-4)": "只有已答复的工单才能公开（R-CIT-4）",
    ]

    /// Most specific first: the first pattern that matches is used.
    static let patterns: [Pattern] = [
        Pattern("photos takes at most {} files", "照片最多 {0} 张"),
        Pattern("this message must keep {{}}", "此短信必须保留 {{0}}"),
        Pattern("photos must each be at most {} MB", "每张照片不超过 {0} MB"),
        Pattern("a location is required: {} and {}, or {}", "须提供位置：{0}和{1}，或{2}"),
        Pattern("secret must be the {}-character query secret from the acceptance SMS", "查询密码须为受理短信中的 {0} 位密码"),
        Pattern("too many wrong query secrets: this order can be looked up again after {}", "查询密码错误次数过多，请于 {0} 后再查询"),
        Pattern("too many {} requests; at most {} per {} minutes", "请求过于频繁，每 {2} 分钟最多 {1} 次"),
        Pattern("{} and {} go together", "{0}和{1}须同时填写"),
        Pattern("{} is required for this service", "该服务须填写{0}"),
        Pattern("{} must be 7–20 digits, optionally with a leading + and dashes", "{0}须为 7–20 位数字，可带开头的 + 和连字符"),
        Pattern("{} must be a number", "{0}须为数字"),
        Pattern("{} must be an active category code; got '{}'", "{0}须为启用中的诉求分类编码，收到的是“{1}”"),
        Pattern("{} must be an e-mail address", "{0}须为电子邮箱地址"),
        Pattern("{} must be between -180 and 180", "{0}须在 -180 到 180 之间"),
        Pattern("{} must be between -90 and 90", "{0}须在 -90 到 90 之间"),
        Pattern("{} must be one of: {}", "{0}须为以下之一：{1}"),
        Pattern("{} takes one value", "{0}只能填一个值"),
        Pattern("{} must be a date as YYYY-MM-DD", "{0}须为 YYYY-MM-DD 格式的日期"),
        Pattern("callId names no call that rang; {} needs callerNumber and extension to start one", "没有这个通话编号的来电；{0}事件须带来电号码和座席分机"),
        Pattern("a return must be asked and approved by {}, {} after receipt; the order now counts as accepted (R-UH-2)", "退回须在 {0} 前申请并经审批（签收后 {1}）；现视为已接收（R-UH-2）"),
        Pattern("an extension must be asked by {}, {} working day(s) before the deadline {} (R-UH-6)", "延期须在 {0} 前申请，即时限 {2} 前 {1} 个工作日（R-UH-6）"),
        Pattern("{} must be an active {} code from /api/v1/dictionaries/{}; got '{}'", "{0}须为启用中的{1}编码，收到的是“{3}”"),
        Pattern("{} must be '<amount> <unit>' with unit one of workingDays, workingHours, naturalDays, naturalHours", "{0}须形如“数量 单位”，单位为 workingDays、workingHours、naturalDays 或 naturalHours"),
        Pattern("an appeal must come by {}, {} after closing (R-CB-4)", "申诉须在 {0} 前提出（办结后 {1}）（R-CB-4）"),
        Pattern("an extension may not exceed the original limit of {} (R-UH-6)", "延期不能超过原时限 {0}（R-UH-6）"),
        Pattern("an extension may not exceed {} working days (R-UH-6)", "延期不能超过 {0} 个工作日（R-UH-6）"),
        Pattern("co-units send their opinion before the lead unit's deadline {} (R-UH-5)", "协办单位须在主办单位时限 {0} 前提交意见（R-UH-5）"),
        Pattern("{} is required before dispatch: the six elements (R-WO-5)", "派单前须填写{0}：六要素齐全（R-WO-5）"),
        Pattern("{} must list at least one item, comma-separated", "{0}须至少列出一项，用逗号分隔"),
        Pattern("feedback.{} is required (R-UH-7)", "办理反馈须填写{0}（R-UH-7）"),
        Pattern("{} is not allowed when the status is {}", "工单状态为“{1}”时不能{0}"),
        Pattern("{} must be a whole number in {}…{}", "{0}须为 {1}…{2} 之间的整数"),
        Pattern("{} must be one of the listed choices", "{0}须从列表中选择"),
        Pattern("{} must name one of the listed items", "{0}须从列表中选择"),
        Pattern("{} must be at most {} characters", "{0}最多 {1} 字"),
        Pattern("{} must name an active unit", "{0}须为启用中的单位"),
        Pattern("{} needs one of the roles {}", "{0}需要以下角色之一：{1}"),
        Pattern("this needs one of the roles {}", "需要以下角色之一：{0}"),
        Pattern("status must be among {}; got {}", "状态须为{0}之一，收到的是“{1}”"),
        Pattern("the file is for {}, not {}", "文件是 {0} 年的，不是 {1} 年"),
        Pattern("attachments are at most {} bytes", "附件最大 {0} 字节"),
        Pattern("no such {} on this order", "本工单没有该{0}"),
        Pattern("no such {}, or not visible to you", "{0}不存在或无权查看"),
        Pattern("{} is done by {} itself", "{0}须由{1}本单位办理"),
        Pattern("{} already holds this order", "{0}已在办理本工单"),
        Pattern("{} is not a handling unit", "{0}不是承办单位"),
        Pattern("{} must be of type {}", "{0}的格式不对"),
        Pattern("{} must not be null", "{0}不能为空"),
        Pattern("{} must be a date", "{0}须为日期"),
        Pattern("{} is required", "{0}为必填项"),
        Pattern("unit code {} is taken", "单位编码 {0} 已被使用"),
        Pattern("username {} is taken", "用户名 {0} 已被使用"),
        Pattern("no parameter named {}", "没有名为 {0} 的参数"),
        Pattern("no such action: {}", "没有该操作：{0}"),
        Pattern("kind must be one of {}", "类型须为{0}之一"),
        Pattern("state must be one of {}", "状态须为{0}之一"),
        Pattern("only a dead message is retried; this one is {}", "只能重发投递失败的短信；这条的状态是 {0}"),
        Pattern("{{}} is not filled in this message; it may use {}", "此短信不填写 {{0}}；可用的占位符：{1}"),
        Pattern("clock.rules lists some of {}, or none; got {}", "自动规则须从以下各项中选择，或填 none：{0}；收到的是“{1}”"),
        Pattern("dictionaries are {}", "字典只有：{0}"),
        Pattern("allowed types: {}", "允许的类型：{0}"),
        Pattern("page must be 1…{}", "页码须为 1…{0}"),
        Pattern("{} {} exists", "{0} {1} 已存在"),
    ]

    /// Field names and other words that appear in the rules, where the console's own label
    /// differs or is missing.
    static let terms: [String: String] = [
        "categoryCode": "诉求分类", "elements.place.address": "地点", "citizen.name": "诉求人姓名", "citizen.phone": "诉求人电话",
        "answer": "答复内容", "reasonCode": "原因", "target": "引导去向", "note": "备注", "amount": "天数", "reason": "理由",
        "basis": "依据", "opinion": "意见", "instruction": "批示", "proposal": "拟办意见", "citizenOpinion": "诉求人意见",
        "policyReferences": "政策依据", "responsiblePerson": "责任人", "responsiblePhone": "责任人电话", "leadUnitId": "主办单位",
        "coUnitIds": "协办单位", "unitId": "单位", "targetId": "工单", "satisfaction": "满意度", "solved": "是否解决",
        "contactedAt": "联系时间", "contactMethod": "联系方式", "result": "办理结果", "code": "编码", "parentId": "上级单位",
        "password": "密码", "roles": "角色", "username": "用户名", "displayName": "姓名", "requestType": "诉求类型",
        "subjectUnitId": "被反映单位", "startsAt": "开始时间", "endsAt": "结束时间", "kind": "类型", "area": "范围",
        "divisionCode": "区划代码", "work_order": "工单", "assignment": "承办记录", "extension": "延期申请",
        "supervision": "督办记录", "account": "账号", "If-Match": "版本", "declineReason": "不予受理原因",
        "guideTarget": "引导去向", "mode": "办理方式", "method": "方式", "conflictOverrideReason": "回避说明", "value": "取值",
        "body": "提交的内容", "file": "文件", "fileName": "文件名", "accept": "是否同意", "approve": "是否同意",
        "reasons": "重办理由", "unit": "单位", "category": "诉求分类",
    ]
}
