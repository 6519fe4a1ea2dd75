import Fluent
import HotlineCore
import SQLKit
import Vapor

/// Notices (信息报备, R-IN-5): units file outages, roadworks and traffic measures; agents see
/// the active ones for the place of the call. And the dispatch catalogue (派单目录, R-UNIT-4),
/// kept by administrators, which leads the dispatcher's suggestions.
struct ConsoleNoticeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("notices", use: notices)
        routes.post("notices", use: fileNotice)
        routes.post("notices", ":noticeId", "withdraw", use: withdraw)
        routes.get("intake", "notices", use: forPlace)
        routes.get("admin", "catalogue", use: catalogue)
        routes.post("admin", "catalogue", use: addEntry)
        routes.post("admin", "catalogue", ":entryId", "delete", use: deleteEntry)
    }

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct NoticeLine: Encodable {
        var id: String
        var kind: String
        var title: String
        var area: String
        var unit: String
        var from: String
        var to: String
        /// Not yet in force.
        var upcoming: Bool
        /// The reader may end it now.
        var canWithdraw: Bool
    }

    /// Notices for the console: in force now (and with `upcoming`, those to come), for a place
    /// when `division` is given (`NoticeController.find`).
    static func active(_ req: Request, division: String?, upcoming: Bool = false, limit: Int = 50) async throws -> [NoticeLine] {
        let lang = req.consoleLanguage
        let now = req.now
        let p = req.auth.get(Principal.self)
        let mayWithdraw = p.map { $0.has(.dispatcher, .admin, .supervisor) } ?? false
        return try await NoticeController.find(req, division: division, upcoming: upcoming, limit: limit).map { n, unit in
            NoticeLine(
                id: n.id?.uuidString ?? "", kind: ConsoleStrings.label("notice.\(n.kind)", lang), title: n.title, area: n.area, unit: unit,
                from: ConsoleFormat.time(n.startsAt), to: ConsoleFormat.time(n.endsAt), upcoming: n.startsAt > now,
                canWithdraw: mayWithdraw || (p.map { $0.has(.unitHandler, .unitLeader) && $0.actor.unit.id == n.unitId } ?? false))
        }
    }

    // MARK: Notices

    struct NoticesView: Encodable {
        var lines: [NoticeLine]
        var canFile: Bool
        var kinds: [Option]
        var units: [Option]
        var places: [Option]
        var input: [String: String]
    }

    @Sendable func notices(req: Request) async throws -> Response {
        try await noticesPage(req)
    }

    func noticesPage(_ req: Request, problem: APIProblem? = nil, input: [String: String] = [:]) async throws -> Response {
        let p = try req.principal()
        let lang = req.consoleLanguage
        // Units file for themselves; the platform's dispatchers and administrators for anyone.
        let units = p.actor.isPlatformStaff
            ? try await UnitModel.query(on: req.database).filter(\.$level == 2).filter(\.$active == true).sort(\.$name).all().map { ($0.id!.uuidString, $0.name) }
            : [(p.actor.unit.id.uuidString, p.actor.unit.name)]
        let places = Divisions.choices
        let view = NoticesView(
            lines: try await Self.active(req, division: nil, upcoming: true, limit: 200),
            canFile: p.has(.unitHandler, .unitLeader, .dispatcher, .admin, .supervisor),
            kinds: NoticeModel.kinds.map { .init(value: $0, label: ConsoleStrings.label("notice.\($0)", lang), selected: $0 == input["kind"]) },
            units: units.map { .init(value: $0.0, label: $0.1, selected: $0.0 == input["unitId"]) },
            places: [Option(value: "", label: ConsoleStrings.label("none", lang), selected: (input["divisionCode"] ?? "").isEmpty)]
                + places.map { .init(value: $0.code, label: $0.label, selected: $0.code == input["divisionCode"]) },
            input: input)
        return try await req.renderConsole("notices", title: req.label("notices"), view, problem: problem)
    }

    @Sendable func fileNotice(req: Request) async throws -> Response {
        let p = try req.principal()
        let form = try req.decodeBody([String: String].self).filter { $0.key != "_csrf" }
        do {
            let f = ActionInput()
            guard let from = ConsoleFormat.parseInput(try f.required(form["startsAt"], "startsAt")) else { throw APIProblem.invalid("startsAt", "startsAt must be a date and time") }
            guard let to = ConsoleFormat.parseInput(try f.required(form["endsAt"], "endsAt")) else { throw APIProblem.invalid("endsAt", "endsAt must be a date and time") }
            let dto = NoticeController.NoticeDTO(
                id: nil, unitId: try f.text(form["unitId"]).map { try f.uuid($0, "unitId") } ?? p.actor.unit.id, kind: form["kind"] ?? "",
                title: form["title"] ?? "", area: form["area"] ?? "", divisionCode: f.text(form["divisionCode"]), startsAt: from, endsAt: to)
            _ = try await NoticeController.file(dto, req: req)
            return req.redirect(to: "/notices?done=save")
        } catch let problem as APIProblem where problem.status != .forbidden {
            return try await noticesPage(req, problem: problem, input: form)
        }
    }

    @Sendable func withdraw(req: Request) async throws -> Response {
        _ = try await NoticeController.withdraw(req)
        return req.redirect(to: "/notices?done=save")
    }

    struct Fragment: Encodable { var notices: [NoticeLine] }

    /// R-IN-5: the active notices for the place being recorded, as a fragment for the intake form.
    @Sendable func forPlace(req: Request) async throws -> Response {
        _ = try req.principal(.agent, .dispatcher)
        let division = (try? req.query.get(String.self, at: "divisionCode")).flatMap { $0.isEmpty ? nil : $0 }
        return try await req.renderConsole("fragments/notices", title: "", Fragment(notices: try await Self.active(req, division: division, limit: 20)))
    }

    // MARK: Dispatch catalogue

    struct CatalogueView: Encodable {
        struct Line: Encodable { var id: String; var category: String; var area: String; var unit: String; var note: String }
        var lines: [Line]
        var units: [Option]
        var places: [Option]
    }

    @Sendable func catalogue(req: Request) async throws -> Response {
        try await cataloguePage(req)
    }

    func cataloguePage(_ req: Request, problem: APIProblem? = nil) async throws -> Response {
        _ = try req.principal(.admin)
        let lang = req.consoleLanguage
        let categories = try await ConsoleOrderController.categoryNames(req)
        let units = try await UnitModel.query(on: req.database).filter(\.$level == 2).filter(\.$active == true).sort(\.$name).all()
        let unitName = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0.name) })
        let placeName = Dictionary(Divisions.choices.map { ($0.code, $0.label) }, uniquingKeysWith: { a, _ in a })
        let entries = try await CatalogueEntryModel.query(on: req.database).sort(\.$categoryPrefix).all()
        let view = CatalogueView(
            lines: entries.map { e in
                .init(
                    id: e.id!.uuidString, category: "\(e.categoryPrefix) \(categories[e.categoryPrefix] ?? "")",
                    area: e.divisionPrefix.map { placeName[$0] ?? $0 } ?? ConsoleStrings.label("all", lang), unit: unitName[e.unitId] ?? "", note: e.note ?? "")
            },
            units: units.map { .init(value: $0.id!.uuidString, label: $0.name, selected: false) },
            places: [Option(value: "", label: ConsoleStrings.label("all", lang), selected: true)]
                + Divisions.choices.map { Option(value: $0.code, label: $0.label, selected: false) })
        return try await req.renderConsole("admin/catalogue", title: req.label("adminCatalogue"), view, problem: problem)
    }

    @Sendable func addEntry(req: Request) async throws -> Response {
        let form = try ConsoleAdminController.form(req)
        do {
            _ = try await ConsoleAdminController.callAPI(req, body: form, NoticeController().addEntry)
            return req.redirect(to: "/admin/catalogue?done=save")
        } catch {
            let problem = ProblemMiddleware.problem(for: error)
            guard problem.status == .unprocessableEntity || problem.status == .notFound else { throw error }
            return try await cataloguePage(req, problem: problem)
        }
    }

    @Sendable func deleteEntry(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        let id = try req.parameters.require("entryId", as: UUID.self)
        try await req.hotline.write(on: req.database) { db in try await CatalogueEntryModel.query(on: db).filter(\.$id == id).delete() }
        return req.redirect(to: "/admin/catalogue?done=save")
    }

    static func catalogueUnits(_ req: Request, categoryCode: String, division: String?) async throws -> [(UUID, String)] {
        try await NoticeController.catalogueUnits(req, categoryCode: categoryCode, division: division)
    }
}
