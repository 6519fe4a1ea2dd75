import Fluent
import HotlineCore
import SQLKit
import Vapor

/// 诉求公开 (R-CIT-4): a reviewer or admin publishes a closed order whose citizen consented,
/// as a masked copy (`Disclosure`), edits it, or withdraws it. The public portal and Open311
/// read only these copies.
struct PublicationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("work-orders", ":orderId", "publication")
        p.get(use: show)
        p.put(use: publish)
        p.delete(use: withdraw)
    }

    struct PublicationDTO: Content {
        var published: Bool
        /// Why the order may not be published, when it may not.
        var refusal: Refusal?
        var title: String
        var matter: String
        var address: String
        var answer: String
        var publishedAt: Date?

        struct Refusal: Content {
            var code: String
            var rule: String
        }
    }

    struct PublishBody: Content {
        var title: String?
        var matter: String?
        var address: String?
        var answer: String?
    }

    /// The names masked wherever they appear: the citizen's and every staff member's who
    /// acted on the order.
    static func knownNames(_ orderId: UUID, on db: any Database) async throws -> [String] {
        try await (db as! any SQLDatabase).raw("SELECT DISTINCT actor_name FROM work_order_events WHERE work_order_id = \(bind: orderId) AND actor_id IS NOT NULL").all()
            .map { try $0.decode(column: "actor_name", as: String.self) }
    }

    static func current(_ orderId: UUID, on db: any Database) async throws -> (Publication, Date)? {
        guard let row = try await (db as! any SQLDatabase).raw("""
            SELECT title, matter, address, answer, published_at FROM publications WHERE work_order_id = \(bind: orderId) AND withdrawn_at IS NULL
            """).first() else { return nil }
        let r = OrderRows.Reader(row: row)
        return (Publication(title: try r("title"), matter: try r("matter"), address: try r("address"), answer: try r("answer")), try r("published_at"))
    }

    static func dto(_ loaded: WorkOrderRepository.Loaded, on db: any Database) async throws -> PublicationDTO {
        let o = loaded.aggregate.order
        if let (p, at) = try await current(o.id, on: db) {
            return PublicationDTO(published: true, refusal: nil, title: p.title, matter: p.matter, address: p.address, answer: p.answer, publishedAt: at)
        }
        let draft = Disclosure.draft(o, knownNames: try await knownNames(o.id, on: db))
        return PublicationDTO(
            published: false, refusal: Disclosure.refusal(o).map { .init(code: $0.code, rule: $0.rule) }, title: draft.title, matter: draft.matter,
            address: draft.address, answer: draft.answer, publishedAt: nil)
    }

    @Sendable func show(req: Request) async throws -> PublicationDTO {
        let p = try req.principal(.reviewer, .admin, .leader, .supervisor)
        return try await Self.dto(try await WorkOrderAccess.visible(req, principal: p), on: req.database)
    }

    @Sendable func publish(req: Request) async throws -> PublicationDTO {
        let principal = try req.principal(.reviewer, .admin)
        let body = (try? req.decodeBody(PublishBody.self)) ?? PublishBody()
        return try await Self.publish(body, principal: principal, on: req)
    }

    /// Publishes (or republishes, edited) the order in the path; the API and the console.
    static func publish(_ body: PublishBody, principal: Principal, on req: Request) async throws -> PublicationDTO {
        let loaded = try await WorkOrderAccess.visible(req, principal: principal)
        let o = loaded.aggregate.order
        if let refusal = Disclosure.refusal(o) { throw APIProblem(refusal) }
        let names = try await knownNames(o.id, on: req.database)
        let draft = Disclosure.draft(o, knownNames: names)
        let p: Publication
        do {
            p = try Disclosure.finalize(
                Publication(title: body.title ?? draft.title, matter: body.matter ?? draft.matter, address: body.address ?? draft.address, answer: body.answer ?? draft.answer),
                for: o, knownNames: names)
        } catch { throw APIProblem(error) }
        let now = req.now
        let actor = principal.actor
        try await req.hotline.write(on: req.database) { db in
            let sql = db as! any SQLDatabase
            try await Self.lockOrder(o.id, on: sql)
            try await sql.raw("DELETE FROM publications WHERE work_order_id = \(bind: o.id)").run()
            try await sql.raw(Self.insert(p, of: o, at: now, by: actor.accountId)).run()
            try await WorkOrderRepository(db: db).appendEvents([DomainEvent("publish", note: p.title)], to: o.id, actor: actor, at: now)
        }
        return PublicationDTO(published: true, refusal: nil, title: p.title, matter: p.matter, address: p.address, answer: p.answer, publishedAt: now)
    }

    /// The row of a published copy; with the order's facts the public list shows.
    static func insert(_ p: Publication, of o: WorkOrder, at publishedAt: Date, by account: UUID) -> SQLQueryString {
        """
        INSERT INTO publications (work_order_id, number, category_code, request_type, title, matter, address, answer, requested_at, closed_at, published_at, published_by)
        VALUES (\(bind: o.id), \(bind: o.number), \(bind: o.categoryCode), \(bind: o.requestType.rawValue), \(bind: p.title), \(bind: p.matter), \(bind: p.address),
                \(bind: p.answer), \(bind: o.createdAt), \(bind: o.closedAt), \(bind: publishedAt), \(bind: account))
        """
    }

    /// The order's row locked for the rest of the transaction (PostgreSQL; SQLite has one
    /// writer anyway), as a transition locks it: the events appended here cannot take the
    /// sequence number a concurrent transition takes.
    static func lockOrder(_ id: UUID, on sql: any SQLDatabase) async throws {
        guard sql.dialect.name != "sqlite" else { return }
        try await sql.raw("SELECT id FROM work_orders WHERE id = \(bind: id) FOR UPDATE").run()
    }

    @Sendable func withdraw(req: Request) async throws -> HTTPStatus {
        let principal = try req.principal(.reviewer, .admin)
        try await Self.withdraw(principal: principal, on: req)
        return .noContent
    }

    static func withdraw(principal: Principal, on req: Request) async throws {
        let loaded = try await WorkOrderAccess.visible(req, principal: principal)
        let id = loaded.aggregate.order.id
        let now = req.now
        try await req.hotline.write(on: req.database) { db in
            try await Self.lockOrder(id, on: db as! any SQLDatabase)
            let rows = try await (db as! any SQLDatabase).raw("UPDATE publications SET withdrawn_at = \(bind: now) WHERE work_order_id = \(bind: id) AND withdrawn_at IS NULL RETURNING work_order_id").all()
            guard rows.count == 1 else { throw APIProblem(.conflict, code: "not_published", rule: "the order is not published") }
            try await WorkOrderRepository(db: db).appendEvents([DomainEvent("withdrawPublication")], to: id, actor: principal.actor, at: now)
        }
    }
}
