import Foundation
import Testing
@testable import HotlineCore

@Suite("Available actions: what the console offers each person ([console] 6)")
struct AvailableActionsTests {
    static let everyone: [(String, Actor)] = [
        ("agent", F.agent), ("dispatcher", F.dispatcher), ("reviewer", F.reviewer), ("supervisor", F.supervisor),
        ("callbackAgent", F.callbackAgent), ("leader", F.leader), ("admin", F.admin), ("districtHandler", F.districtHandler),
        ("districtLeader", F.districtLeader), ("streetHandler", F.streetHandler), ("waterHandler", F.waterHandler),
    ]

    /// The orders of a story at each of its main states.
    static func states() throws -> [(String, WorkOrderAggregate, String)] {
        var out: [(String, WorkOrderAggregate, String)] = []
        let intake = try Story(intakeAt: "2026-11-23T09:00:00")
        out.append(("pendingDispatch", intake.aggregate, "2026-11-23T09:30:00"))
        var s = try dispatched()
        out.append(("toSign", s.aggregate, "2026-11-23T10:30:00"))
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-23T11:00:00")
        out.append(("inHand", s.aggregate, "2026-11-23T11:30:00"))
        try s.run(.submitFeedback(assignment: s.lead.id, F.feedback(at: F.t("2026-11-24T10:00:00"))), by: F.districtHandler, at: "2026-11-24T11:00:00")
        out.append(("feedbackPendingApproval", s.aggregate, "2026-11-24T11:30:00"))
        try s.run(.approveFeedback(assignment: s.lead.id, approve: true, note: nil), by: F.districtLeader, at: "2026-11-24T14:00:00")
        out.append(("awaitingReview", s.aggregate, "2026-11-24T15:00:00"))
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-24T16:00:00", sample: 0)
        out.append(("awaitingCallback", s.aggregate, "2026-11-25T10:00:00"))
        return out
    }

    @Test("Every action offered is one the rules take (or refuse only for its input), and none is missing")
    func offeredIsAccepted() throws {
        for (state, aggregate, time) in try Self.states() {
            let lifecycle = F.lifecycle(at: time)
            for (who, actor) in Self.everyone {
                let offered = Set(lifecycle.availableActions(on: aggregate, by: actor))
                // Ask the rules directly for a broad sample of commands and compare.
                for (action, command) in Self.probes(aggregate) {
                    let accepted: Bool
                    do {
                        _ = try lifecycle.apply(command, to: aggregate, by: actor)
                        accepted = true
                    } catch let v as RuleViolation {
                        accepted = v.kind == .invalid
                    }
                    #expect(offered.contains(action) == accepted, "\(state), \(who), \(action.action): offered \(offered.contains(action)), rules say \(accepted)")
                }
            }
        }
    }

    @Test("The expected people get the expected actions at each state")
    func expected() throws {
        let states = Dictionary(uniqueKeysWithValues: try Self.states().map { ($0.0, ($0.1, $0.2)) })
        func names(_ state: String, _ actor: Actor) -> Set<String> {
            let (a, time) = states[state]!
            return Set(F.lifecycle(at: time).availableActions(on: a, by: actor).map(\.action))
        }
        #expect(names("pendingDispatch", F.agent) == ["edit", "directAnswer", "decline", "guide"])
        #expect(names("pendingDispatch", F.dispatcher).isSuperset(of: ["dispatch", "escalate", "edit"]))
        #expect(names("pendingDispatch", F.districtHandler).isEmpty)
        #expect(names("toSign", F.districtHandler).isSuperset(of: ["sign", "requestReturn"]))
        #expect(!names("toSign", F.districtLeader).contains("sign"))
        #expect(names("toSign", F.waterHandler).isEmpty, "another unit is offered nothing")
        #expect(names("inHand", F.districtHandler).isSuperset(of: ["submitFeedback", "requestExtension", "subDispatch"]))
        #expect(names("inHand", F.supervisor).isSuperset(of: ["remind", "supervise"]))
        #expect(names("feedbackPendingApproval", F.districtLeader).contains("approveFeedback"))
        #expect(names("awaitingReview", F.reviewer).contains("review"))
        #expect(names("awaitingReview", F.agent).isEmpty)
        #expect(names("awaitingCallback", F.callbackAgent).isSuperset(of: ["callback", "close"]))
    }

    /// The same kinds of commands `availableActions` asks about, built independently here.
    static func probes(_ a: WorkOrderAggregate) -> [(AvailableAction, Command)] {
        var out: [(AvailableAction, Command)] = [
            (AvailableAction("directAnswer"), .directAnswer(answer: "答复", knowledgeArticleRef: nil)),
            (AvailableAction("decline"), .decline(reasonCode: "noSubstance", note: nil)),
            (AvailableAction("escalate"), .escalate(proposal: "建议")),
            (AvailableAction("instruct"), .instruct(instruction: "批示")),
            (AvailableAction("dispatch"), .dispatch(DispatchPlan(mode: .transfer, lead: F.water, coUnits: []))),
            (AvailableAction("review"), .review(approve: false, reasons: "不完整")),
            (AvailableAction("close"), .close(note: "办结")),
            (AvailableAction("archive"), .archive),
        ]
        for asg in a.assignments {
            out += [
                (AvailableAction("sign", assignmentId: asg.id), .sign(assignment: asg.id)),
                (AvailableAction("submitFeedback", assignmentId: asg.id), .submitFeedback(assignment: asg.id, F.feedback(at: F.t("2026-11-24T09:00:00")))),
                (AvailableAction("approveFeedback", assignmentId: asg.id), .approveFeedback(assignment: asg.id, approve: false, note: "补充")),
                (AvailableAction("remind", assignmentId: asg.id), .remind(assignment: asg.id, note: "请抓紧")),
                (AvailableAction("requestReturn", assignmentId: asg.id), .requestReturn(assignment: asg.id, reason: "非职责", basis: "三定方案")),
            ]
        }
        return out
    }
}
