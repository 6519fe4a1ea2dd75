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
}
