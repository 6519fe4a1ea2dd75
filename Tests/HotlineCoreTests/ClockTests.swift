import Foundation
import Testing

@testable import HotlineCore

/// A worker in miniature: every `step` from `from` to `to`, takes the timers due and not yet
/// taken, each once, as the shell's worker does with its table of timers.
private struct MiniWorker {
    var done: Set<String> = []
    var fired: [(kind: ClockKind, at: Date)] = []
    var messages: [OutboundMessage] = []

    mutating func run(_ story: inout Story, until to: String, step: TimeInterval = 1800, policy: Policy = Policy(), from: Date) -> Date {
        var tick = from
        let end = F.t(to)
        while tick <= end {
            let lc = Lifecycle(LifecycleContext(now: tick, calendar: F.calendar, policy: policy))
            for timer in lc.timers(for: story.aggregate).sorted(by: { $0.dueAt < $1.dueAt }) where timer.dueAt <= tick && !done.contains(timer.key) {
                done.insert(timer.key)
                guard let outcome = lc.fire(timer, on: story.aggregate) else { continue }
                story.aggregate = outcome.transition.aggregate
                story.events += outcome.transition.events
                fired.append((timer.kind, tick))
                messages += outcome.messages
            }
            tick = tick.addingTimeInterval(step)
        }
        return tick
    }

    func times(_ kind: ClockKind) -> [String] {
        fired.filter { $0.kind == kind }.map { F.calendar.localDate(of: $0.at).description + " " + String(format: "%02d:%02d", F.calendar.secondOfDay($0.at) / 3600, F.calendar.secondOfDay($0.at) % 3600 / 60) }
    }
}

@Suite("Clocks that act (R-SUP-1, R-SUP-3, R-UH-1, R-UH-2, R-DIS-4, R-IN-6, R-CB-2)")
struct ClockTests {
    /// A consultation (2 working days) dispatched on Tue 2026-09-29, before the National Day
    /// break (Oct 1–7 off) and the adjusted working Saturday Oct 10: due at the end of Thu Oct 8.
    func dispatchedBeforeNationalDay() throws -> Story {
        var s = try Story(intakeAt: "2026-09-29T09:00:00", draft: F.draft(type: .consultation))
        try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district)), by: F.dispatcher, at: "2026-09-29T10:00:00")
        return s
    }

    @Test("Yellow, red and each ladder step happen once, on the right working day, across the holiday and the 调休 Saturday")
    func ladderAcrossHoliday() throws {
        var s = try dispatchedBeforeNationalDay()
        #expect(s.lead.dueAt == F.t("2026-10-08T23:59:59"))
        var w = MiniWorker()
        // Not signed by the end of Wed Sep 30: flagged late and reminded as the limit passes.
        var tick = w.run(&s, until: "2026-10-08T09:00:00", from: F.t("2026-09-29T10:30:00"))
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-10-08T09:10:00")
        tick = w.run(&s, until: "2026-10-16T00:00:00", from: tick)
        #expect(w.times(.lateSign) == ["2026-10-01 00:00"])
        #expect(w.times(.returnWindowClosed) == ["2026-10-01 00:00"])
        #expect(w.times(.yellowReminder) == ["2026-10-08 00:00"], "yellow on the last working day (R-TIME-4)")
        #expect(w.times(.redReminder) == ["2026-10-09 00:00"], "red as the deadline passes")
        #expect(w.times(.notifyLeader) == ["2026-10-09 09:00"], "the leader at office opening on the 1st working day after")
        #expect(w.times(.superviseOverdue) == ["2026-10-12 09:00"], "3rd working day after Oct 8: Fri 9, Sat 10 (调休), Mon 12")
        #expect(s.lead.signedLate && s.lead.reminderCount == 3)
        #expect(s.aggregate.reminders.allSatisfy(\.automatic) && s.aggregate.reminders.count == 3)
        let sup = try #require(s.aggregate.supervisions.first)
        #expect(sup.openedBy == Lifecycle.clockAccount && sup.isOpen && s.aggregate.supervisions.count == 1)
        #expect(s.events.map(\.action).filter { ["autoRemind", "lateSign", "notifyLeader", "autoSupervise", "returnWindowClosed"].contains($0) }
            == ["lateSign", "returnWindowClosed", "autoRemind", "autoRemind", "notifyLeader", "autoSupervise"])
        #expect(w.messages.contains(OutboundMessage(.unitRole(F.district.id, .unitLeader), "escalate.leader", ["number": s.order.number, "title": s.order.title, "unit": F.district.name, "dueAt": "2026-10-08T23:59:59+08:00"])))
        #expect(w.messages.filter { $0.recipient == .unitLiaison(F.district.id) }.map(\.template) == ["remind.lateSign", "remind.yellow", "remind.red"])
    }

    @Test("A moved deadline moves its timers: an approved extension drops the old red light's reminder and sets new ones")
    func extensionMovesTimers() throws {
        var s = try dispatchedBeforeNationalDay()
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-09-29T11:00:00")
        let lc = F.lifecycle(at: "2026-09-29T11:00:00")
        let before = lc.timers(for: s.aggregate)
        let oldRed = try #require(before.first { $0.kind == .redReminder })
        try s.run(.requestExtension(assignment: s.lead.id, amount: 2, reason: "需协调"), by: F.districtHandler, at: "2026-09-29T12:00:00")
        let ext = try #require(s.aggregate.extensions.first)
        try s.run(.approveExtension(extension: ext.id, approve: true, note: nil), by: F.districtLeader, at: "2026-09-29T13:00:00")
        try s.run(.decideExtension(extension: ext.id, approve: true, note: nil), by: F.dispatcher, at: "2026-09-29T14:00:00")
        let after = F.lifecycle(at: "2026-09-29T14:00:00").timers(for: s.aggregate)
        let newRed = try #require(after.first { $0.kind == .redReminder })
        #expect(newRed.key != oldRed.key && newRed.dueAt == F.t("2026-10-10T23:59:59"), "two more working days: Fri 9, Sat 10 (调休)")
        #expect(F.lifecycle(at: "2026-10-09T00:00:01").fire(oldRed, on: s.aggregate) == nil, "the old deadline's reminder no longer acts")
        #expect(!after.contains { $0.kind == .lateSign }, "signed: no late-sign timer")
    }

    @Test("Intake: sensitive words alert supervisors at once; an order left undispatched alerts dispatchers at its limit")
    func intakeClocks() throws {
        var draft = F.draft()
        draft.elements.matter = "邻里纠纷，来电人情绪激动称要跳楼"
        let intake = try F.lifecycle(at: "2026-11-23T09:00:00").intake(draft, id: UUID(), number: "20261123000009", by: F.agent)
        #expect(intake.aggregate.order.isSensitive)
        let lc = F.lifecycle(at: "2026-11-23T09:00:00")
        let timers = lc.timers(for: intake.aggregate)
        let alert = try #require(timers.first { $0.kind == .sensitiveAlert })
        let outcome = try #require(lc.fire(alert, on: intake.aggregate))
        #expect(outcome.messages.map(\.recipient) == [.platformRole(.supervisor)] && outcome.transition.events.map(\.action) == ["sensitiveAlert"])
        let overdue = try #require(timers.first { $0.kind == .dispatchOverdue })
        #expect(overdue.dueAt == intake.aggregate.order.dispatchDueAt)
        #expect(lc.fire(overdue, on: intake.aggregate) == nil, "not yet due")
        let late = try #require(F.lifecycle(at: "2026-11-24T18:00:00").fire(overdue, on: intake.aggregate))
        #expect(late.messages.map(\.recipient) == [.platformRole(.dispatcher)])
    }

    @Test("Each rule can be switched off; the ladder's steps are parameters")
    func configurable() throws {
        var policy = Policy()
        try policy.apply("clock.rules", "redReminder, notifyLeader")
        try policy.apply("escalation.leaderAfterWorkingDays", "2")
        #expect(policy.value(of: "clock.rules") == "redReminder,notifyLeader")
        let s = try dispatchedBeforeNationalDay()
        let lc = Lifecycle(LifecycleContext(now: F.t("2026-09-29T11:00:00"), calendar: F.calendar, policy: policy))
        let timers = lc.timers(for: s.aggregate)
        #expect(Set(timers.map(\.kind)) == [.redReminder, .notifyLeader])
        #expect(timers.first { $0.kind == .notifyLeader }?.dueAt == F.t("2026-10-10T09:00:00"), "2nd working day after Oct 8 is the 调休 Saturday")
        try policy.apply("clock.rules", "none")
        #expect(policy.clockRules.isEmpty)
        #expect(throws: RuleViolation.self) { try policy.apply("clock.rules", "sometimes") }
    }

    @Test("A set of moments' fingerprint: the same in any order, different when a moment moves by a second or another is added")
    func digest() throws {
        let s = try dispatchedBeforeNationalDay()
        let lc = F.lifecycle(at: "2026-09-29T11:00:00")
        let timers = lc.timers(for: s.aggregate)
        #expect(timers.count == 6)
        #expect(lc.timers(for: ClockFacts(s.aggregate)) == timers, "the facts carry all the clocks look at")
        let d = ClockTimer.digest(timers)
        #expect(d.count == 16 && d.allSatisfy(\.isHexDigit))
        #expect(ClockTimer.digest(timers.reversed()) == d)
        var moved = timers
        moved[0].dueAt = moved[0].dueAt.addingTimeInterval(1)
        #expect(ClockTimer.digest(moved) != d)
        #expect(ClockTimer.digest(Array(timers.dropLast())) != d)
        #expect(ClockTimer.digest([]) != d && ClockTimer.digest([]) == ClockTimer.digest([]))
        // What the sweep reads of a waiting order: no shares needed.
        #expect(!ClockFacts.needsShares(.pendingDispatch) && ClockFacts.needsShares(.handling))
    }
}

@Suite("SMS callback replies (R-CB-2)")
struct CallbackReplyTests {
    @Test("A digit 1–5 with an optional Y or N; anything else is not a reply")
    func parse() {
        #expect(CallbackReply(parsing: "1") == CallbackReply(parsing: "1Y"))
        #expect(CallbackReply(parsing: " 3 ")?.satisfaction == .basicallySatisfied && CallbackReply(parsing: "3")?.solved == true)
        #expect(CallbackReply(parsing: "4")?.solved == false && CallbackReply(parsing: "2n")?.solved == false)
        #expect(CallbackReply(parsing: "５")?.satisfaction == .veryUnsatisfied, "full-width digits too")
        #expect(CallbackReply(parsing: "6") == nil && CallbackReply(parsing: "好") == nil && CallbackReply(parsing: "2 maybe") == nil)
    }
}
