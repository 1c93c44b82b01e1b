import DSPy
import Foundation
import Testing

/// Runs each test case it marks only while fewer than one per processor are running. Suites that
/// start hundreds of interpreters or `dspy-repl` processes at once would otherwise take the
/// machine from the timing-sensitive client tests beside them (a stalled-stream test whose
/// 3-second timer fires before its server was even scheduled).
struct SharesTheCPU: SuiteTrait, TestTrait, TestScoping {
    /// One permit per processor but one, shared by every marked test case: a processor is always
    /// left for the rest (on 2 cores two fuzzers still starved the HTTP timing tests under the
    /// thread sanitizer, whose heads then arrived more than 8 s late).
    static let slots = AsyncSemaphore(capacity: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))

    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }  // the suite itself: nothing to hold
        try await Self.slots.acquire()
        defer { Self.slots.release() }
        try await function()
    }
}

extension Trait where Self == SharesTheCPU {
    /// At most one marked test case per processor but one at a time.
    static var sharesTheCPU: Self { SharesTheCPU() }
}
