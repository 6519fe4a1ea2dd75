import Foundation

/// Chinese full-text search without a dictionary (R-KB, R-IN-3, [scale]): text is cut into
/// overlapping character bigrams, the way CJK analysers in search engines do, so any run of two or
/// more Han characters in a query is found wherever it occurs in the text — "路灯" in "马路灯光",
/// "扰民" in "噪音扰民" — without a word list that would miss new place names.
///
/// Both databases index the same tokens (SQLite FTS5, PostgreSQL tsvector/GIN), so the same query
/// finds the same orders on either.
public enum SearchTerms {
    public struct Token: Equatable, Sendable {
        public var text: String
        /// Position in the document; bigrams of one run are consecutive, so a phrase query over
        /// them matches exactly the substring.
        public var position: Int
    }

    /// One query term, as the database will be asked for it.
    public enum Term: Equatable, Sendable {
        /// Consecutive tokens (a phrase of one token is a plain token query).
        case phrase([String])
        /// A single Han character: any token beginning with it.
        case prefix(String)
    }

    /// Tokens of a document: every Han run becomes its bigrams plus its last character (so a
    /// one-character query finds a character at the end of a run too), every Latin/digit run one
    /// lower-cased token; everything else separates.
    public static func tokens(_ text: String) -> [Token] {
        var out: [Token] = []
        out.reserveCapacity(text.count * 2)
        var position = 1
        for run in runs(text) {
            switch run {
            case .han(let chars):
                if chars.count == 1 {
                    out.append(Token(text: String(chars[0]), position: position))
                    position += 1
                    continue
                }
                for i in 0..<(chars.count - 1) {
                    out.append(Token(text: String(chars[i]) + String(chars[i + 1]), position: position))
                    position += 1
                }
                out.append(Token(text: String(chars[chars.count - 1]), position: position))
                position += 1
            case .word(let w):
                out.append(Token(text: w, position: position))
                position += 1
            }
        }
        return out
    }

    /// The query, split on white space into terms that must all occur (AND).
    public static func query(_ text: String) -> [Term] {
        var terms: [Term] = []
        for part in text.split(whereSeparator: { $0.isWhitespace }) {
            var phrase: [String] = []
            var single: String?
            for run in runs(String(part)) {
                switch run {
                case .han(let chars):
                    if chars.count == 1 {
                        single = String(chars[0])
                        phrase.append(String(chars[0]))
                    } else {
                        for i in 0..<(chars.count - 1) { phrase.append(String(chars[i]) + String(chars[i + 1])) }
                    }
                case .word(let w):
                    phrase.append(w)
                }
            }
            if phrase.isEmpty { continue }
            if phrase.count == 1, let single { terms.append(.prefix(single)) } else { terms.append(.phrase(phrase)) }
        }
        return terms
    }

    /// The document as space-separated tokens (what SQLite's FTS5 `unicode61` tokenizer reads
    /// back as the same tokens in the same order).
    public static func document(_ text: String) -> String {
        tokens(text).map(\.text).joined(separator: " ")
    }

    /// The document as a PostgreSQL `tsvector` literal with positions, built here rather than by
    /// `to_tsvector` so the tokens do not depend on the server's parser or locale.
    public static func tsvector(_ text: String) -> String {
        var positions: [String: [Int]] = [:]
        var order: [String] = []
        for t in tokens(text) {
            // tsvector positions stop at 16383; later occurrences add nothing to matching.
            guard t.position < 16_384 else { break }
            if positions[t.text] == nil { order.append(t.text) }
            positions[t.text, default: []].append(t.position)
        }
        return order.map { "\(quoted($0)):\(positions[$0]!.map(String.init).joined(separator: ","))" }.joined(separator: " ")
    }

    /// FTS5 MATCH expression, or nil when the query has no searchable term.
    public static func fts5(_ terms: [Term]) -> String? {
        guard !terms.isEmpty else { return nil }
        return terms.map { term in
            switch term {
            case .phrase(let tokens): "\"" + tokens.joined(separator: " ") + "\""
            case .prefix(let c): "\"" + c + "\"*"
            }
        }.joined(separator: " AND ")
    }

    /// PostgreSQL `tsquery` literal, or nil when the query has no searchable term.
    public static func tsquery(_ terms: [Term]) -> String? {
        guard !terms.isEmpty else { return nil }
        return terms.map { term in
            switch term {
            case .phrase(let tokens): tokens.map(quoted).joined(separator: " <-> ")
            case .prefix(let c): quoted(c) + ":*"
            }
        }.joined(separator: " & ")
    }

    private static func quoted(_ s: String) -> String {
        // Tokens are letters and digits, so there is almost never anything to escape; looking
        // at the bytes first skips the generic replacing, 7% of an intake's CPU on PostgreSQL.
        if !s.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "'") }) { return "'" + s + "'" }
        return "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    private enum Run { case han([Character]), word(String) }

    /// Han runs and Latin/digit runs; all else (punctuation, spaces, symbols) separates.
    private static func runs(_ text: String) -> [Run] {
        var out: [Run] = []
        var han: [Character] = []
        var word = ""
        func flush() {
            if !han.isEmpty { out.append(.han(han)); han = [] }
            if !word.isEmpty { out.append(.word(word)); word = "" }
        }
        for ch in text {
            if isHan(ch) {
                if !word.isEmpty { out.append(.word(word)); word = "" }
                han.append(ch)
            } else if ch.isASCII, ch.isLetter || ch.isNumber {
                if !han.isEmpty { out.append(.han(han)); han = [] }
                word.append(Character(ch.lowercased()))
            } else if let folded = halfwidth(ch) {
                // Full-width digits and letters (０-９, Ａ-Ｚ) read as their ASCII forms.
                if !han.isEmpty { out.append(.han(han)); han = [] }
                word.append(Character(folded.lowercased()))
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    private static func halfwidth(_ ch: Character) -> Character? {
        guard let s = ch.unicodeScalars.first, ch.unicodeScalars.count == 1 else { return nil }
        switch s.value {
        case 0xFF10...0xFF19, 0xFF21...0xFF3A, 0xFF41...0xFF5A: return Unicode.Scalar(s.value - 0xFEE0).map(Character.init)
        default: return nil
        }
    }

    private static func isHan(_ ch: Character) -> Bool {
        guard let s = ch.unicodeScalars.first, ch.unicodeScalars.count == 1 else { return false }
        switch s.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F, 0x3007: return true
        default: return false
        }
    }
}
