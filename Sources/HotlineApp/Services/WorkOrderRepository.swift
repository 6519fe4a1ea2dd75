import Fluent
import HotlineCore
import SQLKit
import Vapor

/// Loads a work order with everything the rules look at, and stores a transition: the state
/// change and its events in one transaction, guarded by the order's version (R-WO-9, R-NF-4).
struct WorkOrderRepository {
    let db: any Database

    struct Loaded {
        var aggregate: WorkOrderAggregate
        var order: WorkOrderModel
        var assignments: [UUID: AssignmentModel]
        var extensions: [UUID: ExtensionRequestModel]
        var supervisions: [UUID: SupervisionModel]
    }

    func find(_ id: UUID) async throws -> Loaded? {
        guard let order = try await WorkOrderModel.find(id, on: db) else { return nil }
        return try await load(order)
    }

    func find(number: String) async throws -> Loaded? {
        guard let order = try await WorkOrderModel.query(on: db).filter(\.$number == number).first() else { return nil }
        return try await load(order)
    }

    func load(_ order: WorkOrderModel) async throws -> Loaded {
        let id = order.id!
        async let assignments = AssignmentModel.query(on: db).filter(\.$workOrderId == id).sort(\.$dispatchedAt).all()
        async let extensions = ExtensionRequestModel.query(on: db).filter(\.$workOrderId == id).sort(\.$requestedAt).all()
        async let supervisions = SupervisionModel.query(on: db).filter(\.$workOrderId == id).sort(\.$openedAt).all()
        async let reminders = ReminderModel.query(on: db).filter(\.$workOrderId == id).sort(\.$at).all()
        let (a, e, s, r) = try await (assignments, extensions, supervisions, reminders)
        let aggregate = WorkOrderAggregate(order: order.value, assignments: a.map(\.value), extensions: e.map(\.value), supervisions: s.map(\.value), reminders: r.map(\.value))
        return Loaded(
            aggregate: aggregate, order: order,
            assignments: Dictionary(uniqueKeysWithValues: a.map { ($0.id!, $0) }),
            extensions: Dictionary(uniqueKeysWithValues: e.map { ($0.id!, $0) }),
            supervisions: Dictionary(uniqueKeysWithValues: s.map { ($0.id!, $0) }))
    }

    /// Writes a transition inside the caller's transaction. The version bump is a conditional
    /// UPDATE: if someone else wrote first it matches no row and nothing is written.
    func save(_ t: Transition, over loaded: Loaded, actor: Actor?, at now: Date) async throws {
        let before = loaded.aggregate
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw(
            "UPDATE work_orders SET version = \(bind: before.order.version + 1) WHERE id = \(bind: before.order.id) AND version = \(bind: before.order.version) RETURNING version"
        ).all()
        guard rows.count == 1 else { throw APIProblem.staleVersion }
        var order = t.aggregate.order
        order.version = before.order.version + 1
        loaded.order.apply(order)
        try await loaded.order.save(on: db)
        try await writeParts(t.aggregate, previous: before, loaded: loaded)
        if SearchIndex.text(of: order) != SearchIndex.text(of: before.order) { try await SearchIndex(db).update(order) }
        try await append(t.events, to: order.id, actor: actor, at: now)
    }

    /// Creates a new order (intake) with its first events.
    func create(_ t: Transition, actor: Actor, at now: Date) async throws {
        try await WorkOrderModel(t.aggregate.order).create(on: db)
        try await writeParts(t.aggregate, previous: nil, loaded: nil)
        try await SearchIndex(db).insert(t.aggregate.order)
        try await append(t.events, to: t.aggregate.order.id, actor: actor, at: now, startingAt: 1)
    }

    /// Stores an order with a history written elsewhere (the demo and synthetic seeds), each
    /// event with its own actor and time.
    func create(_ a: WorkOrderAggregate, history: [(DomainEvent, Actor?, Date)]) async throws {
        try await WorkOrderModel(a.order).create(on: db)
        try await writeParts(a, previous: nil, loaded: nil)
        try await SearchIndex(db).insert(a.order)
        var models: [WorkOrderEventModel] = []
        for (i, h) in history.enumerated() {
            models.append(WorkOrderEventModel(h.0, workOrderId: a.order.id, seq: i + 1, at: h.2, actor: h.1))
        }
        try await models.create(on: db)
    }

    private func writeParts(_ a: WorkOrderAggregate, previous: WorkOrderAggregate?, loaded: Loaded?) async throws {
        let orderId = a.order.id
        for asg in a.assignments where previous?.assignment(asg.id) != asg {
            if let m = loaded?.assignments[asg.id] {
                m.apply(asg)
                try await m.save(on: db)
            } else {
                try await AssignmentModel(asg).create(on: db)
            }
        }
        for e in a.extensions where previous?.extensions.first(where: { $0.id == e.id }) != e {
            if let m = loaded?.extensions[e.id] {
                m.apply(e)
                try await m.save(on: db)
            } else {
                try await ExtensionRequestModel(e, workOrderId: orderId).create(on: db)
            }
        }
        for s in a.supervisions where previous?.supervisions.first(where: { $0.id == s.id }) != s {
            if let m = loaded?.supervisions[s.id] {
                m.apply(s)
                try await m.save(on: db)
            } else {
                try await SupervisionModel(s, workOrderId: orderId).create(on: db)
            }
        }
        let known = Set(previous?.reminders.map(\.id) ?? [])
        for r in a.reminders where !known.contains(r.id) {
            try await ReminderModel(r, workOrderId: orderId).create(on: db)
        }
    }

    private func append(_ events: [DomainEvent], to orderId: UUID, actor: Actor?, at now: Date, startingAt: Int? = nil) async throws {
        guard !events.isEmpty else { return }
        var seq: Int
        if let startingAt {
            seq = startingAt
        } else {
            seq = (try await WorkOrderEventModel.query(on: db).filter(\.$workOrderId == orderId).max(\.$seq) ?? 0) + 1
        }
        var models: [WorkOrderEventModel] = []
        for e in events {
            models.append(WorkOrderEventModel(e, workOrderId: orderId, seq: seq, at: now, actor: actor))
            seq += 1
        }
        try await models.create(on: db)
    }

    /// Next number for the day (R-WO-1): `yyyyMMdd` + six digits, from a per-day counter row
    /// bumped inside the creating transaction, so numbers never repeat across instances.
    func nextNumber(day: LocalDate) async throws -> String {
        let sql = db as! any SQLDatabase
        let key = day.description.replacingOccurrences(of: "-", with: "")
        try await sql.raw("INSERT INTO work_order_counters (day, last) VALUES (\(bind: key), 0) ON CONFLICT (day) DO NOTHING").run()
        let row = try await sql.raw("UPDATE work_order_counters SET last = last + 1 WHERE day = \(bind: key) RETURNING last").first()
        guard let n = try row?.decode(column: "last", as: Int.self) else {
            throw APIProblem(.internalServerError, code: "numbering_failed", rule: "could not draw an order number")
        }
        return key + n.padded(6)
    }
}

/// Loads what the rules need besides the order: calendar, parameters, limit rules.
struct RulesLoader {
    let db: any Database
    let services: HotlineServices

    func policy() async throws -> Policy {
        var p = Policy()
        for row in try await ParameterModel.query(on: db).all() {
            // A row an older version wrote and this one no longer knows is skipped, not fatal.
            try? p.apply(row.id!, row.value)
        }
        return p
    }

    func limits() async throws -> TimeLimitRules {
        TimeLimitRules(try await TimeLimitRuleModel.query(on: db).all().compactMap { m in
            guard let unit = TimeLimitUnit(rawValue: m.unit) else { return nil }
            return TimeLimitRule(
                requestType: m.requestType.flatMap(RequestType.init(rawValue:)), categoryPrefix: m.categoryPrefix,
                urgency: m.urgency.flatMap(Urgency.init(rawValue:)), limit: TimeLimit(m.amount, unit))
        })
    }

    func lifecycle(now: Date) async throws -> Lifecycle {
        async let calendar = services.calendars.calendar(on: db, now: now)
        async let policy = policy()
        async let limits = limits()
        return Lifecycle(LifecycleContext(now: now, calendar: try await calendar, policy: try await policy, limits: try await limits, newID: { UUID.timeOrdered() }))
    }
}
