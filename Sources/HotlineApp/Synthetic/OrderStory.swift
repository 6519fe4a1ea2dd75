import Foundation
import HotlineCore

/// One order's life played forward by the real rules at back-dated times (the demo and the
/// synthetic city), so every stored timeline is one the system itself could have written.
/// A step that would land after `now` does not happen: young orders stay open, as in life.
struct OrderStory {
    private(set) var state: WorkOrderAggregate
    private(set) var history: [(DomainEvent, Actor?, Date)] = []
    private(set) var time: Date
    let now: Date
    let context: LifecycleContext

    init(_ draft: IntakeDraft, id: UUID, number: String, by agent: Actor, at time: Date, now: Date, context: LifecycleContext) throws {
        self.time = time
        self.now = now
        self.context = context
        var c = context
        c.now = time
        let t = try Lifecycle(c).intake(draft, id: id, number: number, by: agent)
        state = t.aggregate
        history = t.events.map { ($0, agent, time) }
    }

    /// Applies `command` `hours` after the last step. False when that moment is still in the
    /// future; throws when the rules refuse.
    @discardableResult
    mutating func step(_ command: Command, by actor: Actor, after hours: Double) throws -> Bool {
        let next = time.addingTimeInterval(hours * 3600)
        guard next < now else { return false }
        var c = context
        c.now = next
        let r = try Lifecycle(c).apply(command, to: state, by: actor)
        time = next
        state = r.aggregate
        history += r.events.map { ($0, actor, next) }
        return true
    }

    /// Like `step`, but a refusal (a window closed, say) is simply a step not taken.
    @discardableResult
    mutating func attempt(_ command: Command, by actor: Actor, after hours: Double) -> Bool {
        (try? step(command, by: actor, after: hours)) ?? false
    }

    /// Joins another story's order as a merged duplicate (并单).
    mutating func merge(into target: inout OrderStory, by actor: Actor, after hours: Double) -> Bool {
        let next = time.addingTimeInterval(hours * 3600)
        guard next < now, target.state.order.status.isOpen else { return false }
        var c = context
        c.now = next
        guard let (s, t) = try? Lifecycle(c).merge(state, into: target.state, by: actor, note: "同一诉求, 并入在办工单") else { return false }
        time = next
        state = s.aggregate
        history += s.events.map { ($0, actor, next) }
        target.state = t.aggregate
        target.history += t.events.map { ($0, actor, next) }
        // The target's later steps come after the merge, so its timeline stays in time order.
        target.time = max(target.time, next)
        return true
    }
}
