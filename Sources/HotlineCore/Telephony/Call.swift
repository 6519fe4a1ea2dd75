import Foundation

/// A telephone call as the CTI (the call-centre switch) reports it (R-IN-4, R-INT-1): it rings
/// at an agent's extension, is answered or missed, ends, and its recording becomes available,
/// often after the call ended and after the agent has already recorded the order.
public struct Call: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case ringing
        case answered
        /// Hung up; never answered means a missed call.
        case ended
    }

    /// The CTI's own id of the call, unique per call.
    public var callId: String
    public var callerNumber: String
    /// The extension (座席分机) the call rang at; the agent signed in there sees it.
    public var agentExtension: String
    public var state: State
    public var ringingAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    public var recordingURL: String?

    public init(callId: String, callerNumber: String, agentExtension: String, state: State, ringingAt: Date, answeredAt: Date? = nil, endedAt: Date? = nil, recordingURL: String? = nil) {
        self.callId = callId
        self.callerNumber = callerNumber
        self.agentExtension = agentExtension
        self.state = state
        self.ringingAt = ringingAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.recordingURL = recordingURL
    }

    /// Rang and ended without being answered.
    public var missed: Bool { state == .ended && answeredAt == nil }
}

/// One event of the CTI webhook.
public struct CallEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case ringing
        case answered
        case hungUp
        case recording
    }

    public var callId: String
    public var kind: Kind
    public var callerNumber: String?
    public var agentExtension: String?
    /// When it happened at the switch; the time of arrival when the CTI does not say.
    public var at: Date?
    public var recordingURL: String?

    public init(callId: String, kind: Kind, callerNumber: String? = nil, agentExtension: String? = nil, at: Date? = nil, recordingURL: String? = nil) {
        self.callId = callId
        self.kind = kind
        self.callerNumber = callerNumber
        self.agentExtension = agentExtension
        self.at = at
        self.recordingURL = recordingURL
    }
}

/// The rules of call events. A CTI delivers at least once and not always in order, so every
/// event is idempotent and a late one never moves a call back: `answered` after `hungUp`
/// only fills in the answer time, a second `ringing` changes nothing.
public enum Telephony {
    /// Checks an event's fields; every problem is named.
    public static func validate(_ e: CallEvent) -> [RuleViolation] {
        var problems: [RuleViolation] = []
        if e.callId.isBlank || e.callId.count > 100 || e.callId.contains(where: { $0.isWhitespace || $0.isNewline }) {
            problems.append(.invalid("callId", "callId must be 1–100 characters without spaces"))
        }
        if let n = e.callerNumber, !isPhoneNumber(n) {
            problems.append(.invalid("callerNumber", "callerNumber must be 3–20 digits, optionally starting with +"))
        }
        if let x = e.agentExtension, !isExtension(x) {
            problems.append(.invalid("extension", "extension must be 1–20 letters or digits"))
        }
        if e.kind == .ringing {
            if e.callerNumber == nil { problems.append(.invalid("callerNumber", "callerNumber is required for ringing")) }
            if e.agentExtension == nil { problems.append(.invalid("extension", "extension is required for ringing")) }
        }
        if e.kind == .recording {
            if let url = e.recordingURL {
                if !isRecordingURL(url) { problems.append(.invalid("recordingUrl", "recordingUrl must be an http or https URL of at most 2000 characters")) }
            } else {
                problems.append(.invalid("recordingUrl", "recordingUrl is required for recording"))
            }
        }
        return problems
    }

    /// The call after the event, and whether it changed (an unchanged call is a repeated or
    /// stale delivery: nothing is written and nobody is told again). An event for a call not
    /// seen ringing starts it when it names the caller and the extension (the ringing event
    /// was lost), and is refused otherwise.
    public static func apply(_ e: CallEvent, to call: Call?, receivedAt now: Date) throws(RuleViolation) -> (call: Call, changed: Bool) {
        if let problem = RuleViolation.all(validate(e)) { throw problem }
        let at = e.at ?? now
        guard var c = call else {
            guard let number = e.callerNumber, let ext = e.agentExtension else {
                throw RuleViolation(.notFound, code: "call_not_found", field: "callId", rule: "callId names no call that rang; \(e.kind.rawValue) needs callerNumber and extension to start one")
            }
            var started = Call(callId: e.callId, callerNumber: number, agentExtension: ext, state: .ringing, ringingAt: at)
            if e.kind != .ringing { started = apply(e.kind, e, at: at, to: started) }
            return (started, true)
        }
        let before = c
        c = apply(e.kind, e, at: at, to: c)
        return (c, c != before)
    }

    private static func apply(_ kind: CallEvent.Kind, _ e: CallEvent, at: Date, to call: Call) -> Call {
        var c = call
        switch kind {
        case .ringing:
            break
        case .answered:
            if c.answeredAt == nil { c.answeredAt = at }
            if c.state == .ringing { c.state = .answered }
        case .hungUp:
            if c.endedAt == nil { c.endedAt = at }
            c.state = .ended
        case .recording:
            c.recordingURL = e.recordingURL
        }
        return c
    }

    /// A calling number as switches pass it: digits, perhaps an international `+`.
    public static func isPhoneNumber(_ s: String) -> Bool {
        let digits = s.hasPrefix("+") ? s.dropFirst() : Substring(s)
        return (3...20).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    public static func isExtension(_ s: String) -> Bool {
        (1...20).contains(s.count) && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// Only web links: the console shows it as a link, and a `javascript:` one would run.
    public static func isRecordingURL(_ s: String) -> Bool {
        guard s.count <= 2000, !s.contains(where: { $0.isWhitespace }) else { return false }
        let lower = s.lowercased()
        return (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && s.count > 8
    }

    /// The timeline event of an order recorded during a call: which call, and its recording
    /// when it is already known.
    public static func intakeEvent(_ call: Call) -> DomainEvent {
        // Not the calling number: the order holds the citizen's phone, masked where it must be.
        var details = ["callId": call.callId, "extension": call.agentExtension]
        if let url = call.recordingURL { details["recordingUrl"] = url }
        return DomainEvent("call", details: details)
    }

    /// The timeline event when the recording of the call an order was taken in arrives.
    public static func recordingEvent(_ call: Call) -> DomainEvent? {
        guard let url = call.recordingURL else { return nil }
        return DomainEvent("recording", details: ["callId": call.callId, "recordingUrl": url])
    }
}
