import Foundation

extension StringProtocol {
    /// Without leading and trailing white space (spaces, tabs, new lines, the ideographic space).
    /// Native Swift: Foundation's `trimmingCharacters(in:)` bridges through NSString and showed
    /// up in every intake's profile.
    public var trimmed: String {
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return String(self[start...end])
    }

    /// Nothing but white space.
    public var isBlank: Bool { allSatisfy(\.isWhitespace) }

    /// Exact substring test on UTF-8 bytes. Neither Foundation's locale-aware search nor the
    /// standard library's generic `firstRange(of:)` (which instantiated generic metadata on
    /// every call) — this runs for every keyword on every intake.
    public func containsText(_ other: some StringProtocol) -> Bool {
        Array(utf8).containsBytes(Array(other.utf8))
    }
}

extension Int {
    /// Zero-padded decimal, for order numbers and the like, without `String(format:)`.
    public func padded(_ width: Int) -> String {
        let s = String(self)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    public func containsBytes(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard count >= needle.count else { return false }
        var i = 0
        let last = count - needle.count
        while i <= last {
            if self[i] == first {
                var j = 1
                while j < needle.count && self[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
