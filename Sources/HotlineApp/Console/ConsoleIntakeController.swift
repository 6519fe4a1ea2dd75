import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The agent's intake workspace (R-IN): one screen to record a call, see the caller's earlier
/// orders and possible duplicates, and settle it at once (direct answer, decline, guide,
/// merge) or send it to dispatch, linked to an earlier order if the agent says so.
struct ConsoleIntakeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("intake", use: form)
        routes.post("intake", use: submit)
        routes.get("intake", "history", use: history)
        routes.get("intake", "similar", use: similar)
    }

    /// The form's fields, all text as posted.
    struct IntakeInput: Content {
        var channel: String?
        var requestType: String?
        var categoryCode: String?
        var urgency: String?
        var title: String?
        var time: String?
        var divisionCode: String?
        var address: String?
        var people: String?
        var matter: String?
        var course: String?
        var wantedOutcome: String?
        var citizenName: String?
        var citizenPhone: String?
        var citizenIdNumber: String?
        var citizenAddress: String?
        var wantsSecrecy: String?
        var anonymous: String?
        var consentsToDisclosure: String?
        var subjectUnitId: String?
        /// dispatch (default), link (to dispatch, linked to `targetId`), directAnswer, decline,
        /// guide, merge (into `targetId`).
        var disposition: String?
        var answer: String?
        var knowledgeArticleRef: String?
        var reasonCode: String?
        var target: String?
        var targetId: String?
        var note: String?
        /// A key drawn when the form is shown (the order's idempotency key).
        var formKey: String?
        /// The call the order is recorded in (set when the agent's call rang, R-IN-4).
        var callId: String?
    }

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Group: Encodable {
        var label: String
        var options: [Option]
    }

    struct FormView: Encodable {
        var input: [String: String]
        /// Messages by form field name.
        var errors: [String: String]
        var checked: [String: Bool]
        var channels: [Option]
        var types: [Option]
        var urgencies: [Option]
        var categories: [Option]
        var places: [Group]
        var units: [Option]
        var declineReasons: [Option]
        var guideTargets: [Option]
        var dispositions: [Option]
    }

    @Sendable func form(req: Request) async throws -> Response {
        _ = try req.principal(.agent, .dispatcher)
        // From the call banner: the call and its number come along.
        struct FromCall: Content { var callId: String?; var phone: String? }
        let call = try req.query.decode(FromCall.self)
        return try await page(req, input: IntakeInput(
            channel: "phone", requestType: "consultation", urgency: "normal", citizenPhone: call.phone, wantsSecrecy: nil, consentsToDisclosure: "on",
            disposition: "dispatch", callId: call.callId))
    }

    func page(_ req: Request, input: IntakeInput, problem: APIProblem? = nil) async throws -> Response {
        let lang = req.consoleLanguage
        func l(_ k: String) -> String { ConsoleStrings.label(k, lang) }
        func options(_ list: [(String, String)], _ selected: String?) -> [Option] {
            list.map { Option(value: $0.0, label: $0.1, selected: $0.0 == selected) }
        }
        let categories = try await ConsoleOrderController.entries(req, kind: "category").map { ($0.0, "\($0.0) \($0.1)") }
        let units = try await UnitModel.query(on: req.database).filter(\.$level == 2).filter(\.$active == true).sort(\.$name).all().map { ($0.id!.uuidString, $0.name) }
        let places = Divisions.beijing.map { d in
            Group(label: d.name, options: [Option(value: d.code, label: d.name, selected: d.code == input.divisionCode)]
                + d.streets.map { Option(value: $0.code, label: "\(d.name) \($0.name)", selected: $0.code == input.divisionCode) })
        }
        let values: [String: String?] = [
            "title": input.title, "time": input.time, "address": input.address, "people": input.people, "matter": input.matter,
            "course": input.course, "wantedOutcome": input.wantedOutcome, "citizenName": input.citizenName, "citizenPhone": input.citizenPhone,
            "citizenIdNumber": input.citizenIdNumber, "citizenAddress": input.citizenAddress, "answer": input.answer,
            "knowledgeArticleRef": input.knowledgeArticleRef, "note": input.note, "targetId": input.targetId,
            "formKey": input.formKey ?? UUID().uuidString, "callId": input.callId,
        ]
        var errors: [String: String] = [:]
        if let problem {
            for v in [RuleViolation(.invalid, code: problem.code, field: problem.field, rule: problem.rule)] + problem.related {
                guard let field = v.field else { continue }
                let message = v.code == "validation_failed" && v.rule.hasSuffix(" is required") ? l("requiredMark") : RuleMessages.text(v.rule, lang)
                errors[Self.formName(field)] = errors[Self.formName(field)] ?? message
            }
        }
        let view = FormView(
            input: values.compactMapValues { $0 }, errors: errors,
            checked: ["wantsSecrecy": input.wantsSecrecy == "on", "anonymous": input.anonymous == "on", "consentsToDisclosure": input.consentsToDisclosure == "on"],
            channels: options(Channel.allCases.map { ($0.rawValue, l("channel.\($0.rawValue)")) }, input.channel),
            types: options(RequestType.allCases.map { ($0.rawValue, l("type.\($0.rawValue)")) }, input.requestType),
            urgencies: options(Urgency.allCases.map { ($0.rawValue, l("urgency.\($0.rawValue)")) }, input.urgency),
            categories: options(categories, input.categoryCode), places: places,
            units: [Option(value: "", label: l("none"), selected: (input.subjectUnitId ?? "").isEmpty)] + options(units, input.subjectUnitId),
            declineReasons: options(try await ConsoleOrderController.entries(req, kind: "declineReason"), input.reasonCode),
            guideTargets: options(try await ConsoleOrderController.entries(req, kind: "guideTarget"), input.target),
            dispositions: options(["dispatch", "link", "directAnswer", "decline", "guide", "merge"].map { ($0, l($0 == "dispatch" ? "sendToDispatch" : $0 == "link" ? "linkAndDispatch" : "action.\($0)")) }, input.disposition ?? "dispatch"))
        return try await req.renderConsole("intake", title: l("intake"), view, problem: problem)
    }

    /// The form's name for a field the API names (`elements.place.address` → `address`).
    static func formName(_ apiField: String) -> String {
        switch apiField {
        case "elements.place.address": "address"
        case "elements.place.divisionCode": "divisionCode"
        case let f where f.hasPrefix("elements."): String(f.dropFirst("elements.".count))
        case let f where f.hasPrefix("citizen."): "citizen" + f.dropFirst("citizen.".count).prefix(1).uppercased() + f.dropFirst("citizen.".count + 1)
        default: apiField
        }
    }

    /// Records the order, settled at once if the agent chose to, in one write; refused input
    /// comes back on the form with every field kept (422) and nothing stored. The form's key
    /// makes a second click on the same form open the order the first one stored.
    @Sendable func submit(req: Request) async throws -> Response {
        let principal = try req.principal(.agent, .dispatcher)
        let input = try req.decodeBody(IntakeInput.self)
        let key = ActionInput().text(input.formKey).map { "console-" + $0 }
        if let existing = try await Self.stored(key, principal: principal, req: req) { return req.redirect(to: "/orders/\(existing.uuidString)") }
        do {
            let body = try Self.intakeRequest(input)
            let settle = try await Self.settlement(input, req: req)
            let created = try await WorkOrderController.record(body, idempotencyKey: key, principal: principal, on: req, settle: settle)
            return req.redirect(to: "/orders/\(created.order.id.uuidString)?done=\(settle.action)")
        } catch {
            if let existing = try await Self.stored(key, principal: principal, req: req) { return req.redirect(to: "/orders/\(existing.uuidString)") }
            let problem = ProblemMiddleware.problem(for: error)
            guard problem.status != .internalServerError else { throw error }
            return try await page(req, input: input, problem: problem)
        }
    }

    /// The order a form with this key already stored, if any.
    static func stored(_ key: String?, principal: Principal, req: Request) async throws -> UUID? {
        guard let key else { return nil }
        return try await IdempotencyKeyModel.query(on: req.database).filter(\.$accountId == principal.accountId).filter(\.$key == key).first()?.workOrderId
    }

    static func settlement(_ input: IntakeInput, req: Request) async throws -> WorkOrderController.Settlement {
        let f = ActionInput(answer: input.answer, knowledgeArticleRef: input.knowledgeArticleRef, reasonCode: input.reasonCode, target: input.target, note: input.note)
        switch input.disposition ?? "dispatch" {
        case "dispatch": return .none
        case let action where action == "merge" || action == "link":
            let target = try f.uuid(input.targetId, "targetId")
            guard let order = try await WorkOrderRepository(db: req.database).find(target) else {
                throw APIProblem.invalid("targetId", "choose the earlier order from the caller's history or the possible duplicates")
            }
            return action == "merge" ? .merge(into: order, note: f.text(input.note)) : .link(to: order, note: f.text(input.note))
        case let action:
            return .command(try await ActionForms.command(action, f, req: req))
        }
    }

    /// The API's intake body from the form; a choice outside its list names its field.
    static func intakeRequest(_ i: IntakeInput) throws -> IntakeRequest {
        let f = ActionInput()
        let division = f.text(i.divisionCode)
        let subject = try f.text(i.subjectUnitId).map { try f.uuid($0, "subjectUnitId") }
        return IntakeRequest(
            channel: try f.choice(i.channel, "channel"), requestType: try f.choice(i.requestType, "requestType"),
            categoryCode: i.categoryCode ?? "", urgency: try f.choice(i.urgency ?? "normal", "urgency"), title: i.title ?? "",
            elements: SixElements(
                time: i.time ?? "", place: Place(address: i.address ?? "", divisionCode: division, latitude: nil, longitude: nil),
                people: i.people ?? "", matter: i.matter ?? "", course: i.course ?? "", wantedOutcome: i.wantedOutcome ?? ""),
            citizen: Citizen(
                name: i.citizenName ?? "", phone: i.citizenPhone ?? "", idNumber: f.text(i.citizenIdNumber), address: f.text(i.citizenAddress),
                wantsSecrecy: i.wantsSecrecy == "on", anonymous: i.anonymous == "on", consentsToDisclosure: i.consentsToDisclosure == "on"),
            subjectUnitId: subject, callId: f.text(i.callId))
    }

    // MARK: While typing

    struct Fragment: Encodable {
        var lines: [OrderLine]
    }

    /// R-IN-4: the caller's earlier orders, as a fragment the form loads when a phone number
    /// is entered.
    @Sendable func history(req: Request) async throws -> Response {
        let principal = try req.principal(.agent, .dispatcher)
        let phone = (try? req.query.get(String.self, at: "phone"))?.trimmingCharacters(in: .whitespaces) ?? ""
        var lines: [OrderLine] = []
        if phone.count >= 5 {
            let page = try await WorkOrderController.find(WorkOrderController.SearchQuery(phone: phone, per: 10), principal: principal, req: req)
            lines = page.items.map { OrderLine($0, lang: req.consoleLanguage) }
        }
        return try await req.renderConsole("fragments/history", title: "", Fragment(lines: lines))
    }

    /// R-IN-3: recent orders that may be the same request (same phone; or the same category
    /// family at the same address; or the same words in the same category family). Open ones
    /// may be merged into; closed ones only linked to (the problem came back). Archived ones
    /// are past the window anyway.
    @Sendable func similar(req: Request) async throws -> Response {
        _ = try req.principal(.agent, .dispatcher)
        struct Q: Content { var phone: String?; var categoryCode: String?; var address: String?; var text: String? }
        let q = try req.query.decode(Q.self)
        let policy = try await RulesLoader(db: req.database, services: req.hotline).policy()
        let since = req.now.addingTimeInterval(-Double(policy.duplicateWindowDays) * 86_400)
        let sql = req.database as! any SQLDatabase
        var alternatives: [SQLQueryString] = []
        let f = ActionInput()
        if let phone = f.text(q.phone), phone.count >= 5 { alternatives.append("work_orders.citizen_phone = \(bind: phone)") }
        if let code = f.text(q.categoryCode) {
            let family = String(code.prefix(4)) + "%"
            if let address = f.text(q.address) {
                alternatives.append("(work_orders.category_code LIKE \(bind: family) AND work_orders.place_address = \(bind: address))")
            }
            if let text = f.text(q.text), let matching = SearchIndex(req.database).matching(text) {
                var clause: SQLQueryString = "(work_orders.category_code LIKE \(bind: family) AND "
                clause.appendInterpolation(matching)
                clause.appendInterpolation(unsafeRaw: ")")
                alternatives.append(clause)
            }
        }
        var lines: [OrderLine] = []
        if !alternatives.isEmpty {
            var predicate: SQLQueryString = "work_orders.created_at >= \(bind: since) AND work_orders.status <> \(bind: WorkOrderStatus.archived.rawValue) AND ("
            for (i, a) in alternatives.enumerated() {
                if i > 0 { predicate.appendInterpolation(unsafeRaw: " OR ") }
                predicate.appendInterpolation(a)
            }
            predicate.appendInterpolation(unsafeRaw: ")")
            let rows = try await WorkOrderSummaries.select(on: sql).where(predicate)
                .orderBy(SQLOrderBy(expression: SQLColumn("created_at", table: "work_orders"), direction: SQLDirection.descending)).limit(10).all()
            lines = try WorkOrderSummaries.decode(rows, now: req.now).map { OrderLine($0, lang: req.consoleLanguage) }
        }
        return try await req.renderConsole("fragments/similar", title: "", Fragment(lines: lines))
    }
}

/// Beijing's districts and streets (NBS 2023 division codes, the project's copy shipped for
/// the synthetic city), for the place picker.
enum Divisions {
    struct District: Sendable {
        var code: String
        var name: String
        var streets: [(code: String, name: String)]
    }

    /// Every district and street as (code, "district street"), for a flat picker.
    static let choices: [(code: String, label: String)] = beijing.flatMap { d in [(d.code, d.name)] + d.streets.map { ($0.code, "\(d.name) \($0.name)") } }

    static let beijing: [District] = {
        guard let url = Bundle.module.url(forResource: "beijing-streets", withExtension: "csv", subdirectory: "synthetic"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        var districts: [District] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 4 else { continue }
            if districts.last?.code != f[2] { districts.append(District(code: f[2], name: f[3], streets: [])) }
            districts[districts.count - 1].streets.append((f[0], f[1]))
        }
        return districts
    }()
}
