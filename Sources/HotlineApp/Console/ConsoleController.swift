import Fluent
import HotlineCore
import Vapor

/// The console's front door: login and logout, the language switch, and each role's
/// workbench with its queues, counts and lights (R-ROLE, R-NF-6).
struct ConsoleController: RouteCollection {
    /// Routes open without a login.
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: loginForm)
        routes.post("login", use: login)
        routes.get("lang", ":code", use: language)
    }

    /// Routes behind the login.
    func bootLoggedIn(_ routes: any RoutesBuilder) {
        routes.get(use: home)
        routes.post("logout", use: logout)
    }

    struct LoginView: Encodable {
        var username: String
        var next: String
        var failed: Bool
    }

    @Sendable func loginForm(req: Request) async throws -> Response {
        if req.auth.has(Principal.self) { return req.redirect(to: "/") }
        let next = Self.safeNext(try? req.query.get(String.self, at: "next"))
        return try await req.renderConsole("login", title: req.label("login"), LoginView(username: "", next: next, failed: false))
    }

    struct LoginInput: Content {
        var username: String?
        var password: String?
        var next: String?
    }

    @Sendable func login(req: Request) async throws -> Response {
        let input = try req.decodeBody(LoginInput.self)
        let next = Self.safeNext(input.next)
        guard Self.sameOrigin(req) else {
            throw APIProblem(.forbidden, code: "cross_site_login", rule: "log in from this site's own login page")
        }
        do {
            let session = try await AuthController.openSession(req, username: input.username ?? "", password: input.password ?? "")
            let response = req.redirect(to: next)
            AuthController.setCookie(on: response, token: session.token, expires: session.expiresAt)
            return response
        } catch let problem as APIProblem where problem.code == "invalid_credentials" {
            return try await req.renderConsole(
                "login", title: req.label("login"), LoginView(username: input.username ?? "", next: next, failed: true), status: .unauthorized)
        }
    }

    /// Only a path on this site: `next` must not send a fresh login elsewhere. Browsers drop
    /// tabs and newlines from URLs and read `\\` as `/`, so `/<tab>/evil.example` would be
    /// `//evil.example`: no control character, space or backslash anywhere.
    static func safeNext(_ next: String?) -> String {
        guard let n = next, n.hasPrefix("/"), !n.hasPrefix("//"),
            n.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "\\" })
        else { return "/" }
        return n
    }

    /// A login form posted from another site is refused: otherwise a page elsewhere could log
    /// the centre's browser into an account of its choosing (login CSRF).
    static func sameOrigin(_ req: Request) -> Bool {
        if req.headers.first(name: "Sec-Fetch-Site") == "cross-site" { return false }
        guard let origin = req.headers.first(name: .origin) else { return true }
        guard let host = req.headers.first(name: .host), let url = URL(string: origin), let originHost = url.host else { return false }
        return originHost + (url.port.map { ":\($0)" } ?? "") == host
    }

    @Sendable func logout(req: Request) async throws -> Response {
        let p = try req.principal()
        try await req.hotline.writeChangingSessions(on: req.database) { db in try await AccessTokenModel.query(on: db).filter(\.$id == p.tokenId).delete() }
        let response = req.redirect(to: "/login")
        response.cookies[TokenAuthenticator.cookieName] = .expired
        return response
    }

    @Sendable func language(req: Request) async throws -> Response {
        let code = ConsoleLanguage(rawValue: try req.parameters.require("code")) ?? .zh
        let back = Self.safeNext(try? req.query.get(String.self, at: "next"))
        let response = req.redirect(to: back)
        response.cookies[ConsoleLanguage.cookieName] = HTTPCookies.Value(string: code.rawValue, expires: Date().addingTimeInterval(365 * 86_400), path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }

    // MARK: Workbench

    struct Card: Encodable {
        var label: String
        var count: Int
        var href: String
        /// red, yellow or plain: how urgent the queue is.
        var tone: String
    }

    struct HomeView: Encodable {
        var cards: [Card]
        /// The person's first queue; none for roles without one.
        var heading: String?
        var lines: [OrderLine]
        var more: String?
    }

    @Sendable func home(req: Request) async throws -> Response {
        let p = try req.principal()
        let lang = req.consoleLanguage
        func l(_ k: String) -> String { ConsoleStrings.label(k, lang) }
        var cards: [Card] = []
        var heading: String?
        var lines: [OrderLine] = []
        var more: String?
        if p.actor.isPlatformStaff {
            let c = try await QueueController.counts(req)
            func card(_ key: String, _ n: Int, _ href: String, _ tone: String = "plain") { cards.append(Card(label: l(key), count: n, href: href, tone: tone)) }
            if p.has(.dispatcher, .agent) { card("awaitingDispatch", c.awaitingDispatch, "/queues/dispatch") }
            if p.has(.leader, .dispatcher) { card("awaitingInstruction", c.awaitingInstruction, "/queues/instruction") }
            if p.has(.reviewer) {
                card("awaitingReview", c.awaitingReview, "/queues/review")
                card("pendingReturns", c.pendingReturns, "/queues/returns", c.pendingReturns > 0 ? "yellow" : "plain")
                card("pendingExtensions", c.pendingExtensions, "/queues/extensions", c.pendingExtensions > 0 ? "yellow" : "plain")
            }
            if p.has(.callbackAgent) { card("awaitingCallback", c.awaitingCallback, "/queues/callback") }
            if p.has(.supervisor, .dispatcher, .reviewer, .analyst, .admin, .leader) {
                card("handling", c.handling, "/search?status=handling")
                card("dueSoon", c.dueSoon, "/search?light=yellow", "yellow")
                card("overdue", c.overdue, "/search?light=red", "red")
                card("openSupervisions", c.openSupervisions, "/supervision")
                card("sensitiveOpen", c.sensitiveOpen, "/search?sensitive=true")
            }
            // The person's first queue, most urgent first.
            let queue: (String, WorkOrderStatus, [String])? =
                p.has(.dispatcher) ? ("dispatchQueue", .pendingDispatch, ["dispatch_due_at", "number"])
                : p.has(.reviewer) ? ("reviewQueue", .awaitingReview, ["due_at", "number"])
                : p.has(.callbackAgent) ? ("callbackQueue", .awaitingCallback, ["callback_due_at", "number"])
                : p.has(.leader) ? ("instructionQueue", .awaitingInstruction, ["created_at"])
                : p.has(.agent) ? ("dispatchQueue", .pendingDispatch, ["dispatch_due_at", "number"]) : nil
            if let (key, status, sort) = queue {
                heading = l(key)
                let page = try await QueueController.page(req, status, by: sort, page: 1, per: 10)
                lines = page.items.map { OrderLine($0, lang: lang) }
                more = ConsoleNavigation.items(for: p, path: "", lang: lang).first { $0.label == heading }?.href
            }
        } else {
            for bucket in QueueController.Bucket.allCases {
                let page = try await QueueController.inbox(req, unitId: p.actor.unit.id, bucket: bucket, page: 1, per: 1)
                let tone = bucket == .overdue ? "red" : bucket == .dueSoon ? "yellow" : "plain"
                cards.append(Card(label: l(bucket == .redo ? "returned" : bucket.rawValue), count: page.total, href: "/inbox?bucket=\(bucket.rawValue)", tone: tone))
            }
            heading = l("toSign")
            let page = try await QueueController.inbox(req, unitId: p.actor.unit.id, bucket: .toSign, page: 1, per: 10)
            lines = page.items.map { OrderLine($0.order, lang: lang) }
            more = "/inbox"
        }
        return try await req.renderConsole("home", title: l("home"), HomeView(cards: cards, heading: heading, lines: lines, more: more))
    }
}
