import Fluent
import HotlineCore
import SQLKit
import Vapor

/// `/api/v1/outbox` (the messages owed and their delivery, R-INT-1) and
/// `/api/v1/message-templates` (their texts, R-ADM-1), for administrators. The console's pages
/// run the same functions.
struct OutboxController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("outbox", use: list)
        routes.post("outbox", ":messageId", "retry", use: retry)
        routes.get("message-templates", use: templates)
        routes.put("message-templates", ":key", use: setTemplate)
    }

    struct MessageDTO: Content {
        var id: UUID
        var createdAt: Date
        var workOrderId: UUID?
        var channel: String
        /// Masked: the outbox is for seeing delivery, not for collecting numbers (R-NF-5).
        var recipient: String
        var recipientKind: String
        var template: String
        var body: String
        var state: String
        var attempts: Int
        var nextAttemptAt: Date
        var lastError: String?
        var sentAt: Date?
    }

    static let states = ["pending", "sent", "dead"]

    struct ListQuery: Content {
        var state: String?
        var workOrderId: UUID?
        var page: Int?
        var per: Int?
    }

    @Sendable func list(req: Request) async throws -> Page<MessageDTO> {
        _ = try req.principal(.admin, .supervisor)
        let q = try req.query.decode(ListQuery.self)
        return try await Self.page(req, state: q.state, workOrderId: q.workOrderId, page: q.page, per: q.per)
    }

    static func page(_ req: Request, state: String?, workOrderId: UUID?, page: Int?, per: Int?) async throws -> Page<MessageDTO> {
        let (page, per, offset) = try Paging.resolve(page: page, per: per)
        if let state, !states.contains(state) {
            throw APIProblem.invalid("state", "state must be one of \(states.joined(separator: ", "))")
        }
        var filter: SQLQueryString = "1 = 1"
        if let state { filter.appendInterpolation(unsafeRaw: " AND state = "); filter.appendInterpolation(bind: state) }
        if let workOrderId { filter.appendInterpolation(unsafeRaw: " AND work_order_id = "); filter.appendInterpolation(bind: workOrderId) }
        let sql = req.database as! any SQLDatabase
        var count: SQLQueryString = "SELECT COUNT(*) AS n FROM outbox WHERE "
        count.appendInterpolation(filter)
        let total = try await sql.raw(count).first()?.decode(column: "n", as: Int.self) ?? 0
        var select: SQLQueryString = "SELECT \(unsafeRaw: SQLColumnList(Outbox.columns).text) FROM outbox WHERE "
        select.appendInterpolation(filter)
        select.appendInterpolation(unsafeRaw: " ORDER BY created_at DESC, id DESC LIMIT \(per) OFFSET \(offset)")
        let items = try await sql.raw(select).all().map(Self.dto)
        return Page(items: items, page: page, per: per, total: total)
    }

    static func dto(_ row: any SQLRow) throws -> MessageDTO {
        let r = OrderRows.Reader(row: row)
        return MessageDTO(
            id: try r("id"), createdAt: try r("created_at"), workOrderId: try r.optional("work_order_id"), channel: try r("channel"),
            recipient: Masking.phone(try r("recipient")), recipientKind: try r("recipient_kind"), template: try r("template"), body: QuerySecret.masked(in: try r("body")),
            state: try r("state"), attempts: try r("attempts"), nextAttemptAt: try r("next_attempt_at"), lastError: try r.optional("last_error"),
            sentAt: try r.optional("sent_at"))
    }

    /// A dead message back to pending, tried at once; only a dead one (a pending one is being
    /// tried anyway, a sent one arrived).
    @Sendable func retry(req: Request) async throws -> MessageDTO {
        try await Self.retry(req)
    }

    static func retry(_ req: Request) async throws -> MessageDTO {
        _ = try req.principal(.admin)
        let id = try req.parameters.require("messageId", as: UUID.self)
        let now = req.now
        let done = try await req.hotline.write(on: req.database) { db in try await Outbox(db: db).retry(id, at: now) }
        let sql = req.database as! any SQLDatabase
        guard let row = try await sql.raw("SELECT \(unsafeRaw: SQLColumnList(Outbox.columns).text) FROM outbox WHERE id = \(bind: id)").first() else {
            throw APIProblem.notFound("message")
        }
        guard done else {
            throw APIProblem(.conflict, code: "not_dead", rule: "only a dead message is retried; this one is \(try row.decode(column: "state", as: String.self))")
        }
        return try dto(row)
    }

    struct TemplateDTO: Content {
        var key: String
        var body: String
        var description: String
        /// False once an administrator changed the text.
        var isDefault: Bool
    }

    @Sendable func templates(req: Request) async throws -> [TemplateDTO] {
        _ = try req.principal(.admin)
        return try await Self.templates(req)
    }

    static func templates(_ req: Request) async throws -> [TemplateDTO] {
        let current = try await MessageTemplates.current(on: req.database)
        return MessageTemplates.defaults.keys.sorted().map { k in
            let d = MessageTemplates.defaults[k]!
            return TemplateDTO(key: k, body: current[k] ?? d.body, description: d.description, isDefault: current[k] == d.body)
        }
    }

    struct TemplateBody: Content { var body: String }

    @Sendable func setTemplate(req: Request) async throws -> TemplateDTO {
        let key = try req.parameters.require("key")
        let b = try req.decodeBody(TemplateBody.self)
        return try await Self.setTemplate(req, key: key, body: b.body)
    }

    /// A new text for a template; `{name}` placeholders the default uses may be kept, moved or
    /// left out, but not invented (they would stay in the SMS as typed).
    static func setTemplate(_ req: Request, key: String, body: String) async throws -> TemplateDTO {
        _ = try req.principal(.admin)
        guard let d = MessageTemplates.defaults[key] else { throw APIProblem.notFound("template") }
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 300 else { throw APIProblem.invalid("body", "body must be 1–300 characters") }
        let known = MessageTemplates.placeholders(in: d.body)
        if let unknown = MessageTemplates.placeholders(in: text).first(where: { !known.contains($0) }) {
            throw APIProblem.invalid("body", "{\(unknown)} is not filled in this message; it may use \(known.sorted().map { "{\($0)}" }.joined(separator: " "))")
        }
        // Without these the message fails its purpose: the citizen could not look the order up.
        for needed in MessageTemplates.required[key] ?? [] where !MessageTemplates.placeholders(in: text).contains(needed) {
            throw APIProblem.invalid("body", "this message must keep {\(needed)}")
        }
        let now = req.now
        try await req.hotline.write(on: req.database) { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM message_templates WHERE \"key\" = \(bind: key)").run()
            try await sql.raw("INSERT INTO message_templates (\"key\", body, description, updated_at) VALUES (\(bind: key), \(bind: text), \(bind: d.description), \(bind: now))").run()
        }
        // The acceptance SMS of the next intake uses the new text (`RulesCache`).
        req.hotline.rules.invalidate()
        return TemplateDTO(key: key, body: text, description: d.description, isDefault: text == d.body)
    }
}
