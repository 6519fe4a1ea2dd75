import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The service requests the public may read through Open311: orders the platform published
/// (诉求公开, with their approved masked copy) and orders Open311 clients posted (masked here).
/// Coordinates are rounded to about 100 m: a point on a citizen's door is personal data.
struct Open311Requests {
    let req: Request
    var sql: any SQLDatabase { req.database as! any SQLDatabase }

    struct Filter {
        var ids: [String]
        var serviceCodes: [String]
        var statuses: Set<String>
        var start: Date?
        var end: Date?
    }

    func search(_ f: Filter) async throws -> [Open311Value] {
        // Driven from the two small tables (indexed by when the citizen asked), never by a
        // scan of every order in the window.
        var parts: [SQLQueryString] = []
        for (table, live) in [("publications", " AND withdrawn_at IS NULL"), ("open311_requests", "")] {
            var q = SQLQueryString("SELECT work_order_id, requested_at FROM \(unsafeRaw: table) WHERE 1 = 1\(unsafeRaw: live)")
            if let start = f.start { q = q + " AND requested_at >= \(bind: start)" }
            if let end = f.end { q = q + " AND requested_at <= \(bind: end)" }
            parts.append(q)
        }
        var q = SQLQueryString("SELECT x.work_order_id AS id, x.requested_at FROM (") + parts[0] + " UNION " + parts[1] + ") x JOIN work_orders o ON o.id = x.work_order_id WHERE 1 = 1"
        if !f.ids.isEmpty { q = q + " AND o.number IN (\(binds: f.ids))" }
        if !f.serviceCodes.isEmpty { q = q + " AND o.category_code IN (\(binds: f.serviceCodes))" }
        if f.statuses.count == 1, let s = f.statuses.first {
            let closed = [WorkOrderStatus.closed.rawValue, WorkOrderStatus.archived.rawValue]
            q = q + (s == "closed" ? " AND o.status IN (\(binds: closed))" : " AND o.status NOT IN (\(binds: closed))")
        }
        q = q + " ORDER BY x.requested_at DESC LIMIT \(unsafeRaw: String(Open311Controller.maxResults))"
        let ids = try await sql.raw(q).all().map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }

        let orderRows = try await sql.selectColumns(BulkRows.orderColumns, from: "work_orders").where(SQLColumn("id"), .in, SQLBind.group(ids)).all()
        let orders = try orderRows.map(OrderRows.workOrder)
        let aggregates = Dictionary(uniqueKeysWithValues: try await WorkOrderRepository(db: req.database).loadMany(orders).map { ($0.order.id, $0) })
        var published: [UUID: Publication] = [:]
        for row in try await sql.raw("SELECT work_order_id, title, matter, address, answer FROM publications WHERE withdrawn_at IS NULL AND work_order_id IN (\(binds: ids))").all() {
            let r = OrderRows.Reader(row: row)
            published[try r("work_order_id")] = Publication(title: try r("title"), matter: try r("matter"), address: try r("address"), answer: try r("answer"))
        }
        var posted = Set<UUID>()
        for row in try await sql.raw("SELECT work_order_id FROM open311_requests WHERE work_order_id IN (\(binds: ids))").all() {
            posted.insert(try row.decode(column: "work_order_id", as: UUID.self))
        }
        // Every staff member who acted on an order: masked wherever their name appears.
        var staff: [UUID: [String]] = [:]
        for row in try await sql.raw("SELECT DISTINCT work_order_id, actor_name FROM work_order_events WHERE actor_id IS NOT NULL AND work_order_id IN (\(binds: ids))").all() {
            let r = OrderRows.Reader(row: row)
            staff[try r("work_order_id"), default: []].append(try r("actor_name"))
        }
        var updated: [UUID: Date] = [:]
        for row in try await sql.raw("SELECT work_order_id, MAX(at) AS last FROM work_order_events WHERE work_order_id IN (\(binds: ids)) GROUP BY work_order_id").all() {
            let r = OrderRows.Reader(row: row)
            updated[try r("work_order_id")] = try r.optional("last")
        }
        let names = Dictionary(try await Open311Controller.categories(on: req.database).map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { id in aggregates[id] }.compactMap { a in
            let o = a.order
            // Checked again on the live order: a published order that was appealed (no longer
            // closed), or one that stopped qualifying, is not shown until published again.
            let p = published[o.id].flatMap { p in Disclosure.refusal(o) == nil ? p : nil }
            guard p != nil || (posted.contains(o.id) && Disclosure.postedRefusal(o) == nil) else { return nil }
            let known = [o.citizen.name] + (staff[o.id] ?? []) + Masking.namesIn(o.elements.people)
            let answer = p?.answer ?? CitizenView.answer(o).map { Masking.publicText($0, knownNames: known) }
            // A published copy is all the public gets of it: the publisher may have left the
            // place out, so no coordinates either.
            func rounded(_ d: Double?) -> Open311Value { p == nil ? d.map { .number(($0 * 1000).rounded() / 1000) } ?? .text(nil) : .text(nil) }
            return .record([
                ("service_request_id", .text(o.number)),
                ("status", .text(Open311.status(o.status))),
                ("status_notes", .text(answer)),
                ("service_name", .text(names[o.categoryCode])),
                ("service_code", .text(o.categoryCode)),
                ("description", .text(p?.matter ?? String(Masking.publicText(o.elements.matter, knownNames: known).prefix(PublicIntake.maxDescription)))),
                ("agency_responsible", .text(a.leadUnit?.name)),
                ("service_notice", .text(nil)),
                ("requested_datetime", .text(o.createdAt.isoLocal)),
                ("updated_datetime", .text((updated[o.id] ?? o.createdAt).isoLocal)),
                ("expected_datetime", .text((o.dueAt ?? (o.status == .pendingDispatch ? o.dispatchDueAt : nil))?.isoLocal)),
                ("address", .text(p?.address ?? Masking.publicAddress(o.elements.place.address))),
                ("address_id", .text(nil)),
                ("zipcode", .text(nil)),
                ("lat", rounded(o.elements.place.latitude)),
                ("long", rounded(o.elements.place.longitude)),
                ("media_url", .text(nil)),
            ])
        }
    }
}
