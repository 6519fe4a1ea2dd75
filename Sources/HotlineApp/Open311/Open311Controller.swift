import Fluent
import HotlineCore
import SQLKit
import Vapor

/// Open311 GeoReport v2 (R-CIT-5) under `/open311/v2`, and its discovery document at
/// `/open311/discovery.{json,xml}`. Services are the category tree; a request is an order.
/// Reads are public and show only what the public side may see: the orders published by the
/// platform (诉求公开) and the orders Open311 clients posted themselves, masked (R-CIT-4).
/// Posting needs an API key (`hotline open311 key create`).
struct Open311Controller: RouteCollection {
    /// GeoReport's default window and page when a client gives none.
    static let defaultDays = 90.0
    static let maxResults = 1000

    func boot(routes: any RoutesBuilder) throws {
        let o = routes.grouped("open311")
        o.get(":document", use: discovery)
        let v2 = o.grouped("v2")
        v2.get(":resource", use: list)
        v2.on(.POST, ":resource", body: .collect(maxSize: "64kb"), use: post)
        v2.get("services", ":code", use: definition)
        v2.get("requests", ":id", use: single)
        v2.get("tokens", ":token", use: token)
    }

    /// `name.json` or `name.xml` → the name and the format.
    static func split(_ component: String) -> (String, Open311Value.Format)? {
        guard let dot = component.lastIndex(of: ".") else { return nil }
        guard let format = Open311Value.Format(rawValue: String(component[component.index(after: dot)...])) else { return nil }
        return (String(component[..<dot]), format)
    }

    /// Runs a handler, turning every refusal into the spec's error list in the asked format.
    static func answer(_ format: Open311Value.Format, root: String, _ body: () async throws -> Open311Value) async -> Response {
        do {
            return try await body().response(format, root: root)
        } catch let e as Open311Error {
            return e.document.response(format, root: "errors", status: e.status)
        } catch let p as APIProblem {
            let all = [p.field.map { "\($0): \(p.rule)" } ?? p.rule] + p.related.map { v in v.field.map { "\($0): \(v.rule)" } ?? v.rule }
            let status: HTTPResponseStatus = p.status == .unprocessableEntity ? .badRequest : p.status
            return Open311Error(status, all).document.response(format, root: "errors", status: status)
        } catch {
            return Open311Error(.internalServerError, "internal error").document.response(format, root: "errors", status: .internalServerError)
        }
    }

    static func format(_ req: Request, _ parameter: String) throws -> (String, Open311Value.Format) {
        let raw = req.parameters.get(parameter) ?? ""
        guard let parts = split(raw) else { throw Abort(.notFound) }
        return parts
    }

    // MARK: Discovery

    @Sendable func discovery(req: Request) async throws -> Response {
        let (name, format) = try Self.format(req, "document")
        guard name == "discovery" else { throw Abort(.notFound) }
        let base = (req.headers.first(name: .host).map { "http://\($0)" } ?? "") + "/open311/v2/"
        let doc = Open311Value.record([
            ("changeset", .text("2026-11-21T00:00:00+08:00")),
            ("contact", .text("12345 政务服务便民热线 — 12345 government service hotline")),
            ("key_service", .text("API keys are issued by the hotline's administrators (hotline open311 key create)")),
            ("endpoints", .list(item: "endpoint", [
                .record([
                    ("specification", .text("http://wiki.open311.org/GeoReport_v2")),
                    ("url", .text(base)),
                    ("changeset", .text("2026-11-21T00:00:00+08:00")),
                    ("type", .text("production")),
                    ("formats", .list(item: "format", [.text("text/xml"), .text("application/json")])),
                ])
            ])),
        ])
        return doc.response(format, root: "discovery")
    }

    // MARK: Services

    struct Category {
        var code: String
        var name: String
        var nameEn: String?
        var parent: String?
    }

    static func categories(on db: any Database) async throws -> [Category] {
        try await DictionaryEntryModel.query(on: db).filter(\.$kind == "category").filter(\.$active == true).sort(\.$sort).all()
            .map { Category(code: $0.code, name: $0.name, nameEn: $0.nameEn, parent: $0.parentCode) }
    }

    @Sendable func list(req: Request) async throws -> Response {
        let (name, format) = try Self.format(req, "resource")
        switch name {
        case "services":
            return await Self.answer(format, root: "services") {
                let all = try await Self.categories(on: req.database)
                let names = Dictionary(all.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
                return .list(item: "service", all.map { c in
                    .record([
                        ("service_code", .text(c.code)),
                        ("service_name", .text(c.name)),
                        ("description", .text(c.nameEn)),
                        ("metadata", .bool(true)),
                        ("type", .text("realtime")),
                        ("keywords", .text("")),
                        ("group", .text(names[String(c.code.prefix(2))] ?? c.name)),
                    ])
                })
            }
        case "requests":
            return await Self.answer(format, root: "service_requests") {
                try req.requireWithinRate("lookup", key: req.clientAddress, limit: req.hotline.settings.publicLimits.lookupsPerHour, window: 3600)
                return .list(item: "request", try await Open311Requests(req: req).search(Self.filter(req)))
            }
        default:
            throw Abort(.notFound)
        }
    }

    @Sendable func definition(req: Request) async throws -> Response {
        let (code, format) = try Self.format(req, "code")
        return await Self.answer(format, root: "service_definition") {
            guard try await Self.categories(on: req.database).contains(where: { $0.code == code }) else {
                throw Open311Error(.notFound, "service_code \(code) is not a service of this city")
            }
            let attributes = Open311.attributes(forCategory: code).enumerated().map { i, a in
                Open311Value.record([
                    ("variable", .bool(true)),
                    ("code", .text(a.code)),
                    ("datatype", .text(a.datatype.rawValue)),
                    ("required", .bool(a.required)),
                    ("datatype_description", .text(a.datatype == .number ? "a number" : nil)),
                    ("order", .int(i + 1)),
                    ("description", .text(a.description)),
                    ("values", .list(item: "value", a.values.map { .record([("key", .text($0.key)), ("name", .text($0.name))]) })),
                ])
            }
            return .record([("service_code", .text(code)), ("attributes", .list(item: "attribute", attributes))])
        }
    }

    // MARK: Requests

    static func filter(_ req: Request) throws -> Open311Requests.Filter {
        func text(_ name: String) -> String? { (try? req.query.get(String.self, at: name)).flatMap { $0.isEmpty ? nil : $0 } }
        func list(_ name: String) -> [String] {
            (text(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func date(_ name: String) throws -> Date? {
            guard let t = text(name) else { return nil }
            guard let d = Date(iso: t) else { throw Open311Error(.badRequest, "\(name) must be a W3C date-time such as 2026-11-21T09:00:00+08:00") }
            return d
        }
        let statuses = list("status")
        for s in statuses where s != "open" && s != "closed" { throw Open311Error(.badRequest, "status must be open or closed, or both separated by a comma; got '\(s)'") }
        let ids = list("service_request_id")
        if ids.count > maxResults { throw Open311Error(.badRequest, "service_request_id names at most \(maxResults) requests") }
        // With ids, the spec has every other parameter ignored: no date window either.
        if !ids.isEmpty { return Open311Requests.Filter(ids: ids, serviceCodes: [], statuses: [], start: nil, end: nil) }
        let now = req.now
        let end = try date("end_date") ?? now
        let start = try date("start_date") ?? end.addingTimeInterval(-defaultDays * 86_400)
        if start > end { throw Open311Error(.badRequest, "start_date must not be after end_date") }
        return Open311Requests.Filter(ids: ids, serviceCodes: list("service_code"), statuses: Set(statuses), start: start, end: end)
    }

    @Sendable func single(req: Request) async throws -> Response {
        let (id, format) = try Self.format(req, "id")
        return await Self.answer(format, root: "service_requests") {
            try req.requireWithinRate("lookup", key: req.clientAddress, limit: req.hotline.settings.publicLimits.lookupsPerHour, window: 3600)
            let found = try await Open311Requests(req: req).search(.init(ids: [id], serviceCodes: [], statuses: [], start: nil, end: nil))
            guard !found.isEmpty else { throw Open311Error(.notFound, "no public service request has the id \(id)") }
            return .list(item: "request", found)
        }
    }

    @Sendable func token(req: Request) async throws -> Response {
        let (token, format) = try Self.format(req, "token")
        return await Self.answer(format, root: "service_requests") {
            try req.requireWithinRate("lookup", key: req.clientAddress, limit: req.hotline.settings.publicLimits.lookupsPerHour, window: 3600)
            let sql = req.database as! any SQLDatabase
            guard let row = try await sql.raw("""
                SELECT w.number FROM open311_requests r JOIN work_orders w ON w.id = r.work_order_id WHERE r.token = \(bind: token)
                """).first()
            else { throw Open311Error(.notFound, "no service request has the token \(token)") }
            return .list(item: "request", [.record([("service_request_id", .text(try row.decode(column: "number", as: String.self))), ("token", .text(token))])])
        }
    }

    /// `POST requests.{format}`: form-encoded, as the spec sends it; `attribute[code]` (and
    /// `attribute[code][]` for lists) carry the service's own fields.
    @Sendable func post(req: Request) async throws -> Response {
        let (name, format) = try Self.format(req, "resource")
        guard name == "requests" else { throw Abort(.notFound) }
        return await Self.answer(format, root: "service_requests") {
            let form = Self.form(req.body.string ?? "")
            func one(_ k: String) -> String { form[k]?.first ?? "" }
            let apiKey = one("api_key").isEmpty ? ((try? req.query.get(String.self, at: "api_key")) ?? "") : one("api_key")
            guard !apiKey.isEmpty else { throw Open311Error(.forbidden, "api_key is required to post a service request") }
            guard let keyId = try await Open311Keys(db: req.database).verify(apiKey) else { throw Open311Error(.forbidden, "api_key is not a valid key of this city") }
            try req.requireWithinRate("submission", key: "key \(keyId)", limit: req.hotline.settings.publicLimits.open311SubmissionsPerHour, window: 3600)

            let code = one("service_code").trimmingCharacters(in: .whitespaces)
            guard !code.isEmpty else { throw Open311Error(.badRequest, "service_code is required") }
            guard try await Self.categories(on: req.database).contains(where: { $0.code == code }) else {
                throw Open311Error(.badRequest, "service_code \(code) is not a service of this city (see services.\(format.rawValue))")
            }
            var problems: [String] = []
            func coordinate(_ k: String) -> Double? {
                let t = one(k).trimmingCharacters(in: .whitespaces)
                guard !t.isEmpty else { return nil }
                guard let d = Double(t), d.isFinite else { problems.append("\(k): \(k) must be a decimal number"); return nil }
                return d
            }
            let lat = coordinate("lat")
            let long = coordinate("long")
            var attributes: [String: [String]] = [:]
            for (k, values) in form where k.hasPrefix("attribute[") {
                var inner = k.dropFirst("attribute[".count)
                if inner.hasSuffix("][]") { inner = inner.dropLast(3) } else if inner.hasSuffix("]") { inner = inner.dropLast() } else { continue }
                attributes[String(inner), default: []] += values
            }
            let read = Open311.readAttributes(attributes, category: code)
            problems += read.problems.map { "\($0.field ?? ""): \($0.rule)" }
            var lines = read.lines
            let mediaURL = one("media_url").trimmingCharacters(in: .whitespaces)
            if !mediaURL.isEmpty {
                if mediaURL.count > 500 || !(mediaURL.hasPrefix("http://") || mediaURL.hasPrefix("https://")) {
                    problems.append("media_url: media_url must be an http:// or https:// URL of at most 500 characters")
                } else {
                    lines.append(("图片链接", mediaURL))
                }
            }
            let s = PublicSubmission(
                channel: .open311, requestType: read.requestType, categoryCode: code, description: one("description"),
                address: one("address_string"), addressId: one("address_id"), latitude: lat, longitude: long,
                name: (one("last_name") + one("first_name")).trimmingCharacters(in: .whitespaces),
                phone: one("phone"), email: one("email"), attributes: lines)
            problems += PublicIntake.validate(s, names: .open311).map { "\($0.field ?? ""): \($0.rule)" }
            guard problems.isEmpty else { throw Open311Error(.badRequest, problems) }
            let token = UUID().uuidString.lowercased()
            let (aggregate, _) = try await CitizenChannel.submit(s, names: .open311, categoryField: "service_code", on: req) { order in
                [SQLRowsInsert(table: "open311_requests", columns: ["work_order_id", "token", "key_id", "requested_at"], rows: [
                    [.bind(order.id), .bind(token), .bind(keyId), .bind(order.createdAt)],
                ])]
            }
            let o = aggregate.order
            let notice = "已受理，工单编号\(o.number)。12345热线将在\(o.dispatchDueAt.map(MessageTemplates.shortTime) ?? "规定时限")前分派承办单位。"
            return .list(item: "request", [.record([
                ("service_request_id", .text(o.number)), ("token", .text(token)), ("service_notice", .text(notice)), ("account_id", .text(nil)),
            ])])
        }
    }

    /// `application/x-www-form-urlencoded` into names and their values, in order.
    static func form(_ body: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            let k = decode(parts[0])
            out[k, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return out
    }
}
