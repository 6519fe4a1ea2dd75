import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import HotlineApp

/// The day's counter as PostgreSQL's `DrawNumber` keeps it: `draw(n)` adds n and returns the
/// new value. Counts its round trips.
private final class Counter: Sendable {
    private let box = NIOLockedValueBox((last: [String: Int](), trips: 0, sizes: [Int]()))

    func draw(_ day: String, _ n: Int) async throws -> Int {
        // A round trip takes a while: concurrent intakes find the block empty together.
        await Task.yield()
        return box.withLockedValue { s in
            s.trips += 1
            s.sizes.append(n)
            s.last[day, default: 0] += n
            return s.last[day]!
        }
    }

    var trips: Int { box.withLockedValue { $0.trips } }
    var sizes: [Int] { box.withLockedValue { $0.sizes } }
}

@Suite("Order numbers drawn in blocks (NumberBlocks)")
struct NumberBlocksTests {
    @Test("A quiet centre draws one number per trip, in order, without gaps")
    func quiet() async throws {
        let blocks = NumberBlocks()
        let counter = Counter()
        var got: [Int] = []
        for i in 0..<5 {
            // An intake every three seconds.
            got.append(try await blocks.next(day: "20261122", now: Double(i) * 3) { try await counter.draw("20261122", $0) })
        }
        #expect(got == [1, 2, 3, 4, 5])
        #expect(counter.sizes == [1, 1, 1, 1, 1])
    }

    @Test("A busy second draws ever larger blocks, up to the largest, and every number once")
    func busy() async throws {
        let blocks = NumberBlocks()
        let counter = Counter()
        // Eight clients, each recording 60 orders one after another, a millisecond apart.
        let clock = NIOLockedValueBox(0.0)
        let numbers = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine: [Int] = []
                    for _ in 0..<60 {
                        let now = clock.withLockedValue { $0 += 0.001; return $0 }
                        mine.append(try await blocks.next(day: "20261122", now: now) { try await counter.draw("20261122", $0) })
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(numbers.count == 480 && Set(numbers).count == 480, "a number was given twice")
        #expect(numbers.allSatisfy { $0 >= 1 })
        // Given from the blocks drawn: at most the last blocks' rests are left over.
        #expect(numbers.max()! <= 480 + 8 * NumberBlockSizing.largest)
        #expect(counter.trips < 100, "\(counter.trips) round trips for 480 numbers")
        #expect(counter.sizes.max() == NumberBlockSizing.largest)
    }

    @Test("After a burst, numbers left over are dropped within two seconds and a quiet centre draws one at a time again; a new day starts at 1")
    func slowsAndNewDay() async throws {
        let blocks = NumberBlocks()
        let counter = Counter()
        var t = 0.0
        var burst: [Int] = []
        for _ in 0..<100 {
            t += 0.01
            burst.append(try await blocks.next(day: "20261122", now: t) { try await counter.draw("20261122", $0) })
        }
        #expect(counter.sizes.max()! > 1)
        // One process, one intake at a time: the numbers follow the order of intake.
        #expect(burst == Array(1...100))
        let tripsAfterBurst = counter.trips
        // Then one intake a minute: the burst's leftovers are a gap, and each intake draws one.
        var quiet: [Int] = []
        for _ in 0..<10 {
            t += 60
            quiet.append(try await blocks.next(day: "20261122", now: t) { try await counter.draw("20261122", $0) })
        }
        #expect(counter.trips == tripsAfterBurst + 10)
        #expect(counter.sizes.suffix(10) == Array(repeating: 1, count: 10))
        #expect(quiet.first! > 100)
        #expect(quiet == Array(quiet.first!...(quiet.first! + 9)))
        let first = try await blocks.next(day: "20261123", now: t + 1) { try await counter.draw("20261123", $0) }
        #expect(first == 1)
    }

    @Test("A failed draw gives no number and leaves nothing behind: the next intake draws again")
    func failedDraw() async throws {
        struct Down: Error {}
        let blocks = NumberBlocks()
        let counter = Counter()
        _ = try await blocks.next(day: "20261122", now: 0) { try await counter.draw("20261122", $0) }
        await #expect(throws: Down.self) {
            _ = try await blocks.next(day: "20261122", now: 0.1) { _ in throw Down() }
        }
        let n = try await blocks.next(day: "20261122", now: 0.2) { try await counter.draw("20261122", $0) }
        #expect(n == 2)
    }

    @Test("The sizing: doubles when a block lasted under half a second, halves over one, one after two idle seconds")
    func sizing() {
        var s = NumberBlockSizing()
        #expect(s.size(at: 0) == 1)
        s.drew(at: 0)
        #expect(s.size(at: 0) == 1)
        for i in 1...10 { s.drew(at: Double(i) * 0.1) }
        #expect(s.size(at: 1) == NumberBlockSizing.largest)
        s.drew(at: 1.8)
        #expect(s.size(at: 1.8) == NumberBlockSizing.largest, "a block that lasted 0.8 s: the same size")
        s.drew(at: 3)
        #expect(s.size(at: 3) == NumberBlockSizing.largest / 2)
        // Draws finishing out of order do not move time back.
        s.drew(at: 2.9)
        #expect(s.size(at: 3) == NumberBlockSizing.largest)
        #expect(s.size(at: 5.1) == 1)
        s.drew(at: 5.1)
        #expect(s.size(at: 5.2) == 1)
    }
}
