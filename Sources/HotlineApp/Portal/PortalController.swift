import Fluent
import HotlineCore
import Leaf
import SQLKit
import Vapor

/// The public portal (R-CIT-1…4) at `/portal`: server-rendered, mobile-first, Chinese first.
/// A citizen submits a request (it lands in the agents' queue as a web-channel order) and
/// gets a number and query secret; looks the order up with them; rates the answer and appeals;
/// and reads the orders the platform published. No account, so no CSRF token: every form
/// that changes an order carries the order's secret instead.
struct PortalController: RouteCollection {
    static let maxPhotos = 3
    static let maxPhotoBytes = 5 * 1024 * 1024
    static let pageSize = 20
    /// A published order shows while it stays closed: an appeal takes it off until it is
    /// closed again.
    static let publicStates = [WorkOrderStatus.closed.rawValue, WorkOrderStatus.archived.rawValue]

    func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("portal")
        p.get(use: index)
        p.get("submit", use: submitForm)
        p.on(.POST, "submit", body: .collect(maxSize: "20mb"), use: submit)
        p.get("accepted", use: accepted)
        p.get("track", use: trackForm)
        p.post("track", use: track)
        p.post("track", "rate", use: rate)
        p.post("track", "appeal", use: appeal)
        p.get("disclosures", use: disclosures)
        p.get("disclosures", ":number", use: disclosure)
    }

    struct Empty: Encodable {}

    @Sendable func index(req: Request) async throws -> Response {
        try await req.renderPortal("portal/index", title: "portal", Empty())
    }

    // MARK: Submit

    /// The console's select options, for the portal's selects too.
    typealias Option = ConsoleIntakeController.Option
    typealias Group = ConsoleIntakeController.Group

    struct SubmitView: Encodable {
        var types: [Option]
        var categories: [Group]
        var form: SubmitForm
    }

    struct SubmitForm: Content {
        var requestType: String?
        var categoryCode: String?
        var title: String?
        var description: String?
        var time: String?
        var address: String?
        var people: String?
        var wantedOutcome: String?
        var name: String?
        var phone: String?
        var wantsSecrecy: String?
        var consentsToDisclosure: String?
        /// The form's `photos[]`: Vapor's form decoder reads the brackets as a list.
        var photos: [File]?

        /// What goes back into the form when it is refused (never the files).
        var echoed: SubmitForm {
            var f = self
            f.photos = nil
            return f
        }
    }

    func submitView(_ req: Request, _ form: SubmitForm) async throws -> SubmitView {
        let lang = req.consoleLanguage
        let all = try await Open311Controller.categories(on: req.database)
        let chosen = form.categoryCode ?? ""
        let tops = all.filter { $0.code.count == 2 }
        let groups = tops.map { top in
            Group(label: lang == .en ? top.nameEn ?? top.name : top.name, options: all.filter { $0.code.hasPrefix(top.code) }.map { c in
                Option(value: c.code, label: (c.code.count > 2 ? String(repeating: "　", count: c.code.count / 2 - 1) : "") + (lang == .en ? c.nameEn ?? c.name : c.name), selected: c.code == chosen)
            })
        }
        let type = form.requestType ?? RequestType.help.rawValue
        let types = RequestType.allCases.map { Option(value: $0.rawValue, label: PortalStrings.table(lang)["type.\($0.rawValue)"] ?? $0.chineseName, selected: $0.rawValue == type) }
        return SubmitView(types: types, categories: groups, form: form.echoed)
    }

    @Sendable func submitForm(req: Request) async throws -> Response {
        try await req.renderPortal("portal/submit", title: "submit", try await submitView(req, SubmitForm(consentsToDisclosure: nil)))
    }

    struct AcceptedView: Encodable {
        var number: String
        var secret: String
        var title: String
    }

    /// A photo checked by its bytes, not by the name or type the browser gave.
    struct Photo {
        var name: String
        var type: String
        var data: ByteBuffer
    }

    static func imageType(_ b: ByteBuffer) -> String? {
        let bytes = b.getBytes(at: b.readerIndex, length: min(12, b.readableBytes)) ?? []
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }

    static func photos(_ files: [File]) throws -> [Photo] {
        let given = files.filter { $0.data.readableBytes > 0 || !$0.filename.isEmpty }
        guard given.count <= maxPhotos else { throw APIProblem.invalid("photos", "photos takes at most \(maxPhotos) files") }
        return try given.map { f in
            guard f.data.readableBytes <= maxPhotoBytes else {
                throw APIProblem(.payloadTooLarge, code: "attachment_too_large", field: "photos", rule: "photos must each be at most \(maxPhotoBytes / 1024 / 1024) MB")
            }
            guard let type = imageType(f.data) else {
                throw APIProblem(.unsupportedMediaType, code: "attachment_type_refused", field: "photos", rule: "photos must be JPEG, PNG, GIF or WebP images")
            }
            let name = String(f.filename.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_").suffix(100))
            return Photo(name: name.isEmpty ? "photo" : name, type: type, data: f.data)
        }
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let form: SubmitForm
        do { form = try req.decodeBody(SubmitForm.self) } catch {
            throw APIProblem(.badRequest, code: "bad_form", rule: "the form could not be read")
        }
        do {
            try req.requireWithinRate("submission", key: req.clientAddress, limit: req.hotline.settings.publicLimits.submissionsPerHour, window: 3600)
            guard let type = RequestType(rawValue: form.requestType ?? "") else {
                throw APIProblem.invalid("requestType", "requestType must be one of the listed choices")
            }
            let photos = try Self.photos(form.photos ?? [])
            let s = PublicSubmission(
                channel: .web, requestType: type, categoryCode: form.categoryCode ?? "", title: form.title ?? "", description: form.description ?? "",
                time: form.time ?? "", people: form.people ?? "", wantedOutcome: form.wantedOutcome ?? "", address: form.address ?? "",
                name: form.name ?? "", phone: form.phone ?? "", wantsSecrecy: form.wantsSecrecy != nil, consentsToDisclosure: form.consentsToDisclosure != nil)
            // Checked before any file is written; then files first, rows with the order: a
            // committed row never points at a missing file.
            try await CitizenChannel.check(s, names: .portal, categoryField: "categoryCode", on: req)
            let stored = try await store(photos, on: req)
            let now = req.now
            let (aggregate, secret) = try await CitizenChannel.submit(s, names: .portal, categoryField: "categoryCode", on: req) { order in
                stored.isEmpty ? [] : [SQLRowsInsert(table: "attachments", columns: ["id", "work_order_id", "file_name", "content_type", "size", "sha256", "storage_path", "uploaded_at", "uploaded_by"], rows: stored.map { p in
                    [.bind(p.id), .bind(order.id), .bind(p.name), .bind(p.type), .bind(p.size), .bind(p.sha256), .bind(p.path), .bind(now), .bind(CitizenChannel.portalAccount)]
                })]
            }
            // Post, redirect, get: reloading the receipt does not submit the request again. The
            // receipt travels in a short-lived cookie only this browser holds.
            let response = req.redirect(to: "/portal/accepted")
            response.cookies[Self.receiptCookie] = HTTPCookies.Value(
                string: "\(aggregate.order.number).\(secret)", expires: req.now.addingTimeInterval(30 * 60), maxAge: 30 * 60, path: "/portal",
                isSecure: false, isHTTPOnly: true, sameSite: .strict)
            return response
        } catch let p as APIProblem {
            return try await req.renderPortal("portal/submit", title: "submit", try await submitView(req, form), problem: p)
        }
    }

    struct StoredPhoto {
        var id: UUID
        var name: String
        var type: String
        var size: Int
        var sha256: String
        var path: String
    }

    func store(_ photos: [Photo], on req: Request) async throws -> [StoredPhoto] {
        var out: [StoredPhoto] = []
        for p in photos {
            let id = UUID()
            let (relative, sha) = try await AttachmentController.writeFile(p.data, id: id, on: req)
            out.append(StoredPhoto(id: id, name: p.name, type: p.type, size: p.data.readableBytes, sha256: sha, path: relative))
        }
        return out
    }

    static let receiptCookie = "hotline_receipt"

    /// The receipt after submitting: the number and the secret, from the submitting browser's
    /// cookie; the title from the order.
    @Sendable func accepted(req: Request) async throws -> Response {
        guard let value = req.cookies[Self.receiptCookie]?.string, let dot = value.firstIndex(of: ".") else { return req.redirect(to: "/portal/track") }
        let number = String(value[..<dot]), secret = String(value[value.index(after: dot)...])
        guard number.allSatisfy({ $0.isASCII && $0.isNumber }), QuerySecret.isWellFormed(secret),
            let row = try await (req.database as! any SQLDatabase).raw("SELECT title FROM work_orders WHERE number = \(bind: number)").first()
        else { return req.redirect(to: "/portal/track") }
        return try await req.renderPortal("portal/accepted", title: "accepted", AcceptedView(number: number, secret: secret, title: try row.decode(column: "title", as: String.self)))
    }

    // MARK: Track, rate, appeal

    struct TrackForm: Content {
        var number: String?
        var secret: String?
    }

    struct TrackView: Encodable {
        var number: String
        var secret: String
        var found: OrderView?
        /// After rating or appealing: what was done.
        var notice: String?
    }

    struct OrderView: Encodable {
        var number: String
        var title: String
        var stage: String
        var createdAt: String
        var dueAt: String?
        var unit: String?
        var answer: String?
        var canRate: Bool
        var rated: String?
        var appealUntil: String?
        var satisfactions: [Option]
    }

    @Sendable func trackForm(req: Request) async throws -> Response {
        try await req.renderPortal("portal/track", title: "track", TrackView(number: (try? req.query.get(String.self, at: "number")) ?? "", secret: "", found: nil))
    }

    func lookup(_ req: Request, _ form: TrackForm) async throws -> WorkOrderRepository.Loaded {
        try req.requireWithinRate("lookup", key: req.clientAddress, limit: req.hotline.settings.publicLimits.lookupsPerHour, window: 3600)
        return try await CitizenChannel.lookup(number: form.number ?? "", secret: form.secret ?? "", on: req)
    }

    /// The unsatisfied rating the citizen already gave for this answer (by SMS or here),
    /// waiting for a callback agent: the last callback event since the order awaited its
    /// callback is a `callbackReply`.
    static func pendingRating(_ o: WorkOrder, on db: any Database) async throws -> (satisfaction: String, solved: Bool)? {
        guard o.status == .awaitingCallback else { return nil }
        guard let row = try await (db as! any SQLDatabase).raw("""
            SELECT action, details FROM work_order_events WHERE work_order_id = \(bind: o.id) AND action IN ('awaitCallback', 'callbackReply')
            ORDER BY seq DESC LIMIT 1
            """).first() else { return nil }
        let r = OrderRows.Reader(row: row)
        guard try r("action", as: String.self) == "callbackReply" else { return nil }
        let details: [String: String] = try r("details")
        return (details["satisfaction"] ?? "", details["solved"] == "true")
    }

    func trackView(_ req: Request, _ loaded: WorkOrderRepository.Loaded, secret: String, notice: String? = nil) async throws -> TrackView {
        let o = loaded.aggregate.order
        let t = PortalStrings.table(req.consoleLanguage)
        let lifecycle = try await RulesLoader(db: req.database, services: req.hotline).lifecycle(now: req.now)
        func label(_ satisfaction: String, _ solved: Bool?) -> String {
            (t["sat.\(satisfaction)"] ?? satisfaction) + (solved == true ? "，" + (t["yes"] ?? "") : solved == false ? "，" + (t["no"] ?? "") : "")
        }
        let pending = try await Self.pendingRating(o, on: req.database)
        let rated = o.callback.flatMap { cb in cb.satisfaction.map { label($0.rawValue, cb.solved) } }
            ?? pending.map { label($0.satisfaction, $0.solved) + "（" + (t["awaitingAgent"] ?? "") + "）" }
        let view = OrderView(
            number: o.number, title: o.title, stage: t["stage.\(CitizenView.stage(o))"] ?? "", createdAt: MessageTemplates.shortTime(o.createdAt),
            dueAt: o.dueAt.map(MessageTemplates.shortTime), unit: loaded.aggregate.leadUnit?.name, answer: CitizenView.answer(o),
            canRate: CitizenView.canRate(o) && pending == nil, rated: rated, appealUntil: lifecycle.appealDeadline(o).map(MessageTemplates.shortTime),
            satisfactions: Satisfaction.allCases.map { Option(value: $0.rawValue, label: t["sat.\($0.rawValue)"] ?? $0.rawValue, selected: false) })
        return TrackView(number: o.number, secret: secret, found: view, notice: notice)
    }

    @Sendable func track(req: Request) async throws -> Response {
        let form = try req.decodeBody(TrackForm.self)
        do {
            let loaded = try await lookup(req, form)
            return try await req.renderPortal("portal/track", title: "track", try await trackView(req, loaded, secret: QuerySecret.normalized(form.secret ?? "")))
        } catch let p as APIProblem {
            return try await req.renderPortal("portal/track", title: "track", TrackView(number: form.number ?? "", secret: "", found: nil), problem: p)
        }
    }

    struct RateForm: Content {
        var number: String?
        var secret: String?
        var satisfaction: String?
        var solved: String?
        var comment: String?
    }

    @Sendable func rate(req: Request) async throws -> Response {
        let form = try req.decodeBody(RateForm.self)
        let secret = QuerySecret.normalized(form.secret ?? "")
        let loaded = try await lookupOrShowForm(req, TrackForm(number: form.number, secret: form.secret))
        guard case .found(let loaded) = loaded else { return loaded.response! }
        do {
            guard let satisfaction = Satisfaction(rawValue: form.satisfaction ?? "") else {
                throw APIProblem.invalid("satisfaction", "satisfaction must be one of the listed choices")
            }
            guard let solved = form.solved.flatMap({ $0 == "true" ? true : $0 == "false" ? false : nil }) else {
                throw APIProblem.invalid("solved", "solved must be one of the listed choices")
            }
            guard try await Self.pendingRating(loaded.aggregate.order, on: req.database) == nil else {
                throw APIProblem(.conflict, code: "already_rated", rule: "your rating is recorded; a callback agent will contact you")
            }
            let now = req.now
            let lifecycle = try await RulesLoader(db: req.database, services: req.hotline).lifecycle(now: now)
            let t: Transition
            do { t = try lifecycle.webRating(satisfaction: satisfaction, solved: solved, comment: form.comment ?? "", to: loaded.aggregate) } catch { throw APIProblem(error) }
            try await req.hotline.write(on: req.database) { db in
                try await WorkOrderRepository(db: db).save(t, over: loaded, actor: nil, at: now, timers: lifecycle.timers(for: t.aggregate))
            }
            let strings = PortalStrings.table(req.consoleLanguage)
            let fresh = try await WorkOrderRepository(db: req.database).find(loaded.aggregate.order.id) ?? loaded
            return try await req.renderPortal("portal/track", title: "track", try await trackView(req, fresh, secret: secret, notice: satisfaction.isUnsatisfied ? strings["unsatisfiedNote"] : strings["thanks"]))
        } catch let p as APIProblem {
            return try await req.renderPortal("portal/track", title: "track", try await trackView(req, loaded, secret: secret), problem: p)
        }
    }

    struct AppealForm: Content {
        var number: String?
        var secret: String?
        var reason: String?
    }

    @Sendable func appeal(req: Request) async throws -> Response {
        let form = try req.decodeBody(AppealForm.self)
        let secret = QuerySecret.normalized(form.secret ?? "")
        let loaded = try await lookupOrShowForm(req, TrackForm(number: form.number, secret: form.secret))
        guard case .found(let loaded) = loaded else { return loaded.response! }
        do {
            let now = req.now
            let lifecycle = try await RulesLoader(db: req.database, services: req.hotline).lifecycle(now: now)
            let t: Transition
            do { t = try lifecycle.citizenAppeal(reason: form.reason ?? "", to: loaded.aggregate) } catch { throw APIProblem(error) }
            try await req.hotline.write(on: req.database) { db in
                try await WorkOrderRepository(db: db).save(t, over: loaded, actor: nil, at: now, timers: lifecycle.timers(for: t.aggregate))
            }
            let fresh = try await WorkOrderRepository(db: req.database).find(loaded.aggregate.order.id) ?? loaded
            return try await req.renderPortal("portal/track", title: "track", try await trackView(req, fresh, secret: secret, notice: PortalStrings.table(req.consoleLanguage)["appealed"]))
        } catch let p as APIProblem {
            return try await req.renderPortal("portal/track", title: "track", try await trackView(req, loaded, secret: secret), problem: p)
        }
    }

    enum Found {
        case found(WorkOrderRepository.Loaded)
        case shown(Response)
        var response: Response? { if case .shown(let r) = self { r } else { nil } }
    }

    /// The order for a rating or appeal form: looked up again with the secret the form
    /// carries (and counted like any lookup), or the lookup form with the refusal.
    func lookupOrShowForm(_ req: Request, _ form: TrackForm) async throws -> Found {
        do {
            return .found(try await lookup(req, form))
        } catch let p as APIProblem {
            return .shown(try await req.renderPortal("portal/track", title: "track", TrackView(number: form.number ?? "", secret: "", found: nil), problem: p))
        }
    }

    // MARK: Disclosure

    struct PublishedLine: Encodable {
        var number: String
        var title: String
        var category: String
        var type: String
        var publishedAt: String
    }

    struct DisclosuresView: Encodable {
        var lines: [PublishedLine]
        var page: Int
        var prev: Int?
        var next: Int?
    }

    @Sendable func disclosures(req: Request) async throws -> Response {
        try req.requireWithinRate("lookup", key: req.clientAddress, limit: req.hotline.settings.publicLimits.lookupsPerHour, window: 3600)
        let page = max(1, min(500, (try? req.query.get(Int.self, at: "page")) ?? 1))
        let lang = req.consoleLanguage
        let t = PortalStrings.table(lang)
        let names = Dictionary(try await Open311Controller.categories(on: req.database).map { ($0.code, lang == .en ? $0.nameEn ?? $0.name : $0.name) }, uniquingKeysWith: { a, _ in a })
        let rows = try await (req.database as! any SQLDatabase).raw("""
            SELECT p.number, p.title, p.category_code, p.request_type, p.published_at FROM publications p JOIN work_orders w ON w.id = p.work_order_id
            WHERE p.withdrawn_at IS NULL AND w.status IN (\(binds: Self.publicStates))
            ORDER BY p.published_at DESC LIMIT \(unsafeRaw: String(Self.pageSize + 1)) OFFSET \(unsafeRaw: String((page - 1) * Self.pageSize))
            """).all()
        let lines = try rows.prefix(Self.pageSize).map { row in
            let r = OrderRows.Reader(row: row)
            let type: String = try r("request_type")
            let code: String = try r("category_code")
            return PublishedLine(number: try r("number"), title: try r("title"), category: names[code] ?? code, type: t["type.\(type)"] ?? type, publishedAt: MessageTemplates.shortTime(try r("published_at")))
        }
        return try await req.renderPortal("portal/disclosures", title: "disclosures", DisclosuresView(lines: Array(lines), page: page, prev: page > 1 ? page - 1 : nil, next: rows.count > Self.pageSize ? page + 1 : nil))
    }

    struct DisclosureView: Encodable {
        var number: String
        var title: String
        var category: String
        var type: String
        var matter: String
        var address: String
        var answer: String
        var createdAt: String
        var closedAt: String?
        var publishedAt: String
    }

    @Sendable func disclosure(req: Request) async throws -> Response {
        try req.requireWithinRate("lookup", key: req.clientAddress, limit: req.hotline.settings.publicLimits.lookupsPerHour, window: 3600)
        let number = try req.parameters.require("number")
        let lang = req.consoleLanguage
        guard let row = try await (req.database as! any SQLDatabase).raw("""
            SELECT p.number, p.title, p.category_code, p.request_type, p.matter, p.address, p.answer, p.requested_at, p.closed_at, p.published_at
            FROM publications p JOIN work_orders w ON w.id = p.work_order_id
            WHERE p.number = \(bind: number) AND p.withdrawn_at IS NULL AND w.status IN (\(binds: Self.publicStates))
            """).first()
        else { throw Abort(.notFound) }
        let r = OrderRows.Reader(row: row)
        let code: String = try r("category_code")
        let type: String = try r("request_type")
        let name = try await Open311Controller.categories(on: req.database).first { $0.code == code }.map { lang == .en ? $0.nameEn ?? $0.name : $0.name } ?? code
        let view = DisclosureView(
            number: try r("number"), title: try r("title"), category: name, type: PortalStrings.table(lang)["type.\(type)"] ?? type, matter: try r("matter"),
            address: try r("address"), answer: try r("answer"), createdAt: MessageTemplates.shortTime(try r("requested_at")),
            closedAt: (try r.optional("closed_at") as Date?).map(MessageTemplates.shortTime), publishedAt: MessageTemplates.shortTime(try r("published_at")))
        return try await req.renderPortal("portal/disclosure", title: "disclosures", view)
    }
}

/// The frame of every portal page.
struct PortalPage: Encodable {
    var lang: String
    var langHref: String
    var t: [String: String]
    var title: String
    var error: String?
    var fieldErrors: [String: String]
}

struct PortalView<Data: Encodable>: Encodable {
    var page: PortalPage
    var data: Data
}

extension Request {
    func renderPortal<D: Encodable>(_ template: String, title key: String, _ data: D, status: HTTPResponseStatus = .ok, problem: APIProblem? = nil) async throws -> Response {
        let lang = consoleLanguage
        let t = PortalStrings.table(lang)
        var fieldErrors: [String: String] = [:]
        if let problem {
            for v in [RuleViolation(.invalid, code: problem.code, field: problem.field, rule: problem.rule)] + problem.related {
                if let f = v.field, fieldErrors[f] == nil { fieldErrors[f] = RuleMessages.text(v.rule, lang) }
            }
        }
        let here = url.path + (url.query.map { "?" + $0 } ?? "")
        let page = PortalPage(
            lang: lang.rawValue, langHref: "/lang/\(lang == .zh ? "en" : "zh")?next=" + ConsoleLinks.queryValue(here), t: t, title: t[key] ?? key,
            error: problem.map { (t["error"] ?? "") + "：" + RuleMessages.text($0.rule, lang) }, fieldErrors: fieldErrors)
        let response = try await view.render(template, PortalView(page: page, data: data)).encodeResponse(for: self)
        // Pages with a secret or a citizen's order on them stay out of caches and history.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.status = problem.map { $0.status == .unprocessableEntity || $0.status.code < 400 ? .unprocessableEntity : $0.status } ?? status
        return response
    }
}
