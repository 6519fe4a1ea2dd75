import Foundation

/// 诉求公开 (R-CIT-4): what the public may read of an order, and which orders may be read at
/// all. Publishing is the platform's decision, order by order; what is published is a masked
/// copy, made here and masked again after anyone edits it.
public struct Publication: Sendable, Equatable, Codable {
    public var title: String
    public var matter: String
    public var address: String
    public var answer: String

    public init(title: String, matter: String, address: String, answer: String) {
        self.title = title
        self.matter = matter
        self.address = address
        self.answer = answer
    }
}

public enum Disclosure {
    /// Why this order may not be published, or nil when it may.
    public static func refusal(_ o: WorkOrder) -> RuleViolation? {
        func no(_ code: String, _ rule: String) -> RuleViolation { RuleViolation(.conflict, code: code, rule: rule) }
        if !o.citizen.consentsToDisclosure { return no("no_consent", "only orders whose citizen agreed to disclosure are published (R-CIT-4)") }
        if o.citizen.wantsSecrecy { return no("secret_order", "an order whose citizen asked for secrecy is never published (R-CIT-4)") }
        if o.isSensitive { return no("sensitive_order", "an order flagged by sensitive keywords is not published (R-CIT-4)") }
        // Reports (举报) name people who may not know; the platform does not publish them.
        if o.requestType == .report { return no("report_order", "reports (举报) are not published (R-CIT-4)") }
        if o.status != .closed && o.status != .archived { return no("not_closed", "only closed orders are published (R-CIT-4)") }
        if o.disposition == .merged { return no("merged_order", "a merged order is published through the order it joined") }
        if (o.answer ?? "").isBlank { return no("no_answer", "only orders with an answer are published (R-CIT-4)") }
        return nil
    }

    /// Why an order an Open311 client posted may not be shown through Open311 (GeoReport
    /// reads are public): the same bars as publishing, except that it need not be closed or
    /// answered, and posting it counts as the consent.
    public static func postedRefusal(_ o: WorkOrder) -> RuleViolation? {
        guard let r = refusal(o), !["no_consent", "not_closed", "no_answer"].contains(r.code) else {
            // Consent, closing and the answer are not needed; the rest still bar it.
            var o = o
            o.citizen.consentsToDisclosure = true
            o.status = .closed
            o.answer = o.answer ?? "-"
            return refusal(o)
        }
        return r
    }

    /// The masked copy offered to the person who publishes. `knownNames` are the citizen's and
    /// the handling staff's names, masked wherever they appear in the text.
    public static func draft(_ o: WorkOrder, knownNames: [String]) -> Publication {
        let names = knownNames + [o.citizen.name] + Masking.namesIn(o.elements.people)
        return Publication(
            title: Masking.publicText(o.title, knownNames: names),
            matter: Masking.publicText(o.elements.matter, knownNames: names),
            address: Masking.publicAddress(o.elements.place.address),
            answer: Masking.publicText(o.answer ?? "", knownNames: names))
    }

    /// What the publisher sent, checked and masked again: an edit cannot bring personal data
    /// back.
    public static func finalize(_ p: Publication, for o: WorkOrder, knownNames: [String]) throws(RuleViolation) -> Publication {
        var problems: [RuleViolation] = []
        func need(_ v: String, _ field: String, _ max: Int) {
            if v.isBlank { problems.append(.invalid(field, "\(field) is required")) }
            if v.count > max { problems.append(.invalid(field, "\(field) must be at most \(max) characters")) }
        }
        need(p.title, "title", 200)
        need(p.matter, "matter", 5000)
        need(p.answer, "answer", 10000)
        if p.address.count > 200 { problems.append(.invalid("address", "address must be at most 200 characters")) }
        if let problem = RuleViolation.all(problems) { throw problem }
        let names = knownNames + [o.citizen.name] + Masking.namesIn(o.elements.people)
        return Publication(
            title: Masking.publicText(p.title.trimmed, knownNames: names),
            matter: Masking.publicText(p.matter.trimmed, knownNames: names),
            address: Masking.publicAddress(p.address.trimmed),
            answer: Masking.publicText(p.answer.trimmed, knownNames: names))
    }
}

/// Open311 GeoReport v2 (R-CIT-5): how the platform's orders and categories look to a 311 client.
public enum Open311 {
    /// GeoReport knows two states. An order is closed once the platform closed it (answered
    /// and called back, declined, merged, guided) — a feedback under review is still open.
    public static func status(_ s: WorkOrderStatus) -> String {
        switch s {
        case .closed, .archived: "closed"
        default: "open"
        }
    }

    /// One field a service asks for beyond the standard ones (a service definition attribute).
    public struct Attribute: Sendable, Equatable {
        public enum DataType: String, Sendable { case string, number, datetime, text, singlevaluelist, multivaluelist }
        public var code: String
        public var datatype: DataType
        public var required: Bool
        public var description: String
        public var values: [(key: String, name: String)]

        public init(code: String, datatype: DataType, required: Bool, description: String, values: [(key: String, name: String)] = []) {
            self.code = code
            self.datatype = datatype
            self.required = required
            self.description = description
            self.values = values
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.code == b.code && a.datatype == b.datatype && a.required == b.required && a.description == b.description
                && a.values.map(\.key) == b.values.map(\.key) && a.values.map(\.name) == b.values.map(\.name)
        }
    }

    /// Every service asks what kind of request it is; some categories ask for what their
    /// units need to find the place (a lamp post's number) or judge the matter (when noise is).
    public static func attributes(forCategory code: String) -> [Attribute] {
        var out = [
            Attribute(code: "request_type", datatype: .singlevaluelist, required: false, description: "诉求类型 (默认求助)",
                      values: RequestType.allCases.map { ($0.rawValue, $0.chineseName) }),
        ]
        if code.hasPrefix("0101") {
            out.append(Attribute(code: "facility_id", datatype: .string, required: false, description: "设施编号（路灯杆、井盖上的编号）"))
        }
        if code.hasPrefix("0401") {
            out.append(Attribute(code: "noise_period", datatype: .singlevaluelist, required: true, description: "噪声发生时段",
                                 values: [("day", "白天 (6:00–22:00)"), ("night", "夜间 (22:00–6:00)")]))
        }
        if code.hasPrefix("0102") || code.hasPrefix("0103") {
            out.append(Attribute(code: "households", datatype: .number, required: false, description: "受影响户数"))
        }
        return out
    }

    /// Checks the answers a client sent (`attribute[code]=value`) against the service's
    /// attributes: each problem names the field as sent. Unknown attributes are ignored, as
    /// the spec lets a client send a superset.
    public static func readAttributes(_ sent: [String: [String]], category: String) -> (requestType: RequestType, lines: [(label: String, value: String)], problems: [RuleViolation]) {
        var requestType = RequestType.help
        var lines: [(label: String, value: String)] = []
        var problems: [RuleViolation] = []
        for a in attributes(forCategory: category) {
            let field = "attribute[\(a.code)]"
            let values = (sent[a.code] ?? []).map(\.trimmed).filter { !$0.isEmpty }
            if values.isEmpty {
                if a.required { problems.append(.invalid(field, "\(field) is required for this service")) }
                continue
            }
            if values.contains(where: { $0.count > 200 }) { problems.append(.invalid(field, "\(field) must be at most 200 characters")); continue }
            switch a.datatype {
            case .singlevaluelist, .multivaluelist:
                if a.datatype == .singlevaluelist && values.count > 1 { problems.append(.invalid(field, "\(field) takes one value")); continue }
                let keys = a.values.map(\.key)
                guard values.allSatisfy(keys.contains) else {
                    problems.append(.invalid(field, "\(field) must be one of: \(keys.joined(separator: ", "))"))
                    continue
                }
                if a.code == "request_type", let t = RequestType(rawValue: values[0]) { requestType = t; continue }
                let names = values.compactMap { v in a.values.first { $0.key == v }?.name }
                lines.append((a.description, names.joined(separator: "、")))
            case .number:
                guard values.count == 1, Double(values[0]) != nil else { problems.append(.invalid(field, "\(field) must be a number")); continue }
                lines.append((a.description, values[0]))
            case .string, .text, .datetime:
                lines.append((a.description, values.joined(separator: "；")))
            }
        }
        return (requestType, lines, problems)
    }
}
