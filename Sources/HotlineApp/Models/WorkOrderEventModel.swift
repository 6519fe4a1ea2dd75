import Fluent
import HotlineCore
import Vapor

/// One line of a work order's append-only timeline (R-WO-9): who, role, unit, when, what,
/// before/after, note. Never updated or deleted.
final class WorkOrderEventModel: Model, @unchecked Sendable {
    static let schema = "work_order_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "work_order_id") var workOrderId: UUID
    /// Position in the order's timeline; with `at` it orders events written in one transaction.
    @Field(key: "seq") var seq: Int
    @Field(key: "at") var at: Date
    @Field(key: "action") var action: String
    @OptionalField(key: "actor_id") var actorId: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "actor_roles") var actorRoles: String
    @OptionalField(key: "actor_unit_id") var actorUnitId: UUID?
    @OptionalField(key: "actor_unit_name") var actorUnitName: String?
    @OptionalField(key: "assignment_id") var assignmentId: UUID?
    @OptionalField(key: "unit_id") var unitId: UUID?
    @OptionalField(key: "from_status") var fromStatus: String?
    @OptionalField(key: "to_status") var toStatus: String?
    @OptionalField(key: "note") var note: String?
    /// JSON object of further before/after details.
    @Field(key: "details") var details: [String: String]

    init() {}

    init(_ e: DomainEvent, workOrderId: UUID, seq: Int, at: Date, actor: Actor?) {
        self.id = UUID.timeOrdered()
        self.workOrderId = workOrderId
        self.seq = seq
        self.at = at
        self.action = e.action
        self.actorId = actor?.accountId
        self.actorName = actor?.name ?? "系统"
        self.actorRoles = actor.map { AccountModel.text($0.roles) } ?? "system"
        self.actorUnitId = actor?.unit.id
        self.actorUnitName = actor?.unit.name
        self.assignmentId = e.assignmentId
        self.unitId = e.unitId
        self.fromStatus = e.fromStatus
        self.toStatus = e.toStatus
        self.note = e.note
        self.details = e.details
    }
}
