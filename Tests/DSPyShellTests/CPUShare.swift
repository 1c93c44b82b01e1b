import DSPy
import Foundation
import Testing

/// Runs each test case it marks only while fewer than one per processor are running. Suites that
/// start hundreds of interpreters or `dspy-repl` processes at once would otherwise take the
/// machine from the timing-sensitive client tests beside them (a stalled-stream test whose
/// 3-second timer fires before its server was even scheduled).
struct SharesTheCPU: SuiteTrait, TestTrait, TestScoping {
    /// One permit per processor, shared by every marked test case.
    static let slots = AsyncSemaphore(capacity: ProcessInfo.processInfo.activeProcessorCount)

    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }  // the suite itself: nothing to hold
        try await Self.slots.acquire()
        defer { Self.slots.release() }
        try await function()
    }
}

extension Trait where Self == SharesTheCPU {
    /// At most one marked test case per processor at a time.
    static var sharesTheCPU: Self { SharesTheCPU() }
}
