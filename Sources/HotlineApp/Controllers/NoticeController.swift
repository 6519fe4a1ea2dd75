import Fluent
import HotlineCore
import SQLKit
import Vapor

/// `/api/v1/notices` (信息报备, R-IN-5) and `/api/v1/dispatch-catalogue` (派单目录, R-UNIT-4).
/// The console's pages run the same functions.
struct NoticeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("notices", use: list)
        routes.post("notices", use: file)
        routes.post("notices", ":noticeId", "withdraw", use: withdraw)
        routes.get("dispatch-catalogue", use: catalogue)
        routes.post("dispatch-catalogue", use: addEntry)
        routes.delete("dispatch-catalogue", ":entryId", use: deleteEntry)
        routes.get("dispatch-catalogue", "suggestions", use: suggestions)
    }

    struct NoticeDTO: Content {
        var id: UUID?
        var unitId: UUID?
        var kind: String
        var title: String
        var area: String
        var divisionCode: String?
        var startsAt: Date
        var endsAt: Date
    }

    struct NoticeQuery: Content {
        var divisionCode: String?
        /// Also the notices filed for later.
        var upcoming: Bool?
    }

    /// The notices in force now (and those to come, with `upcoming`), for a place when
    /// `divisionCode` is given.
    @Sendable func list(req: Request) async throws -> [NoticeDTO] {
        _ = try req.principal()
        let q = try req.query.decode(NoticeQuery.self)
        return try await Self.find(req, division: q.divisionCode, upcoming: q.upcoming ?? false, limit: 200).map(\.notice)
    }

    /// Notices not yet ended, with their unit's name: in force now (soonest to end first), or
    /// with `upcoming` also those to come (soonest to start first), for the place when given
    /// (`NoticeRules`). Every notice not yet ended is read, at most 90 days each: a city has
    /// hundreds in force, not millions, and the rule stays in one place.
    static func find(_ req: Request, division: String?, upcoming: Bool, limit: Int) async throws -> [(notice: NoticeDTO, unitName: String)] {
        let now = req.now
        let rows = try await (req.database as! any SQLDatabase).raw("""
            SELECT n.id, n.unit_id, n.kind, n.title, n.area, n.division_code, n.starts_at, n.ends_at, u.name AS unit_name
            FROM notices n JOIN units u ON u.id = n.unit_id WHERE n.ends_at > \(bind: now) ORDER BY n.id
            """).all()
        let found = try rows.map { row in
            let r = OrderRows.Reader(row: row)
            return (
                notice: NoticeDTO(
                    id: try r("id"), unitId: try r("unit_id"), kind: try r("kind"), title: try r("title"), area: try r("area"),
                    divisionCode: try r.optional("division_code"), startsAt: try r("starts_at"), endsAt: try r("ends_at")),
                unitName: try r("unit_name") as String
            )
        }.filter { n in
            NoticeRules.isShown(startsAt: n.notice.startsAt, endsAt: n.notice.endsAt, at: now, upcoming: upcoming)
                && NoticeRules.covers(noticeDivision: n.notice.divisionCode, place: division)
        }.sorted { a, b in
            upcoming ? (a.notice.startsAt, a.notice.id?.uuidString ?? "") < (b.notice.startsAt, b.notice.id?.uuidString ?? "")
                : (a.notice.endsAt, a.notice.id?.uuidString ?? "") < (b.notice.endsAt, b.notice.id?.uuidString ?? "")
        }
        return Array(found.prefix(max(1, min(limit, 500))))
    }

    /// Ends a notice now (a wrong one, or a finished outage): the filing unit's people, or the
    /// platform's dispatchers, supervisors and administrators.
    @Sendable func withdraw(req: Request) async throws -> NoticeDTO {
        Self.dto(try await Self.withdraw(req))
    }

    static func withdraw(_ req: Request) async throws -> NoticeModel {
        let p = try req.principal(.unitHandler, .unitLeader, .dispatcher, .admin, .supervisor)
        guard let n = try await NoticeModel.find(req.parameters.require("noticeId", as: UUID.self), on: req.database) else { throw APIProblem.notFound("notice") }
        guard p.actor.isPlatformStaff || n.unitId == p.actor.unit.id else {
            throw APIProblem(.forbidden, code: "forbidden", rule: "a unit withdraws its own notices")
        }
        let now = req.now
        if n.endsAt > now {
            n.endsAt = now
            n.startsAt = min(n.startsAt, now)
            try await req.hotline.write(on: req.database) { db in try await n.save(on: db) }
        }
        return n
    }

    static func dto(_ n: NoticeModel) -> NoticeDTO {
        NoticeDTO(id: n.id, unitId: n.unitId, kind: n.kind, title: n.title, area: n.area, divisionCode: n.divisionCode, startsAt: n.startsAt, endsAt: n.endsAt)
    }

    @Sendable func file(req: Request) async throws -> Response {
        let b = try req.decodeBody(NoticeDTO.self)
        let n = try await Self.file(b, req: req)
        return try await Self.dto(n).encodeResponse(status: .created, for: req)
    }

    /// Units file for themselves; the platform's dispatchers, supervisors and administrators for any unit.
    static func file(_ b: NoticeDTO, req: Request) async throws -> NoticeModel {
        let p = try req.principal(.unitHandler, .unitLeader, .dispatcher, .admin, .supervisor)
        guard NoticeModel.kinds.contains(b.kind) else { throw APIProblem.invalid("kind", "kind must be one of \(NoticeModel.kinds.joined(separator: ", "))") }
        let unitId = b.unitId ?? p.actor.unit.id
        guard p.actor.isPlatformStaff || unitId == p.actor.unit.id else {
            throw APIProblem(.forbidden, code: "forbidden", field: "unitId", rule: "a unit files notices for itself")
        }
        guard try await UnitModel.find(unitId, on: req.database) != nil else { throw APIProblem.invalid("unitId", "unitId names no unit") }
        guard !b.title.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.invalid("title", "title is required") }
        guard !b.area.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.invalid("area", "area is required") }
        if let d = b.divisionCode, !d.isEmpty, d.range(of: #"^\d{6}(\d{3})?$"#, options: .regularExpression) == nil {
            throw APIProblem.invalid("divisionCode", "divisionCode is a 6-digit district or 9-digit street code")
        }
        guard b.endsAt > b.startsAt else { throw APIProblem.invalid("endsAt", "endsAt must be after startsAt") }
        // A notice is shown on every matching call while in force: a long one is a mistake.
        guard b.endsAt.timeIntervalSince(b.startsAt) <= 90 * 86_400 else { throw APIProblem.invalid("endsAt", "a notice runs at most 90 days") }
        let n = NoticeModel()
        n.id = UUID.timeOrdered()
        n.unitId = unitId
        n.kind = b.kind
        n.title = b.title
        n.area = b.area
        n.divisionCode = b.divisionCode.flatMap { $0.isEmpty ? nil : $0 }
        n.startsAt = b.startsAt
        n.endsAt = b.endsAt
        n.createdAt = req.now
        n.createdBy = p.accountId
        try await req.hotline.write(on: req.database) { db in try await n.create(on: db) }
        return n
    }

    // MARK: Dispatch catalogue

    struct EntryDTO: Content {
        var id: UUID?
        var categoryPrefix: String
        var divisionPrefix: String?
        var unitId: UUID
        var note: String?
    }

    @Sendable func catalogue(req: Request) async throws -> [EntryDTO] {
        _ = try req.principal()
        return try await CatalogueEntryModel.query(on: req.database).sort(\.$categoryPrefix).all()
            .map { EntryDTO(id: $0.id, categoryPrefix: $0.categoryPrefix, divisionPrefix: $0.divisionPrefix, unitId: $0.unitId, note: $0.note) }
    }

    @Sendable func addEntry(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        var b = try req.decodeBody(EntryDTO.self)
        try await Dictionaries.requireActive(kind: "category", code: b.categoryPrefix, field: "categoryPrefix", in: req)
        if let d = b.divisionPrefix, !d.isEmpty, d.range(of: #"^\d{6}(\d{3})?$"#, options: .regularExpression) == nil {
            throw APIProblem.invalid("divisionPrefix", "divisionPrefix is a 6-digit district or 9-digit street code")
        }
        // A lead unit is a level-2 unit (R-UNIT-2): the catalogue names whom to dispatch to.
        guard try await Units.handling(b.unitId, field: "unitId", on: req.database).level == 2 else {
            throw APIProblem.invalid("unitId", "the catalogue names a level-2 unit (a district, department or enterprise)")
        }
        let e = CatalogueEntryModel()
        e.id = UUID.timeOrdered()
        e.categoryPrefix = b.categoryPrefix
        e.divisionPrefix = b.divisionPrefix.flatMap { $0.isEmpty ? nil : $0 }
        e.unitId = b.unitId
        e.note = b.note.flatMap { $0.isEmpty ? nil : $0 }
        try await req.hotline.write(on: req.database) { db in try await e.create(on: db) }
        b.id = e.id
        b.divisionPrefix = e.divisionPrefix
        b.note = e.note
        return try await b.encodeResponse(status: .created, for: req)
    }

    @Sendable func deleteEntry(req: Request) async throws -> HTTPStatus {
        _ = try req.principal(.admin)
        let id = try req.parameters.require("entryId", as: UUID.self)
        guard try await CatalogueEntryModel.find(id, on: req.database) != nil else { throw APIProblem.notFound("entry") }
        try await req.hotline.write(on: req.database) { db in try await CatalogueEntryModel.query(on: db).filter(\.$id == id).delete() }
        return .noContent
    }

    struct SuggestionQuery: Content { var categoryCode: String; var divisionCode: String? }
    struct SuggestionDTO: Content { var unitId: UUID; var unitName: String }

    /// The catalogue's units for a category and a place, most specific first.
    @Sendable func suggestions(req: Request) async throws -> [SuggestionDTO] {
        _ = try req.principal(.dispatcher, .agent)
        let q = try req.query.decode(SuggestionQuery.self)
        return try await Self.catalogueUnits(req, categoryCode: q.categoryCode, division: q.divisionCode).map { SuggestionDTO(unitId: $0.0, unitName: $0.1) }
    }

    /// R-UNIT-4: the catalogue's units for the category and place (`DispatchCatalogue`),
    /// active level-2 units only.
    static func catalogueUnits(_ req: Request, categoryCode: String, division: String?) async throws -> [(UUID, String)] {
        let entries = try await CatalogueEntryModel.query(on: req.database).all().map {
            DispatchCatalogue.Entry(categoryPrefix: $0.categoryPrefix, divisionPrefix: $0.divisionPrefix, unitId: $0.unitId)
        }
        var out: [(UUID, String)] = []
        for id in DispatchCatalogue.units(for: categoryCode, division: division, in: entries) {
            if let u = try await UnitModel.find(id, on: req.database), u.active, u.level == 2 { out.append((id, u.name)) }
        }
        return out
    }
}
