import HotlineCore
import Leaf
import Vapor

/// What every console page shows around its own content: the person, the navigation with
/// queue counts, the language, the CSRF token for forms, and the outcome of the last action.
struct ConsolePage: Encodable {
    struct User: Encodable {
        var name: String
        var unitName: String
        var roles: String
        /// Agents take calls: their pages carry the seat form and the live call channel.
        var takesCalls: Bool
        var seat: String?
    }

    struct NavItem: Encodable {
        var href: String
        var label: String
        var active: Bool
    }

    /// A field the server refused, shown next to its input.
    struct FieldError: Encodable {
        var field: String
        var message: String
    }

    var lang: String
    /// The language switch, back to this page.
    var langHref: String
    /// This page's path and query, to come back to after a form in the frame.
    var here: String
    var t: [String: String]
    var title: String
    var user: User?
    var csrf: String
    var nav: [NavItem]
    /// "Done: 签收" after a successful action (the redirect carries `?done=`).
    var flash: String?
    /// The server's refusal of the last form, in words.
    var error: String?
    var errors: [FieldError]
    /// Field name → message, for templates that place messages by field.
    var fieldErrors: [String: String]
}

/// A page's context: the frame and the page's own data.
struct ConsoleView<Data: Encodable>: Encodable {
    var page: ConsolePage
    var data: Data
}

extension Request {
    /// The console's language: Chinese unless the person chose English (the `hotline_lang`
    /// cookie). Not the browser's Accept-Language: the centre's machines are set up in many
    /// ways, and the hotline works in Chinese.
    var consoleLanguage: ConsoleLanguage {
        if let c = cookies[ConsoleLanguage.cookieName]?.string, let l = ConsoleLanguage(rawValue: c) { return l }
        return .zh
    }

    func label(_ key: String) -> String { ConsoleStrings.label(key, consoleLanguage) }

    /// Renders `template` inside the frame. A refused form comes back with `status` 422 (or
    /// the refusal's own status) and the problem shown on the page.
    func renderConsole<D: Encodable>(_ template: String, title: String, _ data: D, status: HTTPResponseStatus = .ok, problem: APIProblem? = nil) async throws -> Response {
        let lang = consoleLanguage
        let principal = auth.get(Principal.self)
        var errors: [ConsolePage.FieldError] = []
        if let problem {
            errors = ([RuleViolation(.invalid, code: problem.code, field: problem.field, rule: problem.rule)] + problem.related)
                .compactMap { v in v.field.map { ConsolePage.FieldError(field: $0, message: RuleMessages.text(v.rule, lang)) } }
        }
        let here = url.path + (url.query.map { "?" + $0 } ?? "")
        let page = ConsolePage(
            lang: lang.rawValue, langHref: "/lang/\(lang == .zh ? "en" : "zh")?next=" + ConsoleLinks.queryValue(here), here: here, t: ConsoleStrings.table(lang), title: title,
            user: principal.map { p in
                ConsolePage.User(
                    name: p.actor.name, unitName: p.actor.unit.name,
                    roles: p.actor.roles.map { ConsoleStrings.label("role.\($0.rawValue)", lang) }.sorted().joined(separator: "、"),
                    takesCalls: p.has(.agent), seat: p.agentExtension)
            },
            csrf: principal?.csrfToken ?? "", nav: principal.map { ConsoleNavigation.items(for: $0, path: url.path, lang: lang) } ?? [],
            // Only a known action's name: the query is anybody's to write.
            flash: (try? query.get(String.self, at: "done")).flatMap { ConsoleStrings.zh["action.\($0)"] != nil ? ConsoleStrings.label("done", lang) + "：" + ConsoleStrings.label("action.\($0)", lang) : nil },
            error: problem.map { Self.describe($0, lang) }, errors: errors,
            fieldErrors: Dictionary(errors.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a }))
        let view = try await self.view.render(template, ConsoleView(page: page, data: data))
        let response = try await view.encodeResponse(for: self)
        response.status = problem?.status ?? status
        return response
    }

    /// A refusal in the reader's language (they name the field and the rule).
    static func describe(_ p: APIProblem, _ lang: ConsoleLanguage) -> String {
        switch p.code {
        case "stale_version": return ConsoleStrings.label("stale", lang)
        case "csrf_token_missing": return ConsoleStrings.label("csrfFailed", lang)
        default: return RuleMessages.text(p.rule, lang)
        }
    }
}

/// The menu: each role's queues, in the order of the closed loop.
enum ConsoleNavigation {
    static func items(for p: Principal, path: String, lang: ConsoleLanguage) -> [ConsolePage.NavItem] {
        var items: [(String, String)] = [("/", "home")]
        if p.has(.agent, .dispatcher) { items.append(("/intake", "intake")) }
        if p.has(.dispatcher) { items.append(("/queues/dispatch", "dispatchQueue")) }
        if p.has(.leader) { items.append(("/queues/instruction", "instructionQueue")) }
        if p.has(.unitHandler, .unitLeader) { items.append(("/inbox", "inbox")) }
        if p.has(.reviewer) {
            items.append(("/queues/review", "reviewQueue"))
            items.append(("/queues/returns", "pendingReturns"))
        }
        if p.has(.supervisor) { items.append(("/supervision", "supervisionBoard")) }
        if p.has(.callbackAgent) { items.append(("/queues/callback", "callbackQueue")) }
        if p.has(.analyst, .leader, .supervisor, .admin) { items.append(("/assessment", "assessment")) }
        items.append(("/search", "search"))
        if p.has(.agent, .dispatcher, .unitHandler, .unitLeader, .admin, .supervisor) { items.append(("/notices", "notices")) }
        if p.has(.admin) { items.append(("/admin", "admin")) }
        return items.map { href, key in
            ConsolePage.NavItem(href: href, label: ConsoleStrings.label(key, lang), active: href == "/" ? path == "/" : path.hasPrefix(href))
        }
    }
}

/// Times as the hotline reads them: Beijing time, to the minute.
enum ConsoleFormat {
    static func time(_ d: Date?) -> String {
        guard let d else { return "" }
        let iso = d.isoLocal  // 2026-11-21T10:30:00+08:00
        return String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// "15 个工作日".
    static func limit(_ l: TimeLimit, _ lang: ConsoleLanguage) -> String {
        "\(l.amount) " + ConsoleStrings.label("limit.\(l.unit.rawValue)", lang)
    }

    /// The value of an `<input type="datetime-local">` for a time.
    static func inputTime(_ d: Date) -> String { String(d.isoLocal.prefix(16)) }

    /// A `datetime-local` or `date` input read as Beijing time.
    static func parseInput(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.count == 10 { return Date(iso: t + "T00:00:00+08:00") }
        if t.count == 16 { return Date(iso: t + ":00+08:00") }
        return Date(iso: t)
    }
}

/// Security headers for console pages: no inline script or style, nothing framed, forms post
/// only here (R-NF-5). Error pages get them too (`ProblemMiddleware`).
struct ConsoleHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        Self.apply(to: response)
        return response
    }

    static func apply(to response: Response) {
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
    }
}

enum ConsoleLinks {
    /// A value for a query string: `&`, `=`, `?`, `#` and `+` encoded too, so a path with a
    /// query of its own comes back whole.
    static func queryValue(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=?#+"))) ?? "/"
    }
}

/// Console pages need a login: without one, the login page (remembering where to go back).
struct ConsoleLoginRequired: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.auth.has(Principal.self) else {
            let back = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            // Page fragments and the call channel, loaded by scripts, answer 401, not a login page to embed.
            if request.url.path.hasPrefix("/intake/") || request.url.path.hasPrefix("/calls/") { throw Abort(.unauthorized) }
            return request.redirect(to: "/login?next=" + ConsoleLinks.queryValue(back))
        }
        return try await next.respond(to: request)
    }
}
