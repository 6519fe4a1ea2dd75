import Foundation
import Testing
@testable import HotlineCore

typealias F = Fixtures

/// Dispatch of the standard story: Monday 2026-11-23 10:00, complaint → 15 working days.
func dispatched(co: [UnitRef] = [], lead: UnitRef = F.district) throws -> Story {
    var s = try Story(intakeAt: "2026-11-23T09:00:00")
    try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: lead, coUnits: co)), by: F.dispatcher, at: "2026-11-23T10:00:00")
    return s
}

func expectViolation(_ code: String, _ kind: RuleViolation.Kind? = nil, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let v as RuleViolation {
        #expect(v.code == code, "\(v)", sourceLocation: sourceLocation)
        if let kind { #expect(v.kind == kind, sourceLocation: sourceLocation) }
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Intake (R-IN, R-WO-5)")
struct IntakeTests {
    @Test("Intake records a pending order with a dispatch deadline of 8 working hours (R-DIS-4)")
    func intake() throws {
        let s = try Story(intakeAt: "2026-11-23T10:00:00")
        #expect(s.order.status == .pendingDispatch)
        #expect(s.order.dispatchDueAt == F.t("2026-11-24T11:00:00"))
        #expect(s.events.map(\.action) == ["intake"])
    }

    @Test("Missing matter and phone are refused, each named")
    func intakeValidation() {
        var d = F.draft()
        d.elements.matter = " "
        d.citizen.phone = ""
        d.citizen.idNumber = "110101199003070000"
        do {
            _ = try F.lifecycle(at: "2026-11-23T10:00:00").intake(d, id: UUID(), number: "1", by: F.agent)
            Issue.record("accepted")
        } catch {
            let fields = Set(([error] + error.related).compactMap(\.field))
            #expect(fields == ["elements.matter", "citizen.phone", "citizen.idNumber"])
            #expect(error.kind == .invalid)
        }
    }

    @Test("Only agents and dispatchers take intake")
    func intakeRole() {
        expectViolation("forbidden", .forbidden) {
            _ = try F.lifecycle(at: "2026-11-23T10:00:00").intake(F.draft(), id: UUID(), number: "1", by: F.districtHandler)
        }
    }

    @Test("R-IN-6: sensitive keywords flag the order")
    func sensitive() throws {
        var d = F.draft()
        d.elements.course = "来电人称再不解决就去跳楼"
        let s = try Story(intakeAt: "2026-11-23T10:00:00", draft: d)
        #expect(s.order.isSensitive)
        #expect(s.events.contains { $0.action == "flagSensitive" && $0.note == "跳楼" })
    }

    @Test("R-IN-2 direct answer, R-IN-1 decline and guide close the order at intake")
    func closesAtIntake() throws {
        var a = try Story(intakeAt: "2026-11-23T10:00:00")
        try a.run(.directAnswer(answer: "社保卡补办请携带身份证到任一网点。", knowledgeArticleRef: "KB-0012"), by: F.agent, at: "2026-11-23T10:05:00")
        #expect(a.order.status == .closed && a.order.disposition == .directAnswer)
        var b = try Story(intakeAt: "2026-11-23T10:00:00")
        try b.run(.decline(reasonCode: "litigation", note: "已进入诉讼程序"), by: F.agent, at: "2026-11-23T10:05:00")
        #expect(b.order.disposition == .declined && b.order.declineReasonCode == "litigation")
        var c = try Story(intakeAt: "2026-11-23T10:00:00")
        try c.run(.guide(target: "110", note: "正在发生的治安事件"), by: F.agent, at: "2026-11-23T10:05:00")
        #expect(c.order.disposition == .guided && c.order.guideTarget == "110")
        // A closed order cannot be dispatched.
        expectViolation("illegal_transition", .conflict) {
            try c.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district)), by: F.dispatcher, at: "2026-11-23T11:00:00")
        }
    }

    @Test("R-IN-3: merge closes the new order into an open one; never into a closed one or itself")
    func merge() throws {
        let target = try dispatched()
        let source = try Story(intakeAt: "2026-11-23T11:00:00")
        let lc = F.lifecycle(at: "2026-11-23T11:05:00")
        let (s, t) = try lc.merge(source.aggregate, into: target.aggregate, by: F.agent, note: "同一路灯")
        #expect(s.aggregate.order.status == .closed && s.aggregate.order.disposition == .merged)
        #expect(s.aggregate.order.mergedIntoId == target.order.id)
        #expect(t.events.first?.action == "mergedIn")
        expectViolation("merge_into_self") { _ = try lc.merge(source.aggregate, into: source.aggregate, by: F.agent, note: nil) }
        var closed = try Story(intakeAt: "2026-11-23T09:00:00")
        try closed.run(.guide(target: "119", note: nil), by: F.agent, at: "2026-11-23T09:01:00")
        expectViolation("merge_target_closed") { _ = try lc.merge(source.aggregate, into: closed.aggregate, by: F.agent, note: nil) }
    }

    @Test("R-IN-3: a link names each order on the other's timeline and changes neither's handling; a closed order may be linked to")
    func link() throws {
        let source = try Story(intakeAt: "2026-11-23T11:00:00")
        var closed = try Story(intakeAt: "2026-11-23T09:00:00")
        try closed.run(.guide(target: "119", note: nil), by: F.agent, at: "2026-11-23T09:01:00")
        let lc = F.lifecycle(at: "2026-11-23T11:05:00")
        let (s, t) = try lc.link(source.aggregate, to: closed.aggregate, by: F.agent, note: "同一路灯")
        #expect(s.aggregate == source.aggregate, "the new order's state is untouched")
        #expect(s.events.map(\.action) == ["link"] && s.events[0].details["toId"] == closed.order.id.uuidString)
        #expect(t?.aggregate == closed.aggregate && t?.events.first?.details["from"] == source.order.number)
        expectViolation("link_to_self") { _ = try lc.link(source.aggregate, to: source.aggregate, by: F.agent, note: nil) }
        expectViolation("forbidden", .forbidden) { _ = try lc.link(source.aggregate, to: closed.aggregate, by: F.districtHandler, note: nil) }
    }

    @Test("Edits before dispatch record before and after")
    func edit() throws {
        var s = try Story(intakeAt: "2026-11-23T09:00:00")
        let e = try s.run(.edit(WorkOrderEdit(title: "路灯不亮(更正)", urgency: .urgent)), by: F.agent, at: "2026-11-23T09:10:00")
        #expect(s.order.title == "路灯不亮(更正)")
        #expect(e[0].details["before.urgency"] == "normal" && e[0].details["after.urgency"] == "urgent")
    }
}

@Suite("Dispatch (R-DIS)")
struct DispatchTests {
    @Test("转办 creates lead and co assignments with the rule's deadline (R-TIME-2)")
    func transfer() throws {
        let s = try dispatched(co: [F.water])
        #expect(s.order.status == .handling)
        #expect(s.aggregate.assignments.count == 2)
        #expect(s.lead.dueAt == F.t("2026-12-14T23:59:59"))  // 15 working days
        #expect(s.lead.signDueAt == F.t("2026-11-24T23:59:59"))
        #expect(s.order.dueAt == s.lead.dueAt)
        #expect(s.assignment(unit: F.water).role == .co)
    }

    @Test("Urgent orders are due the same day and must be signed within an hour")
    func urgent() throws {
        var s = try Story(intakeAt: "2026-11-23T09:00:00", draft: F.draft(urgency: .urgent))
        try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district)), by: F.dispatcher, at: "2026-11-23T10:00:00")
        #expect(s.lead.dueAt == F.t("2026-11-23T23:59:59"))
        #expect(s.lead.signDueAt == F.t("2026-11-23T11:00:00"))
    }

    @Test("Dispatch needs all six elements, named (R-WO-5)")
    func sixElements() throws {
        var d = F.draft()
        d.elements.course = ""
        d.elements.people = ""
        var s = try Story(intakeAt: "2026-11-23T09:00:00", draft: d)
        do {
            try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district)), by: F.dispatcher, at: "2026-11-23T10:00:00")
            Issue.record("dispatched")
        } catch let v as RuleViolation {
            #expect(Set(([v] + v.related).compactMap(\.field)) == ["elements.course", "elements.people"])
            #expect(s.order.status == .pendingDispatch)
        }
    }

    @Test("R-DIS-3: a complaint about a unit is not sent to it without an override")
    func conflictOfInterest() throws {
        var s = try Story(intakeAt: "2026-11-23T09:00:00", draft: F.draft(subject: F.district.id))
        expectViolation("conflict_of_interest", .conflict) {
            try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district)), by: F.dispatcher, at: "2026-11-23T10:00:00")
        }
        try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district, conflictOverrideReason: "属地唯一责任单位, 已屏蔽投诉人信息")), by: F.dispatcher, at: "2026-11-23T10:00:00")
        #expect(s.events.last { $0.action == "assign" }?.details["conflictOverride"] != nil)
    }

    @Test("呈办: escalate, the leader instructs, the instruction travels with the dispatch")
    func escalated() throws {
        var s = try Story(intakeAt: "2026-11-23T09:00:00")
        expectViolation("instruction_missing") {
            try s.run(.dispatch(DispatchPlan(mode: .escalated, lead: F.district)), by: F.dispatcher, at: "2026-11-23T09:30:00")
        }
        try s.run(.escalate(proposal: "涉及多个部门, 拟请市领导批示"), by: F.dispatcher, at: "2026-11-23T09:30:00")
        #expect(s.order.status == .awaitingInstruction)
        expectViolation("forbidden") { try s.run(.instruct(instruction: "x"), by: F.dispatcher, at: "2026-11-23T10:00:00") }
        try s.run(.instruct(instruction: "请朝阳区牵头, 自来水集团配合, 限期解决"), by: F.leader, at: "2026-11-23T11:00:00")
        #expect(s.order.status == .pendingDispatch)
        try s.run(.dispatch(DispatchPlan(mode: .escalated, lead: F.district, coUnits: [F.water])), by: F.dispatcher, at: "2026-11-23T11:30:00")
        #expect(s.order.handlingMode == .escalated)
        #expect(s.events.last { $0.action == "assign" }?.details["instruction"] == "请朝阳区牵头, 自来水集团配合, 限期解决")
    }

    @Test("直办 closes a consultation with the unit's answer given on the call")
    func direct() throws {
        var s = try Story(intakeAt: "2026-11-23T09:00:00", draft: F.draft(type: .consultation))
        try s.run(.dispatch(DispatchPlan(mode: .direct, lead: F.water, directAnswer: "停水将于今晚8点恢复")), by: F.dispatcher, at: "2026-11-23T09:10:00")
        #expect(s.order.status == .closed && s.order.disposition == .directDispatch)
        #expect(s.lead.status == .completed)
        var c = try Story(intakeAt: "2026-11-23T09:00:00")
        expectViolation("direct_mode_consultation_only") {
            try c.run(.dispatch(DispatchPlan(mode: .direct, lead: F.water, directAnswer: "x")), by: F.dispatcher, at: "2026-11-23T09:10:00")
        }
    }

    @Test("Only dispatchers dispatch, and not to the platform itself")
    func dispatchGuards() throws {
        var s = try Story(intakeAt: "2026-11-23T09:00:00")
        expectViolation("forbidden") { try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district)), by: F.agent, at: "2026-11-23T10:00:00") }
        expectViolation("not_a_handling_unit") { try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.platform)), by: F.dispatcher, at: "2026-11-23T10:00:00") }
        expectViolation("duplicate_unit") { try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district, coUnits: [F.district])), by: F.dispatcher, at: "2026-11-23T10:00:00") }
    }
}

@Suite("Handling by units (R-UH)")
struct HandlingTests {
    @Test("R-UH-1: signing is done by the unit's handler; late signing is recorded")
    func sign() throws {
        var s = try dispatched()
        expectViolation("forbidden") { try s.run(.sign(assignment: s.lead.id), by: F.waterHandler, at: "2026-11-23T11:00:00") }
        expectViolation("forbidden") { try s.run(.sign(assignment: s.lead.id), by: F.districtLeader, at: "2026-11-23T11:00:00") }
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-25T09:00:00")
        #expect(s.lead.status == .inHand && s.lead.signedLate)
        expectViolation("illegal_transition") { try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-25T09:01:00") }
    }

    @Test("R-UH-2: return → unit leader → platform accepts → order back to dispatch")
    func returnAccepted() throws {
        var s = try dispatched(co: [F.water])
        let id = s.lead.id
        try s.run(.requestReturn(assignment: id, reason: "不属于本单位职责", basis: "《朝阳区职责分工》第3条"), by: F.districtHandler, at: "2026-11-23T15:00:00")
        #expect(s.lead.status == .returnRequested)
        try s.run(.approveReturn(assignment: id, approve: true, note: nil), by: F.districtLeader, at: "2026-11-24T09:00:00")
        #expect(s.lead.status == .returnPending && s.lead.pausedAt != nil)
        try s.run(.decideReturn(assignment: id, accept: true, note: "改派自来水集团"), by: F.dispatcher, at: "2026-11-24T10:00:00")
        #expect(s.order.status == .pendingDispatch)
        #expect(s.aggregate.assignments.allSatisfy { !$0.status.isActive })
        try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.water)), by: F.dispatcher, at: "2026-11-24T11:00:00")
        #expect(s.order.status == .handling && s.lead.unit == F.water)
    }

    @Test("R-UH-2 and R-TIME-3: a refused return keeps the unit on it, deadline moved by the pause")
    func returnRefused() throws {
        var s = try dispatched()
        let id = s.lead.id
        let due = s.lead.dueAt
        try s.run(.requestReturn(assignment: id, reason: "非本单位职责", basis: "三定方案"), by: F.districtHandler, at: "2026-11-23T15:00:00")
        try s.run(.approveReturn(assignment: id, approve: true, note: nil), by: F.districtLeader, at: "2026-11-23T16:00:00")
        try s.run(.decideReturn(assignment: id, accept: false, note: "属地管理, 由区政府办理"), by: F.reviewer, at: "2026-11-25T10:00:00")
        #expect(s.lead.status == .inHand && s.lead.signedAt != nil)
        // Paused Mon, resumed Wed: 2 working days (Tue, Wed) added.
        #expect(s.lead.dueAt == F.t("2026-12-16T23:59:59") && s.lead.dueAt > due)
        #expect(s.order.dueAt == s.lead.dueAt)
    }

    @Test("R-UH-2: after 1 working day from receipt a return is refused")
    func returnWindow() throws {
        var s = try dispatched()
        expectViolation("return_window_closed", .conflict) {
            try s.run(.requestReturn(assignment: s.lead.id, reason: "r", basis: "b"), by: F.districtHandler, at: "2026-11-25T00:00:00")
        }
        #expect(s.lead.status == .toSign)
        // Asked in time, but the leader approves too late.
        try s.run(.requestReturn(assignment: s.lead.id, reason: "r", basis: "b"), by: F.districtHandler, at: "2026-11-24T17:00:00")
        expectViolation("return_window_closed") {
            try s.run(.approveReturn(assignment: s.lead.id, approve: true, note: nil), by: F.districtLeader, at: "2026-11-25T09:00:00")
        }
        // The leader can still refuse it.
        try s.run(.approveReturn(assignment: s.lead.id, approve: false, note: "本单位办理"), by: F.districtLeader, at: "2026-11-25T09:00:00")
        #expect(s.lead.status == .toSign)
    }

    @Test("Return needs a reason and a basis")
    func returnFields() throws {
        var s = try dispatched()
        expectViolation("validation_failed", .invalid) {
            try s.run(.requestReturn(assignment: s.lead.id, reason: "不归我们管", basis: ""), by: F.districtHandler, at: "2026-11-23T15:00:00")
        }
    }

    @Test("R-UH-4: sub-dispatch to an own level-3 unit, its answer reviewed before reporting up")
    func subDispatch() throws {
        var s = try dispatched()
        let lead = s.lead.id
        try s.run(.sign(assignment: lead), by: F.districtHandler, at: "2026-11-23T11:00:00")
        var foreign = F.street
        foreign.parentId = F.water.id
        expectViolation("not_a_sub_unit") { try s.run(.subDispatch(assignment: lead, to: foreign, note: nil), by: F.districtHandler, at: "2026-11-23T11:10:00") }
        try s.run(.subDispatch(assignment: lead, to: F.street, note: "请建外街道核实"), by: F.districtHandler, at: "2026-11-23T11:10:00")
        let child = s.assignment(unit: F.street)
        #expect(child.parentId == lead && child.dueAt == s.lead.dueAt)
        // The district cannot report up while the street is still working.
        expectViolation("sub_assignments_open") {
            try s.run(.submitFeedback(assignment: lead, F.feedback(at: F.t("2026-11-24T10:00:00"))), by: F.districtHandler, at: "2026-11-24T10:00:00")
        }
        try s.run(.sign(assignment: child.id), by: F.streetHandler, at: "2026-11-23T14:00:00")
        try s.run(.submitFeedback(assignment: child.id, F.feedback(at: F.t("2026-11-24T09:00:00"))), by: F.streetHandler, at: "2026-11-24T09:30:00")
        try s.run(.approveFeedback(assignment: child.id, approve: true, note: nil), by: F.streetLeader, at: "2026-11-24T10:00:00")
        #expect(s.assignment(unit: F.street).status == .feedbackSubmitted)
        #expect(s.order.status == .handling)  // a sub-unit's answer goes to its parent, not the platform
        expectViolation("forbidden") { try s.run(.reviewSubAnswer(assignment: child.id, approve: true, note: nil), by: F.streetLeader, at: "2026-11-24T10:30:00") }
        try s.run(.reviewSubAnswer(assignment: child.id, approve: false, note: "请补充整改时间"), by: F.districtHandler, at: "2026-11-24T10:30:00")
        #expect(s.assignment(unit: F.street).status == .inHand && s.assignment(unit: F.street).redoCount == 1)
        try s.run(.submitFeedback(assignment: child.id, F.feedback(at: F.t("2026-11-24T11:00:00"))), by: F.streetHandler, at: "2026-11-24T11:00:00")
        try s.run(.approveFeedback(assignment: child.id, approve: true, note: nil), by: F.streetLeader, at: "2026-11-24T11:10:00")
        try s.run(.reviewSubAnswer(assignment: child.id, approve: true, note: nil), by: F.districtLeader, at: "2026-11-24T11:20:00")
        try s.run(.submitFeedback(assignment: lead, F.feedback(at: F.t("2026-11-24T11:00:00"))), by: F.districtHandler, at: "2026-11-24T11:30:00")
        #expect(s.lead.status == .feedbackPendingApproval)
    }

    @Test("R-UH-5: co-units send their opinion before the lead's deadline; only the lead writes feedback")
    func coUnit() throws {
        var s = try dispatched(co: [F.water])
        let co = s.assignment(unit: F.water).id
        try s.run(.sign(assignment: co), by: F.waterHandler, at: "2026-11-23T11:00:00")
        expectViolation("illegal_transition") {
            try s.run(.submitFeedback(assignment: co, F.feedback(at: F.t("2026-11-24T10:00:00"))), by: F.waterHandler, at: "2026-11-24T10:00:00")
        }
        expectViolation("opinion_window_closed") { try s.run(.submitOpinion(assignment: co, opinion: "管线属区管"), by: F.waterHandler, at: "2026-12-15T09:00:00") }
        try s.run(.submitOpinion(assignment: co, opinion: "经查, 供水管线正常, 建议区市政排查路灯线路"), by: F.waterHandler, at: "2026-11-25T09:00:00")
        #expect(s.assignment(unit: F.water).status == .completed)
    }

    @Test("R-UH-3: a help request carries a contact deadline of 1 working day")
    func contact() throws {
        var s = try Story(intakeAt: "2026-11-23T09:00:00", draft: F.draft(type: .help))
        try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district)), by: F.dispatcher, at: "2026-11-23T10:00:00")
        #expect(s.lead.contactDueAt == F.t("2026-11-24T23:59:59"))
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-23T11:00:00")
        let e = try s.run(.recordContact(assignment: s.lead.id, method: .phone, note: "已电话联系"), by: F.districtHandler, at: "2026-11-25T09:00:00")
        #expect(e[0].details["late"] == "true")
        #expect(s.lead.contactedAt == F.t("2026-11-25T09:00:00"))
    }
}

@Suite("Extensions (R-UH-6)")
struct ExtensionTests {
    func signed() throws -> Story {
        var s = try dispatched()
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-23T11:00:00")
        return s
    }

    @Test("Request → unit leader → platform approves → deadline moves in working days")
    func approved() throws {
        var s = try signed()
        try s.run(.requestExtension(assignment: s.lead.id, amount: 5, reason: "需协调供电公司"), by: F.districtHandler, at: "2026-12-10T10:00:00")
        let ext = s.aggregate.extensions[0]
        expectViolation("forbidden") { try s.run(.approveExtension(extension: ext.id, approve: true, note: nil), by: F.districtHandler, at: "2026-12-10T11:00:00") }
        try s.run(.approveExtension(extension: ext.id, approve: true, note: nil), by: F.districtLeader, at: "2026-12-10T11:00:00")
        expectViolation("forbidden") { try s.run(.decideExtension(extension: ext.id, approve: true, note: nil), by: F.districtLeader, at: "2026-12-10T14:00:00") }
        let e = try s.run(.decideExtension(extension: ext.id, approve: true, note: nil), by: F.reviewer, at: "2026-12-10T14:00:00")
        // 12-14 + 5 working days = 12-21.
        #expect(s.lead.dueAt == F.t("2026-12-21T23:59:59"))
        #expect(s.order.dueAt == s.lead.dueAt)
        #expect(e[0].details["informCitizen"] == "true")
    }

    @Test("No later than 1 working day before the deadline")
    func tooLate() throws {
        var s = try signed()
        // Deadline Mon 12-14: the last moment to ask is the end of Fri 12-11.
        expectViolation("extension_window_closed", .conflict) {
            try s.run(.requestExtension(assignment: s.lead.id, amount: 3, reason: "r"), by: F.districtHandler, at: "2026-12-14T09:00:00")
        }
        try s.run(.requestExtension(assignment: s.lead.id, amount: 3, reason: "r"), by: F.districtHandler, at: "2026-12-11T23:00:00")
        expectViolation("extension_pending") {
            try s.run(.requestExtension(assignment: s.lead.id, amount: 3, reason: "r"), by: F.districtHandler, at: "2026-12-11T23:10:00")
        }
    }

    @Test("No longer than the original limit nor the configured maximum")
    func tooLong() throws {
        var s = try signed()
        expectViolation("extension_too_long", .invalid) {
            try s.run(.requestExtension(assignment: s.lead.id, amount: 16, reason: "r"), by: F.districtHandler, at: "2026-12-01T09:00:00")
        }
        var p = Policy()
        try p.apply("extension.maxWorkingDays", "10")
        expectViolation("extension_too_long") {
            try s.run(.requestExtension(assignment: s.lead.id, amount: 12, reason: "r"), by: F.districtHandler, at: "2026-12-01T09:00:00", policy: p)
        }
        try s.run(.requestExtension(assignment: s.lead.id, amount: 10, reason: "r"), by: F.districtHandler, at: "2026-12-01T09:00:00", policy: p)
    }

    @Test("Rejected by the unit leader or the platform leaves the deadline alone")
    func rejected() throws {
        var s = try signed()
        let due = s.lead.dueAt
        try s.run(.requestExtension(assignment: s.lead.id, amount: 2, reason: "r"), by: F.districtHandler, at: "2026-12-01T09:00:00")
        try s.run(.approveExtension(extension: s.aggregate.extensions[0].id, approve: true, note: nil), by: F.districtLeader, at: "2026-12-01T10:00:00")
        try s.run(.decideExtension(extension: s.aggregate.extensions[0].id, approve: false, note: "理由不充分"), by: F.reviewer, at: "2026-12-01T11:00:00")
        #expect(s.aggregate.extensions[0].status == .rejected && s.lead.dueAt == due)
        expectViolation("illegal_transition") {
            try s.run(.decideExtension(extension: s.aggregate.extensions[0].id, approve: true, note: nil), by: F.reviewer, at: "2026-12-01T11:05:00")
        }
    }
}

@Suite("Feedback, review, callback, close (R-UH-7, R-CB)")
struct ReviewTests {
    func awaitingReview() throws -> Story {
        var s = try dispatched()
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-23T11:00:00")
        try s.run(.submitFeedback(assignment: s.lead.id, F.feedback(at: F.t("2026-11-24T10:00:00"))), by: F.districtHandler, at: "2026-11-24T15:00:00")
        try s.run(.approveFeedback(assignment: s.lead.id, approve: true, note: nil), by: F.districtLeader, at: "2026-11-24T16:00:00")
        return s
    }

    @Test("R-UH-7: feedback missing parts is refused part by part")
    func incompleteFeedback() throws {
        var s = try dispatched()
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-23T11:00:00")
        var f = F.feedback(at: F.t("2026-11-24T10:00:00"))
        f.policyReferences = ""
        f.responsiblePerson = " "
        do {
            try s.run(.submitFeedback(assignment: s.lead.id, f), by: F.districtHandler, at: "2026-11-24T15:00:00")
            Issue.record("accepted")
        } catch let v as RuleViolation {
            #expect(v.code == "feedback_incomplete")
            #expect(Set(([v] + v.related).compactMap(\.field)) == ["feedback.policyReferences", "feedback.responsiblePerson"])
        }
        #expect(s.lead.status == .inHand)
    }

    @Test("The unit leader may send feedback back before it leaves the unit")
    func leaderRejects() throws {
        var s = try dispatched()
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-23T11:00:00")
        try s.run(.submitFeedback(assignment: s.lead.id, F.feedback(at: F.t("2026-11-24T10:00:00"))), by: F.districtHandler, at: "2026-11-24T15:00:00")
        try s.run(.approveFeedback(assignment: s.lead.id, approve: false, note: "回复不够具体"), by: F.districtLeader, at: "2026-11-24T16:00:00")
        #expect(s.lead.status == .inHand && s.order.status == .handling)
    }

    @Test("R-CB-1: redo with reasons is counted and goes back to the unit")
    func redo() throws {
        var s = try awaitingReview()
        #expect(s.order.status == .awaitingReview)
        expectViolation("validation_failed") { try s.run(.review(approve: false, reasons: nil), by: F.reviewer, at: "2026-11-25T09:00:00") }
        try s.run(.review(approve: false, reasons: "未说明具体修复时间"), by: F.reviewer, at: "2026-11-25T09:00:00")
        #expect(s.order.status == .handling && s.order.redoCount == 1 && s.lead.redoCount == 1 && s.lead.status == .inHand)
    }

    @Test("R-CB-2: approve → callback → satisfied closes; archive makes it read-only (R-CB-5)")
    func happyPath() throws {
        var s = try awaitingReview()
        expectViolation("forbidden") { try s.run(.review(approve: true, reasons: nil), by: F.dispatcher, at: "2026-11-25T09:00:00") }
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-25T09:00:00")
        #expect(s.order.status == .awaitingCallback)
        #expect(s.order.callbackDueAt == F.t("2026-11-30T23:59:59"))
        try s.run(.callback(CallbackRecord(method: .phone, reached: true, satisfaction: .satisfied, solved: true, note: nil), reasonable: false), by: F.callbackAgent, at: "2026-11-26T10:00:00")
        #expect(s.order.status == .closed && s.order.disposition == .resolved)
        try s.run(.archive, by: F.admin, at: "2026-12-30T10:00:00")
        #expect(s.order.status == .archived)
        expectViolation("archived") { try s.run(.appeal(reason: "x"), by: F.agent, at: "2026-12-30T11:00:00") }
    }

    @Test("R-CB-2: a reached citizen needs satisfaction and solved")
    func callbackFields() throws {
        var s = try awaitingReview()
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-25T09:00:00")
        expectViolation("validation_failed") {
            try s.run(.callback(CallbackRecord(method: .phone, reached: true, satisfaction: nil, solved: true, note: nil), reasonable: false), by: F.callbackAgent, at: "2026-11-26T10:00:00")
        }
    }

    @Test("R-CB-2: unreachable after the configured number of tries closes the order")
    func unreachable() throws {
        var s = try awaitingReview()
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-25T09:00:00")
        let miss = CallbackRecord(method: .phone, reached: false, satisfaction: nil, solved: nil, note: "无人接听")
        try s.run(.callback(miss, reasonable: false), by: F.callbackAgent, at: "2026-11-25T10:00:00")
        try s.run(.callback(miss, reasonable: false), by: F.callbackAgent, at: "2026-11-25T15:00:00")
        #expect(s.order.status == .awaitingCallback)
        try s.run(.callback(miss, reasonable: false), by: F.callbackAgent, at: "2026-11-26T10:00:00")
        #expect(s.order.status == .closed && s.order.callbackAttempts == 3)
    }

    @Test("R-CB-3: unsatisfied and reasonable → redo under supervision")
    func unsatisfied() throws {
        var s = try awaitingReview()
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-25T09:00:00")
        try s.run(.callback(CallbackRecord(method: .phone, reached: true, satisfaction: .unsatisfied, solved: false, note: "路灯仍不亮"), reasonable: true), by: F.callbackAgent, at: "2026-11-26T10:00:00")
        #expect(s.order.status == .handling && s.order.redoCount == 1)
        #expect(s.aggregate.supervisions.filter(\.isOpen).count == 1)
        #expect(s.lead.status == .inHand)
    }

    @Test("Sampling: an approved order that is not sampled closes without a callback")
    func notSampled() throws {
        var s = try awaitingReview()
        var p = Policy()
        try p.apply("callback.samplingRatio", "0.3")
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-25T09:00:00", policy: p, sample: 0.5)
        #expect(s.order.status == .closed)
    }

    @Test("R-CB-4: appeal within the window reopens for review; upheld closes again, redo reopens")
    func appeal() throws {
        var s = try awaitingReview()
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-25T09:00:00")
        try s.run(.callback(CallbackRecord(method: .phone, reached: true, satisfaction: .basicallySatisfied, solved: true, note: nil), reasonable: false), by: F.callbackAgent, at: "2026-11-26T10:00:00")
        expectViolation("appeal_window_closed") { try s.run(.appeal(reason: "x"), by: F.agent, at: "2027-01-10T10:00:00") }
        try s.run(.appeal(reason: "问题复发"), by: F.agent, at: "2026-12-01T10:00:00")
        #expect(s.order.status == .awaitingReview && s.order.appealPending)
        try s.run(.review(approve: false, reasons: "复核: 请重新处理"), by: F.reviewer, at: "2026-12-01T11:00:00")
        #expect(s.order.status == .handling && s.lead.status == .inHand && !s.order.appealPending)
    }

    @Test("R-SUP-2: reminders and supervision are recorded; supervision closes with the order")
    func supervision() throws {
        var s = try dispatched()
        try s.run(.remind(assignment: s.lead.id, note: "请尽快签收"), by: F.supervisor, at: "2026-11-24T16:00:00")
        #expect(s.lead.reminderCount == 1 && s.aggregate.reminders.count == 1)
        expectViolation("forbidden") { try s.run(.supervise(assignment: nil, method: .phone, note: "x", instruction: nil), by: F.agent, at: "2026-11-24T16:00:00") }
        try s.run(.supervise(assignment: s.lead.id, method: .onSite, note: "现场督办", instruction: "本周内修复"), by: F.supervisor, at: "2026-11-25T10:00:00")
        let sid = s.aggregate.supervisions[0].id
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-25T11:00:00")
        try s.run(.submitFeedback(assignment: s.lead.id, F.feedback(at: F.t("2026-11-26T10:00:00"))), by: F.districtHandler, at: "2026-11-26T15:00:00")
        try s.run(.approveFeedback(assignment: s.lead.id, approve: true, note: nil), by: F.districtLeader, at: "2026-11-26T16:00:00")
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-27T09:00:00")
        try s.run(.close(note: "市民不愿接受回访"), by: F.callbackAgent, at: "2026-11-27T10:00:00")
        #expect(s.aggregate.supervisions[0].closedAt != nil)
        expectViolation("illegal_transition") { try s.run(.closeSupervision(supervision: sid, note: nil), by: F.supervisor, at: "2026-11-27T11:00:00") }
    }

    @Test("Every transition writes at least one event")
    func everythingRecorded() throws {
        var s = try awaitingReview()
        let before = s.events.count
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-25T09:00:00")
        #expect(s.events.count > before)
        #expect(s.events.allSatisfy { !$0.action.isEmpty })
    }
}

@Suite("Masking (R-WO-6)")
struct MaskingTests {
    @Test("Names, phones, IDs and addresses are masked")
    func masks() {
        #expect(Masking.name("张三") == "张*")
        #expect(Masking.phone("13812345678") == "138****5678")
        #expect(Masking.idNumber("11010519491231002X") == "110105********002X")
        #expect(Masking.address("朝阳区建国路88号3单元") == "朝阳区建国路****")
        #expect(Masking.phonesInText("请回电13812345678谢谢") == "请回电138****5678谢谢")
    }

    @Test("Resident ID check digits are verified")
    func idCheck() {
        #expect(Intake.isResidentIdNumber("11010519491231002X"))
        #expect(!Intake.isResidentIdNumber("110105194912310021"))
    }
}

@Suite("Time-limit rules and parameters (R-TIME-2, R-ADM-1)")
struct RulesTests {
    @Test("The most specific rule wins; urgency outranks type")
    func resolve() {
        var rules = TimeLimitRules.defaults
        #expect(rules.resolve(type: .complaint, category: "01", urgency: .normal) == .workingDays(15))
        #expect(rules.resolve(type: .consultation, category: "01", urgency: .normal) == .workingDays(2))
        #expect(rules.resolve(type: .complaint, category: "01", urgency: .urgent) == .naturalDays(0))
        rules.rules.append(TimeLimitRule(requestType: .complaint, categoryPrefix: "0101", limit: .workingDays(10)))
        #expect(rules.resolve(type: .complaint, category: "010102", urgency: .normal) == .workingDays(10))
        #expect(TimeLimitRules([]).resolve(type: .help, category: "x", urgency: .normal) == TimeLimitRules.fallback)
    }

    @Test("Parameters parse by key and refuse bad values by name")
    func parameters() throws {
        var p = Policy()
        try p.apply("sign.limit", "2 workingDays")
        #expect(p.signLimit == .workingDays(2))
        #expect(p.value(of: "sign.limit") == "2 workingDays")
        #expect(throws: RuleViolation.self) { try p.apply("sign.limit", "two days") }
        #expect(throws: RuleViolation.self) { try p.apply("no.such", "1") }
        for key in Policy.keys { #expect(p.value(of: key.name) != nil, "\(key.name)") }
    }
}
