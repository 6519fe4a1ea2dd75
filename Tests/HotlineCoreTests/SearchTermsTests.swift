import Foundation
import Testing

@testable import HotlineCore

@Suite("Chinese search terms")
struct SearchTermsTests {
    @Test("a Han run becomes its bigrams and its last character, in consecutive positions")
    func bigrams() {
        let t = SearchTerms.tokens("路灯不亮")
        #expect(t.map(\.text) == ["路灯", "灯不", "不亮", "亮"])
        #expect(t.map(\.position) == [1, 2, 3, 4])
    }

    @Test("a word inside a longer run is found: 路灯 in 马路灯光")
    func substring() {
        let doc = Set(SearchTerms.tokens("马路灯光昏暗").map(\.text))
        #expect(SearchTerms.query("路灯") == [.phrase(["路灯"])])
        #expect(doc.contains("路灯"))
    }

    @Test("query terms are ANDed; longer terms are phrases of bigrams; one character is a prefix")
    func query() {
        #expect(SearchTerms.query("噪音 扰民") == [.phrase(["噪音"]), .phrase(["扰民"])])
        #expect(SearchTerms.query("暖气不热") == [.phrase(["暖气", "气不", "不热"])])
        #expect(SearchTerms.query("  灯 ") == [.prefix("灯")])
        #expect(SearchTerms.query("，。！") == [])
    }

    @Test("Latin and digits are lower-cased words; full-width forms fold to ASCII")
    func latin() {
        #expect(SearchTerms.tokens("3号楼 ABC").map(\.text) == ["3", "号楼", "楼", "abc"])
        #expect(SearchTerms.tokens("３号楼").map(\.text) == ["3", "号楼", "楼"])
        #expect(SearchTerms.query("Wi-Fi") == [.phrase(["wi", "fi"])])
    }

    @Test("punctuation separates runs, so a phrase never spans it")
    func punctuation() {
        let tokens = SearchTerms.tokens("路灯, 不亮").map(\.text)
        #expect(tokens == ["路灯", "灯", "不亮", "亮"])
        #expect(!tokens.contains("灯不"))
    }

    @Test("database expressions: FTS5 MATCH and tsquery, tsvector with positions")
    func expressions() {
        let q = SearchTerms.query("路灯不亮 扰民 灯")
        #expect(SearchTerms.fts5(q) == "\"路灯 灯不 不亮\" AND \"扰民\" AND \"灯\"*")
        #expect(SearchTerms.tsquery(q) == "'路灯' <-> '灯不' <-> '不亮' & '扰民' & '灯':*")
        #expect(SearchTerms.tsvector("灯灯灯") == "'灯灯':1,2 '灯':3")
        #expect(SearchTerms.fts5([]) == nil)
        #expect(SearchTerms.tsquery([]) == nil)
    }

    @Test("a Han character followed by a variation selector keeps its token (the selector separates)")
    func variationSelector() {
        // 葛 with an ideographic variation selector, as some name-entry systems write it.
        #expect(SearchTerms.tokens("葛\u{E0100}城").map(\.text) == ["葛", "城"])
        #expect(SearchTerms.query("葛\u{E0100}") == [.prefix("葛")])
    }

    @Test("the scalar scanner gives exactly the tokens, FTS5 document and tsvector of the plain Character-by-Character reading")
    func scannerMatchesReference() {
        // Han (including extension B and 〇), ASCII, full-width forms, punctuation, white space
        // and an emoji, in random mixes.
        let pool = Array("路灯不亮噪音扰民暖气不热电梯小区〇𠀀𠀁abcXYZ019０９ＡＺａｚ，。！、 \n\t-_'\\/😀")
        var rng = SystemRandomNumberGenerator()
        var samples = ["", " ", "路", "路灯不亮", "3号楼 ABC", "Wi-Fi 密码", "灯灯灯", "朝阳区建国路88号SOHO现代城A座１２０３室"]
        for _ in 0..<2_000 {
            let n = Int.random(in: 0..<60, using: &rng)
            samples.append(String((0..<n).map { _ in pool.randomElement(using: &rng)! }))
        }
        for text in samples {
            let reference = ReferenceTokens.tokens(text)
            #expect(SearchTerms.tokens(text) == reference, "tokens of \(text)")
            #expect(SearchTerms.document(text) == reference.map(\.text).joined(separator: " "), "document of \(text)")
            #expect(SearchTerms.tsvector(text) == ReferenceTokens.tsvector(reference), "tsvector of \(text)")
        }
    }
}

/// The first implementation (by `Character`, with `String` keys), kept as the reference the
/// faster scanner must agree with.
private enum ReferenceTokens {
    static func tokens(_ text: String) -> [SearchTerms.Token] {
        var runs: [[Character]] = []
        var kinds: [Bool] = []  // true: Han
        var han: [Character] = []
        var word = ""
        func flush() {
            if !han.isEmpty { runs.append(han); kinds.append(true); han = [] }
            if !word.isEmpty { runs.append(Array(word)); kinds.append(false); word = "" }
        }
        for ch in text {
            if isHan(ch) {
                if !word.isEmpty { runs.append(Array(word)); kinds.append(false); word = "" }
                han.append(ch)
            } else if ch.isASCII, ch.isLetter || ch.isNumber {
                if !han.isEmpty { runs.append(han); kinds.append(true); han = [] }
                word.append(Character(ch.lowercased()))
            } else if let folded = halfwidth(ch) {
                if !han.isEmpty { runs.append(han); kinds.append(true); han = [] }
                word.append(Character(folded.lowercased()))
            } else {
                flush()
            }
        }
        flush()
        var out: [SearchTerms.Token] = []
        var position = 1
        for (run, isHan) in zip(runs, kinds) {
            if !isHan {
                out.append(.init(text: String(run), position: position))
                position += 1
                continue
            }
            if run.count > 1 {
                for i in 0..<(run.count - 1) {
                    out.append(.init(text: String(run[i]) + String(run[i + 1]), position: position))
                    position += 1
                }
            }
            out.append(.init(text: String(run[run.count - 1]), position: position))
            position += 1
        }
        return out
    }

    static func tsvector(_ tokens: [SearchTerms.Token]) -> String {
        var positions: [String: [Int]] = [:]
        var order: [String] = []
        for t in tokens {
            guard t.position < 16_384 else { break }
            if positions[t.text] == nil { order.append(t.text) }
            positions[t.text, default: []].append(t.position)
        }
        return order.map { "'\($0)':\(positions[$0]!.map(String.init).joined(separator: ","))" }.joined(separator: " ")
    }

    static func halfwidth(_ ch: Character) -> Character? {
        guard let s = ch.unicodeScalars.first, ch.unicodeScalars.count == 1 else { return nil }
        switch s.value {
        case 0xFF10...0xFF19, 0xFF21...0xFF3A, 0xFF41...0xFF5A: return Unicode.Scalar(s.value - 0xFEE0).map(Character.init)
        default: return nil
        }
    }

    static func isHan(_ ch: Character) -> Bool {
        guard let s = ch.unicodeScalars.first, ch.unicodeScalars.count == 1 else { return false }
        switch s.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F, 0x3007: return true
        default: return false
        }
    }
}
