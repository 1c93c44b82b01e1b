// Delta debugging (Zeller's ddmin): the smallest part of a failing input that still fails,
// first over statements, then over each statement's lines, tokens and characters.

/// A trial budget shared by one minimization: stops it after `maxTrials` runs or at `deadline`.
final class TrialBudget {
    let maxTrials: Int
    let deadline: Double
    private(set) var trials = 0

    init(maxTrials: Int, seconds: Double) {
        self.maxTrials = maxTrials
        deadline = monotonicSeconds() + seconds
    }

    /// Takes one trial; false when the budget is spent.
    func take() -> Bool {
        guard trials < maxTrials, monotonicSeconds() < deadline else { return false }
        trials += 1
        return true
    }

    var spent: Bool { trials >= maxTrials || monotonicSeconds() >= deadline }
}

enum Minimize {
    /// The smallest sub-sequence of `items` (order kept) for which `fails` holds, as far as
    /// the budget allows; `items` itself must fail.
    static func ddmin<T>(_ items: [T], budget: TrialBudget, fails: ([T]) -> Bool) -> [T] {
        var current = items
        var n = 2
        while current.count >= 2, !budget.spent {
            let chunks = split(current, into: n)
            var reduced = false
            for chunk in chunks where chunk.count < current.count {
                guard budget.take() else { return current }
                if fails(chunk) {
                    current = chunk
                    n = 2
                    reduced = true
                    break
                }
            }
            if !reduced, n > 2 || chunks.count > 2 {
                for i in chunks.indices {
                    let complement = chunks.enumerated().filter { $0.offset != i }.flatMap(\.element)
                    guard complement.count < current.count, !complement.isEmpty else { continue }
                    guard budget.take() else { return current }
                    if fails(complement) {
                        current = complement
                        n = max(n - 1, 2)
                        reduced = true
                        break
                    }
                }
            }
            if !reduced {
                if n >= current.count { break }
                n = min(current.count, n * 2)
            }
        }
        return current
    }

    static func split<T>(_ items: [T], into n: Int) -> [[T]] {
        var out: [[T]] = []
        var start = 0
        for i in 0..<n {
            let end = start + (items.count - start) / (n - i)
            if end > start { out.append(Array(items[start..<end])) }
            start = end
        }
        return out
    }

    /// Python-ish tokens: names and numbers, runs of spaces, and single other characters, so a
    /// shrink removes whole words before it removes letters.
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var kind = 0
        for c in text {
            let k = c.isLetter || c.isNumber || c == "_" ? 1 : (c == " " ? 2 : 3)
            if k != kind || k == 3 {
                if !current.isEmpty { out.append(current) }
                current = ""
                kind = k
            }
            current.append(c)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Shrinks one statement's text: one line of it alone (dedented, or the value of an
    /// assignment), whole lines, then tokens, then characters.
    static func shrink(_ text: String, budget: TrialBudget, fails: (String) -> Bool) -> String {
        var best = text
        var pieces: [String] = []
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            pieces.append(String(trimmed))
            if let eq = trimmed.range(of: " = ") { pieces.append(String(trimmed[eq.upperBound...])) }
            if trimmed.hasPrefix("return ") { pieces.append(String(trimmed.dropFirst(7))) }
        }
        for piece in pieces.sorted(by: { $0.count < $1.count }) where piece.count < best.count && !piece.isEmpty {
            guard budget.take() else { return best }
            if fails(piece) {
                best = piece
                break
            }
        }
        let lines = best.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.count > 1 {
            best = ddmin(lines, budget: budget) { fails($0.joined(separator: "\n")) }.joined(separator: "\n")
        }
        let words = tokens(best)
        if words.count > 1 {
            best = ddmin(words, budget: budget) { fails($0.joined()) }.joined()
        }
        let characters = Array(best)
        if characters.count > 1, characters.count <= 400 {
            best = String(ddmin(characters, budget: budget) { fails(String($0)) })
        }
        return best
    }
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

import Dispatch
