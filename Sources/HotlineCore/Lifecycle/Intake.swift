import Foundation

/// What an agent records at intake (受理), before it is a work order.
public struct IntakeDraft: Sendable, Equatable {
    public var channel: Channel
    public var requestType: RequestType
    public var categoryCode: String
    public var urgency: Urgency
    public var title: String
    public var elements: SixElements
    public var citizen: Citizen
    public var subjectUnitId: UUID?

    public init(
        channel: Channel, requestType: RequestType, categoryCode: String, urgency: Urgency, title: String,
        elements: SixElements, citizen: Citizen, subjectUnitId: UUID? = nil
    ) {
        self.channel = channel
        self.requestType = requestType
        self.categoryCode = categoryCode
        self.urgency = urgency
        self.title = title
        self.elements = elements
        self.citizen = citizen
        self.subjectUnitId = subjectUnitId
    }
}

public enum Intake {
    /// Checks a draft; every problem is named by field (R-IN, "记录详实").
    /// At intake the matter and a way back to the citizen are required; the remaining
    /// elements are required before dispatch (`missingElements`).
    public static func validate(_ d: IntakeDraft) -> [RuleViolation] {
        var problems: [RuleViolation] = []
        func need(_ value: String, _ field: String, max: Int) {
            let t = value.trimmed
            if t.isEmpty {
                problems.append(.invalid(field, "\(field) is required"))
            } else if t.count > max {
                problems.append(.invalid(field, "\(field) must be at most \(max) characters"))
            }
        }
        need(d.title, "title", max: 200)
        need(d.categoryCode, "categoryCode", max: 32)
        need(d.elements.matter, "elements.matter", max: 5000)
        if d.elements.course.count > 20000 { problems.append(.invalid("elements.course", "elements.course must be at most 20000 characters")) }
        if !d.citizen.anonymous {
            need(d.citizen.name, "citizen.name", max: 50)
            need(d.citizen.phone, "citizen.phone", max: 20)
        }
        let phone = d.citizen.phone.trimmed
        if !phone.isEmpty && !isPhoneNumber(phone) {
            problems.append(.invalid("citizen.phone", "citizen.phone must be 7–20 digits, optionally with a leading + and dashes"))
        }
        if let id = d.citizen.idNumber, !id.isEmpty, !isResidentIdNumber(id) {
            problems.append(.invalid("citizen.idNumber", "citizen.idNumber must be an 18-character resident ID with a valid check digit"))
        }
        if let lat = d.elements.place.latitude, !(-90...90).contains(lat) {
            problems.append(.invalid("elements.place.latitude", "latitude must be between -90 and 90"))
        }
        if let lon = d.elements.place.longitude, !(-180...180).contains(lon) {
            problems.append(.invalid("elements.place.longitude", "longitude must be between -180 and 180"))
        }
        return problems
    }

    /// The six elements a dispatched order must carry (R-WO-5).
    public static func missingElements(_ e: SixElements) -> [String] {
        var missing: [String] = []
        func check(_ v: String, _ name: String) {
            if v.isBlank { missing.append(name) }
        }
        check(e.time, "elements.time")
        check(e.place.address, "elements.place.address")
        check(e.people, "elements.people")
        check(e.matter, "elements.matter")
        check(e.course, "elements.course")
        check(e.wantedOutcome, "elements.wantedOutcome")
        return missing
    }

    /// R-IN-6: the keywords found in the request text.
    public static func sensitiveKeywords(in d: IntakeDraft, keywords: [String]) -> [String] {
        let text = [d.title, d.elements.matter, d.elements.course, d.elements.wantedOutcome].joined(separator: "\n")
        let bytes = Array(text.utf8)
        return keywords.filter { !$0.isEmpty && bytes.containsBytes(Array($0.utf8)) }
    }

    public static func isPhoneNumber(_ s: String) -> Bool {
        var digits = 0
        for (i, c) in s.enumerated() {
            if c.isASCII && c.isNumber {
                digits += 1
            } else if c == "-" || c == " " || (c == "+" && i == 0) {
                continue
            } else {
                return false
            }
        }
        return (7...20).contains(digits)
    }

    /// GB 11643 check digit.
    public static func isResidentIdNumber(_ s: String) -> Bool {
        let chars = Array(s.uppercased())
        guard chars.count == 18, chars[0..<17].allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(chars[0..<17], weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        let check = Array("10X98765432")[sum % 11]
        return chars[17] == check
    }
}
