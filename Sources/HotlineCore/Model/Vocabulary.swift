import Foundation

// The small closed vocabularies of a work order. Labels shown to people live in the
// dictionaries (data, editable); these codes are what rules depend on.

/// 诉求类型 (R-WO-3).
public enum RequestType: String, Codable, Sendable, CaseIterable {
    case consultation  // 咨询
    case help  // 求助
    case suggestion  // 建议
    case complaint  // 投诉
    case report  // 举报
    case praise  // 表扬

    public var chineseName: String {
        switch self {
        case .consultation: "咨询"
        case .help: "求助"
        case .suggestion: "建议"
        case .complaint: "投诉"
        case .report: "举报"
        case .praise: "表扬"
        }
    }
}

/// 渠道 (R-WO-2).
public enum Channel: String, Codable, Sendable, CaseIterable {
    case phone, web, wechat, app, mailbox, sms, letter, visit, open311, other

    public var chineseName: String {
        switch self {
        case .phone: "电话"
        case .web: "网站"
        case .wechat: "微信"
        case .app: "移动应用"
        case .mailbox: "市长信箱"
        case .sms: "短信"
        case .letter: "来信"
        case .visit: "来访"
        case .open311: "Open311"
        case .other: "其他"
        }
    }
}

/// 紧急程度 (R-WO-7).
public enum Urgency: String, Codable, Sendable, CaseIterable {
    case normal  // 一般
    case urgent  // 紧急: 当天答复
    case emergency  // 特急: hand to 110/119/120 or the emergency office
}

/// 工单状态: where a work order stands in the closed loop.
public enum WorkOrderStatus: String, Codable, Sendable, CaseIterable {
    /// 待派单: recorded, waiting for the dispatcher's decision.
    case pendingDispatch
    /// 待批示: escalated (呈办), waiting for a leader's instruction.
    case awaitingInstruction
    /// 办理中: dispatched to units.
    case handling
    /// 待审核: the lead unit's approved feedback waits for the platform.
    case awaitingReview
    /// 待回访: approved, waiting for the callback.
    case awaitingCallback
    /// 已办结.
    case closed
    /// 已归档: read-only.
    case archived

    public var isOpen: Bool { self != .closed && self != .archived }
}

/// How a closed order was finished.
public enum Disposition: String, Codable, Sendable, CaseIterable {
    case directAnswer  // 直接答复 (R-IN-2)
    case declined  // 不予受理 (R-IN-1)
    case guided  // 引导 (R-IN-1)
    case merged  // 并单 (R-IN-3)
    case directDispatch  // 直办: answered by the unit on a three-way call (R-DIS-1)
    case resolved  // 转办/呈办 and handled through review and callback
}

/// 办理方式 (R-DIS-1).
public enum HandlingMode: String, Codable, Sendable, CaseIterable {
    case transfer  // 转办
    case direct  // 直办
    case escalated  // 呈办
}

/// 主办 or 协办.
public enum AssignmentRole: String, Codable, Sendable, CaseIterable {
    case lead, co
}

/// One unit's share of the order.
public enum AssignmentStatus: String, Codable, Sendable, CaseIterable {
    /// 待签收.
    case toSign
    /// 办理中 (signed).
    case inHand
    /// 退回待单位领导审批.
    case returnRequested
    /// 退回待平台审核: the clock is paused (R-TIME-3).
    case returnPending
    /// 已退回 (accepted by the platform).
    case returned
    /// 反馈待单位领导审批.
    case feedbackPendingApproval
    /// 反馈已提交: waiting for the platform (lead) or the parent unit (sub-dispatched).
    case feedbackSubmitted
    /// 已完成.
    case completed
    /// 已撤销 (the order was re-dispatched, merged or closed around it).
    case cancelled

    public var isActive: Bool {
        switch self {
        case .returned, .completed, .cancelled: false
        default: true
        }
    }

    /// Statuses in which the unit is still expected to act, for the inbox.
    public var awaitsUnit: Bool {
        switch self {
        case .toSign, .inHand, .returnRequested, .feedbackPendingApproval: true
        default: false
        }
    }
}

/// Result of handling (R-UH-7).
public enum HandlingResult: String, Codable, Sendable, CaseIterable {
    case solved  // 已解决
    case explained  // 已解释说明
    case cannotSolveNow  // 暂无法解决
}

/// Five-level satisfaction (R-CB-2).
public enum Satisfaction: String, Codable, Sendable, CaseIterable {
    case verySatisfied  // 非常满意
    case satisfied  // 满意
    case basicallySatisfied  // 基本满意
    case unsatisfied  // 不满意
    case veryUnsatisfied  // 非常不满意

    public var isUnsatisfied: Bool { self == .unsatisfied || self == .veryUnsatisfied }
}

/// How the platform or a unit reached someone.
public enum ContactMethod: String, Codable, Sendable, CaseIterable {
    case phone, sms, web, visit, letter, other
}

/// 督办方式 (R-SUP-2).
public enum SupervisionMethod: String, Codable, Sendable, CaseIterable {
    case phone, written, meeting, onSite
}

/// Extension request progress (R-UH-6).
public enum ExtensionStatus: String, Codable, Sendable, CaseIterable {
    case pendingUnitLeader, pendingPlatform, approved, rejected
}
