import DSPy
import Foundation
import Testing

/// Runs each test case it marks only while fewer than one per processor are running. Suites that
/// start hundreds of interpreters or `dspy-repl` processes at once would otherwise take the
/// machine from the timing-sensitive client tests beside them (a stalled-stream test whose
/// 3-second timer fires before its server was even scheduled).
struct SharesTheCPU: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }  // the suite itself: nothing to hold
        await CPUSlots.shared.acquire()
        defer { CPUSlots.shared.release() }
        try await function()
    }
}

extension Trait where Self == SharesTheCPU {
    /// At most one marked test case per processor at a time.
    static var sharesTheCPU: Self { SharesTheCPU() }
}

/// A counting semaphore for async callers, one slot per processor.
final class CPUSlots: Sendable {
    static let shared = CPUSlots(count: max(1, ProcessInfo.processInfo.activeProcessorCount))

    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Locked<State>

    init(count: Int) { state = Locked(State(free: count)) }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { s -> Bool in
                if s.free > 0 { s.free -= 1; return true }
                s.waiting.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiting.isEmpty { s.free += 1; return nil }
            return s.waiting.removeFirst()
        }
        next?.resume()
    }
}
