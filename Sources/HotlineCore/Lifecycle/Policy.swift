import Foundation

/// The parameters the rules run on (R-ADM-1). Stored as text rows, edited through the API and
/// effective on the next request; `apply` is the one place that knows their syntax.
public struct Policy: Sendable, Equatable {
    /// R-UH-1: sign limit, 1 working day; urgent orders 1 hour.
    public var signLimit = TimeLimit.workingDays(1)
    public var urgentSignLimit = TimeLimit.naturalHours(1)
    /// R-UH-2: a return must be asked within 1 working day of receipt.
    public var returnWindow = TimeLimit.workingDays(1)
    /// R-UH-3: help requests: contact the citizen within 1 working day.
    public var contactLimit = TimeLimit.workingDays(1)
    /// R-DIS-4: decide the responsible unit within 8 working hours of intake (Liaoyang).
    public var dispatchLimit = TimeLimit.workingHours(8)
    /// R-TIME-4.
    public var warningMargin = WarningMargin.workingDays(1)
    /// R-UH-6: request no later than N working days before the deadline …
    public var extensionNoticeWorkingDays = 1
    /// … and for no longer than the original limit or this maximum (working days).
    public var extensionMaxWorkingDays = 15
    /// R-CB-2: call back within 3 working days after approval; give up after N tries.
    public var callbackLimit = TimeLimit.workingDays(3)
    public var callbackMaxAttempts = 3
    /// Share of approved orders called back; the rest close without a call.
    public var callbackSamplingRatio = 1.0
    /// R-CB-4: how long after closing a citizen may appeal.
    public var appealWindow = TimeLimit.naturalDays(30)
    /// R-IN-3: how far back the duplicate check looks.
    public var duplicateWindowDays = 30
    /// R-IN-6: words that flag an order and alert a supervisor.
    public var sensitiveKeywords = ["自杀", "跳楼", "轻生", "爆炸", "砍人", "投毒", "燃气泄漏", "煤气泄漏", "群体", "集体上访", "讨薪"]
    /// R-SUP-1, R-SUP-3 and the other clocks: which act, and the escalation ladder's steps in
    /// working days past the deadline.
    public var clockRules = Set(ClockKind.allCases)
    public var escalationLeaderAfterWorkingDays = 1
    public var escalationSuperviseAfterWorkingDays = 3
    /// R-WO-8.
    public var attachmentMaxBytes = 20 * 1024 * 1024
    public var attachmentTypes = [
        "image/jpeg", "image/png", "image/gif", "image/webp", "audio/mpeg", "audio/wav", "audio/amr",
        "application/pdf", "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/plain",
    ]

    public init() {}

    public struct Key: Sendable {
        public var name: String
        public var description: String
    }

    /// Every parameter, with what it means, in a stable order.
    public static let keys: [Key] = [
        .init(name: "sign.limit", description: "签收时限 R-UH-1, e.g. 1 workingDays"),
        .init(name: "sign.urgentLimit", description: "紧急件签收时限, e.g. 1 naturalHours"),
        .init(name: "return.window", description: "退回时限 R-UH-2, from receipt"),
        .init(name: "contact.limit", description: "求助类联系诉求人时限 R-UH-3"),
        .init(name: "dispatch.limit", description: "派单时限 R-DIS-4, from intake"),
        .init(name: "warning.margin", description: "黄灯 R-TIME-4: Nwd (last N working days) or P% of the limit"),
        .init(name: "extension.noticeWorkingDays", description: "延期须在期满前N个工作日提出 R-UH-6"),
        .init(name: "extension.maxWorkingDays", description: "延期最长工作日 R-UH-6"),
        .init(name: "callback.limit", description: "回访时限 R-CB-2, from approval"),
        .init(name: "callback.maxAttempts", description: "回访联系不上的最多次数 R-CB-2"),
        .init(name: "callback.samplingRatio", description: "回访抽样比例 0–1 R-CB-2"),
        .init(name: "appeal.window", description: "复核申请时限 R-CB-4, from closing"),
        .init(name: "duplicate.windowDays", description: "判重回溯天数 R-IN-3"),
        .init(name: "intake.sensitiveKeywords", description: "敏感/紧急关键词, comma-separated R-IN-6"),
        .init(name: "clock.rules", description: "自动执行的时钟规则, comma-separated: " + ClockKind.allCases.map(\.rawValue).joined(separator: ",")),
        .init(name: "escalation.leaderAfterWorkingDays", description: "超期N个工作日通知单位分管领导 R-SUP-3"),
        .init(name: "escalation.superviseAfterWorkingDays", description: "超期N个工作日自动督办并通报 R-SUP-3"),
        .init(name: "attachment.maxBytes", description: "附件大小上限 R-WO-8"),
        .init(name: "attachment.types", description: "允许的附件类型 (MIME), comma-separated R-WO-8"),
    ]

    /// The current value of a key, as stored text.
    public func value(of key: String) -> String? {
        switch key {
        case "sign.limit": Self.text(signLimit)
        case "sign.urgentLimit": Self.text(urgentSignLimit)
        case "return.window": Self.text(returnWindow)
        case "contact.limit": Self.text(contactLimit)
        case "dispatch.limit": Self.text(dispatchLimit)
        case "warning.margin": warningMargin.description
        case "extension.noticeWorkingDays": String(extensionNoticeWorkingDays)
        case "extension.maxWorkingDays": String(extensionMaxWorkingDays)
        case "callback.limit": Self.text(callbackLimit)
        case "callback.maxAttempts": String(callbackMaxAttempts)
        case "callback.samplingRatio": String(callbackSamplingRatio)
        case "appeal.window": Self.text(appealWindow)
        case "duplicate.windowDays": String(duplicateWindowDays)
        case "intake.sensitiveKeywords": sensitiveKeywords.joined(separator: ",")
        case "clock.rules": ClockKind.allCases.filter { clockRules.contains($0) }.map(\.rawValue).joined(separator: ",")
        case "escalation.leaderAfterWorkingDays": String(escalationLeaderAfterWorkingDays)
        case "escalation.superviseAfterWorkingDays": String(escalationSuperviseAfterWorkingDays)
        case "attachment.maxBytes": String(attachmentMaxBytes)
        case "attachment.types": attachmentTypes.joined(separator: ",")
        default: nil
        }
    }

    /// Sets a key from text, refusing unknown keys and bad values by name.
    public mutating func apply(_ key: String, _ text: String) throws(RuleViolation) {
        func limit() throws(RuleViolation) -> TimeLimit {
            guard let l = Self.parseLimit(text) else {
                throw .invalid("value", "\(key) must be '<amount> <unit>' with unit one of workingDays, workingHours, naturalDays, naturalHours")
            }
            return l
        }
        func int(_ range: ClosedRange<Int>) throws(RuleViolation) -> Int {
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(n) else {
                throw .invalid("value", "\(key) must be a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
            return n
        }
        func list() throws(RuleViolation) -> [String] {
            let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !items.isEmpty else { throw .invalid("value", "\(key) must list at least one item, comma-separated") }
            return items
        }
        switch key {
        case "sign.limit": signLimit = try limit()
        case "sign.urgentLimit": urgentSignLimit = try limit()
        case "return.window": returnWindow = try limit()
        case "contact.limit": contactLimit = try limit()
        case "dispatch.limit": dispatchLimit = try limit()
        case "warning.margin":
            guard let m = WarningMargin(parsing: text) else {
                throw .invalid("value", "warning.margin must be like '1wd' or '20%'")
            }
            warningMargin = m
        case "extension.noticeWorkingDays": extensionNoticeWorkingDays = try int(0...10)
        case "extension.maxWorkingDays": extensionMaxWorkingDays = try int(1...60)
        case "callback.limit": callbackLimit = try limit()
        case "callback.maxAttempts": callbackMaxAttempts = try int(1...10)
        case "callback.samplingRatio":
            guard let r = Double(text), (0...1).contains(r) else {
                throw .invalid("value", "callback.samplingRatio must be a number from 0 to 1")
            }
            callbackSamplingRatio = r
        case "appeal.window": appealWindow = try limit()
        case "duplicate.windowDays": duplicateWindowDays = try int(1...365)
        case "intake.sensitiveKeywords": sensitiveKeywords = try list()
        case "clock.rules":
            // "none" switches every clock off; an empty list is more likely a slip.
            if text.trimmingCharacters(in: .whitespaces) == "none" {
                clockRules = []
            } else {
                var kinds = Set<ClockKind>()
                for item in try list() {
                    guard let k = ClockKind(rawValue: item) else {
                        throw .invalid("value", "clock.rules lists some of \(ClockKind.allCases.map(\.rawValue).joined(separator: ", ")), or none; got \(item)")
                    }
                    kinds.insert(k)
                }
                clockRules = kinds
            }
        case "escalation.leaderAfterWorkingDays": escalationLeaderAfterWorkingDays = try int(0...30)
        case "escalation.superviseAfterWorkingDays": escalationSuperviseAfterWorkingDays = try int(0...60)
        case "attachment.maxBytes": attachmentMaxBytes = try int(1024...(1024 * 1024 * 1024))
        case "attachment.types": attachmentTypes = try list()
        default: throw RuleViolation(.notFound, code: "unknown_parameter", field: "key", rule: "no parameter named \(key)")
        }
    }

    public static func text(_ limit: TimeLimit) -> String { "\(limit.amount) \(limit.unit.rawValue)" }

    public static func parseLimit(_ text: String) -> TimeLimit? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let n = Int(parts[0]), n >= 0, let unit = TimeLimitUnit(rawValue: String(parts[1])) else {
            return nil
        }
        return TimeLimit(n, unit)
    }
}
