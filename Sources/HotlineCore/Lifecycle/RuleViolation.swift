import Foundation

/// Why the rules refused something. An expected outcome, not a crash: the shell maps `kind`
/// to an HTTP status and passes `code`, `field` and `rule` on in a problem document.
public struct RuleViolation: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The person lacks the role or the unit (403).
        case forbidden
        /// Not allowed in the current state or time window (409); nothing changed.
        case conflict
        /// Bad or missing input (422).
        case invalid
        /// A referenced thing does not exist (404).
        case notFound
    }

    public var kind: Kind
    /// Stable machine code, e.g. `illegal_transition`, `return_window_closed`.
    public var code: String
    public var field: String?
    /// The rule in words, citing the requirement where there is one.
    public var rule: String
    /// Further problems found in the same input, so a form can show them all at once.
    public var related: [RuleViolation]

    public init(_ kind: Kind, code: String, field: String? = nil, rule: String, related: [RuleViolation] = []) {
        self.kind = kind
        self.code = code
        self.field = field
        self.rule = rule
        self.related = related
    }

    /// One violation standing for a list of input problems (the first, with the rest related).
    public static func all(_ problems: [RuleViolation]) -> RuleViolation? {
        guard var first = problems.first else { return nil }
        first.related = Array(problems.dropFirst())
        return first
    }

    public var description: String { "\(code)\(field.map { " [\($0)]" } ?? ""): \(rule)" }

    static func invalid(_ field: String, _ rule: String, code: String = "validation_failed") -> RuleViolation {
        RuleViolation(.invalid, code: code, field: field, rule: rule)
    }

    static func illegal(_ action: String, from state: String) -> RuleViolation {
        RuleViolation(.conflict, code: "illegal_transition", rule: "\(action) is not allowed when the status is \(state)")
    }

    static func forbidden(_ rule: String) -> RuleViolation {
        RuleViolation(.forbidden, code: "forbidden", rule: rule)
    }
}
