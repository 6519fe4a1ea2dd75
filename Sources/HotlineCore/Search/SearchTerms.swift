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
        out.reserveCapacity(text.utf8.count / 2)
        var position = 1
        scan(text) { token in
            out.append(Token(text: token.text, position: position))
            position += 1
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
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        scan(text) { token in
            if !out.isEmpty { out.append(0x20) }
            token.write(to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The document as a PostgreSQL `tsvector` literal with positions, built here rather than by
    /// `to_tsvector` so the tokens do not depend on the server's parser or locale. Tokens are Han
    /// characters, lower-case ASCII letters and digits, so none needs escaping inside its quotes.
    /// Written from bytes with integer keys: it runs for every intake and every seeded order,
    /// and hashing `String`s (with their Unicode normalisation) was most of its cost.
    public static func tsvector(_ text: String) -> String {
        var entries: [(token: ScannedToken, positions: [Int])] = []
        var index: [ScannedToken.Key: Int] = [:]
        var position = 1
        scan(text) { token in
            // tsvector positions stop at 16383; later occurrences add nothing to matching.
            guard position < 16_384 else { return }
            if let i = index[token.key] {
                entries[i].positions.append(position)
            } else {
                index[token.key] = entries.count
                entries.append((token, [position]))
            }
            position += 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 12)
        for (n, entry) in entries.enumerated() {
            if n > 0 { out.append(0x20) }
            out.append(0x27)
            entry.token.write(to: &out)
            out.append(0x27)
            out.append(0x3A)
            for (k, p) in entry.positions.enumerated() {
                if k > 0 { out.append(0x2C) }
                writeDecimal(p, to: &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func writeDecimal(_ n: Int, to out: inout [UInt8]) {
        if n >= 10 { writeDecimal(n / 10, to: &out) }
        out.append(UInt8(0x30 + n % 10))
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

    /// Han runs and Latin/digit runs (for query parsing); all else separates.
    private static func runs(_ text: String) -> [Run] {
        var out: [Run] = []
        var han: [Character] = []
        var word = ""
        func flush() {
            if !han.isEmpty { out.append(.han(han)); han = [] }
            if !word.isEmpty { out.append(.word(word)); word = "" }
        }
        for s in text.unicodeScalars {
            switch kind(of: s) {
            case .han:
                if !word.isEmpty { out.append(.word(word)); word = "" }
                han.append(Character(s))
            case .word(let byte):
                if !han.isEmpty { out.append(.han(han)); han = [] }
                word.unicodeScalars.append(Unicode.Scalar(byte))
            case .separator:
                flush()
            }
        }
        flush()
        return out
    }

    /// One token found by `scan`: a Han character, a pair of them, or an ASCII word.
    struct ScannedToken {
        enum Key: Hashable { case han(UInt64), word([UInt8]) }
        var first: Unicode.Scalar?
        var second: Unicode.Scalar?
        var word: [UInt8] = []

        var key: Key {
            guard let first else { return .word(word) }
            return .han(UInt64(first.value) << 21 | UInt64(second?.value ?? 0))
        }

        var text: String {
            guard let first else { return String(decoding: word, as: UTF8.self) }
            var s = String(first)
            if let second { s.unicodeScalars.append(second) }
            return s
        }

        func write(to out: inout [UInt8]) {
            guard let first else { out.append(contentsOf: word); return }
            UTF8.encode(first) { out.append($0) }
            if let second { UTF8.encode(second) { out.append($0) } }
        }
    }

    private enum ScalarKind { case han, word(UInt8), separator }

    /// Han characters; ASCII letters and digits (lower-cased) and their full-width forms (folded
    /// to ASCII: ０-９, Ａ-Ｚ); everything else (punctuation, spaces, symbols) separates.
    private static func kind(of s: Unicode.Scalar) -> ScalarKind {
        let v = s.value
        switch v {
        case 0x30...0x39, 0x61...0x7A: return .word(UInt8(v))
        case 0x41...0x5A: return .word(UInt8(v + 0x20))
        case 0xFF10...0xFF19, 0xFF41...0xFF5A: return .word(UInt8(v - 0xFEE0))
        case 0xFF21...0xFF3A: return .word(UInt8(v - 0xFEE0 + 0x20))
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F, 0x3007: return .han
        default: return .separator
        }
    }

    /// The document's tokens in order, over Unicode scalars (not grapheme clusters, whose
    /// breaking cost more than the rest of the indexing): a Han run yields each pair of
    /// neighbours as it is read and its last character when it ends.
    static func scan(_ text: String, _ emit: (ScannedToken) -> Void) {
        var previousHan: Unicode.Scalar?
        var word: [UInt8] = []
        func endHan() {
            if let h = previousHan { emit(ScannedToken(first: h)) }
            previousHan = nil
        }
        func endWord() {
            if !word.isEmpty { emit(ScannedToken(word: word)) }
            word.removeAll(keepingCapacity: true)
        }
        for s in text.unicodeScalars {
            switch kind(of: s) {
            case .han:
                endWord()
                if let h = previousHan { emit(ScannedToken(first: h, second: s)) }
                previousHan = s
            case .word(let byte):
                endHan()
                word.append(byte)
            case .separator:
                endHan()
                endWord()
            }
        }
        endHan()
        endWord()
    }
}
