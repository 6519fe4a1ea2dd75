/// The public portal's words (R-CIT-1…4): Simplified Chinese first, English available with
/// the same language switch as the console.
enum PortalStrings {
    static func table(_ lang: ConsoleLanguage) -> [String: String] {
        lang == .zh ? zh : zh.merging(en) { _, english in english }
    }

    static let zh: [String: String] = [
        "appName": "12345 政务服务便民热线", "portal": "网上诉求", "language": "English", "home": "首页",
        "submit": "我要反映", "submitIntro": "请如实填写诉求的时间、地点、人物、事由、经过和您的诉求，我们将在规定时限内分派承办单位办理。",
        "track": "办理进度查询", "trackIntro": "凭受理时获得的工单编号和查询密码查询办理进度、答复，并评价。",
        "disclosures": "诉求公开", "disclosuresIntro": "经诉求人同意并审核公开的诉求及答复，个人信息已隐去。",
        "requestType": "诉求类型", "category": "诉求分类", "chooseCategory": "请选择", "title": "标题", "description": "诉求内容（事由和经过）",
        "time": "发生时间", "address": "发生地点", "people": "涉及人员或单位", "wantedOutcome": "您的诉求（希望如何解决）",
        "name": "姓名", "phone": "手机号码", "photos": "照片（可选，最多 3 张，每张不超过 5 MB）",
        "wantsSecrecy": "对承办单位保密我的姓名和电话", "consentsToDisclosure": "同意在办结后隐去个人信息公开本诉求及答复",
        "send": "提交", "required": "必填", "maxLength": "最多 4000 字",
        "accepted": "您的诉求已受理", "number": "工单编号", "secret": "查询密码",
        "keepSecret": "请记下工单编号和查询密码，凭此查询办理进度和答复；我们也已通过短信发送到您的手机。查询密码只显示这一次。",
        "lookup": "查询", "status": "办理状态", "createdAt": "受理时间", "dueAt": "办结时限", "unit": "承办单位", "answer": "答复",
        "noAnswer": "尚未答复，答复经审核后会显示在这里。",
        "stage.accepted": "已受理，待分派", "stage.handling": "办理中", "stage.appealing": "复核中", "stage.answered": "已答复，待评价",
        "stage.closed": "已办结",
        "rate": "评价答复", "satisfaction": "满意程度", "solved": "问题是否解决", "yes": "已解决", "no": "未解决", "comment": "意见（可选）",
        "sat.verySatisfied": "非常满意", "sat.satisfied": "满意", "sat.basicallySatisfied": "基本满意", "sat.unsatisfied": "不满意",
        "sat.veryUnsatisfied": "非常不满意", "rated": "您的评价", "thanks": "感谢您的评价。",
        "unsatisfiedNote": "您的评价已记录，回访员将联系您了解情况。", "awaitingAgent": "回访员将联系您",
        "appeal": "申请复核", "appealUntil": "如对办理结果有异议，可在以下时间前申请复核：", "reason": "复核理由", "appealed": "复核申请已提交，平台将重新审核。",
        "published": "公开时间", "matter": "诉求内容", "noDisclosures": "暂无公开的诉求。", "prev": "上一页", "next": "下一页",
        "back": "返回", "error": "未能完成", "type.consultation": "咨询", "type.help": "求助", "type.suggestion": "建议",
        "type.complaint": "投诉", "type.report": "举报", "type.praise": "表扬", "closedAt": "办结时间",
    ]

    static let en: [String: String] = [
        "appName": "12345 Government Service Hotline", "portal": "Online requests", "language": "中文", "home": "Home",
        "submit": "Make a request", "submitIntro": "Tell us when, where, who, what happened and what you want; the hotline sends it to the responsible unit within its time limit.",
        "track": "Track a request", "trackIntro": "Use the order number and query secret you received to see progress and the answer, and to rate it.",
        "disclosures": "Published requests", "disclosuresIntro": "Requests and answers published with the citizen's consent; personal data is masked.",
        "requestType": "Type", "category": "Category", "chooseCategory": "Choose", "title": "Title", "description": "What is the matter and what happened",
        "time": "When", "address": "Where", "people": "People or organisations involved", "wantedOutcome": "What you want done",
        "name": "Name", "phone": "Mobile number", "photos": "Photos (optional, up to 3, 5 MB each)",
        "wantsSecrecy": "Keep my name and number from the handling unit", "consentsToDisclosure": "Publish this request and its answer, with my personal data masked, once closed",
        "send": "Submit", "required": "required", "maxLength": "at most 4000 characters",
        "accepted": "Your request has been accepted", "number": "Order number", "secret": "Query secret",
        "keepSecret": "Keep the order number and query secret to track your request; we have also sent them by SMS. The secret is shown only this once.",
        "lookup": "Look up", "status": "Status", "createdAt": "Accepted", "dueAt": "Due", "unit": "Handling unit", "answer": "Answer",
        "noAnswer": "No answer yet; it appears here once reviewed.",
        "stage.accepted": "Accepted, awaiting dispatch", "stage.handling": "Being handled", "stage.appealing": "Under review after your appeal",
        "stage.answered": "Answered, please rate", "stage.closed": "Closed",
        "rate": "Rate the answer", "satisfaction": "Satisfaction", "solved": "Was the problem solved?", "yes": "Solved", "no": "Not solved",
        "comment": "Comment (optional)", "sat.verySatisfied": "Very satisfied", "sat.satisfied": "Satisfied", "sat.basicallySatisfied": "Mostly satisfied",
        "sat.unsatisfied": "Unsatisfied", "sat.veryUnsatisfied": "Very unsatisfied", "rated": "Your rating", "thanks": "Thank you for your rating.",
        "unsatisfiedNote": "Your rating is recorded; a callback agent will contact you.", "awaitingAgent": "a callback agent will contact you",
        "appeal": "Appeal", "appealUntil": "If you disagree with the outcome you may appeal until:", "reason": "Reason", "appealed": "Your appeal is submitted; the hotline will review the order again.",
        "published": "Published", "matter": "Request", "noDisclosures": "Nothing published yet.", "prev": "Previous", "next": "Next",
        "back": "Back", "error": "Not done", "type.consultation": "Enquiry", "type.help": "Help", "type.suggestion": "Suggestion",
        "type.complaint": "Complaint", "type.report": "Report", "type.praise": "Praise", "closedAt": "Closed",
    ]
}
