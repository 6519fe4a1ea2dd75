import Foundation

/// 查询密码 (R-CIT-2): the secret a citizen gets with the order number, to look the order up
/// online. The number alone is guessable (it is a date and a daily sequence); the secret is
/// not. Only a hash of it is stored (the shell hashes it; the core stays Foundation-only).
public enum QuerySecret {
    /// No 0/O, 1/I/L: a secret read out over the phone or copied from an SMS is not misread.
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    public static let length = 8

    /// 31^8 ≈ 8.5 × 10^11 secrets: with the lockout below, guessing one is hopeless.
    public static func generate<R: RandomNumberGenerator>(using rng: inout R) -> String {
        String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }

    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return generate(using: &rng)
    }

    /// What a citizen typed, as it is compared: upper case, without spaces or dashes.
    public static func normalized(_ typed: String) -> String {
        String(typed.uppercased().filter { $0 != " " && $0 != "-" && $0 != "\u{3000}" })
    }

    /// A text with every secret-shaped word (8 characters of the alphabet, standing alone)
    /// replaced by asterisks: what staff see of an acceptance SMS in the outbox, and what the
    /// log keeps. Only the citizen's phone gets the secret.
    public static func masked(in text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        func isWordChar(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        while i < chars.count {
            var j = i
            while j < chars.count, isWordChar(chars[j]) { j += 1 }
            if j > i {
                let word = chars[i..<j]
                out += word.count == length && word.allSatisfy(alphabet.contains) ? String(repeating: "*", count: length) : String(word)
                i = j
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return out
    }

    /// Shape check before any lookup: a malformed secret is refused as bad input, and does
    /// not count as a wrong guess.
    public static func isWellFormed(_ normalized: String) -> Bool {
        normalized.count == length && normalized.allSatisfy { alphabet.contains($0) }
    }
}

/// The lockout after wrong secrets (R-CIT-2, the abuse rules of [citizens]): after
/// `maxFailures` wrong secrets for one order the order cannot be looked up for `lockFor`,
/// even with the right secret; a right secret outside a lock clears the count.
public struct LookupGuard: Sendable, Equatable {
    public var maxFailures: Int
    public var lockFor: TimeInterval

    public init(maxFailures: Int = 5, lockFor: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.lockFor = lockFor
    }

    /// The lookup state stored on the order.
    public struct State: Sendable, Equatable {
        public var failures: Int
        public var lockedUntil: Date?

        public init(failures: Int = 0, lockedUntil: Date? = nil) {
            self.failures = failures
            self.lockedUntil = lockedUntil
        }
    }

    public enum Outcome: Sendable, Equatable {
        case allowed
        /// Locked: nothing is compared, and the attempt changes nothing.
        case locked(until: Date)
        case wrongSecret(remaining: Int)
    }

    /// Judges one attempt and gives the state to store after it.
    public func attempt(_ state: State, secretMatches: Bool, at now: Date) -> (Outcome, State) {
        if let until = state.lockedUntil, now < until { return (.locked(until: until), state) }
        if secretMatches { return (.allowed, State()) }
        // A lock that has run out starts a fresh count.
        let failures = (state.lockedUntil == nil ? state.failures : 0) + 1
        if failures >= maxFailures {
            let until = now.addingTimeInterval(lockFor)
            return (.locked(until: until), State(failures: failures, lockedUntil: until))
        }
        return (.wrongSecret(remaining: maxFailures - failures), State(failures: failures, lockedUntil: nil))
    }
}

/// A citizen's view of an order found by number and secret (R-CIT-2): where it stands, the
/// deadline, and the answer once the platform has approved it — never the internal notes.
public enum CitizenView {
    /// The stage a citizen understands, in the order's own terms.
    public static func stage(_ o: WorkOrder) -> String {
        switch o.status {
        case .pendingDispatch, .awaitingInstruction: "accepted"
        case .handling: "handling"
        case .awaitingReview: o.appealPending ? "appealing" : "handling"
        case .awaitingCallback: "answered"
        case .closed, .archived: "closed"
        }
    }

    /// The answer a citizen may read: set once the order has passed review (or was answered
    /// at intake); a feedback still under review is not an answer yet.
    public static func answer(_ o: WorkOrder) -> String? {
        switch o.status {
        case .awaitingCallback, .closed, .archived: o.answer
        default: nil
        }
    }

    /// May the citizen rate now? While the platform waits for the callback (R-CB-2): the
    /// online rating is the callback, as a text-message reply is.
    public static func canRate(_ o: WorkOrder) -> Bool { o.status == .awaitingCallback }
}
