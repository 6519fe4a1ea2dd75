import HotlineCore
import Vapor

/// The forms of the order page: one per action the rules offer this person now
/// (`Lifecycle.availableActions`), each with the inputs its `Command` needs.
struct ActionForm: Encodable {
    struct Field: Encodable {
        struct Option: Encodable {
            var value: String
            var label: String
            var selected: Bool
        }

        var name: String
        var label: String
        /// text, textarea, select, number, datetime, checkbox, decision (approve/reject buttons)
        var kind: String
        var value: String
        var required: Bool
        var options: [Option]
        var error: String?
    }

    struct Hidden: Encodable {
        var name: String
        var value: String
    }

    var action: String
    var label: String
    /// What the action acts on, e.g. the unit of an assignment.
    var subject: String?
    var href: String
    /// The version read and the assignment, extension or supervision acted on.
    var hidden: [String: String]
    var fields: [Field]
    /// Forms without a decision field get one submit button with this label.
    var submit: String
    var hasDecision: Bool

    enum CodingKeys: String, CodingKey { case action, label, subject, href, hiddenFields, fields, submit, hasDecision }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(action, forKey: .action)
        try c.encode(label, forKey: .label)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encode(href, forKey: .href)
        try c.encode(hidden.sorted { $0.key < $1.key }.map { Hidden(name: $0.key, value: $0.value) }, forKey: .hiddenFields)
        try c.encode(fields, forKey: .fields)
        try c.encode(submit, forKey: .submit)
        try c.encode(hasDecision, forKey: .hasDecision)
    }
}

/// Inputs of the console's action forms, all as text: the form posts strings, and each action
/// reads and checks the ones it needs, naming the field it refuses.
struct ActionInput: Content {
    var version: Int?
    var assignmentId: String?
    var extensionId: String?
    var supervisionId: String?
    var answer: String?
    var knowledgeArticleRef: String?
    var reasonCode: String?
    var target: String?
    var note: String?
    var proposal: String?
    var instruction: String?
    var method: String?
    var reason: String?
    var basis: String?
    var approve: String?
    var unitId: String?
    var opinion: String?
    var amount: String?
    var result: String?
    var contactMethod: String?
    var contactedAt: String?
    var citizenOpinion: String?
    var policyReferences: String?
    var responsiblePerson: String?
    var responsiblePhone: String?
    var reasons: String?
    var satisfaction: String?
    var solved: String?
    var reached: String?
    var reasonable: String?
    var targetId: String?
    // The edit form (修改, before dispatch).
    var title: String?
    var requestType: String?
    var categoryCode: String?
    var urgency: String?
    var time: String?
    var divisionCode: String?
    var address: String?
    var people: String?
    var matter: String?
    var course: String?
    var wantedOutcome: String?

    /// The fields as they were sent, to put back into a refused form.
    var values: [String: String] {
        var v: [String: String] = [:]
        for (k, x) in [
            ("answer", answer), ("knowledgeArticleRef", knowledgeArticleRef), ("reasonCode", reasonCode), ("target", target), ("note", note),
            ("proposal", proposal), ("instruction", instruction), ("method", method), ("reason", reason), ("basis", basis), ("unitId", unitId),
            ("opinion", opinion), ("amount", amount), ("result", result), ("contactMethod", contactMethod), ("contactedAt", contactedAt),
            ("citizenOpinion", citizenOpinion), ("policyReferences", policyReferences), ("responsiblePerson", responsiblePerson),
            ("responsiblePhone", responsiblePhone), ("reasons", reasons), ("satisfaction", satisfaction), ("solved", solved),
            ("reached", reached), ("reasonable", reasonable), ("targetId", targetId), ("title", title), ("requestType", requestType),
            ("categoryCode", categoryCode), ("urgency", urgency), ("time", time), ("divisionCode", divisionCode), ("address", address), ("people", people),
            ("matter", matter), ("course", course), ("wantedOutcome", wantedOutcome),
        ] { if let x { v[k] = x } }
        return v
    }

    func text(_ v: String?) -> String? {
        guard let t = v?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    func required(_ v: String?, _ field: String) throws -> String {
        guard let t = text(v) else { throw APIProblem.invalid(field, "\(field) is required") }
        return t
    }

    func uuid(_ v: String?, _ field: String) throws -> UUID {
        guard let t = text(v), let id = UUID(uuidString: t) else { throw APIProblem.invalid(field, "\(field) must name one of the listed items") }
        return id
    }

    func choice<E: RawRepresentable>(_ v: String?, _ field: String) throws -> E where E.RawValue == String {
        guard let t = text(v), let e = E(rawValue: t) else { throw APIProblem.invalid(field, "\(field) must be one of the listed choices") }
        return e
    }

    func flag(_ v: String?) -> Bool { v == "true" || v == "on" || v == "1" }
}

enum ActionForms {
    /// What the forms need besides the order: choices from the dictionaries and the unit tree.
    struct Choices {
        var declineReasons: [(String, String)]
        var guideTargets: [(String, String)]
        /// Level-3 units under each level-2 unit, for sub-dispatch.
        var subUnits: [UUID: [(UUID, String)]]
        /// Categories, for the edit form.
        var categories: [(String, String)] = []
    }

    static func forms(_ available: [AvailableAction], order: WorkOrderAggregate, choices: Choices, values: [String: String], errors: [String: String], lang: ConsoleLanguage, now: Date) -> [ActionForm] {
        func l(_ key: String) -> String { ConsoleStrings.label(key, lang) }
        func field(_ name: String, _ kind: String, required: Bool = true, options: [(String, String)] = [], value: String? = nil) -> ActionForm.Field {
            let v = values[name] ?? value ?? ""
            return ActionForm.Field(
                name: name, label: l(["knowledgeArticleRef": "knowledgeRef", "requestType": "type", "categoryCode": "category", "address": "place", "divisionCode": "district"][name] ?? name),
                kind: kind, value: v, required: required,
                options: options.map { .init(value: $0.0, label: $0.1, selected: $0.0 == v) }, error: errors[name])
        }
        func enumOptions<E: RawRepresentable & CaseIterable>(_ type: E.Type, _ prefix: String) -> [(String, String)] where E.RawValue == String {
            E.allCases.map { ($0.rawValue, l("\(prefix).\($0.rawValue)")) }
        }
        let note = field("note", "textarea", required: false)
        let decision = field("approve", "decision")
        let base = "/orders/\(order.order.id.uuidString)/actions/"
        var forms: [ActionForm] = []
        for a in available {
            var hidden = ["version": String(order.order.version)]
            var subject: String?
            if let id = a.assignmentId, let asg = order.assignment(id) {
                hidden["assignmentId"] = id.uuidString
                subject = asg.unit.name + " · " + l(asg.role == .lead ? "leadRole" : "coRole")
            }
            if let id = a.extensionId, let e = order.extensions.first(where: { $0.id == id }) {
                hidden["extensionId"] = id.uuidString
                subject = "\(e.amount) \(l("workingDays")) · \(e.reason)"
            }
            if let id = a.supervisionId, let s = order.supervisions.first(where: { $0.id == id }) {
                hidden["supervisionId"] = id.uuidString
                subject = s.note
            }
            let fields: [ActionForm.Field]
            switch a.action {
            // Dispatch has a page of its own.
            case "dispatch": continue
            case "edit":
                let o = order.order
                fields = [
                    field("title", "text", value: o.title),
                    field("requestType", "select", options: enumOptions(RequestType.self, "type"), value: o.requestType.rawValue),
                    field("categoryCode", "select", options: choices.categories, value: o.categoryCode),
                    field("urgency", "select", options: enumOptions(Urgency.self, "urgency"), value: o.urgency.rawValue),
                    field("time", "text", required: false, value: o.elements.time),
                    field("divisionCode", "select", required: false, options: Divisions.choices.map { ($0.code, $0.label) }, value: o.elements.place.divisionCode),
                    field("address", "text", required: false, value: o.elements.place.address),
                    field("people", "text", required: false, value: o.elements.people), field("matter", "textarea", value: o.elements.matter),
                    field("course", "textarea", required: false, value: o.elements.course),
                    field("wantedOutcome", "textarea", required: false, value: o.elements.wantedOutcome),
                ]
            case "directAnswer": fields = [field("answer", "textarea"), field("knowledgeArticleRef", "text", required: false)]
            case "decline": fields = [field("reasonCode", "select", options: choices.declineReasons), note]
            case "guide": fields = [field("target", "select", options: choices.guideTargets), note]
            case "escalate": fields = [field("proposal", "textarea")]
            case "instruct": fields = [field("instruction", "textarea")]
            case "sign", "archive": fields = []
            case "recordContact": fields = [field("method", "select", options: enumOptions(ContactMethod.self, "contact")), note]
            case "requestReturn": fields = [field("reason", "textarea"), field("basis", "textarea")]
            case "approveReturn", "decideReturn", "reviewSubAnswer", "approveFeedback", "approveExtension", "decideExtension": fields = [note, decision]
            case "subDispatch":
                let parent = a.assignmentId.flatMap { order.assignment($0) }?.unit.id
                let units = parent.flatMap { choices.subUnits[$0] } ?? []
                fields = [field("unitId", "select", options: units.map { ($0.0.uuidString, $0.1) }), note]
            case "submitOpinion": fields = [field("opinion", "textarea")]
            case "requestExtension": fields = [field("amount", "number"), field("reason", "textarea")]
            case "submitFeedback":
                fields = [
                    field("answer", "textarea"), field("result", "select", options: enumOptions(HandlingResult.self, "result")),
                    field("contactMethod", "select", options: enumOptions(ContactMethod.self, "contact")),
                    field("contactedAt", "datetime", value: ConsoleFormat.inputTime(now)), field("citizenOpinion", "text"),
                    field("policyReferences", "text", value: l("none")), field("responsiblePerson", "text"), field("responsiblePhone", "text"),
                ]
            case "review": fields = [field("reasons", "textarea", required: false), decision]
            case "remind": fields = [field("note", "textarea")]
            case "supervise":
                fields = [
                    field("method", "select", options: enumOptions(SupervisionMethod.self, "sup")), field("note", "textarea"),
                    field("instruction", "textarea", required: false),
                ]
            case "closeSupervision": fields = [note]
            case "callback":
                let yesNo = [("true", l("yes")), ("false", l("no"))]
                fields = [
                    field("method", "select", options: enumOptions(ContactMethod.self, "contact")), field("reached", "select", options: yesNo, value: "true"),
                    field("satisfaction", "select", required: false, options: enumOptions(Satisfaction.self, "sat")),
                    field("solved", "select", required: false, options: yesNo), field("reasonable", "checkbox", required: false), note,
                ]
            case "close": fields = [field("note", "textarea")]
            case "appeal": fields = [field("reason", "textarea")]
            default: continue
            }
            let hasDecision = fields.contains { $0.kind == "decision" }
            forms.append(ActionForm(
                action: a.action, label: l("action.\(a.action)"), subject: subject, href: base + a.action, hidden: hidden,
                fields: fields, submit: l("action.\(a.action)"), hasDecision: hasDecision))
        }
        return forms
    }

    /// 修改 before dispatch: the form's fields over the order as it stands. A new address
    /// drops the old coordinates, which belonged to the old one.
    static func edit(_ f: ActionInput, on o: WorkOrder) throws -> Command {
        var elements = o.elements
        let address = f.address ?? ""
        if address != elements.place.address {
            elements.place.latitude = nil
            elements.place.longitude = nil
        }
        elements.time = f.time ?? ""
        elements.place.address = address
        elements.place.divisionCode = f.text(f.divisionCode)
        elements.people = f.people ?? ""
        elements.matter = f.matter ?? ""
        elements.course = f.course ?? ""
        elements.wantedOutcome = f.wantedOutcome ?? ""
        return .edit(WorkOrderEdit(
            title: try f.required(f.title, "title"), requestType: try f.choice(f.requestType, "requestType"), categoryCode: try f.required(f.categoryCode, "categoryCode"),
            urgency: try f.choice(f.urgency, "urgency"), elements: elements))
    }

    /// The command a posted form asks for, or the field it gets wrong. For an edit, `current`
    /// is the order as it stands (the console passes the one `apply` loads).
    static func command(_ action: String, _ f: ActionInput, req: Request, current: WorkOrder? = nil) async throws -> Command {
        func assignment() throws -> UUID { try f.uuid(f.assignmentId, "assignmentId") }
        let approve = f.approve == "true"
        switch action {
        case "edit":
            // Checked here; the edit itself is built from the order `apply` loads (`edit(_:on:)`).
            let category = try f.required(f.categoryCode, "categoryCode")
            try await Dictionaries.requireActive(kind: "category", code: category, field: "categoryCode", in: req)
            guard let o = current else { throw APIProblem.notFound("work_order") }
            return try edit(f, on: o)
        case "directAnswer": return .directAnswer(answer: try f.required(f.answer, "answer"), knowledgeArticleRef: f.text(f.knowledgeArticleRef))
        case "decline":
            let code = try f.required(f.reasonCode, "reasonCode")
            try await Dictionaries.requireActive(kind: "declineReason", code: code, field: "reasonCode", in: req)
            return .decline(reasonCode: code, note: f.text(f.note))
        case "guide":
            let target = try f.required(f.target, "target")
            try await Dictionaries.requireActive(kind: "guideTarget", code: target, field: "target", in: req)
            return .guide(target: target, note: f.text(f.note))
        case "escalate": return .escalate(proposal: try f.required(f.proposal, "proposal"))
        case "instruct": return .instruct(instruction: try f.required(f.instruction, "instruction"))
        case "sign": return .sign(assignment: try assignment())
        case "recordContact": return .recordContact(assignment: try assignment(), method: try f.choice(f.method, "method"), note: f.text(f.note))
        case "requestReturn": return .requestReturn(assignment: try assignment(), reason: try f.required(f.reason, "reason"), basis: try f.required(f.basis, "basis"))
        case "approveReturn": return .approveReturn(assignment: try assignment(), approve: approve, note: f.text(f.note))
        case "decideReturn": return .decideReturn(assignment: try assignment(), accept: approve, note: f.text(f.note))
        case "subDispatch":
            let unit = try await Units.handling(try f.uuid(f.unitId, "unitId"), field: "unitId", on: req.database)
            return .subDispatch(assignment: try assignment(), to: unit, note: f.text(f.note))
        case "reviewSubAnswer": return .reviewSubAnswer(assignment: try assignment(), approve: approve, note: f.text(f.note))
        case "submitOpinion": return .submitOpinion(assignment: try assignment(), opinion: try f.required(f.opinion, "opinion"))
        case "requestExtension":
            guard let amount = Int(try f.required(f.amount, "amount")) else { throw APIProblem.invalid("amount", "amount must be a whole number of working days") }
            return .requestExtension(assignment: try assignment(), amount: amount, reason: try f.required(f.reason, "reason"))
        case "approveExtension": return .approveExtension(extension: try f.uuid(f.extensionId, "extensionId"), approve: approve, note: f.text(f.note))
        case "decideExtension": return .decideExtension(extension: try f.uuid(f.extensionId, "extensionId"), approve: approve, note: f.text(f.note))
        case "submitFeedback":
            guard let contactedAt = ConsoleFormat.parseInput(try f.required(f.contactedAt, "contactedAt")) else {
                throw APIProblem.invalid("contactedAt", "contactedAt must be a date and time")
            }
            // Blank parts are passed on as blank: the rules name every missing part at once (R-UH-7).
            let feedback = Feedback(
                answer: f.answer ?? "", result: try f.choice(f.result, "result"), contactMethod: try f.choice(f.contactMethod, "contactMethod"),
                contactedAt: contactedAt, citizenOpinion: f.citizenOpinion ?? "", policyReferences: f.policyReferences ?? "",
                responsiblePerson: f.responsiblePerson ?? "", responsiblePhone: f.responsiblePhone ?? "")
            return .submitFeedback(assignment: try assignment(), feedback)
        case "approveFeedback": return .approveFeedback(assignment: try assignment(), approve: approve, note: f.text(f.note))
        case "review": return .review(approve: approve, reasons: f.text(f.reasons))
        case "remind": return .remind(assignment: try assignment(), note: try f.required(f.note, "note"))
        case "supervise":
            return .supervise(
                assignment: f.text(f.assignmentId).flatMap(UUID.init(uuidString:)), method: try f.choice(f.method, "method"),
                note: try f.required(f.note, "note"), instruction: f.text(f.instruction))
        case "closeSupervision": return .closeSupervision(supervision: try f.uuid(f.supervisionId, "supervisionId"), note: f.text(f.note))
        case "callback":
            let reached = f.reached != "false"
            let satisfaction: Satisfaction? = reached ? try f.choice(f.satisfaction, "satisfaction") : nil
            let solved: Bool? = reached ? (f.solved == nil || f.solved == "" ? nil : f.solved == "true") : nil
            return .callback(
                CallbackRecord(method: try f.choice(f.method, "method"), reached: reached, satisfaction: satisfaction, solved: solved, note: f.text(f.note)),
                reasonable: f.flag(f.reasonable))
        case "close": return .close(note: try f.required(f.note, "note"))
        case "appeal": return .appeal(reason: try f.required(f.reason, "reason"))
        case "archive": return .archive
        default: throw APIProblem(.notFound, code: "unknown_action", field: "action", rule: "no such action: \(action)")
        }
    }
}
