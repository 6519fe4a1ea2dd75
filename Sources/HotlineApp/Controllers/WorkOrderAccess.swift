import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The steps every work-order endpoint shares: find it within the reader's scope, show it
/// with the right masking and access log, and run a lifecycle command against it.
enum WorkOrderAccess {
    /// The order named in the path, if the reader may see it (R-ROLE-1); otherwise 404, so
    /// other units' order ids are not confirmed to exist.
    static func visible(_ req: Request, principal: Principal, id: UUID? = nil) async throws -> WorkOrderRepository.Loaded {
        let orderId = try id ?? req.parameters.require("orderId", as: UUID.self)
        guard let loaded = try await WorkOrderRepository(db: req.database).find(orderId), canSee(principal.actor, loaded.aggregate) else {
            throw APIProblem.notFound("work_order")
        }
        return loaded
    }

    static func canSee(_ actor: Actor, _ a: WorkOrderAggregate) -> Bool {
        actor.isPlatformStaff || a.assignments.contains { actor.canSee(unitPath: $0.unit.path) }
    }

    /// R-WO-6: unit roles do not see a secret citizen's name, phone or address.
    static func masked(_ actor: Actor, _ order: WorkOrder) -> Bool {
        order.citizen.wantsSecrecy && !actor.isPlatformStaff
    }

    /// The detail view; every unmasked read of citizen data is logged with who and why (R-NF-5).
    static func detail(_ req: Request, _ loaded: WorkOrderRepository.Loaded, principal: Principal, purpose: String) async throws -> WorkOrderDTO {
        let order = loaded.aggregate.order
        let masked = masked(principal.actor, order)
        if !masked && !order.citizen.anonymous {
            var fields = ["name", "phone"]
            if order.citizen.idNumber != nil { fields.append("idNumber") }
            if order.citizen.address != nil { fields.append("address") }
            let row: [DatabaseQuery.Value] = [
                .bind(UUID.timeOrdered()), .bind(principal.accountId), .bind(principal.actor.name), .bind(order.id),
                .bind(fields.joined(separator: ",")), .bind(String(purpose.prefix(200))), .bind(req.now),
            ]
            try await req.hotline.writeOne(SQLRowsInsert(table: PersonalDataAccessModel.schema, columns: PersonalDataAccessModel.columns, rows: [row]), on: req.database)
        }
        let attachments = try await (req.database as! any SQLDatabase).selectColumns(AttachmentDTO.columns, from: AttachmentModel.schema)
            .where(SQLColumn("work_order_id"), .equal, SQLBind(order.id)).orderBy("uploaded_at").all().map(AttachmentDTO.init(row:))
        return WorkOrderDTO(loaded.aggregate, masked: masked, attachments: attachments, now: req.now)
    }

    static func respond(_ req: Request, id: UUID, principal: Principal, purpose: String) async throws -> Response {
        guard let fresh = try await WorkOrderRepository(db: req.database).find(id) else { throw APIProblem.notFound("work_order") }
        // After a return is accepted the unit no longer sees the order: answer with what it may.
        guard canSee(principal.actor, fresh.aggregate) else { return Response(status: .noContent) }
        let dto = try await detail(req, fresh, principal: principal, purpose: purpose)
        let response = try await dto.encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .eTag, value: "\"\(dto.version)\"")
        return response
    }

    /// `If-Match: "7"` must name the current version when sent.
    static func checkIfMatch(_ req: Request, _ order: WorkOrder) throws {
        guard let header = req.headers.first(name: .ifMatch) else { return }
        let tag = header.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard tag == "*" || Int(tag) == order.version else { throw APIProblem.staleVersion }
    }

    /// Loads, applies a command through the pure core, and stores the result with its
    /// events in one transaction. An illegal command throws before anything is written.
    static func perform(_ req: Request, orderId: UUID? = nil, _ command: @Sendable (WorkOrderAggregate) throws -> Command) async throws -> Response {
        let (principal, id, action) = try await apply(req, orderId: orderId, command)
        return try await respond(req, id: id, principal: principal, purpose: action)
    }

    /// `perform` without the answer: the console redirects instead. Returns who acted, on
    /// which order, and the action's name.
    static func apply(_ req: Request, orderId: UUID? = nil, _ command: @Sendable (WorkOrderAggregate) throws -> Command) async throws -> (Principal, UUID, String) {
        let principal = try req.principal()
        let loaded = try await visible(req, principal: principal, id: orderId)
        try checkIfMatch(req, loaded.aggregate.order)
        let now = req.now
        let lifecycle = try await RulesLoader(db: req.database, services: req.hotline).lifecycle(now: now)
        let cmd = try command(loaded.aggregate)
        let t = try lifecycle.apply(cmd, to: loaded.aggregate, by: principal.actor)
        try await req.hotline.write(on: req.database) { db in
            try await WorkOrderRepository(db: db).save(t, over: loaded, actor: principal.actor, at: now, timers: lifecycle.timers(for: t.aggregate), messages: lifecycle.citizenMessages(for: t))
        }
        return (principal, loaded.aggregate.order.id, cmd.action)
    }
}

/// Dictionary lookups the endpoints validate against, from the rules cache: an entry switched
/// off or added by an administrator counts at once on this instance (`RulesCache`).
enum Dictionaries {
    static func requireActive(kind: String, code: String, field: String, in req: Request) async throws {
        guard try await req.hotline.rules.snapshot(on: req.database).isActive(kind: kind, code: code) else {
            throw APIProblem(.unprocessableEntity, code: "unknown_code", field: field, rule: "\(field) must be an active \(kind) code from /api/v1/dictionaries/\(kind); got '\(code)'")
        }
    }
}

enum Units {
    /// An active unit that can receive orders.
    static func handling(_ id: UUID, field: String, on db: any Database) async throws -> UnitRef {
        guard let u = try await UnitModel.find(id, on: db), u.active else {
            throw APIProblem(.unprocessableEntity, code: "unknown_unit", field: field, rule: "\(field) must name an active unit")
        }
        return u.ref
    }
}
