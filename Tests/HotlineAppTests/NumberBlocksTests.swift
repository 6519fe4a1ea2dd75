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

    @Test("Blocks shrink back to one number when intake slows, and a new day starts at 1")
    func slowsAndNewDay() async throws {
        let blocks = NumberBlocks()
        let counter = Counter()
        var t = 0.0
        var given: [Int] = []
        for _ in 0..<100 {
            t += 0.01
            given.append(try await blocks.next(day: "20261122", now: t) { try await counter.draw("20261122", $0) })
        }
        #expect(counter.sizes.max()! > 1)
        // Then one intake a minute: the rest of the last block first, then each block drawn
        // lasts long and the next is half as large, down to one number.
        for _ in 0..<100 {
            t += 60
            given.append(try await blocks.next(day: "20261122", now: t) { try await counter.draw("20261122", $0) })
        }
        #expect(counter.sizes.suffix(2) == [1, 1])
        // One process, one intake at a time: the numbers follow the order of intake, no gaps.
        #expect(given == Array(1...200))
        let first = try await blocks.next(day: "20261123", now: t + 1) { try await counter.draw("20261123", $0) }
        #expect(first == 1)
    }

    @Test("The sizing: doubles when a block lasted under half a second, halves over two")
    func sizing() {
        var s = NumberBlockSizing()
        #expect(s.size == 1)
        s.drew(1, at: 0)
        #expect(s.size == 1)
        for i in 1...10 { s.drew(s.size, at: Double(i) * 0.1) }
        #expect(s.size == NumberBlockSizing.largest)
        s.drew(s.size, at: 2)
        #expect(s.size == NumberBlockSizing.largest)
        s.drew(s.size, at: 5)
        #expect(s.size == NumberBlockSizing.largest / 2)
    }
}
