import HotlineCore
import Vapor

/// The outbox (发送记录) and the message templates (短信模板) in the console: delivery states,
/// an administrator's retry of dead messages, and the texts. Runs `OutboxController`'s own
/// functions, so the console validates and stores exactly as the API does.
struct ConsoleOutboxController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("outbox", use: outbox)
        admin.post("outbox", ":messageId", "retry", use: retry)
        admin.get("templates", use: templates)
        admin.post("templates", ":key", use: setTemplate)
    }

    struct OutboxView: Encodable {
        struct Line: Encodable {
            var id: String
            var createdAt: String
            var order: String?
            var recipient: String
            var template: String
            var body: String
            var state: String
            var stateLabel: String
            var attempts: Int
            /// Optional, not empty: Leaf takes an empty string as true.
            var next: String?
            var error: String?
            var sentAt: String?
            var canRetry: Bool
        }
        var lines: [Line]
        var tabs: [ListData.Tab]
        var pager: Pager
    }

    struct Query: Content {
        var state: String?
        var page: Int?
    }

    @Sendable func outbox(req: Request) async throws -> Response {
        let p = try req.principal(.admin, .supervisor)
        let q = try req.query.decode(Query.self)
        let lang = req.consoleLanguage
        func l(_ k: String) -> String { ConsoleStrings.label(k, lang) }
        let page = try await OutboxController.page(req, state: q.state, workOrderId: nil, page: q.page, per: 50)
        var tabs: [ListData.Tab] = [.init(href: "/admin/outbox", label: l("all"), count: nil, active: q.state == nil)]
        for s in OutboxController.states {
            let n = try await OutboxController.page(req, state: s, workOrderId: nil, page: 1, per: 1).total
            tabs.append(.init(href: "/admin/outbox?state=\(s)", label: l("outbox.\(s)"), count: n, active: q.state == s))
        }
        let view = OutboxView(
            lines: page.items.map { m in
                .init(
                    id: m.id.uuidString, createdAt: ConsoleFormat.time(m.createdAt), order: m.workOrderId?.uuidString, recipient: "\(m.recipient)（\(l(["liaison", "citizen"].contains(m.recipientKind) ? "recipient.\(m.recipientKind)" : "role.\(m.recipientKind)"))）",
                    template: m.template, body: m.body, state: m.state, stateLabel: l("outbox.\(m.state)"), attempts: m.attempts,
                    next: m.state == "pending" ? ConsoleFormat.time(m.nextAttemptAt) : nil, error: m.lastError, sentAt: m.sentAt.map { ConsoleFormat.time($0) },
                    canRetry: m.state == "dead" && p.has(.admin))
            },
            tabs: tabs, pager: Pager(page, url: req.url))
        return try await req.renderConsole("admin/outbox", title: l("adminOutbox"), view)
    }

    @Sendable func retry(req: Request) async throws -> Response {
        do {
            _ = try await OutboxController.retry(req)
            return req.redirect(to: "/admin/outbox?state=pending&done=save")
        } catch {
            let problem = ProblemMiddleware.problem(for: error)
            guard problem.status != .internalServerError, problem.status != .forbidden else { throw error }
            return req.redirect(to: "/admin/outbox?state=dead")
        }
    }

    struct TemplatesView: Encodable {
        var lines: [OutboxController.TemplateDTO]
        var failedKey: String?
        var failedBody: String?
    }

    @Sendable func templates(req: Request) async throws -> Response {
        try await templatesPage(req)
    }

    func templatesPage(_ req: Request, problem: APIProblem? = nil, key: String? = nil, body: String? = nil) async throws -> Response {
        _ = try req.principal(.admin)
        var lines = try await OutboxController.templates(req)
        // A refused text comes back as typed, in its own row.
        if let key, let body, let i = lines.firstIndex(where: { $0.key == key }) { lines[i].body = body }
        return try await req.renderConsole("admin/templates", title: req.label("adminTemplates"), TemplatesView(lines: lines, failedKey: key, failedBody: body), problem: problem)
    }

    @Sendable func setTemplate(req: Request) async throws -> Response {
        let key = try req.parameters.require("key")
        struct Form: Content { var body: String? }
        let body = try req.decodeBody(Form.self).body ?? ""
        do {
            _ = try await OutboxController.setTemplate(req, key: key, body: body)
            return req.redirect(to: "/admin/templates?done=save")
        } catch {
            let problem = ProblemMiddleware.problem(for: error)
            guard problem.status != .internalServerError, problem.status != .forbidden else { throw error }
            return try await templatesPage(req, problem: problem, key: key, body: body)
        }
    }
}
