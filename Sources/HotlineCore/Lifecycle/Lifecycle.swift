import Foundation

/// What a transition needs besides the order: the time, the calendar and the parameters.
public struct LifecycleContext: Sendable {
    public var now: Date
    public var calendar: WorkingCalendar
    public var policy: Policy
    public var limits: TimeLimitRules
    public var newID: @Sendable () -> UUID
    /// A number in 0..<1 for callback sampling; tests pin it.
    public var sample: @Sendable () -> Double

    public init(
        now: Date, calendar: WorkingCalendar, policy: Policy = Policy(), limits: TimeLimitRules = .defaults,
        newID: @escaping @Sendable () -> UUID = { UUID() }, sample: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.now = now
        self.calendar = calendar
        self.policy = policy
        self.limits = limits
        self.newID = newID
        self.sample = sample
    }
}

/// The result of a transition: the new state and the events that record it.
public struct Transition: Sendable, Equatable {
    public var aggregate: WorkOrderAggregate
    public var events: [DomainEvent]

    public init(aggregate: WorkOrderAggregate, events: [DomainEvent]) {
        self.aggregate = aggregate
        self.events = events
    }

    /// This transition followed by `next` (taken on this one's aggregate).
    public func then(_ next: Transition) -> Transition {
        Transition(aggregate: next.aggregate, events: events + next.events)
    }
}

/// The work-order lifecycle: intake → dispatch → handling → feedback → review → callback →
/// close → archive, with every branch of SPEC §5–§10. Pure: values in, values and events out.
/// Each guard names who may act, in which state and within which window (docs/lifecycle.md).
public struct Lifecycle: Sendable {
    public var context: LifecycleContext

    public init(_ context: LifecycleContext) { self.context = context }

    var now: Date { context.now }
    var calendar: WorkingCalendar { context.calendar }
    var policy: Policy { context.policy }

    // MARK: Intake (R-IN)

    /// 受理: records a new order waiting for dispatch, with its dispatch light (R-DIS-4).
    public func intake(_ draft: IntakeDraft, id: UUID, number: String, by actor: Actor) throws(RuleViolation) -> Transition {
        try require(actor, anyOf: [.agent, .dispatcher], "intake")
        if let problem = RuleViolation.all(Intake.validate(draft)) { throw problem }
        var order = WorkOrder(
            id: id, number: number, channel: draft.channel, requestType: draft.requestType,
            categoryCode: draft.categoryCode.trimmed, urgency: draft.urgency,
            title: draft.title.trimmed, elements: draft.elements,
            citizen: draft.citizen, subjectUnitId: draft.subjectUnitId, createdAt: now, createdBy: actor.accountId)
        let d = calendar.deadline(from: now, limit: policy.dispatchLimit, margin: policy.warningMargin)
        order.dispatchDueAt = d.dueAt
        order.dispatchWarnAt = d.warnAt
        var events = [DomainEvent("intake", to: order.status.rawValue, details: ["number": number, "channel": draft.channel.rawValue, "requestType": draft.requestType.rawValue])]
        let hits = Intake.sensitiveKeywords(in: draft, keywords: policy.sensitiveKeywords)
        if !hits.isEmpty || draft.urgency == .emergency {
            // R-IN-6: flag and leave a trace a supervisor's queue picks up.
            order.isSensitive = true
            events.append(DomainEvent("flagSensitive", note: hits.isEmpty ? "emergency" : hits.joined(separator: ","), details: ["keywords": hits.joined(separator: ",")]))
        }
        return Transition(aggregate: WorkOrderAggregate(order: order), events: events)
    }

    // MARK: Apply

    public func apply(_ command: Command, to aggregate: WorkOrderAggregate, by actor: Actor) throws(RuleViolation) -> Transition {
        var a = aggregate
        var events: [DomainEvent] = []
        let action = command.action
        guard a.order.status != .archived else {
            throw RuleViolation(.conflict, code: "archived", rule: "an archived order is read-only")
        }
        switch command {
        case .edit(let edit):
            try require(actor, anyOf: [.agent, .dispatcher], action)
            try requireOrder(a, in: [.pendingDispatch, .awaitingInstruction], action)
            events.append(try applyEdit(edit, to: &a.order))

        case .directAnswer(let answer, let ref):
            try require(actor, anyOf: [.agent, .dispatcher], action)
            try requireOrder(a, in: [.pendingDispatch], action)
            try requireText(answer, "answer")
            a.order.answer = answer
            a.order.knowledgeArticleRef = ref
            events.append(close(&a, as: .directAnswer, action: action, note: ref.map { "知识库 \($0)" }))

        case .decline(let reason, let note):
            try require(actor, anyOf: [.agent, .dispatcher], action)
            try requireOrder(a, in: [.pendingDispatch], action)
            try requireText(reason, "reasonCode")
            a.order.declineReasonCode = reason
            events.append(close(&a, as: .declined, action: action, note: note, details: ["reasonCode": reason]))

        case .guide(let target, let note):
            try require(actor, anyOf: [.agent, .dispatcher], action)
            try requireOrder(a, in: [.pendingDispatch], action)
            try requireText(target, "target")
            a.order.guideTarget = target
            events.append(close(&a, as: .guided, action: action, note: note, details: ["target": target]))

        case .escalate(let proposal):
            // 呈办: the dispatcher's proposal goes to a leader first (R-DIS-1).
            try require(actor, anyOf: [.dispatcher], action)
            try requireOrder(a, in: [.pendingDispatch], action)
            try requireText(proposal, "proposal")
            a.order.proposal = proposal
            a.order.handlingMode = .escalated
            events.append(moveOrder(&a, to: .awaitingInstruction, action: action, note: proposal))

        case .instruct(let instruction):
            try require(actor, anyOf: [.leader], action)
            try requireOrder(a, in: [.awaitingInstruction], action)
            try requireText(instruction, "instruction")
            a.order.leaderInstruction = instruction
            events.append(moveOrder(&a, to: .pendingDispatch, action: action, note: instruction))

        case .dispatch(let plan):
            try require(actor, anyOf: [.dispatcher], action)
            try requireOrder(a, in: [.pendingDispatch], action)
            events += try dispatch(&a, plan: plan)

        case .sign(let id):
            var asg = try unitAssignment(a, id, actor, role: .unitHandler, action)
            try requireAssignment(asg, in: [.toSign], action)
            asg.signedAt = now
            asg.signedLate = now > asg.signDueAt
            let from = asg.status
            asg.status = .inHand
            events.append(DomainEvent(action, assignmentId: id, unitId: asg.unit.id, from: from.rawValue, to: asg.status.rawValue, note: asg.signedLate ? "逾期签收" : nil, details: ["late": String(asg.signedLate)]))
            a.replace(asg)

        case .recordContact(let id, let method, let note):
            var asg = try unitAssignment(a, id, actor, role: .unitHandler, action)
            try requireAssignment(asg, in: [.inHand], action)
            let first = asg.contactedAt == nil
            if first { asg.contactedAt = now }
            let late = asg.contactDueAt.map { now > $0 } ?? false
            events.append(DomainEvent(action, assignmentId: id, unitId: asg.unit.id, note: note, details: ["method": method.rawValue, "late": String(late && first)]))
            a.replace(asg)

        case .requestReturn(let id, let reason, let basis):
            var asg = try unitAssignment(a, id, actor, role: .unitHandler, action)
            try requireAssignment(asg, in: [.toSign, .inHand], action)
            guard asg.parentId == nil else {
                throw RuleViolation(.conflict, code: "illegal_transition", rule: "a sub-dispatched order goes back to its parent unit through the sub-review, not a return to the platform")
            }
            try requireText(reason, "reason")
            try requireText(basis, "basis")
            try requireReturnWindow(asg)
            asg.returnReason = reason
            asg.returnBasis = basis
            asg.returnRequestedAt = now
            events.append(moveAssignment(&a, &asg, to: .returnRequested, action: action, note: reason, details: ["basis": basis]))

        case .approveReturn(let id, let approve, let note):
            var asg = try unitAssignment(a, id, actor, role: .unitLeader, action)
            try requireAssignment(asg, in: [.returnRequested], action)
            if approve {
                // R-UH-2: the approved request must reach the platform inside the window.
                try requireReturnWindow(asg)
                asg.pausedAt = now  // R-TIME-3: the clock stands while the platform decides.
                events.append(moveAssignment(&a, &asg, to: .returnPending, action: action, note: note, details: ["approved": "true"]))
            } else {
                events.append(moveAssignment(&a, &asg, to: asg.signedAt == nil ? .toSign : .inHand, action: action, note: note, details: ["approved": "false"]))
            }

        case .decideReturn(let id, let accept, let note):
            try require(actor, anyOf: [.dispatcher, .reviewer], action)
            guard var asg = a.assignment(id) else { throw notFound("assignment") }
            try requireAssignment(asg, in: [.returnPending], action)
            if accept {
                asg.pausedAt = nil
                asg.completedAt = now
                events.append(moveAssignment(&a, &asg, to: .returned, action: action, note: note, details: ["accepted": "true"]))
                if asg.role == .lead {
                    // The lead gave the order back: it returns to the dispatcher as a whole.
                    for other in a.assignments where other.status.isActive {
                        var o = other
                        events.append(moveAssignment(&a, &o, to: .cancelled, action: "cancelAssignment", note: "主办单位退回, 重新派单"))
                    }
                    a.order.dueAt = nil
                    a.order.warnAt = nil
                    let d = calendar.deadline(from: now, limit: policy.dispatchLimit, margin: policy.warningMargin)
                    a.order.dispatchDueAt = d.dueAt
                    a.order.dispatchWarnAt = d.warnAt
                    events.append(moveOrder(&a, to: .pendingDispatch, action: "awaitRedispatch", note: note))
                }
            } else {
                // Refused: the unit keeps it and counts as having accepted it (R-UH-2).
                resume(&asg)
                if asg.signedAt == nil { asg.signedAt = now }
                events.append(moveAssignment(&a, &asg, to: .inHand, action: action, note: note, details: ["accepted": "false", "dueAt": iso(asg.dueAt)]))
                mirrorLead(&a)
            }

        case .subDispatch(let id, let target, let note):
            let parent = try unitAssignment(a, id, actor, role: .unitHandler, action)
            try requireAssignment(parent, in: [.inHand], action)
            // R-UNIT-2 / R-UH-4: level 2 passes to its own level-3 units only.
            guard parent.unit.level == 2, target.parentId == parent.unit.id, target.level == 3 else {
                throw RuleViolation(.invalid, code: "not_a_sub_unit", field: "unitId", rule: "sub-dispatch goes from a level-2 unit to one of its own level-3 units (R-UH-4)")
            }
            guard !a.assignments.contains(where: { $0.parentId == id && $0.unit.id == target.id && $0.status.isActive }) else {
                throw RuleViolation(.conflict, code: "already_assigned", field: "unitId", rule: "\(target.name) already holds this order")
            }
            var child = Assignment(
                id: context.newID(), workOrderId: a.order.id, unit: target, role: parent.role, parentId: parent.id,
                dispatchedAt: now, signDueAt: calendar.deadline(from: now, limit: signLimit(a.order)),
                timeLimit: parent.timeLimit, dueAt: parent.dueAt, warnAt: parent.warnAt)
            if a.order.requestType == .help { child.contactDueAt = parent.contactDueAt }
            a.assignments.append(child)
            events.append(DomainEvent(action, assignmentId: child.id, unitId: target.id, to: child.status.rawValue, note: note, details: ["parentAssignmentId": parent.id.uuidString, "unit": target.name]))

        case .reviewSubAnswer(let id, let approve, let note):
            guard var child = a.assignment(id), let parentId = child.parentId, let parent = a.assignment(parentId) else {
                throw notFound("assignment")
            }
            try requireUnitRole(actor, [.unitHandler, .unitLeader], unit: parent.unit, action)
            try requireAssignment(child, in: [.feedbackSubmitted], action)
            if approve {
                child.completedAt = now
                events.append(moveAssignment(&a, &child, to: .completed, action: action, note: note, details: ["approved": "true"]))
            } else {
                try requireText(note ?? "", "note")
                child.redoCount += 1
                events.append(moveAssignment(&a, &child, to: .inHand, action: action, note: note, details: ["approved": "false"]))
            }

        case .submitOpinion(let id, let opinion):
            var asg = try unitAssignment(a, id, actor, role: .unitHandler, action)
            guard asg.role == .co, asg.parentId == nil else {
                throw RuleViolation(.conflict, code: "illegal_transition", rule: "only a co-unit sends an opinion to the lead unit (R-UH-5)")
            }
            try requireAssignment(asg, in: [.inHand], action)
            try requireText(opinion, "opinion")
            if let lead = a.lead, now > lead.dueAt {
                throw RuleViolation(.conflict, code: "opinion_window_closed", rule: "co-units send their opinion before the lead unit's deadline \(iso(lead.dueAt)) (R-UH-5)")
            }
            asg.opinion = opinion
            asg.completedAt = now
            events.append(moveAssignment(&a, &asg, to: .completed, action: action, note: opinion))

        case .requestExtension(let id, let amount, let reason):
            let asg = try unitAssignment(a, id, actor, role: .unitHandler, action)
            try requireAssignment(asg, in: [.inHand], action)
            guard asg.parentId == nil else {
                throw RuleViolation(.conflict, code: "illegal_transition", rule: "extensions are asked by the unit the platform dispatched to")
            }
            try requireText(reason, "reason")
            guard !a.extensions.contains(where: { $0.assignmentId == id && ($0.status == .pendingUnitLeader || $0.status == .pendingPlatform) }) else {
                throw RuleViolation(.conflict, code: "extension_pending", rule: "an extension request for this assignment is already waiting for a decision")
            }
            try checkExtension(asg, amount: amount)
            let ext = ExtensionRequest(id: context.newID(), assignmentId: id, amount: amount, reason: reason, requestedAt: now, requestedBy: actor.accountId)
            a.extensions.append(ext)
            events.append(DomainEvent(action, assignmentId: id, unitId: asg.unit.id, to: ext.status.rawValue, note: reason, details: ["extensionId": ext.id.uuidString, "amount": "\(amount) \(asg.timeLimit.unit.rawValue)"]))

        case .approveExtension(let eid, let approve, let note):
            guard var ext = a.extensions.first(where: { $0.id == eid }), let asg = a.assignment(ext.assignmentId) else { throw notFound("extension") }
            try requireUnitRole(actor, [.unitLeader], unit: asg.unit, action)
            guard ext.status == .pendingUnitLeader else { throw .illegal(action, from: ext.status.rawValue) }
            let from = ext.status
            if approve {
                // Checked again: the unit leader's approval must also come in time.
                try checkExtension(asg, amount: ext.amount)
                ext.status = .pendingPlatform
            } else {
                ext.status = .rejected
                ext.decidedAt = now
                ext.decisionNote = note
            }
            a.replace(ext)
            events.append(DomainEvent(action, assignmentId: asg.id, unitId: asg.unit.id, from: from.rawValue, to: ext.status.rawValue, note: note, details: ["extensionId": eid.uuidString]))

        case .decideExtension(let eid, let approve, let note):
            try require(actor, anyOf: [.reviewer, .dispatcher], action)
            guard var ext = a.extensions.first(where: { $0.id == eid }), var asg = a.assignment(ext.assignmentId) else { throw notFound("extension") }
            guard ext.status == .pendingPlatform else { throw .illegal(action, from: ext.status.rawValue) }
            let from = ext.status
            ext.decidedAt = now
            ext.decisionNote = note
            var details = ["extensionId": eid.uuidString]
            if approve {
                ext.status = .approved
                let oldDue = asg.dueAt
                asg.dueAt = calendar.extending(asg.dueAt, by: TimeLimit(ext.amount, asg.timeLimit.unit))
                asg.warnAt = calendar.warnAt(start: asg.dispatchedAt, dueAt: asg.dueAt, margin: policy.warningMargin)
                // Sub-dispatched shares ride on the parent's deadline.
                for child in a.assignments where child.parentId == asg.id && child.status.isActive {
                    var c = child
                    c.dueAt = asg.dueAt
                    c.warnAt = asg.warnAt
                    a.replace(c)
                }
                a.replace(asg)
                mirrorLead(&a)
                details["before"] = iso(oldDue)
                details["after"] = iso(asg.dueAt)
                // R-UH-6: the citizen is informed; the notification itself is sent from this event.
                details["informCitizen"] = "true"
            } else {
                ext.status = .rejected
            }
            a.replace(ext)
            events.append(DomainEvent(action, assignmentId: asg.id, unitId: asg.unit.id, from: from.rawValue, to: ext.status.rawValue, note: note, details: details))

        case .submitFeedback(let id, let feedback):
            var asg = try unitAssignment(a, id, actor, role: .unitHandler, action)
            guard asg.role == .lead else {
                throw RuleViolation(.conflict, code: "illegal_transition", rule: "co-units send an opinion to the lead; only the lead unit writes the feedback (R-UH-5)")
            }
            try requireAssignment(asg, in: [.inHand], action)
            if let problem = RuleViolation.all(Self.validate(feedback)) { throw problem }
            if a.assignments.contains(where: { $0.parentId == id && $0.status.isActive }) {
                throw RuleViolation(.conflict, code: "sub_assignments_open", rule: "review the sub-units' answers before reporting up (R-UNIT-2)")
            }
            asg.feedback = feedback
            asg.feedbackSubmittedAt = now
            if asg.contactedAt == nil { asg.contactedAt = feedback.contactedAt }
            events.append(moveAssignment(&a, &asg, to: .feedbackPendingApproval, action: action, note: feedback.answer, details: ["result": feedback.result.rawValue]))

        case .approveFeedback(let id, let approve, let note):
            var asg = try unitAssignment(a, id, actor, role: .unitLeader, action)
            try requireAssignment(asg, in: [.feedbackPendingApproval], action)
            if approve {
                events.append(moveAssignment(&a, &asg, to: .feedbackSubmitted, action: action, note: note, details: ["approved": "true"]))
                if asg.parentId == nil {
                    events.append(moveOrder(&a, to: .awaitingReview, action: "awaitReview"))
                }
            } else {
                try requireText(note ?? "", "note")
                events.append(moveAssignment(&a, &asg, to: .inHand, action: action, note: note, details: ["approved": "false"]))
            }

        case .review(let approve, let reasons):
            try require(actor, anyOf: [.reviewer], action)
            try requireOrder(a, in: [.awaitingReview], action)
            if a.order.appealPending {
                events += try reviewAppeal(&a, approve: approve, reasons: reasons)
            } else {
                guard var lead = a.lead, lead.status == .feedbackSubmitted, let feedback = lead.feedback else {
                    throw RuleViolation(.conflict, code: "no_feedback", rule: "there is no submitted feedback to review")
                }
                if approve {
                    lead.completedAt = now
                    events.append(moveAssignment(&a, &lead, to: .completed, action: action, note: reasons, details: ["approved": "true"]))
                    a.order.answer = feedback.answer
                    a.order.reviewedAt = now
                    events += afterApproval(&a, note: reasons)
                } else {
                    try requireText(reasons ?? "", "reasons")
                    events += redo(&a, reasons: reasons!, action: action)
                }
            }

        case .remind(let id, let note):
            try require(actor, anyOf: [.supervisor, .dispatcher, .reviewer], action)
            try requireOrder(a, in: [.handling], action)
            guard var asg = a.assignment(id) else { throw notFound("assignment") }
            guard asg.status.isActive else { throw .illegal(action, from: asg.status.rawValue) }
            try requireText(note, "note")
            asg.reminderCount += 1
            a.replace(asg)
            let r = Reminder(id: context.newID(), assignmentId: id, note: note, at: now, by: actor.accountId, automatic: false)
            a.reminders.append(r)
            events.append(DomainEvent(action, assignmentId: id, unitId: asg.unit.id, note: note, details: ["reminderId": r.id.uuidString, "light": light(asg).rawValue]))

        case .supervise(let id, let method, let note, let instruction):
            try require(actor, anyOf: [.supervisor], action)
            guard a.order.status.isOpen, a.order.status != .pendingDispatch, a.order.status != .awaitingInstruction else {
                throw .illegal(action, from: a.order.status.rawValue)
            }
            try requireText(note, "note")
            if let id, a.assignment(id) == nil { throw notFound("assignment") }
            let s = Supervision(id: context.newID(), assignmentId: id, method: method, note: note, instruction: instruction, openedAt: now, openedBy: actor.accountId)
            a.supervisions.append(s)
            events.append(DomainEvent(action, assignmentId: id, note: note, details: ["supervisionId": s.id.uuidString, "method": method.rawValue]))

        case .closeSupervision(let sid, let note):
            try require(actor, anyOf: [.supervisor], action)
            guard var s = a.supervisions.first(where: { $0.id == sid }) else { throw notFound("supervision") }
            guard s.isOpen else { throw .illegal(action, from: "closed") }
            s.closedAt = now
            s.closingNote = note
            a.supervisions = a.supervisions.map { $0.id == sid ? s : $0 }
            events.append(DomainEvent(action, note: note, details: ["supervisionId": sid.uuidString]))

        case .callback(let record, let reasonable):
            try require(actor, anyOf: [.callbackAgent], action)
            try requireOrder(a, in: [.awaitingCallback], action)
            events += try callback(&a, record, reasonable: reasonable)

        case .close(let note):
            // Closing without a callback (not sampled, or the citizen declined to be called).
            try require(actor, anyOf: [.callbackAgent, .reviewer], action)
            try requireOrder(a, in: [.awaitingCallback], action)
            try requireText(note, "note")
            events.append(close(&a, as: .resolved, action: action, note: note))

        case .appeal(let reason):
            try require(actor, anyOf: [.agent, .callbackAgent], action)
            events.append(try appealOrder(&a, reason: reason, action: action))

        case .archive:
            try require(actor, anyOf: [.admin, .reviewer], action)
            try requireOrder(a, in: [.closed], action)
            a.order.archivedAt = now
            events.append(moveOrder(&a, to: .archived, action: action))
        }
        return Transition(aggregate: a, events: events)
    }

    /// The citizen appeals online (R-CIT-3): the same rule as an agent's appeal on the
    /// citizen's behalf, with no staff member acting.
    public func citizenAppeal(reason: String, to aggregate: WorkOrderAggregate) throws(RuleViolation) -> Transition {
        var a = aggregate
        guard reason.count <= 2000 else { throw RuleViolation.invalid("reason", "reason must be at most 2000 characters") }
        var event = try appealOrder(&a, reason: reason, action: "appeal")
        event.details["by"] = "citizen"
        return Transition(aggregate: a, events: [event])
    }

    /// Until when a closed order may be appealed; nil when it may not be at all.
    public func appealDeadline(_ o: WorkOrder) -> Date? {
        guard o.status == .closed, o.disposition != .merged, let closedAt = o.closedAt else { return nil }
        return calendar.deadline(from: closedAt, limit: policy.appealWindow)
    }

    private func appealOrder(_ a: inout WorkOrderAggregate, reason: String, action: String) throws(RuleViolation) -> DomainEvent {
        try requireOrder(a, in: [.closed], action)
        guard a.order.disposition != .merged else {
            throw RuleViolation(.conflict, code: "illegal_transition", rule: "a merged order is appealed through the order it joined")
        }
        try requireText(reason, "reason")
        let closedAt = a.order.closedAt ?? now
        let windowEnd = calendar.deadline(from: closedAt, limit: policy.appealWindow)
        guard now <= windowEnd else {
            throw RuleViolation(.conflict, code: "appeal_window_closed", rule: "an appeal must come by \(iso(windowEnd)), \(policy.appealWindow) after closing (R-CB-4)")
        }
        a.order.appealPending = true
        a.order.appealCount += 1
        a.order.closedAt = nil
        return moveOrder(&a, to: .awaitingReview, action: action, note: reason)
    }

    /// 并单 (R-IN-3): a new order joins an open one and is closed as merged.
    public func merge(_ source: WorkOrderAggregate, into target: WorkOrderAggregate, by actor: Actor, note: String?) throws(RuleViolation) -> (source: Transition, target: Transition) {
        try require(actor, anyOf: [.agent, .dispatcher], "merge")
        var s = source
        try requireOrder(s, in: [.pendingDispatch], "merge")
        guard target.order.id != source.order.id else {
            throw RuleViolation(.invalid, code: "merge_into_self", field: "targetId", rule: "an order cannot be merged into itself")
        }
        guard target.order.status.isOpen, target.order.mergedIntoId == nil else {
            throw RuleViolation(.conflict, code: "merge_target_closed", field: "targetId", rule: "an order can only join an open order")
        }
        s.order.mergedIntoId = target.order.id
        let e = close(&s, as: .merged, action: "merge", note: note, details: ["into": target.order.number, "intoId": target.order.id.uuidString])
        let t = DomainEvent("mergedIn", note: note, details: ["from": source.order.number, "fromId": source.order.id.uuidString])
        return (Transition(aggregate: s, events: [e]), Transition(aggregate: target, events: [t]))
    }

    /// 关联 (R-IN-3): the agent judges a new order related to an earlier one (the same
    /// problem again, or a neighbour's call about it) without merging it: each keeps its own
    /// handling and callback, and both timelines name the other. Unlike a merge, the earlier
    /// order may be closed — a repeat after closing is exactly what the link is for. An
    /// archived earlier order is read-only: only the new order's timeline records the link.
    public func link(_ source: WorkOrderAggregate, to target: WorkOrderAggregate, by actor: Actor, note: String?) throws(RuleViolation) -> (source: Transition, target: Transition?) {
        try require(actor, anyOf: [.agent, .dispatcher], "link")
        guard source.order.status != .archived else {
            throw RuleViolation(.conflict, code: "archived", rule: "an archived order is read-only")
        }
        guard target.order.id != source.order.id else {
            throw RuleViolation(.invalid, code: "link_to_self", field: "targetId", rule: "an order cannot be linked to itself")
        }
        let e = DomainEvent("link", note: note, details: ["to": target.order.number, "toId": target.order.id.uuidString])
        let t = DomainEvent("linkedFrom", note: note, details: ["from": source.order.number, "fromId": source.order.id.uuidString])
        return (Transition(aggregate: source, events: [e]), target.order.status == .archived ? nil : Transition(aggregate: target, events: [t]))
    }

    /// The feedback parts the platform requires (R-UH-7); each missing one is named.
    public static func validate(_ f: Feedback) -> [RuleViolation] {
        var problems: [RuleViolation] = []
        func need(_ v: String, _ field: String) {
            if v.isBlank {
                problems.append(.invalid("feedback.\(field)", "feedback.\(field) is required (R-UH-7)", code: "feedback_incomplete"))
            }
        }
        need(f.answer, "answer")
        need(f.citizenOpinion, "citizenOpinion")
        need(f.policyReferences, "policyReferences")
        need(f.responsiblePerson, "responsiblePerson")
        need(f.responsiblePhone, "responsiblePhone")
        if !f.responsiblePhone.isEmpty && !Intake.isPhoneNumber(f.responsiblePhone) {
            problems.append(.invalid("feedback.responsiblePhone", "feedback.responsiblePhone must be a phone number", code: "feedback_incomplete"))
        }
        return problems
    }

    /// The light of an assignment now (R-TIME-4); a paused clock keeps its colour at pause.
    public func light(_ asg: Assignment) -> WarningLight {
        WarningLight.at(asg.pausedAt ?? now, warnAt: asg.warnAt, dueAt: asg.dueAt)
    }
}

// MARK: - Steps shared by several transitions

extension Lifecycle {
    func dispatch(_ a: inout WorkOrderAggregate, plan: DispatchPlan) throws(RuleViolation) -> [DomainEvent] {
        let missing = Intake.missingElements(a.order.elements)
        if let problem = RuleViolation.all(missing.map { .invalid($0, "\($0) is required before dispatch: the six elements (R-WO-5)", code: "elements_missing") }) {
            throw problem
        }
        guard plan.lead.level >= 2 else {
            throw RuleViolation(.invalid, code: "not_a_handling_unit", field: "leadUnitId", rule: "orders are dispatched to level-2 or level-3 units, not to the platform")
        }
        let units = [plan.lead] + plan.coUnits
        guard Set(units.map(\.id)).count == units.count else {
            throw RuleViolation(.invalid, code: "duplicate_unit", field: "coUnitIds", rule: "a unit appears twice among the lead and co-units")
        }
        for u in plan.coUnits where u.level < 2 {
            throw RuleViolation(.invalid, code: "not_a_handling_unit", field: "coUnitIds", rule: "\(u.name) is not a handling unit")
        }
        // R-DIS-3: a complaint about a unit is not sent to that unit without an explicit override.
        if let subject = a.order.subjectUnitId, units.contains(where: { $0.id == subject }),
            (plan.conflictOverrideReason ?? "").isBlank
        {
            throw RuleViolation(.conflict, code: "conflict_of_interest", field: "leadUnitId", rule: "the order complains about this unit; dispatching to it needs conflictOverrideReason (R-DIS-3)")
        }
        if plan.mode == .escalated && a.order.leaderInstruction == nil {
            throw RuleViolation(.conflict, code: "instruction_missing", field: "mode", rule: "呈办 needs the leader's instruction first: escalate, then instruct")
        }
        if plan.mode == .direct {
            guard a.order.requestType == .consultation else {
                throw RuleViolation(.invalid, code: "direct_mode_consultation_only", field: "mode", rule: "直办 is for consultations answered on a three-way call (R-DIS-1)")
            }
            guard let answer = plan.directAnswer, !answer.isBlank else {
                throw RuleViolation.invalid("directAnswer", "直办 records the unit's answer given on the call")
            }
            guard plan.coUnits.isEmpty else { throw RuleViolation.invalid("coUnitIds", "直办 goes to one unit") }
        }
        let limit = plan.timeLimit ?? context.limits.resolve(type: a.order.requestType, category: a.order.categoryCode, urgency: a.order.urgency)
        let due = calendar.deadline(from: now, limit: limit, margin: policy.warningMargin)
        let signDue = calendar.deadline(from: now, limit: signLimit(a.order))
        var events: [DomainEvent] = []
        // Earlier assignments (from a dispatch the lead returned) stay in the record, inactive.
        let mode = a.order.leaderInstruction != nil && plan.mode == .transfer ? HandlingMode.escalated : plan.mode
        a.order.handlingMode = mode
        a.order.dispatchedAt = now
        a.order.timeLimit = limit
        for (i, unit) in units.enumerated() {
            var asg = Assignment(
                id: context.newID(), workOrderId: a.order.id, unit: unit, role: i == 0 ? .lead : .co,
                dispatchedAt: now, signDueAt: signDue, timeLimit: limit, dueAt: due.dueAt, warnAt: due.warnAt)
            if a.order.requestType == .help { asg.contactDueAt = calendar.deadline(from: now, limit: policy.contactLimit) }
            a.assignments.append(asg)
            var details = ["unit": unit.name, "role": asg.role.rawValue, "mode": mode.rawValue, "dueAt": iso(due.dueAt), "limit": limit.description]
            if let reason = plan.conflictOverrideReason, a.order.subjectUnitId == unit.id { details["conflictOverride"] = reason }
            if let instruction = a.order.leaderInstruction { details["instruction"] = instruction }
            events.append(DomainEvent("assign", assignmentId: asg.id, unitId: unit.id, to: asg.status.rawValue, note: plan.note, details: details))
        }
        for w in due.warnings { events.append(DomainEvent("calendarWarning", note: w)) }
        if plan.mode == .direct {
            // 直办: the unit answered on the call; the share is done and the order closes.
            var lead = a.assignments[a.assignments.count - 1]
            lead.signedAt = now
            lead.completedAt = now
            lead.status = .completed
            a.replace(lead)
            a.order.answer = plan.directAnswer
            events.append(moveOrder(&a, to: .handling, action: "dispatch", note: plan.note, details: ["mode": mode.rawValue]))
            events.append(close(&a, as: .directDispatch, action: "close", note: plan.directAnswer))
        } else {
            mirrorLead(&a)
            events.append(moveOrder(&a, to: .handling, action: "dispatch", note: plan.note, details: ["mode": mode.rawValue, "dueAt": iso(due.dueAt)]))
        }
        return events
    }

    func signLimit(_ order: WorkOrder) -> TimeLimit {
        order.urgency == .normal ? policy.signLimit : policy.urgentSignLimit
    }

    /// R-UH-2: within the window from receipt; after it the order counts as accepted.
    func requireReturnWindow(_ asg: Assignment) throws(RuleViolation) {
        let end = calendar.deadline(from: asg.dispatchedAt, limit: policy.returnWindow)
        guard now <= end else {
            throw RuleViolation(.conflict, code: "return_window_closed", rule: "a return must be asked and approved by \(iso(end)), \(policy.returnWindow) after receipt; the order now counts as accepted (R-UH-2)")
        }
    }

    /// R-UH-6: no later than N working days before the deadline; no longer than the original
    /// limit nor the configured maximum.
    func checkExtension(_ asg: Assignment, amount: Int) throws(RuleViolation) {
        guard amount > 0 else { throw RuleViolation.invalid("amount", "amount must be at least 1") }
        guard amount <= asg.timeLimit.amount else {
            throw RuleViolation(.invalid, code: "extension_too_long", field: "amount", rule: "an extension may not exceed the original limit of \(asg.timeLimit) (R-UH-6)")
        }
        if asg.timeLimit.unit == .workingDays && amount > policy.extensionMaxWorkingDays {
            throw RuleViolation(.invalid, code: "extension_too_long", field: "amount", rule: "an extension may not exceed \(policy.extensionMaxWorkingDays) working days (R-UH-6)")
        }
        let dueDay = calendar.localDate(of: asg.dueAt)
        let latest = policy.extensionNoticeWorkingDays == 0 ? asg.dueAt : calendar.endOfDay(calendar.workingDay(policy.extensionNoticeWorkingDays, before: dueDay))
        guard now <= latest else {
            throw RuleViolation(.conflict, code: "extension_window_closed", rule: "an extension must be asked by \(iso(latest)), \(policy.extensionNoticeWorkingDays) working day(s) before the deadline \(iso(asg.dueAt)) (R-UH-6)")
        }
    }

    /// After the platform approves the answer: callback (sampled) or close (R-CB-2).
    func afterApproval(_ a: inout WorkOrderAggregate, note: String?) -> [DomainEvent] {
        if context.sample() < policy.callbackSamplingRatio {
            a.order.callbackDueAt = calendar.deadline(from: now, limit: policy.callbackLimit)
            a.order.callbackAttempts = 0
            return [moveOrder(&a, to: .awaitingCallback, action: "awaitCallback", note: note)]
        }
        return [close(&a, as: .resolved, action: "close", note: "未抽中回访")]
    }

    /// 重办: back to the lead unit with reasons, counted (R-CB-1). The new deadline is the
    /// later of the old one and a fresh limit from now, so a redo is never born overdue.
    func redo(_ a: inout WorkOrderAggregate, reasons: String, action: String) -> [DomainEvent] {
        guard var lead = a.assignments.last(where: { $0.role == .lead && $0.parentId == nil && ($0.status == .completed || $0.status.isActive) && $0.status != .returned }) else {
            // Nothing was dispatched (a direct answer appealed): start over at dispatch.
            a.order.redoCount += 1
            let d = calendar.deadline(from: now, limit: policy.dispatchLimit, margin: policy.warningMargin)
            a.order.dispatchDueAt = d.dueAt
            a.order.dispatchWarnAt = d.warnAt
            return [moveOrder(&a, to: .pendingDispatch, action: "redo", note: reasons)]
        }
        lead.redoCount += 1
        lead.completedAt = nil
        let fresh = calendar.deadline(from: now, limit: lead.timeLimit, margin: policy.warningMargin)
        if fresh.dueAt > lead.dueAt {
            lead.dueAt = fresh.dueAt
            lead.warnAt = fresh.warnAt
        }
        a.order.redoCount += 1
        a.order.callbackDueAt = nil
        var events = [moveAssignment(&a, &lead, to: .inHand, action: "redo", note: reasons, details: ["redoCount": String(lead.redoCount), "dueAt": iso(lead.dueAt)])]
        mirrorLead(&a)
        events.append(moveOrder(&a, to: .handling, action: action == "review" ? "redo" : action, note: reasons, details: ["redoCount": String(a.order.redoCount)]))
        return events
    }

    func reviewAppeal(_ a: inout WorkOrderAggregate, approve: Bool, reasons: String?) throws(RuleViolation) -> [DomainEvent] {
        a.order.appealPending = false
        if approve {
            return [close(&a, as: a.order.disposition ?? .resolved, action: "upholdAppeal", note: reasons)]
        }
        try requireText(reasons ?? "", "reasons")
        return redo(&a, reasons: reasons!, action: "review")
    }

    func callback(_ a: inout WorkOrderAggregate, _ record: CallbackRecord, reasonable: Bool) throws(RuleViolation) -> [DomainEvent] {
        a.order.callbackAttempts += 1
        var details = ["method": record.method.rawValue, "attempt": String(a.order.callbackAttempts), "reached": String(record.reached)]
        guard record.reached else {
            if a.order.callbackAttempts >= policy.callbackMaxAttempts {
                a.order.callback = record
                details["unreachable"] = "true"
                return [DomainEvent("callback", note: record.note, details: details), close(&a, as: .resolved, action: "close", note: "回访\(a.order.callbackAttempts)次未联系上")]
            }
            return [DomainEvent("callback", note: record.note, details: details)]
        }
        guard let satisfaction = record.satisfaction else {
            throw RuleViolation.invalid("satisfaction", "satisfaction is required when the citizen was reached (R-CB-2)")
        }
        guard let solved = record.solved else {
            throw RuleViolation.invalid("solved", "solved is required when the citizen was reached (R-CB-2)")
        }
        a.order.callback = record
        details["satisfaction"] = satisfaction.rawValue
        details["solved"] = String(solved)
        var events = [DomainEvent("callback", note: record.note, details: details)]
        if satisfaction.isUnsatisfied && reasonable {
            // R-CB-3: unsatisfied and reasonable → redo under supervision.
            let s = Supervision(id: context.newID(), assignmentId: a.lead?.id ?? a.assignments.last(where: { $0.role == .lead && $0.parentId == nil })?.id, method: .written, note: "回访不满意, 诉求合理, 重办督办", instruction: nil, openedAt: now, openedBy: a.order.createdBy ?? UUID())
            a.supervisions.append(s)
            events.append(DomainEvent("supervise", assignmentId: s.assignmentId, note: s.note, details: ["supervisionId": s.id.uuidString, "method": s.method.rawValue]))
            events += redo(&a, reasons: record.note ?? "回访不满意", action: "callback")
        } else {
            events.append(close(&a, as: .resolved, action: "close", note: record.note))
        }
        return events
    }

    /// Closes the order: still-active shares are cancelled and open supervisions are closed
    /// with it (办结销号, R-SUP-2).
    func close(_ a: inout WorkOrderAggregate, as disposition: Disposition, action: String, note: String?, details: [String: String] = [:]) -> DomainEvent {
        for asg in a.assignments where asg.status.isActive {
            var x = asg
            x.status = .cancelled
            a.replace(x)
        }
        a.supervisions = a.supervisions.map { s in
            var s = s
            if s.isOpen {
                s.closedAt = now
                s.closingNote = "办结销号"
            }
            return s
        }
        a.order.disposition = disposition
        a.order.closedAt = now
        var d = details
        d["disposition"] = disposition.rawValue
        return moveOrder(&a, to: .closed, action: action, note: note, details: d)
    }

    func moveOrder(_ a: inout WorkOrderAggregate, to status: WorkOrderStatus, action: String, note: String? = nil, details: [String: String] = [:]) -> DomainEvent {
        let from = a.order.status
        a.order.status = status
        return DomainEvent(action, from: from.rawValue, to: status.rawValue, note: note, details: details)
    }

    func moveAssignment(_ a: inout WorkOrderAggregate, _ asg: inout Assignment, to status: AssignmentStatus, action: String, note: String? = nil, details: [String: String] = [:]) -> DomainEvent {
        let from = asg.status
        asg.status = status
        a.replace(asg)
        return DomainEvent(action, assignmentId: asg.id, unitId: asg.unit.id, from: from.rawValue, to: status.rawValue, note: note, details: details)
    }

    /// Restarts a paused clock, moving the deadline by the pause (R-TIME-3).
    func resume(_ asg: inout Assignment) {
        guard let paused = asg.pausedAt else { return }
        asg.dueAt = calendar.extend(deadline: asg.dueAt, unit: asg.timeLimit.unit, pausedAt: paused, resumedAt: now)
        asg.warnAt = calendar.extend(deadline: asg.warnAt, unit: asg.timeLimit.unit, pausedAt: paused, resumedAt: now)
        asg.pausedAt = nil
    }

    /// The order shows its lead unit's deadline, for queues and lights.
    func mirrorLead(_ a: inout WorkOrderAggregate) {
        if let lead = a.lead {
            a.order.dueAt = lead.dueAt
            a.order.warnAt = lead.warnAt
        }
    }

    func applyEdit(_ e: WorkOrderEdit, to order: inout WorkOrder) throws(RuleViolation) -> DomainEvent {
        var before: [String: String] = [:]
        var after: [String: String] = [:]
        func note<T: Equatable>(_ name: String, _ old: T, _ new: T?) {
            if let new, new != old {
                before[name] = "\(old)"
                after[name] = "\(new)"
            }
        }
        note("title", order.title, e.title)
        note("requestType", order.requestType.rawValue, e.requestType?.rawValue)
        note("categoryCode", order.categoryCode, e.categoryCode)
        note("urgency", order.urgency.rawValue, e.urgency?.rawValue)
        if let t = e.title { try requireText(t, "title"); order.title = t }
        if let t = e.requestType { order.requestType = t }
        if let c = e.categoryCode { try requireText(c, "categoryCode"); order.categoryCode = c }
        if let u = e.urgency { order.urgency = u }
        if let el = e.elements, el != order.elements {
            try requireText(el.matter, "elements.matter")
            before["elements.matter"] = order.elements.matter
            after["elements.matter"] = el.matter
            order.elements = el
        }
        if let s = e.subjectUnitId, s != order.subjectUnitId {
            before["subjectUnitId"] = order.subjectUnitId?.uuidString ?? ""
            after["subjectUnitId"] = s?.uuidString ?? ""
            order.subjectUnitId = s
        }
        var details: [String: String] = [:]
        for (k, v) in before { details["before.\(k)"] = v }
        for (k, v) in after { details["after.\(k)"] = v }
        return DomainEvent("edit", details: details)
    }

    // MARK: Guards

    func require(_ actor: Actor, anyOf roles: Set<Role>, _ action: String) throws(RuleViolation) {
        guard !actor.roles.isDisjoint(with: roles) else {
            throw .forbidden("\(action) needs one of the roles \(roles.map(\.rawValue).sorted().joined(separator: ", "))")
        }
    }

    /// Unit actions are taken by the unit's own people, in the role named (R-ROLE-1).
    func requireUnitRole(_ actor: Actor, _ roles: Set<Role>, unit: UnitRef, _ action: String) throws(RuleViolation) {
        try require(actor, anyOf: roles, action)
        guard actor.unit.id == unit.id else {
            throw .forbidden("\(action) is done by \(unit.name) itself")
        }
    }

    func unitAssignment(_ a: WorkOrderAggregate, _ id: UUID, _ actor: Actor, role: Role, _ action: String) throws(RuleViolation) -> Assignment {
        guard let asg = a.assignment(id) else { throw notFound("assignment") }
        try requireUnitRole(actor, [role], unit: asg.unit, action)
        return asg
    }

    func requireOrder(_ a: WorkOrderAggregate, in states: Set<WorkOrderStatus>, _ action: String) throws(RuleViolation) {
        guard states.contains(a.order.status) else { throw .illegal(action, from: a.order.status.rawValue) }
    }

    func requireAssignment(_ asg: Assignment, in states: Set<AssignmentStatus>, _ action: String) throws(RuleViolation) {
        guard states.contains(asg.status) else { throw .illegal(action, from: asg.status.rawValue) }
    }

    func requireText(_ s: String, _ field: String) throws(RuleViolation) {
        if s.isBlank { throw .invalid(field, "\(field) is required") }
    }

    func notFound(_ what: String) -> RuleViolation {
        RuleViolation(.notFound, code: "\(what)_not_found", rule: "no such \(what) on this order")
    }

    func iso(_ d: Date) -> String { d.isoLocal }
}

extension WorkOrderAggregate {
    mutating func replace(_ asg: Assignment) {
        if let i = assignments.firstIndex(where: { $0.id == asg.id }) { assignments[i] = asg }
    }

    mutating func replace(_ ext: ExtensionRequest) {
        if let i = extensions.firstIndex(where: { $0.id == ext.id }) { extensions[i] = ext }
    }
}
