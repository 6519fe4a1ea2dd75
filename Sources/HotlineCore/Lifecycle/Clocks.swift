import Foundation

/// What a clock does when its moment comes (R-SUP-1, R-SUP-3, R-UH-1, R-UH-2, R-CB-2, R-DIS-4,
/// R-IN-6). Each can be switched off in the parameters (`clock.rules`).
public enum ClockKind: String, Sendable, CaseIterable, Codable {
    /// The light turned yellow: remind the unit (催办).
    case yellowReminder
    /// The light turned red: remind the unit again.
    case redReminder
    /// Overdue for `escalation.leaderAfterWorkingDays`: tell the unit's leader.
    case notifyLeader
    /// Overdue for `escalation.superviseAfterWorkingDays`: open a supervision and put the order
    /// on the bulletin list (通报).
    case superviseOverdue
    /// Not signed within the sign limit: flag it and remind.
    case lateSign
    /// The return window passed: the unit can no longer return the order; it counts as accepted.
    case returnWindowClosed
    /// The callback was not made within its limit: alert the callback agents.
    case callbackOverdue
    /// Not dispatched within the dispatch limit: alert the dispatchers.
    case dispatchOverdue
    /// Sensitive or emergency words at intake: alert the supervisors at once.
    case sensitiveAlert
}

/// One moment at which the platform acts on an order by itself. Its `key` names the moment
/// (kind, subject and the deadline it was computed from), so a moment is acted on once: a
/// deadline that moves makes a new key, and the old one is dropped unacted.
public struct ClockTimer: Sendable, Equatable, Hashable {
    public var key: String
    public var kind: ClockKind
    public var workOrderId: UUID
    public var assignmentId: UUID?
    public var dueAt: Date

    public init(kind: ClockKind, workOrderId: UUID, assignmentId: UUID?, dueAt: Date, basis: Date) {
        self.kind = kind
        self.workOrderId = workOrderId
        self.assignmentId = assignmentId
        self.dueAt = dueAt
        self.key = "\(kind.rawValue):\((assignmentId ?? workOrderId).text):\(Int(basis.timeIntervalSince1970))"
    }
}

/// A message the platform owes someone because of what happened; the shell resolves the
/// recipient to phone numbers and writes it to the outbox with the event (R-INT-1).
public struct OutboundMessage: Sendable, Equatable {
    public enum Recipient: Sendable, Equatable, Hashable {
        /// The unit's liaison (联络员) phone.
        case unitLiaison(UUID)
        /// The unit's accounts holding the role (its handlers, its leaders).
        case unitRole(UUID, Role)
        /// The platform's accounts holding the role (dispatchers, supervisors, callback agents).
        case platformRole(Role)
        /// The citizen of the order, unless anonymous.
        case citizen
    }

    public var recipient: Recipient
    /// The message template's key (R-ADM-1), e.g. `remind.yellow`.
    public var template: String
    /// The values the template fills in.
    public var values: [String: String]

    public init(_ recipient: Recipient, _ template: String, _ values: [String: String] = [:]) {
        self.recipient = recipient
        self.template = template
        self.values = values
    }
}

/// What a timer did: the order's transition (events on the timeline) and the messages owed.
public struct ClockOutcome: Sendable, Equatable {
    public var transition: Transition
    public var messages: [OutboundMessage]
}

/// The part of an order its clocks depend on, and nothing more: `Lifecycle.timers(for:)` reads
/// only these, so the worker's sweep over every open order reads a few columns of each
/// (`Worker.sweep`) instead of whole orders with their texts, and the compiler keeps the two
/// from drifting apart.
public struct ClockFacts: Sendable, Equatable {
    /// A unit's share (assignment), as far as its clocks go.
    public struct Share: Sendable, Equatable {
        public var id: UUID
        public var parentId: UUID?
        public var status: AssignmentStatus
        public var dispatchedAt: Date
        public var signDueAt: Date
        public var dueAt: Date
        public var warnAt: Date
        public var pausedAt: Date?
        public var returnRequestedAt: Date?

        public init(
            id: UUID, parentId: UUID?, status: AssignmentStatus, dispatchedAt: Date, signDueAt: Date, dueAt: Date, warnAt: Date,
            pausedAt: Date?, returnRequestedAt: Date?
        ) {
            self.id = id
            self.parentId = parentId
            self.status = status
            self.dispatchedAt = dispatchedAt
            self.signDueAt = signDueAt
            self.dueAt = dueAt
            self.warnAt = warnAt
            self.pausedAt = pausedAt
            self.returnRequestedAt = returnRequestedAt
        }

        public init(_ a: Assignment) {
            self.init(
                id: a.id, parentId: a.parentId, status: a.status, dispatchedAt: a.dispatchedAt, signDueAt: a.signDueAt, dueAt: a.dueAt,
                warnAt: a.warnAt, pausedAt: a.pausedAt, returnRequestedAt: a.returnRequestedAt)
        }
    }

    public var orderId: UUID
    public var status: WorkOrderStatus
    public var isSensitive: Bool
    public var createdAt: Date
    public var dispatchDueAt: Date?
    public var callbackDueAt: Date?
    public var shares: [Share]

    public init(
        orderId: UUID, status: WorkOrderStatus, isSensitive: Bool, createdAt: Date, dispatchDueAt: Date?, callbackDueAt: Date?,
        shares: [Share]
    ) {
        self.orderId = orderId
        self.status = status
        self.isSensitive = isSensitive
        self.createdAt = createdAt
        self.dispatchDueAt = dispatchDueAt
        self.callbackDueAt = callbackDueAt
        self.shares = shares
    }

    public init(_ a: WorkOrderAggregate) {
        let o = a.order
        self.init(
            orderId: o.id, status: o.status, isSensitive: o.isSensitive, createdAt: o.createdAt, dispatchDueAt: o.dispatchDueAt,
            callbackDueAt: o.callbackDueAt, shares: a.assignments.map(Share.init))
    }

    /// Only a handling order's clocks look at its shares: the sweep reads none for the others.
    public static let statusesWithShares: [WorkOrderStatus] = [.handling]
    public static func needsShares(_ status: WorkOrderStatus) -> Bool { statusesWithShares.contains(status) }
}

extension ClockTimer {
    /// A short fingerprint of a set of moments (their keys and times, in any order). The shell
    /// stores it with the moments, and the sweep compares fingerprints instead of reading every
    /// stored moment back: equal fingerprints mean the stored set was made from the same
    /// wanted set (the worker taking moments since does not change what is wanted).
    /// 64-bit FNV-1a, written out because the core depends on Foundation only and Swift's own
    /// `Hasher` is seeded per process.
    public static func digest(_ timers: [ClockTimer]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for t in timers.sorted(by: { $0.key < $1.key }) {
            for byte in t.key.utf8 { mix(byte) }
            // The moment in whole seconds, as eight bytes after a separator no key contains.
            mix(0x40)
            let seconds = UInt64(bitPattern: Int64(t.dueAt.timeIntervalSince1970.rounded(.down)))
            for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: seconds >> UInt64(shift))) }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension Lifecycle {
    /// Every moment the order is waiting for now, from its state alone (pure). The shell
    /// stores them with each change of the order; the worker takes them when due.
    public func timers(for a: WorkOrderAggregate) -> [ClockTimer] {
        timers(for: ClockFacts(a))
    }

    public func timers(for o: ClockFacts) -> [ClockTimer] {
        let enabled = policy.clockRules
        var out: [ClockTimer] = []
        func add(_ kind: ClockKind, _ assignment: UUID?, at: Date, basis: Date) {
            if enabled.contains(kind) { out.append(ClockTimer(kind: kind, workOrderId: o.orderId, assignmentId: assignment, dueAt: at, basis: basis)) }
        }
        // Even an order settled at intake alerts: the words matter, not the handling.
        if o.isSensitive, o.status != .archived { add(.sensitiveAlert, nil, at: o.createdAt, basis: o.createdAt) }
        switch o.status {
        case .pendingDispatch:
            if let due = o.dispatchDueAt { add(.dispatchOverdue, nil, at: due, basis: due) }
        case .awaitingCallback:
            if let due = o.callbackDueAt { add(.callbackOverdue, nil, at: due, basis: due) }
        case .handling:
            for asg in o.shares where Self.clockRuns(status: asg.status, pausedAt: asg.pausedAt) {
                add(.yellowReminder, asg.id, at: asg.warnAt, basis: asg.dueAt)
                add(.redReminder, asg.id, at: asg.dueAt, basis: asg.dueAt)
                add(.notifyLeader, asg.id, at: ladderStep(policy.escalationLeaderAfterWorkingDays, after: asg.dueAt), basis: asg.dueAt)
                add(.superviseOverdue, asg.id, at: ladderStep(policy.escalationSuperviseAfterWorkingDays, after: asg.dueAt), basis: asg.dueAt)
                if asg.status == .toSign { add(.lateSign, asg.id, at: asg.signDueAt, basis: asg.signDueAt) }
                if asg.parentId == nil, asg.returnRequestedAt == nil {
                    let closes = calendar.deadline(from: asg.dispatchedAt, limit: policy.returnWindow)
                    add(.returnWindowClosed, asg.id, at: closes, basis: closes)
                }
            }
        default:
            break
        }
        return out
    }

    /// A step of the escalation ladder (R-SUP-3): when office hours open on the Nth working
    /// day after the deadline's day — the leader hears of it at the start of a working day, not
    /// at midnight or on a holiday. Step 0 is the deadline itself.
    func ladderStep(_ n: Int, after due: Date) -> Date {
        guard n > 0 else { return due }
        let day = calendar.startOfDay(calendar.workingDay(n, after: calendar.localDate(of: due)))
        let opens = calendar.officeHours.periods.first?.startMinute ?? 0
        return day.addingTimeInterval(TimeInterval(opens * 60))
    }

    /// A unit's share whose clock is running: dispatched, not done, not paused, not yet with
    /// the platform for review.
    static func clockRuns(status: AssignmentStatus, pausedAt: Date?) -> Bool {
        guard pausedAt == nil else { return false }
        switch status {
        case .toSign, .inHand, .returnRequested, .feedbackPendingApproval: return true
        default: return false
        }
    }

    /// Acts on a due timer, or nil when the order has moved on and the moment no longer
    /// applies (signed, answered, extended, dispatched…): the rules decide again from the
    /// order as it is now, so a stale timer never acts.
    public func fire(_ timer: ClockTimer, on a: WorkOrderAggregate) -> ClockOutcome? {
        guard timer.dueAt <= now, timers(for: a).contains(where: { $0.key == timer.key }) else { return nil }
        var a = a
        let o = a.order
        var events: [DomainEvent] = []
        var messages: [OutboundMessage] = []
        let base = ["number": o.number, "title": o.title]
        func values(_ extra: [String: String]) -> [String: String] { base.merging(extra) { _, new in new } }

        switch timer.kind {
        case .sensitiveAlert:
            events.append(DomainEvent("sensitiveAlert", note: "含敏感或紧急关键词，已提醒督办员"))
            messages.append(OutboundMessage(.platformRole(.supervisor), "alert.sensitive", base))
        case .dispatchOverdue:
            events.append(DomainEvent("dispatchOverdue", note: "超过派单时限，已提醒派单员", details: ["dueAt": iso(o.dispatchDueAt ?? now)]))
            messages.append(OutboundMessage(.platformRole(.dispatcher), "alert.dispatchOverdue", values(["dueAt": iso(o.dispatchDueAt ?? now)])))
        case .callbackOverdue:
            events.append(DomainEvent("callbackOverdue", note: "超过回访时限，已提醒回访员", details: ["dueAt": iso(o.callbackDueAt ?? now)]))
            messages.append(OutboundMessage(.platformRole(.callbackAgent), "alert.callbackOverdue", values(["dueAt": iso(o.callbackDueAt ?? now)])))
        case .yellowReminder, .redReminder, .lateSign:
            guard let id = timer.assignmentId, var asg = a.assignment(id) else { return nil }
            let (template, note): (String, String) = switch timer.kind {
            case .yellowReminder: ("remind.yellow", "即将到期（黄灯），自动催办")
            case .redReminder: ("remind.red", "已超期（红灯），自动催办")
            default: ("remind.lateSign", "超过签收时限未签收，自动催办")
            }
            asg.reminderCount += 1
            if timer.kind == .lateSign { asg.signedLate = true }
            a.replace(asg)
            let r = Reminder(id: context.newID(), assignmentId: id, note: note, at: now, by: nil, automatic: true)
            a.reminders.append(r)
            events.append(DomainEvent(
                timer.kind == .lateSign ? "lateSign" : "autoRemind", assignmentId: id, unitId: asg.unit.id, note: note,
                details: ["reminderId": r.id.uuidString, "light": light(asg).rawValue, "dueAt": iso(asg.dueAt)]))
            let v = values(["unit": asg.unit.name, "dueAt": iso(asg.dueAt), "signDueAt": iso(asg.signDueAt)])
            messages.append(OutboundMessage(.unitLiaison(asg.unit.id), template, v))
            messages.append(OutboundMessage(.unitRole(asg.unit.id, .unitHandler), template, v))
        case .notifyLeader:
            guard let id = timer.assignmentId, let asg = a.assignment(id) else { return nil }
            events.append(DomainEvent("notifyLeader", assignmentId: id, unitId: asg.unit.id, note: "超期\(policy.escalationLeaderAfterWorkingDays)个工作日，已通知单位分管领导", details: ["dueAt": iso(asg.dueAt)]))
            messages.append(OutboundMessage(.unitRole(asg.unit.id, .unitLeader), "escalate.leader", values(["unit": asg.unit.name, "dueAt": iso(asg.dueAt)])))
        case .superviseOverdue:
            guard let id = timer.assignmentId, let asg = a.assignment(id) else { return nil }
            let note = "超期\(policy.escalationSuperviseAfterWorkingDays)个工作日，自动督办并列入通报"
            let s = Supervision(id: context.newID(), assignmentId: id, method: .written, note: note, instruction: nil, openedAt: now, openedBy: Self.clockAccount)
            // The bulletin list (通报) is the orders with a supervision the clock opened.
            a.supervisions.append(s)
            events.append(DomainEvent("autoSupervise", assignmentId: id, unitId: asg.unit.id, note: note, details: ["supervisionId": s.id.uuidString, "bulletin": "true"]))
            let v = values(["unit": asg.unit.name, "dueAt": iso(asg.dueAt)])
            messages.append(OutboundMessage(.unitRole(asg.unit.id, .unitLeader), "supervise.overdue", v))
            messages.append(OutboundMessage(.platformRole(.supervisor), "supervise.overdue", v))
        case .returnWindowClosed:
            guard let id = timer.assignmentId, let asg = a.assignment(id) else { return nil }
            events.append(DomainEvent("returnWindowClosed", assignmentId: id, unitId: asg.unit.id, note: "退回时限已过，视为接收"))
        }
        // Each event names the moment it was for: the timeline shows it, and a check can prove
        // no moment was acted on twice.
        for i in events.indices { events[i].details["timer"] = timer.key }
        return ClockOutcome(transition: Transition(aggregate: a, events: events), messages: messages)
    }

    /// Who opened a supervision the clock opened: no person (all zeros).
    public static let clockAccount = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}

extension Lifecycle {
    /// What the citizen is told because of a change (R-INT-1, R-UH-6, R-CB-2): accepted with
    /// the tracking number, the deadline extended, the answer with the callback question
    /// (answered by SMS, `CallbackReply`). Pure: read off the change's events.
    public func citizenMessages(for t: Transition) -> [OutboundMessage] {
        let o = t.aggregate.order
        var out: [OutboundMessage] = []
        for e in t.events {
            switch e.action {
            case "intake":
                out.append(OutboundMessage(.citizen, "citizen.accepted", ["number": o.number, "title": o.title]))
            case "decideExtension" where e.details["informCitizen"] == "true":
                out.append(OutboundMessage(.citizen, "citizen.extended", ["number": o.number, "title": o.title, "dueAt": e.details["after"] ?? ""]))
            case "awaitCallback":
                // The answer as far as a text message carries it; the whole one is on the order.
                let answer = o.answer ?? ""
                out.append(OutboundMessage(.citizen, "citizen.answered", [
                    "number": o.number, "title": o.title, "answer": answer.count > 80 ? String(answer.prefix(80)) + "…" : answer,
                ]))
            default:
                break
            }
        }
        return out
    }
}

/// A citizen's text-message answer to the callback question (R-CB-2): a digit 1–5 for the five
/// levels (1 非常满意 … 5 非常不满意), optionally followed by Y (solved) or N (not solved).
/// Without Y or N the satisfied levels count as solved and the unsatisfied ones as not.
public struct CallbackReply: Sendable, Equatable {
    public var satisfaction: Satisfaction
    public var solved: Bool

    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            .replacingOccurrences(of: "Ｙ", with: "Y").replacingOccurrences(of: "Ｎ", with: "N")
        guard let first = t.first, let digit = first.wholeNumberValue, (1...5).contains(digit) else { return nil }
        let rest = t.dropFirst().trimmingCharacters(in: .whitespaces)
        let level = [Satisfaction.verySatisfied, .satisfied, .basicallySatisfied, .unsatisfied, .veryUnsatisfied][digit - 1]
        switch rest {
        case "": solved = !level.isUnsatisfied
        case "Y": solved = true
        case "N": solved = false
        default: return nil
        }
        satisfaction = level
    }
}

extension Lifecycle {
    /// The citizen answered the callback question by SMS. A satisfied answer is the callback
    /// (closing the order); an unsatisfied one is recorded and left for a callback agent, who
    /// judges whether the complaint is reasonable (R-CB-3) — a text message cannot.
    public func smsReply(_ reply: CallbackReply, text: String, to aggregate: WorkOrderAggregate) throws(RuleViolation) -> Transition {
        try citizenReply(method: .sms, satisfaction: reply.satisfaction, solved: reply.solved, note: "短信回复：\(text)", to: aggregate)
    }

    /// The citizen rated the answer on the public portal (R-CIT-3): taken as an SMS reply is.
    public func webRating(satisfaction: Satisfaction, solved: Bool, comment: String, to aggregate: WorkOrderAggregate) throws(RuleViolation) -> Transition {
        guard comment.count <= 500 else { throw RuleViolation.invalid("comment", "comment must be at most 500 characters") }
        let note = comment.isBlank ? "网上评价" : "网上评价：\(comment.trimmed)"
        return try citizenReply(method: .web, satisfaction: satisfaction, solved: solved, note: note, to: aggregate)
    }

    func citizenReply(method: ContactMethod, satisfaction: Satisfaction, solved: Bool, note: String, to aggregate: WorkOrderAggregate) throws(RuleViolation) -> Transition {
        var a = aggregate
        try requireOrder(a, in: [.awaitingCallback], "callback")
        let details = ["method": method.rawValue, "satisfaction": satisfaction.rawValue, "solved": String(solved)]
        guard !satisfaction.isUnsatisfied else {
            return Transition(aggregate: a, events: [DomainEvent("callbackReply", note: "\(note)；不满意，待回访员联系诉求人", details: details)])
        }
        let record = CallbackRecord(method: method, reached: true, satisfaction: satisfaction, solved: solved, note: note)
        let events = try callback(&a, record, reasonable: false)
        return Transition(aggregate: a, events: events)
    }
}
