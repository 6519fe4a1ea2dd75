import Foundation

/// A request a citizen sends without an agent (R-CIT-1, R-CIT-5): the public portal's form or
/// an Open311 client's POST. It becomes an ordinary order in the agents' queue, on its own
/// channel; the elements the citizen left out are completed by an agent before dispatch
/// (`Intake.missingElements`).
public struct PublicSubmission: Sendable, Equatable {
    public var channel: Channel
    public var requestType: RequestType
    public var categoryCode: String
    /// The portal asks for one; an Open311 request gets the service's name and the start of
    /// the description.
    public var title: String?
    public var description: String
    public var time: String
    public var people: String
    public var wantedOutcome: String
    public var address: String
    /// Open311's `address_id`: a place in the client's own address register.
    public var addressId: String
    public var latitude: Double?
    public var longitude: Double?
    public var name: String
    public var phone: String
    public var email: String
    public var wantsSecrecy: Bool
    public var consentsToDisclosure: Bool
    /// Answers to the service's attributes (Open311 `attribute[code]`), already checked.
    public var attributes: [(label: String, value: String)]

    public init(
        channel: Channel, requestType: RequestType = .help, categoryCode: String, title: String? = nil, description: String,
        time: String = "", people: String = "", wantedOutcome: String = "", address: String = "", addressId: String = "", latitude: Double? = nil,
        longitude: Double? = nil, name: String = "", phone: String = "", email: String = "", wantsSecrecy: Bool = false,
        consentsToDisclosure: Bool = false, attributes: [(label: String, value: String)] = []
    ) {
        self.channel = channel
        self.requestType = requestType
        self.categoryCode = categoryCode
        self.title = title
        self.description = description
        self.time = time
        self.people = people
        self.wantedOutcome = wantedOutcome
        self.address = address
        self.addressId = addressId
        self.latitude = latitude
        self.longitude = longitude
        self.name = name
        self.phone = phone
        self.email = email
        self.wantsSecrecy = wantsSecrecy
        self.consentsToDisclosure = consentsToDisclosure
        self.attributes = attributes
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.channel == b.channel && a.requestType == b.requestType && a.categoryCode == b.categoryCode && a.title == b.title
            && a.description == b.description && a.time == b.time && a.people == b.people && a.wantedOutcome == b.wantedOutcome
            && a.address == b.address && a.addressId == b.addressId && a.latitude == b.latitude && a.longitude == b.longitude && a.name == b.name
            && a.phone == b.phone && a.email == b.email && a.wantsSecrecy == b.wantsSecrecy
            && a.consentsToDisclosure == b.consentsToDisclosure && a.attributes.map(\.label) == b.attributes.map(\.label)
            && a.attributes.map(\.value) == b.attributes.map(\.value)
    }
}

public enum PublicIntake {
    /// Open311's own limit on a description, and the portal's.
    public static let maxDescription = 4000

    /// The names the fields have where the citizen typed them: errors name the field as the
    /// client knows it.
    public struct FieldNames: Sendable {
        public var title, description, address, latitude, longitude, name, phone, email, time, people, wantedOutcome: String

        public static let portal = FieldNames(
            title: "title", description: "description", address: "address", latitude: "latitude", longitude: "longitude",
            name: "name", phone: "phone", email: "email", time: "time", people: "people", wantedOutcome: "wantedOutcome")
        public static let open311 = FieldNames(
            title: "title", description: "description", address: "address_string", latitude: "lat", longitude: "long",
            name: "first_name", phone: "phone", email: "email", time: "time", people: "people", wantedOutcome: "wantedOutcome")
    }

    /// Every problem, by field. The portal needs a title and a phone to call back; an Open311
    /// request needs a place (coordinates or an address), as the GeoReport spec says.
    public static func validate(_ s: PublicSubmission, names: FieldNames) -> [RuleViolation] {
        var problems: [RuleViolation] = []
        func limit(_ value: String, _ field: String, _ max: Int) {
            if value.count > max { problems.append(.invalid(field, "\(field) must be at most \(max) characters")) }
        }
        let portal = s.channel != .open311
        if portal {
            if (s.title ?? "").isBlank { problems.append(.invalid(names.title, "\(names.title) is required")) }
            limit(s.title ?? "", names.title, 100)
        }
        if s.description.isBlank { problems.append(.invalid(names.description, "\(names.description) is required")) }
        limit(s.description, names.description, maxDescription)
        limit(s.address, names.address, 200)
        limit(s.addressId, "address_id", 100)
        limit(s.name, names.name, 50)
        limit(s.email, names.email, 100)
        limit(s.time, names.time, 100)
        limit(s.people, names.people, 500)
        limit(s.wantedOutcome, names.wantedOutcome, 1000)
        let phone = s.phone.trimmed
        if portal && phone.isEmpty { problems.append(.invalid(names.phone, "\(names.phone) is required")) }
        if portal && s.name.isBlank { problems.append(.invalid(names.name, "\(names.name) is required")) }
        if !phone.isEmpty && !Intake.isPhoneNumber(phone) {
            problems.append(.invalid(names.phone, "\(names.phone) must be 7–20 digits, optionally with a leading + and dashes"))
        }
        let email = s.email.trimmed
        if !email.isEmpty, !(email.contains("@") && !email.hasPrefix("@") && !email.hasSuffix("@") && !email.contains(" ")) {
            problems.append(.invalid(names.email, "\(names.email) must be an e-mail address"))
        }
        switch (s.latitude, s.longitude) {
        case (nil, nil):
            if !portal && s.address.isBlank && s.addressId.isBlank {
                problems.append(.invalid(names.latitude, "a location is required: \(names.latitude) and \(names.longitude), or \(names.address)"))
            }
        case (let lat?, let lon?):
            if !(-90...90).contains(lat) || !lat.isFinite { problems.append(.invalid(names.latitude, "\(names.latitude) must be between -90 and 90")) }
            if !(-180...180).contains(lon) || !lon.isFinite { problems.append(.invalid(names.longitude, "\(names.longitude) must be between -180 and 180")) }
        case (nil, _):
            problems.append(.invalid(names.latitude, "\(names.latitude) and \(names.longitude) go together"))
        case (_, nil):
            problems.append(.invalid(names.longitude, "\(names.latitude) and \(names.longitude) go together"))
        }
        return problems
    }

    /// The draft an agent would have typed. The description is the matter; the service's
    /// attributes and an e-mail address go into the course so nothing the citizen gave is lost.
    public static func draft(_ s: PublicSubmission, serviceName: String) -> IntakeDraft {
        let description = s.description.trimmed
        let title = s.title.map(\.trimmed).flatMap { $0.isEmpty ? nil : $0 }
            ?? serviceName + "：" + (description.count > 30 ? String(description.prefix(30)) + "…" : description)
        var course = description
        for a in s.attributes { course += "\n【\(a.label)】\(a.value)" }
        if !s.addressId.isBlank { course += "\n【地址编号】\(s.addressId.trimmed)" }
        if !s.email.isBlank { course += "\n【电子邮箱】\(s.email.trimmed)" }
        // An Open311 client may send no name: the order is anonymous, the phone (if any) kept
        // for the callback.
        let anonymous = s.name.isBlank
        return IntakeDraft(
            channel: s.channel, requestType: s.requestType, categoryCode: s.categoryCode, urgency: .normal, title: title,
            elements: SixElements(
                time: s.time.trimmed, place: Place(address: s.address.trimmed, latitude: s.latitude, longitude: s.longitude),
                people: s.people.trimmed, matter: description, course: course, wantedOutcome: s.wantedOutcome.trimmed),
            citizen: Citizen(
                name: s.name.trimmed, phone: s.phone.trimmed, wantsSecrecy: s.wantsSecrecy, anonymous: anonymous,
                consentsToDisclosure: s.consentsToDisclosure))
    }
}
