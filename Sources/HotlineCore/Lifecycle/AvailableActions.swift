import Foundation

/// One thing a person may do to an order now: an action of `Command` and what it acts on.
public struct AvailableAction: Equatable, Hashable, Sendable {
    /// `Command.action`, e.g. `sign`, `submitFeedback`.
    public var action: String
    public var assignmentId: UUID?
    public var extensionId: UUID?
    public var supervisionId: UUID?

    public init(_ action: String, assignmentId: UUID? = nil, extensionId: UUID? = nil, supervisionId: UUID? = nil) {
        self.action = action
        self.assignmentId = assignmentId
        self.extensionId = extensionId
        self.supervisionId = supervisionId
    }
}

extension Lifecycle {
    /// Everything `actor` may do to the order now, found by asking `apply` itself with sample
    /// input, so the console offers exactly what the rules accept and the two cannot drift
    /// apart. An action counts as available when the rules accept it, or refuse only the
    /// sample input (`.invalid`): the role, the unit, the state and the time windows allow it,
    /// and the person's own input decides.
    public func availableActions(on a: WorkOrderAggregate, by actor: Actor) -> [AvailableAction] {
        candidates(for: a).filter { candidate, command in
            do throws(RuleViolation) {
                _ = try apply(command, to: a, by: actor)
                return true
            } catch {
                return error.kind == .invalid
            }
        }.map(\.0)
    }

    /// Each action with sample input, once per assignment, extension or supervision it can
    /// act on.
    private func candidates(for a: WorkOrderAggregate) -> [(AvailableAction, Command)] {
        let sample = "—"
        var out: [(AvailableAction, Command)] = [
            (AvailableAction("edit"), .edit(WorkOrderEdit())),
            (AvailableAction("directAnswer"), .directAnswer(answer: sample, knowledgeArticleRef: nil)),
            (AvailableAction("decline"), .decline(reasonCode: sample, note: nil)),
            (AvailableAction("guide"), .guide(target: sample, note: nil)),
            (AvailableAction("escalate"), .escalate(proposal: sample)),
            (AvailableAction("instruct"), .instruct(instruction: sample)),
            (AvailableAction("review"), .review(approve: true, reasons: nil)),
            (AvailableAction("supervise"), .supervise(assignment: nil, method: .phone, note: sample, instruction: nil)),
            (AvailableAction("callback"), .callback(CallbackRecord(method: .phone, reached: true, satisfaction: .satisfied, solved: true, note: nil), reasonable: false)),
            (AvailableAction("close"), .close(note: sample)),
            (AvailableAction("appeal"), .appeal(reason: sample)),
            (AvailableAction("archive"), .archive),
        ]
        // A unit no order names: a sample dispatch meets no conflict of interest (R-DIS-3).
        let elsewhere = UnitRef(id: UUID(), name: sample, level: 2, parentId: nil, path: "/")
        out.append((AvailableAction("dispatch"), .dispatch(DispatchPlan(mode: .transfer, lead: elsewhere, coUnits: [], timeLimit: nil, conflictOverrideReason: nil, directAnswer: nil, note: nil))))
        let feedback = Feedback(
            answer: sample, result: .solved, contactMethod: .phone, contactedAt: now, citizenOpinion: sample,
            policyReferences: sample, responsiblePerson: sample, responsiblePhone: sample)
        for asg in a.assignments {
            let id = asg.id
            let child = UnitRef(id: UUID(), name: sample, level: 3, parentId: asg.unit.id, path: asg.unit.path)
            let commands: [Command] = [
                .sign(assignment: id),
                .recordContact(assignment: id, method: .phone, note: nil),
                .requestReturn(assignment: id, reason: sample, basis: sample),
                .approveReturn(assignment: id, approve: true, note: nil),
                .decideReturn(assignment: id, accept: true, note: nil),
                .subDispatch(assignment: id, to: child, note: nil),
                .reviewSubAnswer(assignment: id, approve: true, note: nil),
                .submitOpinion(assignment: id, opinion: sample),
                .requestExtension(assignment: id, amount: 1, reason: sample),
                .submitFeedback(assignment: id, feedback),
                .approveFeedback(assignment: id, approve: true, note: nil),
                .remind(assignment: id, note: sample),
            ]
            out += commands.map { (AvailableAction($0.action, assignmentId: id), $0) }
        }
        for e in a.extensions {
            out.append((AvailableAction("approveExtension", extensionId: e.id), .approveExtension(extension: e.id, approve: true, note: nil)))
            out.append((AvailableAction("decideExtension", extensionId: e.id), .decideExtension(extension: e.id, approve: true, note: nil)))
        }
        for s in a.supervisions where s.closedAt == nil {
            out.append((AvailableAction("closeSupervision", supervisionId: s.id), .closeSupervision(supervision: s.id, note: nil)))
        }
        return out
    }
}
