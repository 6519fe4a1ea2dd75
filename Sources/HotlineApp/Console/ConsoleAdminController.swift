import Fluent
import HotlineCore
import SQLKit
import Vapor

/// Administration in the console (R-ADM-1): units, accounts and roles, dictionaries,
/// parameters, time-limit rules, the working calendar and the personal-data access log.
///
/// Every change goes through the API's own handler (`AdminController`, `CalendarController`):
/// the posted form is turned into the JSON body that handler reads, so the console cannot
/// validate or store anything differently from the API. A refusal re-renders the page with the
/// problem and the form's inputs (422 or 409).
struct ConsoleAdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get(use: index)
        admin.get("units", use: units)
        admin.post("units", use: createUnit)
        admin.post("units", ":unitId", use: updateUnit)
        admin.get("accounts", use: accounts)
        admin.post("accounts", use: createAccount)
        admin.post("accounts", ":accountId", use: updateAccount)
        admin.get("dictionaries", ":kind", use: dictionary)
        admin.post("dictionaries", ":kind", use: createEntry)
        admin.post("dictionaries", ":kind", ":code", use: updateEntry)
        admin.get("parameters", use: parameters)
        admin.post("parameters", ":key", use: setParameter)
        admin.get("rules", use: rules)
        admin.post("rules", use: createRule)
        admin.post("rules", ":ruleId", "delete", use: deleteRule)
        admin.get("calendar", use: calendar)
        admin.post("calendar", use: importCalendar)
        admin.get("access-log", use: accessLog)
    }

    /// The form's fields as text (empty ones dropped: the API reads a missing field as
    /// "unchanged" or "none", where an empty string would be a value).
    static func form(_ req: Request) throws -> [String: String] {
        try req.decodeBody([String: String].self).filter { $0.key != "_csrf" && !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Runs an API handler with `body` as its JSON body, as the same person, with the same
    /// route parameters.
    static func callAPI<T>(_ req: Request, body: [String: Any], _ handler: (Request) async throws -> T) async throws -> T {
        try await callAPI(req, json: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)), handler)
    }

    /// The same with a JSON body as it stands, and route parameters of its own when given.
    static func callAPI<T>(_ req: Request, json: ByteBuffer, parameters: Parameters? = nil, _ handler: (Request) async throws -> T) async throws -> T {
        var headers = req.headers
        headers.contentType = .json
        headers.remove(name: .cookie)
        let inner = Request(
            application: req.application, method: req.method, url: req.url, version: req.version, headers: headers,
            collectedBody: json, remoteAddress: req.remoteAddress, logger: req.logger, on: req.eventLoop)
        inner.parameters = parameters ?? req.parameters
        if let p = req.auth.get(Principal.self) { inner.auth.login(p) }
        return try await handler(inner)
    }

    /// Runs a change; on success back to `back` with `done`, refused, `page` again with the problem.
    func change(_ req: Request, back: String, _ run: () async throws -> Void, page: (APIProblem) async throws -> Response) async throws -> Response {
        do {
            try await run()
            return req.redirect(to: back + (back.contains("?") ? "&" : "?") + "done=save")
        } catch {
            let problem = ProblemMiddleware.problem(for: error)
            guard problem.status != .internalServerError, problem.status != .forbidden else { throw error }
            return try await page(problem)
        }
    }

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    // MARK: Index

    struct IndexView: Encodable {
        struct Link: Encodable { var href: String; var label: String }
        var links: [Link]
    }

    @Sendable func index(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        let links = [
            ("/admin/units", "adminUnits"), ("/admin/accounts", "adminAccounts"), ("/admin/dictionaries/category", "category"),
            ("/admin/dictionaries/declineReason", "adminDeclineReasons"), ("/admin/dictionaries/guideTarget", "adminGuideTargets"),
            ("/admin/dictionaries/unitKind", "adminUnitKinds"), ("/admin/parameters", "adminParameters"), ("/admin/rules", "adminRules"),
            ("/admin/catalogue", "adminCatalogue"), ("/admin/calendar", "adminCalendar"), ("/admin/access-log", "adminAccessLog"),
            ("/admin/outbox", "adminOutbox"), ("/admin/templates", "adminTemplates"), ("/admin/open311-keys", "adminOpen311Keys"),
        ].map { IndexView.Link(href: $0.0, label: req.label($0.1)) }
        return try await req.renderConsole("admin/index", title: req.label("admin"), IndexView(links: links))
    }

    // MARK: Units

    struct UnitsView: Encodable {
        struct Line: Encodable {
            var id: String
            var code: String
            var name: String
            var level: Int
            var indent: String
            var kind: String
            var leaderName: String
            var liaisonPhone: String
            var active: Bool
        }

        var lines: [Line]
        var parents: [Option]
        var kinds: [Option]
        var input: [String: String]
    }

    @Sendable func units(req: Request) async throws -> Response {
        try await unitsPage(req)
    }

    func unitsPage(_ req: Request, problem: APIProblem? = nil, input: [String: String] = [:]) async throws -> Response {
        _ = try req.principal(.admin)
        let all = try await UnitModel.query(on: req.database).sort(\.$path).all()
        let kinds = try await ConsoleOrderController.entries(req, kind: "unitKind")
        let kindName = Dictionary(kinds, uniquingKeysWith: { a, _ in a })
        let view = UnitsView(
            lines: all.map { u in
                .init(
                    id: u.id!.uuidString, code: u.code, name: u.name, level: u.level, indent: String(repeating: "　", count: u.level - 1),
                    kind: kindName[u.kind] ?? u.kind, leaderName: u.leaderName ?? "", liaisonPhone: u.liaisonPhone ?? "", active: u.active)
            },
            parents: all.filter { $0.level < 3 }.map { .init(value: $0.id!.uuidString, label: String(repeating: "　", count: $0.level - 1) + $0.name, selected: $0.id!.uuidString == input["parentId"]) },
            kinds: kinds.map { .init(value: $0.0, label: $0.1, selected: $0.0 == input["kind"]) }, input: input)
        return try await req.renderConsole("admin/units", title: req.label("adminUnits"), view, problem: problem)
    }

    @Sendable func createUnit(req: Request) async throws -> Response {
        let f = try Self.form(req)
        return try await change(req, back: "/admin/units") {
            _ = try await Self.callAPI(req, body: f, AdminController().createUnit)
        } page: { try await unitsPage(req, problem: $0, input: f) }
    }

    @Sendable func updateUnit(req: Request) async throws -> Response {
        var body: [String: Any] = try Self.form(req)
        body["active"] = (body["active"] as? String) == "true"
        return try await change(req, back: "/admin/units") {
            _ = try await Self.callAPI(req, body: body, AdminController().updateUnit)
        } page: { try await unitsPage(req, problem: $0) }
    }

    // MARK: Accounts

    struct AccountsView: Encodable {
        struct Line: Encodable {
            var id: String
            var username: String
            var displayName: String
            var unit: String
            var roles: [Option]
            var active: Bool
        }

        var lines: [Line]
        var units: [Option]
        var roles: [Option]
        var input: [String: String]
    }

    @Sendable func accounts(req: Request) async throws -> Response {
        try await accountsPage(req)
    }

    func accountsPage(_ req: Request, problem: APIProblem? = nil, input: [String: String] = [:]) async throws -> Response {
        _ = try req.principal(.admin)
        let lang = req.consoleLanguage
        let all = try await AccountModel.query(on: req.database).with(\.$unit).sort(\.$username).all()
        let units = try await UnitModel.query(on: req.database).filter(\.$active == true).sort(\.$path).all()
        let view = AccountsView(
            lines: all.map { a in
                .init(
                    id: a.id!.uuidString, username: a.username, displayName: a.displayName, unit: a.unit.name,
                    roles: Role.allCases.filter { a.unit.level == 1 ? !$0.isUnitRole : $0.isUnitRole }
                        .map { .init(value: $0.rawValue, label: ConsoleStrings.label("role.\($0.rawValue)", lang), selected: a.roles.contains($0)) },
                    active: a.active)
            },
            units: units.map { .init(value: $0.id!.uuidString, label: String(repeating: "　", count: $0.level - 1) + $0.name, selected: $0.id!.uuidString == input["unitId"]) },
            roles: Role.allCases.map { .init(value: $0.rawValue, label: ConsoleStrings.label("role.\($0.rawValue)", lang), selected: input["role_\($0.rawValue)"] != nil) },
            input: input)
        return try await req.renderConsole("admin/accounts", title: req.label("adminAccounts"), view, problem: problem)
    }

    /// Role checkboxes post as `role_<name>=on`.
    static func roles(_ f: [String: String]) -> [String] {
        f.keys.filter { $0.hasPrefix("role_") }.map { String($0.dropFirst("role_".count)) }.sorted()
    }

    @Sendable func createAccount(req: Request) async throws -> Response {
        let f = try Self.form(req)
        var body: [String: Any] = f.filter { !$0.key.hasPrefix("role_") }
        body["roles"] = Self.roles(f)
        return try await change(req, back: "/admin/accounts") {
            _ = try await Self.callAPI(req, body: body, AdminController().createAccount)
        } page: { try await accountsPage(req, problem: $0, input: f.filter { $0.key != "password" }) }
    }

    @Sendable func updateAccount(req: Request) async throws -> Response {
        let f = try Self.form(req)
        var body: [String: Any] = f.filter { !$0.key.hasPrefix("role_") && $0.key != "active" }
        body["roles"] = Self.roles(f)
        body["active"] = f["active"] == "true"
        return try await change(req, back: "/admin/accounts") {
            _ = try await Self.callAPI(req, body: body, AdminController().updateAccount)
        } page: { try await accountsPage(req, problem: $0) }
    }

    // MARK: Dictionaries

    struct DictionaryView: Encodable {
        struct Line: Encodable {
            var code: String
            var name: String
            var nameEn: String
            var parentCode: String
            var sort: Int
            var active: Bool
        }

        var kind: String
        var heading: String
        var fixed: Bool
        var lines: [Line]
        var input: [String: String]
    }

    @Sendable func dictionary(req: Request) async throws -> Response {
        try await dictionaryPage(req)
    }

    func dictionaryPage(_ req: Request, problem: APIProblem? = nil, input: [String: String] = [:]) async throws -> Response {
        _ = try req.principal(.admin)
        let kind = try req.parameters.require("kind")
        let entries = try await AdminController().listDictionary(req: req)
        let heading = req.label(["category": "category", "declineReason": "adminDeclineReasons", "guideTarget": "adminGuideTargets", "unitKind": "adminUnitKinds", "requestType": "type", "channel": "channel"][kind] ?? kind)
        let view = DictionaryView(
            kind: kind, heading: heading, fixed: kind == "requestType" || kind == "channel",
            lines: entries.map { .init(code: $0.code, name: $0.name, nameEn: $0.nameEn ?? "", parentCode: $0.parentCode ?? "", sort: $0.sort, active: $0.active) },
            input: input)
        return try await req.renderConsole("admin/dictionary", title: heading, view, problem: problem)
    }

    @Sendable func createEntry(req: Request) async throws -> Response {
        let f = try Self.form(req)
        var body: [String: Any] = f
        body["sort"] = Int(f["sort"] ?? "") ?? 100
        body["active"] = true
        let kind = try req.parameters.require("kind")
        return try await change(req, back: "/admin/dictionaries/\(kind)") {
            _ = try await Self.callAPI(req, body: body, AdminController().createEntry)
        } page: { try await dictionaryPage(req, problem: $0, input: f) }
    }

    @Sendable func updateEntry(req: Request) async throws -> Response {
        let f = try Self.form(req)
        var body: [String: Any] = f
        if let s = f["sort"] { body["sort"] = Int(s) ?? 100 }
        if let a = f["active"] { body["active"] = a == "true" }
        let kind = try req.parameters.require("kind")
        return try await change(req, back: "/admin/dictionaries/\(kind)") {
            _ = try await Self.callAPI(req, body: body, AdminController().updateEntry)
        } page: { try await dictionaryPage(req, problem: $0) }
    }

    // MARK: Parameters and rules

    struct ParametersView: Encodable {
        struct Line: Encodable { var key: String; var value: String; var description: String }
        var lines: [Line]
    }

    @Sendable func parameters(req: Request) async throws -> Response {
        try await parametersPage(req)
    }

    func parametersPage(_ req: Request, problem: APIProblem? = nil) async throws -> Response {
        _ = try req.principal(.admin)
        let list = try await AdminController().listParameters(req: req)
        return try await req.renderConsole("admin/parameters", title: req.label("adminParameters"), ParametersView(lines: list.map { .init(key: $0.key, value: $0.value, description: $0.description) }), problem: problem)
    }

    @Sendable func setParameter(req: Request) async throws -> Response {
        let f = try Self.form(req)
        return try await change(req, back: "/admin/parameters") {
            _ = try await Self.callAPI(req, body: ["value": f["value"] ?? ""], AdminController().setParameter)
        } page: { try await parametersPage(req, problem: $0) }
    }

    struct RulesView: Encodable {
        struct Line: Encodable { var id: String; var type: String; var category: String; var urgency: String; var limit: String }
        var lines: [Line]
        var types: [Option]
        var urgencies: [Option]
        var units: [Option]
    }

    @Sendable func rules(req: Request) async throws -> Response {
        try await rulesPage(req)
    }

    func rulesPage(_ req: Request, problem: APIProblem? = nil) async throws -> Response {
        _ = try req.principal(.admin)
        let lang = req.consoleLanguage
        func l(_ k: String) -> String { ConsoleStrings.label(k, lang) }
        let list = try await AdminController().listRules(req: req)
        let view = RulesView(
            lines: list.map { r in
                .init(
                    id: r.id?.uuidString ?? "", type: r.requestType.map { l("type.\($0.rawValue)") } ?? l("all"), category: r.categoryPrefix ?? l("all"),
                    urgency: r.urgency.map { l("urgency.\($0.rawValue)") } ?? l("all"), limit: ConsoleFormat.limit(r.limit, lang))
            },
            types: [Option(value: "", label: l("all"), selected: true)] + RequestType.allCases.map { .init(value: $0.rawValue, label: l("type.\($0.rawValue)"), selected: false) },
            urgencies: [Option(value: "", label: l("all"), selected: true)] + Urgency.allCases.map { .init(value: $0.rawValue, label: l("urgency.\($0.rawValue)"), selected: false) },
            units: TimeLimitUnit.allCases.map { .init(value: $0.rawValue, label: l("limit.\($0.rawValue)"), selected: $0 == .workingDays) })
        return try await req.renderConsole("admin/rules", title: req.label("adminRules"), view, problem: problem)
    }

    @Sendable func createRule(req: Request) async throws -> Response {
        let f = try Self.form(req)
        var body: [String: Any] = f.filter { ["requestType", "categoryPrefix", "urgency"].contains($0.key) }
        body["limit"] = ["amount": Int(f["amount"] ?? "") ?? -1, "unit": f["unit"] ?? "workingDays"] as [String: Any]
        return try await change(req, back: "/admin/rules") {
            _ = try await Self.callAPI(req, body: body, AdminController().createRule)
        } page: { try await rulesPage(req, problem: $0) }
    }

    @Sendable func deleteRule(req: Request) async throws -> Response {
        try await change(req, back: "/admin/rules") {
            _ = try await Self.callAPI(req, body: [:], AdminController().deleteRule)
        } page: { try await rulesPage(req, problem: $0) }
    }

    // MARK: Calendar

    struct CalendarView: Encodable {
        struct Day: Encodable { var date: String; var name: String }
        var year: Int
        var prev: Int
        var next: Int
        var hasData: Bool
        var workingDays: Int
        var offDays: [Day]
        var adjustedWorkingDays: [Day]
        var content: String
    }

    @Sendable func calendar(req: Request) async throws -> Response {
        try await calendarPage(req)
    }

    func calendarPage(_ req: Request, problem: APIProblem? = nil, content: String = "", year: Int? = nil) async throws -> Response {
        _ = try req.principal(.admin)
        let y = year ?? (try? req.query.get(Int.self, at: "year")) ?? Int(req.now.isoLocal.prefix(4)) ?? 2026
        guard (2000...2100).contains(y) else { throw APIProblem.invalid("year", "year must be 2000…2100") }
        let d = CalendarController.describe(try await req.hotline.calendars.calendar(on: req.database, now: req.now), year: y)
        func day(_ x: CalendarController.YearDTO.Day) -> CalendarView.Day { .init(date: "\(x.date)", name: x.name) }
        let view = CalendarView(
            year: y, prev: y - 1, next: y + 1, hasData: d.hasData, workingDays: d.workingDays, offDays: d.offDays.map(day),
            adjustedWorkingDays: d.adjustedWorkingDays.map(day), content: content)
        return try await req.renderConsole("admin/calendar", title: req.label("adminCalendar"), view, problem: problem)
    }

    /// Imports a year's State Council notice pasted as its holiday-cn JSON file.
    @Sendable func importCalendar(req: Request) async throws -> Response {
        let f = try Self.form(req)
        let content = f["content"] ?? ""
        do {
            let notice = try HolidayNotice.decode(Data(content.utf8))
            return try await change(req, back: "/admin/calendar?year=\(notice.year)") {
                var parameters = req.parameters
                parameters.set("year", to: String(notice.year))
                _ = try await Self.callAPI(req, json: ByteBuffer(string: content), parameters: parameters, CalendarController().importYear)
            } page: { try await calendarPage(req, problem: $0, content: content) }
        } catch let error as CalendarImportError {
            return try await calendarPage(req, problem: APIProblem.invalid("content", error.description, code: "bad_calendar_file"), content: content)
        }
    }

    // MARK: Access log

    struct AccessView: Encodable {
        struct Line: Encodable { var at: String; var who: String; var order: String; var fields: String; var purpose: String }
        var lines: [Line]
    }

    /// R-NF-5: who read which citizen's data, and why (the newest 500).
    @Sendable func accessLog(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        let list = try await AdminController().accessLog(req: req)
        let view = AccessView(lines: list.map { .init(at: ConsoleFormat.time($0.at), who: $0.accountName, order: $0.workOrderId.uuidString, fields: $0.fields, purpose: $0.purpose) })
        return try await req.renderConsole("admin/access-log", title: req.label("adminAccessLog"), view)
    }
}
