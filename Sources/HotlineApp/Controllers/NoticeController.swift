import Fluent
import HotlineCore
import Vapor

/// `/api/v1/notices` (信息报备, R-IN-5) and `/api/v1/dispatch-catalogue` (派单目录, R-UNIT-4).
/// The console's pages run the same functions.
struct NoticeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("notices", use: list)
        routes.post("notices", use: file)
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

    struct NoticeQuery: Content { var divisionCode: String? }

    /// The notices in force now, soonest to end first; for a place when `divisionCode` is given.
    @Sendable func list(req: Request) async throws -> [NoticeDTO] {
        _ = try req.principal()
        let division = try req.query.decode(NoticeQuery.self).divisionCode.flatMap { $0.isEmpty ? nil : $0 }
        let now = req.now
        return try await NoticeModel.query(on: req.db).filter(\.$startsAt <= now).filter(\.$endsAt >= now).sort(\.$endsAt).limit(200).all()
            .filter { n in Self.covers(n.divisionCode, division) }
            .map(Self.dto)
    }

    /// A notice for a district covers its streets; one for a street is shown for its district;
    /// one without a place is shown everywhere.
    static func covers(_ notice: String?, _ place: String?) -> Bool {
        guard let n = notice, let p = place else { return true }
        return p.hasPrefix(n) || n.hasPrefix(p)
    }

    static func dto(_ n: NoticeModel) -> NoticeDTO {
        NoticeDTO(id: n.id, unitId: n.unitId, kind: n.kind, title: n.title, area: n.area, divisionCode: n.divisionCode, startsAt: n.startsAt, endsAt: n.endsAt)
    }

    @Sendable func file(req: Request) async throws -> Response {
        let b = try req.content.decode(NoticeDTO.self)
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
        guard try await UnitModel.find(unitId, on: req.db) != nil else { throw APIProblem.invalid("unitId", "unitId names no unit") }
        guard !b.title.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.invalid("title", "title is required") }
        guard !b.area.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.invalid("area", "area is required") }
        if let d = b.divisionCode, !d.isEmpty, d.range(of: #"^\d{6}(\d{3})?$"#, options: .regularExpression) == nil {
            throw APIProblem.invalid("divisionCode", "divisionCode is a 6-digit district or 9-digit street code")
        }
        guard b.endsAt > b.startsAt else { throw APIProblem.invalid("endsAt", "endsAt must be after startsAt") }
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
        try await req.hotline.write(on: req.db) { db in try await n.create(on: db) }
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
        return try await CatalogueEntryModel.query(on: req.db).sort(\.$categoryPrefix).all()
            .map { EntryDTO(id: $0.id, categoryPrefix: $0.categoryPrefix, divisionPrefix: $0.divisionPrefix, unitId: $0.unitId, note: $0.note) }
    }

    @Sendable func addEntry(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        var b = try req.content.decode(EntryDTO.self)
        try await Dictionaries.requireActive(kind: "category", code: b.categoryPrefix, field: "categoryPrefix", in: req)
        if let d = b.divisionPrefix, !d.isEmpty, d.range(of: #"^\d{6}(\d{3})?$"#, options: .regularExpression) == nil {
            throw APIProblem.invalid("divisionPrefix", "divisionPrefix is a 6-digit district or 9-digit street code")
        }
        _ = try await Units.handling(b.unitId, field: "unitId", on: req.db)
        let e = CatalogueEntryModel()
        e.id = UUID.timeOrdered()
        e.categoryPrefix = b.categoryPrefix
        e.divisionPrefix = b.divisionPrefix.flatMap { $0.isEmpty ? nil : $0 }
        e.unitId = b.unitId
        e.note = b.note.flatMap { $0.isEmpty ? nil : $0 }
        try await req.hotline.write(on: req.db) { db in try await e.create(on: db) }
        b.id = e.id
        b.divisionPrefix = e.divisionPrefix
        b.note = e.note
        return try await b.encodeResponse(status: .created, for: req)
    }

    @Sendable func deleteEntry(req: Request) async throws -> HTTPStatus {
        _ = try req.principal(.admin)
        let id = try req.parameters.require("entryId", as: UUID.self)
        guard try await CatalogueEntryModel.find(id, on: req.db) != nil else { throw APIProblem.notFound("entry") }
        try await req.hotline.write(on: req.db) { db in try await CatalogueEntryModel.query(on: db).filter(\.$id == id).delete() }
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

    /// R-UNIT-4: the longest category prefix first, then the longest area prefix; an entry
    /// without an area last. Inactive units are left out.
    static func catalogueUnits(_ req: Request, categoryCode: String, division: String?) async throws -> [(UUID, String)] {
        let entries = try await CatalogueEntryModel.query(on: req.db).all().filter { e in
            categoryCode.hasPrefix(e.categoryPrefix) && (e.divisionPrefix.map { d in (division ?? "").hasPrefix(d) } ?? true)
        }.sorted { ($0.categoryPrefix.count, $0.divisionPrefix?.count ?? 0) > ($1.categoryPrefix.count, $1.divisionPrefix?.count ?? 0) }
        var out: [(UUID, String)] = []
        for e in entries where !out.contains(where: { $0.0 == e.unitId }) {
            if let u = try await UnitModel.find(e.unitId, on: req.db), u.active { out.append((e.unitId, u.name)) }
        }
        return out
    }
}
